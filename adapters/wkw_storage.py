"""ArrayStorage adapter for WKW arrays (``header.wkw`` plus ``z{k}/y{j}/x{i}.wkw`` files) on the ``wkw`` library.

WKW stores no array shape: an opened array presents the files on disk rounded to whole files, and ``resize``
only records a larger logical shape in memory (WKW arrays are unbounded). Arrays on remote storage are worked
on through a local staging copy of the files an access meets (``wkw_remote``).
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import wkw
from daedalus.core.array_info import ArrayInfo
from daedalus.core.file_locks import locked_files, partial_cells
from daedalus.core.geometry import Vec3Int
from daedalus.core.local_paths import local_file_path
from daedalus.core.ports import ArrayStorageDefaults, StorageCapabilities, StoredArrayDefaults
from daedalus.core.process_local import ProcessLocalState
from daedalus.core.stored_box import check_write_box, read_clipped

from .wkw_header import HEADER_BYTES, check_data_file, read_header_file

__all__ = ["WkwArray", "WkwStorage"]

_HEADER_FILE = "header.wkw"
_RAW, _LZ4, _LZ4HC = 1, 2, 3
_FILE_NAME = re.compile(r"^x(\d+)\.wkw$")


def local_path(path: Any, action: str) -> Path:
    """The local directory behind ``path``; a ValueError naming it for any remote location (WKW is local-only)."""
    return local_file_path(
        path,
        f"Cannot {action} a WKW array at {path}: WKW arrays must live on the local file system. "
        "Use data_format='zarr3' for remote storage, or copy the data to a local folder.",
    )


def _is_remote(path: Any) -> bool:
    """Whether ``path`` is a remote (fsspec) location other than http(s), which is read-only."""
    return getattr(path, "protocol", "") not in ("", "file", "local", "http", "https", None) and hasattr(path, "fs")


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


class WkwArray(ProcessLocalState, StoredArrayDefaults):
    """An opened WKW array (implements ``StoredArray``), presented as ``("c", "x", "y", "z")``."""

    def __init__(self, root: Path, header: Any, shape: Sequence[int] | None = None) -> None:
        self._root = root
        self._header = header
        self._lock = threading.Lock()
        self._handle: Any = None
        self._handle_pid: int | None = None
        self._checked: dict[str, tuple[int, int]] = {}
        self._fields = read_header_file(root / _HEADER_FILE)
        self._shape = tuple(int(s) for s in shape) if shape is not None else self._shape_on_disk()

    _process_local = ("_handle",)

    def __repr__(self) -> str:
        return f"WkwArray({str(self._root)!r}, shape={self._shape})"

    # ------------------------------------------------------------------ metadata

    @property
    def path(self) -> str:
        """The array's directory."""
        return str(self._root)

    @property
    def file_edge(self) -> int:
        """Edge of one ``.wkw`` file in voxels (the shard edge, the properties' ``cubeLength``)."""
        return int(self._header.block_len * self._header.file_len)

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the array; the shape is the logical one (files on disk, or as resized)."""
        header = self._header
        return ArrayInfo(
            data_format="wkw",
            num_channels=int(header.num_channels),
            voxel_type=np.dtype(header.voxel_type),
            chunk_shape=Vec3Int.full(int(header.block_len)),
            shard_shape=Vec3Int.full(self.file_edge),
            compression_mode=int(header.block_type) in (_LZ4, _LZ4HC),
            shape=self._shape,
            dimension_names=("c", "x", "y", "z"),
        )

    @property
    def native(self) -> Any:
        """The engine's own handle: the ``wkw.Dataset``."""
        return self._wkw()

    def _wkw(self) -> Any:
        handle = self._handle
        if handle is not None and self._handle_pid == os.getpid():
            return handle
        with self._lock:
            if self._handle is None or self._handle_pid != os.getpid():
                read_header_file(self._root / _HEADER_FILE)  # it may have changed since the array was opened
                self._handle, self._handle_pid = wkw.Dataset.open(str(self._root)), os.getpid()
            return self._handle

    def _file_indices(self) -> list[tuple[int, int, int]]:
        found = []
        for z_dir in self._root.glob("z*"):
            for y_dir in z_dir.glob("y*"):
                for file in y_dir.glob("x*.wkw"):
                    match = _FILE_NAME.match(file.name)
                    if match and z_dir.name[1:].isdigit() and y_dir.name[1:].isdigit():
                        found.append((int(match.group(1)), int(y_dir.name[1:]), int(z_dir.name[1:])))
        return sorted(found)

    def _shape_on_disk(self) -> tuple[int, ...]:
        edge = self.file_edge
        indices = self._file_indices()
        extent = [(max(index[axis] for index in indices) + 1) * edge if indices else 0 for axis in range(3)]
        return (int(self._header.num_channels), *extent)

    # ------------------------------------------------------------------ reading and writing

    def _check_box(self, offset: Sequence[int], shape: Sequence[int], action: str) -> tuple[list[int], list[int]]:
        offset, shape = [int(o) for o in offset], [int(s) for s in shape]
        if len(offset) != 4 or len(shape) != 4:
            raise ValueError(
                f"Cannot {action} {self.path}: offset {offset} and shape {shape} must both have 4 entries "
                "(axes ('c', 'x', 'y', 'z'))."
            )
        if any(s < 0 for s in shape):
            raise ValueError(f"Cannot {action} {self.path}: negative shape {shape}.")
        return offset, shape

    def _files_of(self, lo: Sequence[int], hi: Sequence[int]) -> list[Path]:
        """The ``.wkw`` files meeting the x/y/z box ``lo .. hi``."""
        edge = self.file_edge
        ranges = [range(a // edge, (b - 1) // edge + 1) for a, b in zip(lo, hi)]
        return [self._root / f"z{z}" / f"y{y}" / f"x{x}.wkw" for x, y, z in itertools.product(*ranges)]

    def _check_file(self, file: Path) -> None:
        """Raise a WkwHeaderError (a ValueError) naming ``file`` when its header or block table does not fit."""
        try:
            stat = file.stat()
        except FileNotFoundError:
            return  # absent files read as zeros
        if self._checked.get(str(file)) == (stat.st_mtime_ns, stat.st_size):
            return
        with open(file, "rb") as stream:
            head = stream.read(HEADER_BYTES)
            check_data_file(file, self._fields, stat.st_size, head, stream.read)
        self._checked[str(file)] = (stat.st_mtime_ns, stat.st_size)

    def _read_xyz(self, lo: Sequence[int], hi: Sequence[int]) -> np.ndarray:
        """All channels of the x/y/z box ``lo .. hi`` (non-negative), via wkw; errors name the file."""
        files = self._files_of(lo, hi)
        for file in files:
            self._check_file(file)
        try:
            return self._wkw().read(tuple(lo), tuple(b - a for a, b in zip(lo, hi)))
        except Exception as error:  # noqa: BLE001 - the engine's errors carry no file name
            raise OSError(f"Cannot read WKW array {self.path} (files {[str(f) for f in files]}): {error}") from error

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape`` (c, x, y, z); voxels outside the shape read as 0."""
        offset, shape = self._check_box(offset, shape, "read from")
        dtype = np.dtype(self._header.voxel_type)

        def inside(lo: list[int], hi: list[int]) -> np.ndarray:
            return self._read_xyz(lo[1:], hi[1:])[lo[0] : hi[0]]

        return read_clipped(offset, shape, self._shape, dtype, inside)

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` (c, x, y, z) at ``offset``; unaligned writes to compressed files read, merge and rewrite."""
        data = np.asarray(data)
        offset, shape = self._check_box(offset, data.shape, "write to")
        end = check_write_box(str(self.path), offset, shape, self._shape)
        if data.size == 0:
            return
        data = data.astype(self._header.voxel_type, copy=False)
        edge = self.file_edge
        partial = [
            self._root / f"z{z}" / f"y{y}" / f"x{x}.wkw"
            # WKW files always hold whole files, whatever the logical shape: no shape cuts a cell short
            for x, y, z in partial_cells(offset[1:], end[1:], (edge,) * 3, (1 << 62,) * 3)
        ]
        if shape[0] != int(self._header.num_channels):  # other channels of every file touched are kept
            partial = self._files_of(offset[1:], end[1:])
        # a partial file is read, merged and rewritten (through a temporary file of a fixed name): one writer
        # per file at a time, or concurrent writers of other blocks of the same file lose theirs
        with locked_files(partial):
            self._write_locked(offset, end, data)

    def _write_locked(self, offset: list[int], end: list[int], data: np.ndarray) -> None:
        """The write of ``data`` at ``offset .. end`` itself (the caller holds the locks of partial files)."""
        shape = list(data.shape)
        channels = int(self._header.num_channels)
        lo, hi = offset[1:], end[1:]
        if self.info.compression_mode:
            edge = self.file_edge
            lo = [a // edge * edge for a in lo]
            hi = [-(-b // edge) * edge for b in hi]
        if lo != offset[1:] or hi != end[1:] or shape[0] != channels:
            merged = self._read_xyz(lo, hi)
            inner = tuple(slice(a - b, a - b + s) for a, b, s in zip(offset[1:], lo, shape[1:]))
            merged[(slice(offset[0], end[0]), *inner)] = data
            data, write_at = merged, lo
        else:
            write_at = offset[1:]
            for file in self._files_of(lo, hi):
                self._check_file(file)  # the wkw library would trust a corrupt file's header when updating it
        try:
            self._wkw().write(tuple(write_at), np.asfortranarray(data))
        except Exception as error:  # noqa: BLE001 - the engine's errors carry no file name
            raise OSError(f"Cannot write to WKW array {self.path} at {write_at}: {error}") from error

    def resize(self, new_shape: Sequence[int]) -> None:
        """Record a new logical shape (WKW stores none; files beyond a smaller shape stay but are not read)."""
        new_shape = [int(s) for s in new_shape]
        channels = int(self._header.num_channels)
        if len(new_shape) != 4 or any(s < 0 for s in new_shape) or new_shape[0] != channels:
            raise ValueError(
                f"Cannot resize {self.path} to {new_shape}: need 4 non-negative sizes (c, x, y, z) with "
                f"c = {channels} channels."
            )
        self._shape = tuple(new_shape)

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` of every ``.wkw`` file on disk, clipped to the logical shape."""
        edge, channels = self.file_edge, int(self._header.num_channels)
        for index in self._file_indices():
            lo = [i * edge for i in index]
            size = [min(edge, full - a) for a, full in zip(lo, self._shape[1:])]
            if all(s > 0 for s in size):
                yield (0, *lo), (channels, *size)


class WkwStorage(ArrayStorageDefaults):
    """WKW arrays through the ``wkw`` library (block = chunk, file = shard; LZ4HC when compressed)."""

    data_format = "wkw"
    engine = "wkw"
    # the shape is derived from the files on disk; WKW arrays are always (c, x, y, z)
    capabilities = StorageCapabilities(stores_shape=False, supports_extra_axes=False)

    def __repr__(self) -> str:
        return f"WkwStorage(data_format={self.data_format!r}, engine={self.engine!r})"

    def _header_for(self, info: ArrayInfo, path: Any) -> Any:
        chunk, shard = tuple(info.chunk_shape), tuple(info.shard_shape)
        problem = None
        if tuple(info.dimension_names) != ("c", "x", "y", "z"):
            problem = f"axes {tuple(info.dimension_names)} are not ('c', 'x', 'y', 'z'); WKW has no extra axes"
        elif len(set(chunk)) != 1 or not _is_power_of_two(chunk[0]):
            problem = f"chunk shape {chunk} is not a cube with a power-of-two edge"
        elif len(set(shard)) != 1 or shard[0] % chunk[0] or not _is_power_of_two(shard[0] // chunk[0]):
            problem = f"shard shape {shard} is not a cube of a power-of-two number of chunks {chunk}"
        elif np.dtype(info.voxel_type).type not in wkw.Header.VALID_VOXEL_TYPES:
            problem = f"voxel type {info.voxel_type} is not supported by WKW"
        elif info.shape[0] != info.num_channels:
            problem = f"shape {info.shape} does not have num_channels={info.num_channels} channels"
        if problem:
            raise ValueError(f"Cannot create a WKW array at {path}: {problem}.")
        return wkw.Header(
            np.dtype(info.voxel_type).type,
            num_channels=int(info.num_channels),
            block_len=int(chunk[0]),
            file_len=int(shard[0] // chunk[0]),
            block_type=_LZ4HC if info.compression_mode else _RAW,
        )

    def create(self, path: Any, info: ArrayInfo) -> WkwArray:
        """Write ``header.wkw`` for a new array at ``path`` (local only) and open it with ``info.shape``."""
        header = self._header_for(info, path)
        if _is_remote(path):
            from .wkw_remote import create_remote

            return create_remote(path, header, info.shape, lambda folder, h: wkw.Dataset.create(folder, h).close())
        root = local_path(path, "create")
        if (root / _HEADER_FILE).exists():
            raise FileExistsError(f"A WKW array already exists at {path}; open it or delete it first.")
        wkw.Dataset.create(str(root), header).close()
        return WkwArray(root, header, info.shape)

    def open(self, path: Any) -> WkwArray:
        """Open the WKW array at ``path`` (FileNotFoundError if there is no ``header.wkw``)."""
        if _is_remote(path):
            from .wkw_remote import open_remote

            return open_remote(path, lambda folder: self.open(folder)._header)
        root = local_path(path, "open")
        if not (root / _HEADER_FILE).is_file():
            raise FileNotFoundError(f"No WKW array at {path}: {root / _HEADER_FILE} does not exist.")
        read_header_file(root / _HEADER_FILE)  # the wkw library trusts its header; a hostile one aborts the process
        try:
            handle = wkw.Dataset.open(str(root))
        except Exception as error:  # noqa: BLE001 - the engine's errors carry no file name
            raise ValueError(f"Cannot read WKW header {root / _HEADER_FILE}: {error}") from error
        header = handle.header
        handle.close()
        return WkwArray(root, header)

    def exists(self, path: Any) -> bool:
        """Whether ``path`` (a local folder or a remote location) holds a ``header.wkw``."""
        if _is_remote(path):
            from .wkw_remote import exists_remote

            return exists_remote(path)
        try:
            root = local_path(path, "open")
        except ValueError:
            return False
        return (root / _HEADER_FILE).is_file()
