"""WKW arrays on remote storage (s3://, memory://, other fsspec locations): the ``wkw`` library works on files in a
local staging folder, and the ``.wkw`` files a read or write meets are fetched before and uploaded after it.

Each file is one object: a write uploads whole files, so readers see a file's old or its new content. One
process' readers and writers of an array take turns (one lock per array); writers in other processes that
update the same file at once can overwrite each other's blocks, as with any read-merge-write of remote objects.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .wkw_storage import _FILE_NAME, _HEADER_FILE, WkwArray

__all__ = ["RemoteWkwArray"]

_FOLDER = re.compile(r"^[zy](\d+)$")


def _new_staging() -> Path:
    return Path(tempfile.mkdtemp(prefix="daedalus-wkw-"))


class RemoteWkwArray(WkwArray):
    """A WKW array at the remote location ``remote``, worked on through a local staging copy of its files."""

    _lock_type = threading.RLock

    def __init__(self, remote: Any, header: Any, shape: Sequence[int] | None = None) -> None:
        self._remote = remote
        staging = _new_staging()
        self._cleanup = weakref.finalize(self, shutil.rmtree, staging, True)
        self._fetch_header(staging)
        super().__init__(staging, header, shape)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"RemoteWkwArray({str(self._remote)!r}, shape={self._shape})"

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_cleanup", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        staging = _new_staging()  # another process: a staging folder of its own
        self._cleanup = weakref.finalize(self, shutil.rmtree, staging, True)
        self._root = staging
        self._checked = {}
        self._fetch_header(staging)
        self._lock = threading.RLock()

    @property
    def path(self) -> str:
        """The array's remote location."""
        return str(self._remote)

    def _fetch_header(self, staging: Path) -> None:
        (staging / _HEADER_FILE).write_bytes((self._remote / _HEADER_FILE).read_bytes())

    def _relative(self, file: Path) -> str:
        return file.relative_to(self._root).as_posix()

    def _file_indices(self) -> list[tuple[int, int, int]]:
        fs, base = self._remote.fs, str(self._remote.path).rstrip("/")
        fs.invalidate_cache(base)
        found = []
        for name in fs.find(base):
            parts = name[len(base) + 1 :].split("/")
            if len(parts) != 3:
                continue
            z, y, file = (_FOLDER.match(parts[0]), _FOLDER.match(parts[1]), _FILE_NAME.match(parts[2]))
            if z and y and file and parts[0][0] == "z" and parts[1][0] == "y":
                found.append((int(file.group(1)), int(y.group(1)), int(z.group(1))))
        return sorted(found)

    def _stage(self, files: list[Path]) -> None:
        """Make the staging copies of ``files`` those of the remote location (absent there: absent here)."""
        fs = self._remote.fs
        for file in files:
            remote = self._remote / self._relative(file)
            try:
                content = fs.cat_file(remote.path)
            except FileNotFoundError:
                file.unlink(missing_ok=True)
                continue
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(content)

    def _upload(self, files: list[Path]) -> None:
        for file in files:
            if file.is_file():
                (self._remote / self._relative(file)).write_bytes(file.read_bytes())
                file.unlink()  # the remote object is the truth; the next access fetches it again

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape`` (c, x, y, z) from the remote files it meets."""
        offset, shape = self._check_box(offset, shape, "read from")
        lo = [max(o, 0) for o in offset[1:]]
        hi = [min(o + s, full) for o, s, full in zip(offset[1:], shape[1:], self._shape[1:])]
        with self._lock:
            files = self._files_of(lo, hi) if all(h > low for low, h in zip(lo, hi)) else []
            self._stage(files)
            try:
                return super().read(offset, shape)
            finally:
                for file in files:
                    file.unlink(missing_ok=True)

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` (c, x, y, z) at ``offset``: fetch the files it meets, write them, upload them."""
        data = np.asarray(data)
        offset = [int(o) for o in offset]
        lo = [max(o, 0) for o in offset[1:]]
        hi = [o + s for o, s in zip(offset[1:], data.shape[1:])]
        with self._lock:
            files = self._files_of(lo, hi) if data.size and all(h > low for low, h in zip(lo, hi)) else []
            self._stage(files)
            try:
                super().write(offset, data)
                self._upload(files)
            finally:
                for file in files:
                    file.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the staging folder."""
        self._cleanup()


def create_remote(remote: Any, header: Any, shape: Sequence[int], create_local: Any) -> RemoteWkwArray:
    """Write ``header.wkw`` for a new array at ``remote`` (created locally by ``create_local(folder, header)``)."""
    if (remote / _HEADER_FILE).exists():
        raise FileExistsError(f"A WKW array already exists at {remote}; open it or delete it first.")
    with tempfile.TemporaryDirectory(prefix="daedalus-wkw-") as folder:
        create_local(folder, header)
        remote.mkdir(parents=True, exist_ok=True)
        (remote / _HEADER_FILE).write_bytes((Path(folder) / _HEADER_FILE).read_bytes())
    return RemoteWkwArray(remote, header, shape)


def open_remote(remote: Any, open_local: Any) -> RemoteWkwArray:
    """Open the WKW array at ``remote``: its header is checked and read by ``open_local(folder)``."""
    header_file = remote / _HEADER_FILE
    try:
        content = header_file.read_bytes()
    except (FileNotFoundError, IsADirectoryError) as error:
        raise FileNotFoundError(f"No WKW array at {remote}: {header_file} does not exist.") from error
    with tempfile.TemporaryDirectory(prefix="daedalus-wkw-") as folder:
        (Path(folder) / _HEADER_FILE).write_bytes(content)
        header = open_local(folder)
    return RemoteWkwArray(remote, header)


def exists_remote(remote: Any) -> bool:
    """Whether the remote location holds a ``header.wkw``."""
    try:
        return (remote / _HEADER_FILE).is_file()
    except (OSError, ValueError):
        return False
