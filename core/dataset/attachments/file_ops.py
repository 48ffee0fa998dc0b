"""File helpers for attachments: copying a file or folder between (local or fsspec) paths, properties paths."""

from __future__ import annotations

import os

from upath import UPath

from ... import ports
from ..paths import is_local, is_relative_to, local_path, url_for_properties


def copy_entry(source: UPath, target: UPath) -> None:
    """Copy the file or folder ``source`` to ``target`` (which must not exist)."""
    # fs.find lists files only; rglob + is_file cannot tell folders from files over http
    is_folder = None if is_local(source) else source.is_dir()
    ports.file_transfer().copy_tree(source, target, merge=False, is_folder=is_folder)


def remove_entry(path: UPath) -> None:
    """Delete a file or folder if it exists."""
    if path.exists():
        ports.file_transfer().remove(path)


def stored_path(path: UPath, dataset_path: UPath, make_relative: bool = False) -> str:
    """The properties ``path`` of an attachment: ``./...`` inside the dataset, else absolute or a URL.

    ``make_relative`` gives local paths outside the dataset relative to it as well (``../other/...``).
    """
    if is_relative_to(path, dataset_path):
        inner = str(path)[len(str(dataset_path).rstrip("/")) + 1 :]
        return "./" + inner
    if make_relative and is_local(path) and is_local(dataset_path):
        return os.path.relpath(os.fspath(local_path(path)), os.fspath(local_path(dataset_path)))
    return url_for_properties(path)
