"""Errors of importing images (``Dataset.from_images``, ``add_layer_from_images``): all ValueErrors naming the path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ImageConversionError(ValueError):
    """Images could not be turned into a layer; ``path`` is the file or folder concerned (or None)."""

    def __init__(self, message: str, *, path: Any = None) -> None:
        super().__init__(message)
        self.path = path


class UnsupportedImageFormatError(ImageConversionError):
    """No reader handles the files: ``file_extension`` (or ``found_file_extensions``) is not among
    ``supported_file_extensions``; ``missing_extras`` names the extras whose installation would help."""

    def __init__(
        self,
        message: str,
        *,
        path: Any = None,
        file_extension: str | None = None,
        supported_file_extensions: Sequence[str] = [],  # noqa: B006 - kept read-only, the reference's default
        found_file_extensions: Sequence[str] | None = None,
        missing_extras: Sequence[str] = [],  # noqa: B006 - kept read-only, the reference's default
    ) -> None:
        super().__init__(message, path=path)
        self.file_extension = file_extension
        self.supported_file_extensions = supported_file_extensions
        self.found_file_extensions = found_file_extensions
        self.missing_extras = missing_extras


class UnsupportedImageDataError(ImageConversionError):
    """The files are readable but hold data that cannot become a layer (e.g. an unsupported pixel type)."""


class CorruptImageError(ImageConversionError):
    """A file of a supported format could not be read: it is likely damaged or incomplete."""
