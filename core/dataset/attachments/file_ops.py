"""File helpers for attachments: copying a file or folder between (local or fsspec) paths, properties paths."""

from __future__ import annotations

import os
import shutil

from upath import UPath

from ..paths import is_local, is_relative_to, local_path, url_for_properties


def copy_entry(source: UPath, target: UPath) -> None:
    """Copy the file or folder ``source`` to ``target`` (which must not exist)."""
    if is_local(source) and is_local(target):
        src, dst = local_path(source), local_path(target)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
        return
    if source.is_dir():
        # fs.find lists files only; rglob + is_file cannot tell folders from files over http
        base = str(source.path).rstrip("/")
        for file_path in source.fs.find(base):
            relative = str(file_path)[len(base) + 1 :]
            destination = target.joinpath(*relative.split("/"))
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.fs.cat_file(file_path))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())


def remove_entry(path: UPath) -> None:
    """Delete a file or folder if it exists."""
    if not path.exists():
        return
    if is_local(path):
        local = local_path(path)
        shutil.rmtree(local) if local.is_dir() else local.unlink()
    else:
        path.fs.rm(path.path, recursive=True)


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
