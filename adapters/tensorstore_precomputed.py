"""ArrayStorage adapter for Neuroglancer precomputed volumes on tensorstore's ``neuroglancer_precomputed`` driver.

A mag path names one scale: its parent folder holds the ``info`` JSON and the folder name is the scale's ``key``
(a folder that itself holds an ``info`` file means its first scale). Channels, last in precomputed, are
presented first: ``("c", "x", "y", "z")``. New scales are written with raw encoding.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorstore as ts
from daedalus.core.array_info import ArrayInfo
from daedalus.core.geometry import Vec3Int
from daedalus.core.process_local import ProcessLocalState
from daedalus.core.stored_box import check_box, check_write_box, read_clipped

__all__ = ["PrecomputedArray", "PrecomputedStorage"]

_INFO = "info"
_VOXEL_TYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "float32")
_CHUNK_KEY = re.compile(r"^(\d+)-(\d+)_(\d+)-(\d+)_(\d+)-(\d+)$")


def _local(path: Any) -> Path:
    text = str(path)
    protocol = getattr(path, "protocol", None)
    if protocol is None:
        protocol = text.split("://", 1)[0] if "://" in text else ""
    if protocol not in ("", "file", "local"):
        raise ValueError(
            f"Cannot access the precomputed volume at {path}: only local paths are supported by this adapter."
        )
    raw = getattr(path, "path", None) if hasattr(path, "protocol") else None
    if raw is None:
        raw = text.split("://", 1)[1] if "://" in text else text
    return Path(os.path.abspath(raw))


def _scale_location(path: Any) -> tuple[Path, str | None]:
    """The volume root (holding ``info``) and the scale key (None: the first scale) for a mag path."""
    local = _local(path)
    if (local / _INFO).is_file():
        return local, None
    return local.parent, local.name


def _read_info(root: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((root / _INFO).read_bytes())
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _scale_of(info: dict[str, Any] | None, key: str | None) -> dict[str, Any] | None:
    scales = (info or {}).get("scales") or []
    if key is None:
        return scales[0] if scales else None
    return next((s for s in scales if str(s.get("key", "")).strip("/") == key), None)


class PrecomputedArray(ProcessLocalState):
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

    def _spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"driver": "neuroglancer_precomputed", "kvstore": {"driver": "file"}}
        spec["kvstore"]["path"] = str(self._root) + "/"
        if self._key is None:
            spec["scale_index"] = 0
        else:
            spec["scale_metadata"] = {"key": self._key}
        return spec

    def _load(self) -> None:
        info = _read_info(self._root)
        scale = _scale_of(info, self._key)
        if info is None or scale is None:
            raise FileNotFoundError(f"No precomputed scale {self._key!r} in {self._root / _INFO}.")
        where = f"{self._root / _INFO} (scale {scale.get('key')!r})"
        try:
            offset = [int(v) for v in scale.get("voxel_offset", [0, 0, 0])]
            size = [int(v) for v in scale["size"]]
            chunk = [int(v) for v in scale["chunk_sizes"][0]]
            channels = int(info.get("num_channels", 1))
            dtype = np.dtype(str(info["data_type"]))
        except (KeyError, TypeError, IndexError, ValueError) as error:
            raise ValueError(f"Cannot read precomputed metadata {where}: missing or invalid entry {error}.") from error
        sharding = scale.get("sharding")
        self._voxel_offset, self._sharded = offset, bool(sharding)
        self._info = ArrayInfo(
            data_format="neuroglancerPrecomputed",
            num_channels=channels,
            voxel_type=dtype,
            chunk_shape=Vec3Int(*chunk),
            shard_shape=Vec3Int(*chunk),
            compression_mode=scale.get("encoding", "raw") != "raw"
            or (bool(sharding) and sharding.get("data_encoding", "raw") != "raw"),
            shape=(channels, *(o + s for o, s in zip(offset, size))),
            dimension_names=("c", "x", "y", "z"),
        )
        self._handle = None

    def _store(self) -> Any:
        handle = self._handle
        if handle is not None and self._handle_pid == os.getpid():
            return handle
        with self._lock:
            if self._handle is None or self._handle_pid != os.getpid():
                try:
                    store = ts.open(self._spec(), open=True, read=True, write=True).result()
                except ValueError as error:
                    raise ValueError(f"tensorstore cannot open the precomputed scale {self.path}: {error}") from error
                self._handle, self._handle_pid = store[ts.d[3, 0, 1, 2].transpose[:]], os.getpid()
            return self._handle

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the scale; the shape counts from 0 (``voxel_offset + size``)."""
        return self._info

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
            raise ValueError(f"Cannot write to {self.path} at {offset}: the scale starts at {self._voxel_offset}.")
        if data.size == 0:
            return
        try:
            self._store()[self._slices(offset, end)].write(data.astype(self._info.voxel_type, copy=False)).result()
        except ValueError as error:
            raise ValueError(f"Cannot write to precomputed scale {self.path} at {offset}: {error}") from error

    def resize(self, new_shape: Sequence[int]) -> None:
        """Set the scale's ``size`` in ``info`` (written atomically) so that it ends at ``new_shape``."""
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
        with self._lock:
            info = _read_info(self._root)
            scale = _scale_of(info, self._key)
            scale["size"] = [s - v for s, v in zip(new_shape[1:], self._voxel_offset)]  # type: ignore[index]
            target = self._root / _INFO
            temporary = target.with_name(f".{_INFO}.{uuid.uuid4().hex}.tmp")
            temporary.write_text(json.dumps(info))
            os.replace(temporary, target)
        self._load()

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` of every chunk file stored (sharded scales: the whole scale if any shard)."""
        channels, full = self._info.num_channels, self._info.shape[1:]
        folder = Path(self.path) if self._key else self._root / str(_scale_of(_read_info(self._root), None)["key"])
        names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        if self._sharded:
            if any(name.endswith(".shard") for name in names):
                yield (0, *self._voxel_offset), (channels, *(f - v for f, v in zip(full, self._voxel_offset)))
            return
        boxes = []
        for name in names:
            match = _CHUNK_KEY.match(name)
            if match:
                bounds = [int(v) for v in match.groups()]
                lo, hi = bounds[0::2], [min(b, f) for b, f in zip(bounds[1::2], full)]
                if all(h > a for a, h in zip(lo, hi)):
                    boxes.append(((0, *lo), (channels, *(h - a for a, h in zip(lo, hi)))))
        yield from sorted(boxes)


class PrecomputedStorage:
    """Neuroglancer precomputed scales through tensorstore (reads every encoding; writes raw scales)."""

    data_format = "neuroglancerPrecomputed"
    engine = "tensorstore"
    supports_extra_axes = False  # capability: precomputed volumes are (x, y, z, channel)
    supports_compression = False  # capability: new scales are written with raw encoding
    voxel_types = _VOXEL_TYPES  # capability: the data types precomputed can store
    # sibling scales share the volume's data type and channel count (one ``info`` per layer folder), so
    # arrays of different types need folders of their own, as the contract suite gives them

    def __repr__(self) -> str:
        return f"PrecomputedStorage(data_format={self.data_format!r}, engine={self.engine!r})"

    def create(self, path: Any, info: ArrayInfo) -> PrecomputedArray:
        """Add a raw-encoded scale named after ``path``'s folder to the ``info`` in its parent folder."""
        local = _local(path)
        root, key = local.parent, local.name
        dtype = np.dtype(info.voxel_type)
        problem = None
        if tuple(info.dimension_names) != ("c", "x", "y", "z"):
            problem = f"axes {tuple(info.dimension_names)} are not ('c', 'x', 'y', 'z')"
        elif dtype.name not in _VOXEL_TYPES:
            problem = f"voxel type {dtype} is not one of {', '.join(_VOXEL_TYPES)}"
        elif info.compression_mode:
            problem = "only raw (uncompressed) scales can be written; pass compress=False"
        elif info.shape[0] != info.num_channels:
            problem = f"shape {info.shape} does not have num_channels={info.num_channels} channels"
        if problem:
            raise ValueError(f"Cannot create a precomputed scale at {path}: {problem}.")
        if _scale_of(_read_info(root), key) is not None:
            raise FileExistsError(f"The precomputed volume {root} already has a scale {key!r}; open it instead.")
        factors = [float(v) for v in key.split("-")] if re.fullmatch(r"\d+(-\d+-\d+)?", key) else [1.0]
        spec = {
            "driver": "neuroglancer_precomputed",
            "kvstore": {"driver": "file", "path": str(root) + "/"},
            "multiscale_metadata": {"data_type": dtype.name, "num_channels": int(info.num_channels), "type": "image"},
            "scale_metadata": {
                "key": key,
                "size": [int(s) for s in info.shape[1:]],
                "resolution": factors * 3 if len(factors) == 1 else factors,
                "encoding": "raw",
                "chunk_size": [int(c) for c in info.chunk_shape],
                "voxel_offset": [0, 0, 0],
            },
        }
        try:
            ts.open(spec, create=True).result()
        except ValueError as error:
            raise ValueError(f"tensorstore cannot create the precomputed scale {path}: {error}") from error
        return PrecomputedArray(root, key)

    def open(self, path: Any) -> PrecomputedArray:
        """Open the scale at ``path`` (FileNotFoundError if no ``info`` lists it)."""
        root, key = _scale_location(path)
        if _scale_of(_read_info(root), key) is None:
            raise FileNotFoundError(f"No precomputed scale at {path}: {root / _INFO} does not list {key!r}.")
        return PrecomputedArray(root, key)

    def exists(self, path: Any) -> bool:
        """Whether ``path`` names a scale of a precomputed volume (local paths only)."""
        try:
            root, key = _scale_location(path)
        except ValueError:
            return False
        return _scale_of(_read_info(root), key) is not None
