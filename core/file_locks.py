"""Advisory locks on local shard (or chunk) files, held while a partial write reads, merges and rewrites them.

A write that covers only part of a shard must read the shard, merge the new voxels in and write the whole
shard back. Two processes doing that at once to the same shard each write back their own merge, and the
later one silently drops the chunks of the earlier one. ``locked_files`` serialises such writers: it takes
an exclusive ``flock`` on a lock file next to every shard file (``dir/.name.lock``), in sorted order so two
writers never deadlock. The lock files are removed again on release (the holder unlinks its file before
unlocking, and an acquirer that finds its file replaced or removed retries), so a dataset keeps no lock
files except after a writer was killed, and such a stale file is reused and removed by the next writer.

The locks are advisory and local: they exclude writers using daedalus (any thread or process, on one
machine, or on a shared file system whose ``flock`` works across machines, such as NFS on Linux; Windows uses
``msvcrt.locking``). They cannot be taken on remote storage (s3, http): there, concurrent partial writers to one
shard are not safe; write whole shards instead. ``exclusive_lock`` is the one mechanism: the properties lock
(``core/properties/locking.py``) uses it too.
"""

from __future__ import annotations

import errno
import os
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: msvcrt.locking instead of flock
    fcntl = None  # type: ignore[assignment]
    import msvcrt

__all__ = [
    "LOCK_SUFFIX",
    "exclusive_lock",
    "lock_file_of",
    "locked_files",
    "partial_cells",
    "try_lock_existing",
    "unlock_and_close",
]

LOCK_SUFFIX = ".lock"


def lock_file_of(file: Path) -> Path:
    """The lock file guarding ``file``: a hidden sibling ``.{name}.lock`` (not a chunk key of any format)."""
    return file.with_name(f".{file.name}{LOCK_SUFFIX}")


def partial_cells(
    offset: Sequence[int], end: Sequence[int], grid: Sequence[int], shape: Sequence[int]
) -> list[tuple[int, ...]]:
    """Indices of the grid cells (shards) the box ``offset .. end`` meets but does not cover completely.

    A cell counts as covered when the box spans it up to the array's ``shape`` (the last cell of an axis may
    be cut by the shape). An aligned box yields ``[]`` without enumerating any cell.
    """
    aligned = all(a % g == 0 and (b % g == 0 or b >= s) for a, b, g, s in zip(offset, end, grid, shape))
    if aligned:
        return []
    ranges = [range(a // g, (b - 1) // g + 1) for a, b, g in zip(offset, end, grid)]
    cells: list[tuple[int, ...]] = [()]
    for axis_range in ranges:
        cells = [(*cell, i) for cell in cells for i in axis_range]
    return [
        cell
        for cell in cells
        if any(i * g < a or min((i + 1) * g, s) > b for i, a, b, g, s in zip(cell, offset, end, grid, shape))
    ]


_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


def _open(lock: Path, purpose: str) -> int:
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        return os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise OSError(
            error.errno,
            f"Cannot create the lock file {lock} that guards {purpose} ({error.strerror}); make its folder writable.",
        ) from error


def _is_current(handle: int, lock: Path) -> bool:
    """Whether ``handle`` is still the file at ``lock`` (not removed or replaced by a previous holder)."""
    held = os.fstat(handle)
    try:
        current = os.stat(lock)
    except FileNotFoundError:
        return False
    return (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)


def _lock(handle: int, lock: Path, purpose: str) -> bool:
    """Block until ``handle`` is locked; False (with a RuntimeWarning) where the file system has no locks."""
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows
            while True:
                try:
                    os.lseek(handle, 0, os.SEEK_SET)
                    msvcrt.locking(handle, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                    break
                except OSError as error:
                    if error.errno != errno.EDEADLK:
                        raise
                    time.sleep(0.01)
        return True
    except OSError as error:
        if error.errno not in _UNSUPPORTED:
            raise
        warnings.warn(
            f"The file system of {lock} does not support file locks ({error.strerror}): {purpose} is not "
            "protected against other processes doing the same at the same time.",
            RuntimeWarning,
            stacklevel=5,
        )
        return False


def _unlock(handle: int) -> None:
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)


@contextmanager
def exclusive_lock(lock: Path, purpose: str) -> Iterator[bool]:
    """Hold an exclusive advisory lock on the file ``lock`` (created if needed) for the ``with`` block.

    Yields whether the lock is held (False, after a RuntimeWarning naming ``purpose``, where the file system
    refuses locks). The holder removes the file before unlocking, so none is left behind; a waiter whose file
    was removed or replaced meanwhile locks the new one. Threads of one process exclude each other too.
    """
    while True:
        handle = _open(lock, purpose)
        try:
            locked = _lock(handle, lock, purpose)
        except BaseException:
            os.close(handle)
            raise
        if not locked or _is_current(handle, lock):
            break
        os.close(handle)
    try:
        yield locked
    finally:
        try:
            if locked:
                if fcntl is not None:  # remove it while still holding it: a waiter then retries on a fresh file
                    lock.unlink(missing_ok=True)
                _unlock(handle)
        finally:
            os.close(handle)


@contextmanager
def locked_files(files: Iterable[Path]) -> Iterator[None]:
    """Hold exclusive advisory locks guarding every file of ``files`` (local paths) for the ``with`` block.

    Locks are taken in sorted order and released in reverse.
    """
    locks = sorted({lock_file_of(Path(file)) for file in files})
    with ExitStack() as stack:
        for lock in locks:
            stack.enter_context(
                exclusive_lock(lock, f"a partial write of {lock.parent} (write whole shards to avoid it)")
            )
        yield


def try_lock_existing(file: Path) -> int | None:
    """Lock the existing ``file`` exclusively without waiting: its open handle, or None if another holds it.

    None also when ``file`` is absent or was replaced while locking. Where the file system refuses locks the
    file counts as unlocked (its handle is returned): nothing can be known about other holders there.
    Release with ``unlock_and_close``; closing the handle (or the process ending, even by SIGKILL) releases it.
    """
    try:
        handle = os.open(file, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            os.lseek(handle, 0, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
    except BlockingIOError:
        os.close(handle)
        return None
    except OSError as error:
        if fcntl is None and error.errno in (errno.EACCES, errno.EDEADLK):  # pragma: no cover - Windows: held
            os.close(handle)
            return None
        if error.errno not in _UNSUPPORTED:
            os.close(handle)
            raise
        return handle
    if not _is_current(handle, file):
        unlock_and_close(handle)
        return None
    return handle


def unlock_and_close(handle: int) -> None:
    """Release a lock taken by ``try_lock_existing`` and close its handle."""
    try:
        _unlock(handle)
    except OSError:
        pass  # never locked (a file system without locks): closing is all there is to do
    finally:
        os.close(handle)
