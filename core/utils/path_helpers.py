"""Path helpers of the reference's ``webknossos.utils``: local or remote paths, paths in a dataset, tree ops."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePath
from typing import Any

from upath import UPath

from .. import ports

_LOCAL_PROTOCOLS = ("", "file", "local")
_READ_ONLY_PROTOCOLS = ("http", "https")


def _protocol(path: Any) -> str:
    return getattr(path, "protocol", "") or ""


def strip_trailing_slash(path: UPath) -> UPath:
    """``path`` without a trailing ``/`` (URLs like ``s3://bucket/a/`` keep their protocol and options)."""
    text = str(path)
    if not text.endswith("/") or text.endswith("://"):
        return path
    return UPath(text.rstrip("/"), **getattr(path, "storage_options", {}))


def is_remote_path(path: Any) -> bool:
    """Whether ``path`` is not on the local file system (s3, http(s), memory, ...)."""
    return _protocol(path) not in _LOCAL_PROTOCOLS


def is_fs_path(path: Any) -> bool:
    """Whether ``path`` is a local UPath without a protocol (a plain file system path wrapped by UPath)."""
    return isinstance(path, UPath) and _protocol(path) == ""


def is_writable_path(path: Any) -> bool:
    """Whether data can be written at ``path`` (everything but http(s) URLs)."""
    return _protocol(path) not in _READ_ONLY_PROTOCOLS


def safe_is_relative_to(path: Any, base_path: Any) -> bool:
    """``path.is_relative_to(base_path)`` that says False (instead of raising) for paths of different kinds."""
    if _protocol(path) != _protocol(base_path):
        return False
    try:
        path.relative_to(base_path)
    except (ValueError, TypeError):
        return False
    return True


def cheap_resolve(path: Any) -> Any:
    """An absolute, symlink-resolved local path; remote paths are returned unchanged (no request is made)."""
    if is_remote_path(path):
        return path
    return path.resolve()


def _plain_local(path: Any) -> Path:
    return Path(path.path) if isinstance(path, UPath) else Path(path)


def dump_path(path: Any, dataset_path: Any) -> str:
    """How ``path`` is written into ``datasource-properties.json``: ``./relative`` when it lies inside
    ``dataset_path``, else absolute (local) or its URL."""
    if is_remote_path(path):
        return str(path)
    absolute = Path(os.path.abspath(_plain_local(path)))
    if dataset_path is not None and not is_remote_path(dataset_path):
        base = Path(os.path.abspath(_plain_local(dataset_path)))
        if absolute == base or base in absolute.parents:
            return "./" + absolute.relative_to(base).as_posix() if absolute != base else "."
    return str(absolute)


def enrich_path(path: str | PurePath, dataset_path: Any = None) -> UPath:
    """The path a properties entry names: a URL or absolute path as is, a relative one inside ``dataset_path``
    (relative to the working directory without one)."""
    text = os.fspath(path) if isinstance(path, PurePath) else str(path)
    if "://" in text or os.path.isabs(text):
        return UPath(text)
    if dataset_path is None:
        return UPath(os.path.abspath(text))
    return dataset_path / text.removeprefix("./")


def copytree(
    in_path: Any,
    out_path: Any,
    *,
    ignore: str | list[str] | None = None,
    threads: int | None = 10,
    progress_desc: str | None = None,
) -> None:
    """Copy the folder ``in_path`` (local or remote) into ``out_path``, files in parallel on ``threads`` threads.

    ``ignore`` names entries (file or folder names) to leave out.
    """
    source, target = UPath(in_path), UPath(out_path)
    ignored = {ignore} if isinstance(ignore, str) else set(ignore or ())
    files = []
    for file in source.rglob("*"):
        relative = file.relative_to(source)
        if ignored & set(PurePath(str(relative)).parts) or not file.is_file():
            continue
        files.append((file, target.joinpath(*PurePath(str(relative)).parts)))
    for folder in {dst.parent for _, dst in files} | {target}:
        folder.mkdir(parents=True, exist_ok=True)
    with ports.progress(progress_desc, len(files)) as progress, ThreadPoolExecutor(max(1, threads or 1)) as pool:
        transfer = ports.file_transfer()
        for _ in pool.map(lambda pair: transfer.copy_file(*pair), files):
            progress.advance()


def movetree(in_path: Any, out_path: Any) -> None:
    """Move the local folder ``in_path`` to ``out_path`` (AssertionError for remote paths, as in the reference)."""
    assert not is_remote_path(in_path) and not is_remote_path(out_path), (
        f"Move is only supported for local paths, got {in_path} and {out_path}"
    )
    ports.file_transfer().move(_plain_local(in_path), _plain_local(out_path))


def rmtree(path: Any) -> None:
    """Delete the folder or file at ``path`` (local or remote); a missing path is no error."""
    ports.file_transfer().remove(path if is_remote_path(path) else _plain_local(path))
