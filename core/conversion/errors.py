"""Errors of the volume imports: the source (file, folder, array) does not hold what the import needs."""

from __future__ import annotations

from typing import Any


class ConversionInputError(ValueError):
    """The source of an import is unusable as given (wrong size, not an array, no cubes); ``path`` names it."""

    def __init__(self, message: str, *, path: Any = None) -> None:
        super().__init__(message)
        self.path = path


class SourceNotFoundError(ConversionInputError, FileNotFoundError):
    """The source of an import does not exist (also a FileNotFoundError)."""
