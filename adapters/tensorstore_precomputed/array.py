"""One opened scale of a Neuroglancer precomputed volume, read and written through tensorstore.

Channels, last in precomputed, are presented first: ``("c", "x", "y", "z")``. The array's shape counts from 0
(``voxel_offset + size``); its chunk and shard grid starts at the voxel offset (``ArrayInfo.grid_offset``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorstore as ts
from daedalus.core.array_info import ArrayInfo
from daedalus.core.geometry import Vec3Int
from daedalus.core.ports import StoredArrayDefaults
from daedalus.core.process_local import ProcessLocalState
from daedalus.core.stored_box import check_box, check_write_box, read_clipped

from .resharding import grid_bits_change, reshard, resized_scale
from .sharding import shard_box_of, shard_chunk_edges
from .volume_info import CHUNK_KEY, INFO, SHARD_FILE, UrlRoot, read_info, scale_of, write_info

__all__ = ["PrecomputedArray"]


class PrecomputedArray(ProcessLocalState, StoredArrayDefaults):
    """One opened scale of a precomputed volume (implements ``StoredArray``)."""

    def __init__(self, root: Path, key: str | None) -> None:
        self._root, self._key = root, key
        self._lock = threading.Lock()
        self._handle: Any = None
        self._handle_pid: int | None = None
        self._load()

    _process_local = ("_handle",)

    def __repr__(self) -> str:
        return f"PrecomputedArray({self.path!r}, shape={self._info.shape})"

    @property
    def path(self) -> str:
        """The scale's folder."""
        return str(self._root / self._key) if self._key else str(self._root)

    def _folder(self) -> Path:
        return Path(self.path) if self._key else self._root / str(self._scale["key"])

    def _spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"driver": "neuroglancer_precomputed", "kvstore": {"driver": "file"}}
        if isinstance(self._root, UrlRoot):  # served over http(s): read-only
            spec["kvstore"] = self._root.kvstore
        else:
            spec["kvstore"]["path"] = str(self._root) + "/"
        if self._key is None:
            spec["scale_index"] = 0
        else:
            spec["scale_metadata"] = {"key": self._key}
        return spec

    def _load(self) -> None:
        info = read_info(self._root)
        scale = scale_of(info, self._key)
        if info is None or scale is None:
            raise FileNotFoundError(f"No precomputed scale {self._key!r} in {self._root / INFO}.")
        where = f"{self._root / INFO} (scale {scale.get('key')!r})"
        try:
            offset = [int(v) for v in scale.get("voxel_offset", [0, 0, 0])]
            size = [int(v) for v in scale["size"]]
            chunk = [int(v) for v in scale["chunk_sizes"][0]]
            resolution = [float(v) for v in scale.get("resolution", [1, 1, 1])]
            channels = int(info.get("num_channels", 1))
            dtype = np.dtype(str(info["data_type"]))
            if len(offset) != 3 or len(size) != 3 or len(chunk) != 3 or len(resolution) != 3:
                raise ValueError("voxel_offset, size, chunk_sizes[0] and resolution need 3 entries")
        except (KeyError, TypeError, IndexError, ValueError) as error:
            raise ValueError(f"Cannot read precomputed metadata {where}: missing or invalid entry {error}.") from error
        sharding = scale.get("sharding") or None
        self._scale, self._voxel_offset, self._sharding = scale, offset, sharding
        shard = shard_chunk_edges(scale) if sharding else (1, 1, 1)
        self._info = ArrayInfo(
            data_format="neuroglancerPrecomputed",
            num_channels=channels,
            voxel_type=dtype,
            chunk_shape=Vec3Int(*chunk),
            shard_shape=Vec3Int(*(c * n for c, n in zip(chunk, shard))),
            compression_mode=scale.get("encoding", "raw") != "raw"
            or (bool(sharding) and sharding.get("data_encoding", "raw") != "raw"),
            shape=(channels, *(o + s for o, s in zip(offset, size))),
            dimension_names=("c", "x", "y", "z"),
            grid_offset=Vec3Int(*offset),
            voxel_size_nm=resolution,
            category="segmentation" if info.get("type") == "segmentation" else "color",
        )
        self._handle = None

    def _store(self) -> Any:
        handle = self._handle
        if handle is not None and self._handle_pid == os.getpid():
            return handle
        with self._lock:
            if self._handle is None or self._handle_pid != os.getpid():
                try:
                    writable = not isinstance(self._root, UrlRoot)
                    store = ts.open(self._spec(), open=True, read=True, write=writable).result()
                except ValueError as error:
                    raise ValueError(f"tensorstore cannot open the precomputed scale {self.path}: {error}") from error
                self._handle, self._handle_pid = store[ts.d[3, 0, 1, 2].transpose[:]], os.getpid()
            return self._handle

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the scale; the shape counts from 0 (``voxel_offset + size``), the grid from the offset."""
        return self._info

    @property
    def encoding(self) -> str:
        """The scale's chunk encoding (``raw``, ``jpeg``, ``png``, ``compressed_segmentation``)."""
        return str(self._scale.get("encoding", "raw"))

    @property
    def native(self) -> Any:
        """The engine's own handle: the ``tensorstore.TensorStore`` (x, y, z, channel)."""
        return ts.open(self._spec(), open=True, read=True).result()

    def _slices(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[slice, ...]:
        return (slice(lo[0], hi[0]), *(slice(a, b) for a, b in zip(lo[1:], hi[1:])))

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape``; voxels outside the scale's bounds read as 0."""
        offset, shape = check_box(self.path, self._info.dimension_names, offset, shape, "read from")
        low = [0, *self._voxel_offset]
        local = [o - v for o, v in zip(offset, low)]
        full = [e - v for e, v in zip(self._info.shape, low)]

        def inside(lo: list[int], hi: list[int]) -> np.ndarray:
            box = self._slices([a + v for a, v in zip(lo, low)], [b + v for b, v in zip(hi, low)])
            try:
                return self._store()[box].read(order="F").result()
            except ValueError as error:
                raise ValueError(f"Cannot read precomputed scale {self.path} box {box}: {error}") from error

        return read_clipped(local, shape, full, self._info.voxel_type, inside)

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` (c, x, y, z) at ``offset``; the box must lie within the scale's bounds."""
        data = np.asarray(data)
        offset, shape = check_box(self.path, self._info.dimension_names, offset, data.shape, "write to")
        end = check_write_box(self.path, offset, shape, self._info.shape)
        if any(o < v for o, v in zip(offset[1:], self._voxel_offset)):
            raise ValueError(
                f"Cannot write to {self.path} at {offset}: the scale starts at its voxel_offset "
                f"{self._voxel_offset}; write at or after it."
            )
        if data.size == 0:
            return
        try:
            self._store()[self._slices(offset, end)].write(data.astype(self._info.voxel_type, copy=False)).result()
        except ValueError as error:
            raise ValueError(f"Cannot write to precomputed scale {self.path} at {offset}: {error}") from error

    def resize(self, new_shape: Sequence[int]) -> None:
        """Set the scale's ``size`` in ``info`` (written atomically) so that it ends at ``new_shape``.

        A sharded scale whose chunk grid needs more Morton bits gets a new sharding spec (shards stay boxes of the
        same chunks); the shards it holds are rewritten for it (see ``resharding``).
        """
        if isinstance(self._root, UrlRoot):
            raise ValueError(f"Cannot resize {self.path}: precomputed volumes at http(s) URLs are read-only.")
        new_shape = [int(s) for s in new_shape]
        channels = self._info.num_channels
        if (
            len(new_shape) != 4
            or new_shape[0] != channels
            or any(s < v for s, v in zip(new_shape[1:], self._voxel_offset))
        ):
            raise ValueError(
                f"Cannot resize {self.path} to {new_shape}: need (c={channels}, x, y, z) ending at or after the "
                f"voxel offset {self._voxel_offset}."
            )
        size = [s - v for s, v in zip(new_shape[1:], self._voxel_offset)]
        with self._lock:
            info = read_info(self._root)
            scale = scale_of(info, self._key)
            if info is None or scale is None:
                raise FileNotFoundError(f"No precomputed scale {self._key!r} in {self._root / INFO}.")
            try:
                grown = resized_scale(scale, size)
            except ValueError as error:
                raise ValueError(f"Cannot resize the sharded precomputed scale {self.path}: {error}.") from error
            self._handle = None
            if grid_bits_change(scale, size) and self._shard_numbers():
                reshard(self._root, info, scale, grown)
            else:
                scale.clear()
                scale.update(grown)
                write_info(self._root, info)
        self._load()

    def _shard_numbers(self) -> list[int]:
        folder = self._folder()
        names = os.listdir(folder) if folder.is_dir() else []
        return sorted(int(m.group(1), 16) for m in map(SHARD_FILE.match, names) if m)

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` of every chunk file stored (sharded scales: of every shard file)."""
        channels, full = self._info.num_channels, self._info.shape[1:]
        if self._sharding:
            for number in self._shard_numbers():
                lo, hi = shard_box_of(self._scale, number)
                lo = [a + v for a, v in zip(lo, self._voxel_offset)]
                hi = [min(b + v, f) for b, v, f in zip(hi, self._voxel_offset, full)]
                if all(h > a for a, h in zip(lo, hi)):
                    yield (0, *lo), (channels, *(h - a for a, h in zip(lo, hi)))
            return
        folder = self._folder()
        names = sorted(os.listdir(folder)) if folder.is_dir() else []
        boxes = []
        for name in names:
            match = CHUNK_KEY.match(name)
            if match:
                bounds = [int(v) for v in match.groups()[:6]]
                lo, hi = bounds[0::2], [min(b, f) for b, f in zip(bounds[1::2], full)]
                if all(h > a for a, h in zip(lo, hi)):
                    boxes.append(((0, *lo), (channels, *(h - a for a, h in zip(lo, hi)))))
        yield from sorted(boxes)
