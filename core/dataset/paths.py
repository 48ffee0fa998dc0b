"""Path helpers for datasets: local vs. fsspec paths, mag folder resolution, relative checks."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from upath import UPath

_LOCAL = ("", "file", "local")


def to_upath(path: Any) -> UPath:
    """A UPath for ``path``; local paths become absolute."""
    upath = path if isinstance(path, UPath) else UPath(os.fspath(path) if isinstance(path, os.PathLike) else path)
    if is_local(upath):
        return UPath(os.path.abspath(os.fspath(upath.path if hasattr(upath, "path") else upath)))
    return upath


def is_local(path: Any) -> bool:
    """Whether ``path`` is on the local file system."""
    return getattr(path, "protocol", "") in _LOCAL


def local_path(path: Any) -> Path:
    """A pathlib.Path for a local UPath."""
    return Path(path.path if isinstance(path, UPath) else path)


def is_relative_to(path: Any, parent: Any) -> bool:
    """Whether ``path`` lies inside ``parent`` (same protocol), after resolving ``.`` and ``..`` segments.

    ``dataset/color/../../victim`` is not inside ``dataset/color``: a path from a properties file cannot pass
    for one inside the dataset (whose data a deletion removes) by climbing out with ``..``. Symbolic links
    are not followed.
    """
    if getattr(path, "protocol", "") != getattr(parent, "protocol", ""):
        return False
    child_parts, parent_parts = _normalized_parts(path), _normalized_parts(parent)
    return child_parts[: len(parent_parts)] == parent_parts


def _normalized_parts(path: Any) -> list[str]:
    """The segments of ``path`` with ``.`` and ``..`` resolved lexically (a URL keeps its ``scheme://``)."""
    text = str(path)
    if is_local(path):
        return list(Path(os.path.normpath(text)).parts)
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    normalized = posixpath.normpath(rest) if rest else ""
    return [scheme + separator, *(part for part in normalized.split("/") if part not in ("", "."))]


def resolve_mag_path(dataset_path: UPath, layer_path: UPath, entry: Any) -> UPath:
    """Where a mag's array is: its properties ``path`` (relative to the dataset, absolute or a URL), or
    for old files without ``path`` the layer folder's ``"2"`` / ``"2-2-1"`` style directory."""
    if entry.path:
        text = str(entry.path)
        if "://" in text:
            return UPath(text)
        if os.path.isabs(text):
            return UPath(text)
        return dataset_path / text.removeprefix("./")
    short = layer_path / entry.mag.to_layer_name()
    if is_local(short) and not short.exists():
        long = layer_path / entry.mag.to_long_layer_name()
        if long.exists():
            return long
    return short
