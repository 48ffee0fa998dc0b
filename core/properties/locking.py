"""An exclusive lock around one read-modify-write of a dataset's ``datasource-properties.json``.

Locally the lock is an advisory lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on the hidden file
``.datasource-properties.json.lock`` next to the properties, so processes and threads that change the same
dataset take turns (also across machines where the shared file system's locks work, e.g. NFS on Linux). The
holder removes the lock file before releasing it, so none is left behind except after a killed writer.
Elsewhere (``memory://``, ``s3://``, other fsspec locations) the lock serialises the threads of one process:
``memory://`` lives in one process, so that is all it needs; on ``s3://`` writers in other processes or machines
are kept apart by conditional writes instead (``updates.py``), and other object stores are not protected.

The lock is reentrant within a thread: a caller may hold it around a whole change (e.g. checking that a layer
name is free, creating the layer's files and saving the properties) while the save takes it again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import Any

from upath import UPath

from ..file_locks import exclusive_lock
from .files import local_properties_path, properties_file_path

LOCK_SUFFIX = ".lock"
_process_locks: dict[str, threading.RLock] = {}
_process_locks_guard = threading.Lock()
_held = threading.local()  # lock file key -> how often this thread holds it


def lock_file_path(path: str | PathLike | UPath) -> Any:
    """The lock file of the dataset at ``path``: ``.datasource-properties.json.lock`` next to its properties."""
    file = properties_file_path(path)
    return file.with_name(f".{file.name}{LOCK_SUFFIX}")


@contextmanager
def properties_lock(path: str | PathLike | UPath) -> Iterator[None]:
    """Hold the exclusive lock on the properties of the dataset at ``path`` for the ``with`` block.

    Reentrant within one thread (the file lock is taken once, by the outermost block). Where the file system
    refuses advisory locks (some network file systems), a RuntimeWarning names the file and the block runs
    unlocked.
    """
    lock_file = lock_file_path(path)
    key = str(lock_file)
    depth: dict[str, int] = _held.__dict__.setdefault("depth", {})
    with _process_lock(key):
        if depth.get(key):
            depth[key] += 1
            try:
                yield
            finally:
                depth[key] -= 1
            return
        local = local_properties_path(lock_file)
        depth[key] = 1
        try:
            if local is None:
                yield  # memory:// and object stores: threads of this process (see the module docstring)
            else:
                with exclusive_lock(local, "changing the dataset's properties"):
                    yield
        finally:
            del depth[key]


@contextmanager
def _process_lock(key: str) -> Iterator[None]:
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.RLock())
    with lock:
        yield
