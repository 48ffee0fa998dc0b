"""An exclusive lock around one read-modify-write of a dataset's ``datasource-properties.json``.

Locally the lock is an advisory lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on the hidden file
``.datasource-properties.json.lock`` next to the properties, so processes and threads that change the same
dataset take turns (also across machines where the shared file system's locks work, e.g. NFS on Linux). The
holder removes the lock file before releasing it, so none is left behind except after a killed writer.
Elsewhere (``memory://``, ``s3://``, other fsspec locations) only the threads of one process are serialised:
object stores offer no lock here, so concurrent writers in different processes or machines are NOT protected
from each other there.
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
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()



def lock_file_path(path: str | PathLike | UPath) -> Any:
    """The lock file of the dataset at ``path``: ``.datasource-properties.json.lock`` next to its properties."""
    file = properties_file_path(path)
    return file.with_name(f".{file.name}{LOCK_SUFFIX}")


@contextmanager
def properties_lock(path: str | PathLike | UPath) -> Iterator[None]:
    """Hold the exclusive lock on the properties of the dataset at ``path`` for the ``with`` block.

    Not reentrant: do not take it again inside the block. Where the file system refuses advisory locks
    (some network file systems), a RuntimeWarning names the file and the block runs unlocked.
    """
    lock_file = lock_file_path(path)
    with _process_lock(str(lock_file)):
        local = local_properties_path(lock_file)
        if local is None:
            yield  # memory:// and object stores: threads of this process only (see the module docstring)
            return
        with exclusive_lock(local, "changing the dataset's properties"):
            yield


@contextmanager
def _process_lock(key: str) -> Iterator[None]:
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.Lock())
    with lock:
        yield
