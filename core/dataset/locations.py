"""Which locations a dataset can be written to: http(s) is read-only; everything else holds every format."""

from __future__ import annotations

from typing import Any

_READ_ONLY_PROTOCOLS = ("http", "https")


def is_read_only_location(path: Any) -> bool:
    """Whether ``path`` is on a file system that daedalus can only read (http and https)."""
    return getattr(path, "protocol", "") in _READ_ONLY_PROTOCOLS


def check_writable_location(path: Any, data_format: Any = None) -> None:
    """Raise ValueError, before anything is written, if ``path`` cannot hold (``data_format``) data.

    Every format can be written wherever data can be written (WKW on remote storage through staged files).
    """
    if is_read_only_location(path):
        raise ValueError(
            f"Cannot write to {path}: http(s) locations are read-only. Write to a local folder, s3:// or "
            "memory:// instead (e.g. dataset.copy_dataset(local_path))."
        )
