"""The error raised when an optional dependency of a feature is not installed."""

from __future__ import annotations


class WkImportError(ImportError):
    """An optional package is missing; the message says which ``pip install 'daedalus[extra]'`` brings it."""

    def __init__(self, missing_package: str, extras: str = "all", custom_message: str | None = None) -> None:
        self.missing_package = missing_package
        self.extras = extras
        advice = f"Please install it e.g. using `pip install 'daedalus[{extras}]'`."
        message = f"{custom_message}{advice}" if custom_message else f"Cannot import {missing_package}. {advice}"
        super().__init__(message, name=missing_package)
