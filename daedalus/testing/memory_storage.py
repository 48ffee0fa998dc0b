"""An in-memory ArrayStorage (and its StoredArray): arrays live in a dict of shards inside one process.

Small and correct rather than fast; meant for core tests and as a reference adapter for the contract suite.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from daedalus.core.array_info import ArrayInfo
from daedalus.core.ports import ArrayStorageDefaults, StorageCapabilities, StoredArrayDefaults

MEMORY_ENGINE = "memory"


def path_key(path: Any) -> str:
    """The key an in-memory fake files ``path`` under (its string form without a trailing slash)."""
    return str(path).rstrip("/") or "/"


def _ints(values: Sequence[int], ndim: int, what: str) -> tuple[int, ...]:
    result = tuple(int(v) for v in values)
    if len(result) != ndim:
        raise ValueError(f"{what} {result} has {len(result)} axes but the array has {ndim}.")
    return result


def _check_info(path: str, info: ArrayInfo) -> None:
    names, shape = tuple(info.dimension_names), tuple(info.shape)
    if len(names) < 4 or names[0] != "c" or names[-3:] != ("x", "y", "z") or len(shape) != len(names):
        raise ValueError(
            f"Cannot create the array {path}: shape {shape} and dimension names {names} must both cover the axes "
            "('c', *extra_axes, 'x', 'y', 'z')."
        )
    if shape[0] != int(info.num_channels) or any(s < 0 for s in shape):
        raise ValueError(
            f"Cannot create the array {path}: shape {shape} must be non-negative with {info.num_channels} channel(s)."
        )
    chunk, shard = tuple(info.chunk_shape), tuple(info.shard_shape)
    if any(c <= 0 for c in chunk) or any(s % c for s, c in zip(shard, chunk)):
        raise ValueError(
            f"Cannot create the array {path}: the shard shape {shard} must be a positive multiple of the chunk "
            f"shape {chunk}."
        )


class _Record:
    """What is stored for one array: its info and the shards written so far (by shard index over all axes)."""

    def __init__(self, info: ArrayInfo) -> None:
        self.info = info
        self.shards: dict[tuple[int, ...], np.ndarray] = {}
        self.lock = threading.Lock()


class MemoryArray(StoredArrayDefaults):
    """One array of a MemoryStorage; implements the StoredArray port. Opening the path again shares the data."""

    def __init__(self, path: str, record: _Record) -> None:
        self._path = path
        self._record = record

    def __repr__(self) -> str:
        return f"MemoryArray({self._path!r}, shape={self._record.info.shape})"

    @property
    def info(self) -> ArrayInfo:
        """The array's metadata as created (with the current shape)."""
        return self._record.info

    @property
    def _unit(self) -> tuple[int, ...]:
        """Shape of one shard over every axis: all channels, 1 step of each extra axis, the x/y/z shard edges."""
        info = self._record.info
        return (int(info.num_channels),) + (1,) * (len(info.shape) - 4) + tuple(info.shard_shape)

    def _overlaps(self, lo: Sequence[int], hi: Sequence[int]) -> Iterator[tuple[tuple[int, ...], tuple[slice, ...]]]:
        """``(shard index, box in absolute coordinates)`` of every shard overlapping the non-empty box lo..hi."""
        unit = self._unit
        ranges = [range(a // u, (b - 1) // u + 1) for a, b, u in zip(lo, hi, unit)]
        for index in itertools.product(*ranges):
            box = tuple(slice(max(a, i * u), min(b, (i + 1) * u)) for a, b, i, u in zip(lo, hi, index, unit))
            yield index, box

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape``; voxels outside the shape or never written read as 0."""
        info = self._record.info
        ndim = len(info.shape)
        offset, shape = _ints(offset, ndim, "Read offset"), _ints(shape, ndim, "Read shape")
        if any(s < 0 for s in shape):
            raise ValueError(f"Read shape {shape} of {self._path} has a negative edge.")
        out = np.zeros(shape, dtype=info.voxel_type)
        lo = tuple(max(o, 0) for o in offset)
        hi = tuple(min(o + s, limit) for o, s, limit in zip(offset, shape, info.shape))
        if any(b <= a for a, b in zip(lo, hi)):
            return out
        unit = self._unit
        with self._record.lock:
            for index, box in self._overlaps(lo, hi):
                shard = self._record.shards.get(index)
                if shard is not None:
                    source = tuple(slice(b.start - i * u, b.stop - i * u) for b, i, u in zip(box, index, unit))
                    out[tuple(slice(b.start - o, b.stop - o) for b, o in zip(box, offset))] = shard[source]
        return out

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` at ``offset`` (cast to the voxel type); the box must lie inside the shape."""
        info = self._record.info
        data = np.asarray(data)
        ndim = len(info.shape)
        if data.ndim != ndim:
            raise ValueError(
                f"Data of shape {data.shape} has {data.ndim} axes but the array {self._path} has {ndim} "
                f"{tuple(info.dimension_names)}."
            )
        offset = _ints(offset, ndim, "Write offset")
        hi = tuple(o + s for o, s in zip(offset, data.shape))
        if any(o < 0 for o in offset) or any(b > limit for b, limit in zip(hi, info.shape)):
            raise ValueError(
                f"Cannot write {data.shape} voxels at offset {offset}: the box does not fit the shape {info.shape} "
                f"of the array {self._path}. Resize the array first."
            )
        if data.size == 0:
            return
        unit = self._unit
        with self._record.lock:
            for index, box in self._overlaps(offset, hi):
                shard = self._record.shards.get(index)
                if shard is None:
                    shard = self._record.shards[index] = np.zeros(unit, dtype=info.voxel_type)
                target = tuple(slice(b.start - i * u, b.stop - i * u) for b, i, u in zip(box, index, unit))
                shard[target] = data[tuple(slice(b.start - o, b.stop - o) for b, o in zip(box, offset))]

    def resize(self, new_shape: Sequence[int]) -> None:
        """Change the shape; shards stay, data outside the new shape reads as 0."""
        info = self._record.info
        new_shape = _ints(new_shape, len(info.shape), "New shape")
        if any(s < 0 for s in new_shape) or new_shape[0] != info.shape[0]:
            raise ValueError(
                f"Cannot resize {self._path} to {new_shape}: edges must be non-negative and the channel count "
                f"({info.shape[0]}) stays."
            )
        with self._record.lock:
            self._record.info = _with_shape(info, new_shape)

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """``(offset, shard shape)`` of every written shard that starts inside the shape."""
        unit, shape = self._unit, self._record.info.shape
        with self._record.lock:
            indices = sorted(self._record.shards)
        for index in indices:
            origin = tuple(i * u for i, u in zip(index, unit))
            if all(o < limit for o, limit in zip(origin, shape)):
                yield origin, unit


def _with_shape(info: ArrayInfo, shape: tuple[int, ...]) -> ArrayInfo:
    return attrs.evolve(info, shape=shape)


class MemoryStorage(ArrayStorageDefaults):
    """An ArrayStorage keeping arrays in memory, for one data format (default ``zarr3``), engine ``memory``.

    Arrays are shared by every ``open`` of the same path within this storage object (not across processes:
    use it with the sequential or threads executor).
    """

    engine = MEMORY_ENGINE
    capabilities = StorageCapabilities(stores_shape=True, supports_compression=True, supports_extra_axes=True)

    def __init__(self, data_format: str = "zarr3") -> None:
        self.data_format = str(data_format)
        self._arrays: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryStorage(data_format={self.data_format!r})"

    def create(self, path: Any, info: ArrayInfo) -> MemoryArray:
        """Create a new array at ``path`` (FileExistsError if one is there) and open it."""
        key = path_key(path)
        _check_info(key, info)
        with self._lock:
            if key in self._arrays:
                raise FileExistsError(f"An array already exists at {key} (in memory).")
            record = self._arrays[key] = _Record(info)
        return MemoryArray(key, record)

    def open(self, path: Any) -> MemoryArray:
        """Open the array at ``path``; FileNotFoundError naming the path if none was created there."""
        key = path_key(path)
        with self._lock:
            record = self._arrays.get(key)
        if record is None:
            raise FileNotFoundError(f"No {self.data_format} array at {key} in this in-memory storage.")
        return MemoryArray(key, record)

    def exists(self, path: Any) -> bool:
        """Whether an array was created at ``path``."""
        with self._lock:
            return path_key(path) in self._arrays

    def paths(self) -> list[str]:
        """The paths of every array created so far (for tests that check what core stored)."""
        with self._lock:
            return sorted(self._arrays)
