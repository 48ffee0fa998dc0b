"""ArrayStorage adapter for N5 arrays (``attributes.json`` plus block files) on tensorstore's ``n5`` driver.

N5 lists dimensions fastest-first; tensorstore keeps that order, and the optional ``axes`` attribute names them.
Without names, a 4-d array is read as (c, x, y, z) and a 3-d one as (x, y, z) with a virtual channel axis.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorstore as ts
from daedalus.core.array_info import ArrayInfo
from daedalus.core.geometry import Vec3Int
from daedalus.core.ports import ArrayStorageDefaults, StoredArrayDefaults
from daedalus.core.process_local import ProcessLocalState
from daedalus.core.stored_box import check_box, check_write_box, read_clipped

__all__ = ["N5Array", "N5Storage"]

_ATTRIBUTES = "attributes.json"
_GZIP = {"type": "gzip", "level": -1, "useZlib": False}
_REMOTE = ("http", "https", "gs", "gcs", "s3")


def _kvstore(path: Any) -> tuple[Any, Path | None, str]:
    """tensorstore kvstore spec, local directory (None when remote) and display string of ``path``."""
    text = str(path)
    protocol = getattr(path, "protocol", None)
    if protocol is None:
        protocol = text.split("://", 1)[0] if "://" in text else ""
    if protocol in ("", "file", "local"):
        raw = getattr(path, "path", None) if hasattr(path, "protocol") else None
        if raw is None:
            raw = text.split("://", 1)[1] if "://" in text else text
        local = Path(os.path.abspath(raw))
        return {"driver": "file", "path": str(local) + "/"}, local, text
    if protocol in _REMOTE:
        return text.rstrip("/").replace("gcs://", "gs://", 1) + "/", None, text
    raise ValueError(
        f"Cannot access the N5 array at {path}: protocol {protocol!r} is not supported "
        f"(use a local path or one of {', '.join(_REMOTE)})."
    )


def _presented_axes(names: Any, ndim: int, where: str) -> tuple[tuple[str, ...], list[int], bool]:
    """Presented names ``(c, *extra, x, y, z)``, stored axis of each (virtual c excluded), and whether c is virtual."""
    if not names:
        if ndim == 3:
            names = ["x", "y", "z"]
        elif ndim >= 4:
            names = ["c", *[f"axis_{i}" for i in range(1, ndim - 3)], "x", "y", "z"]
        else:
            raise ValueError(f"{where}: a {ndim}-d N5 array without axes has no x, y and z axes.")
    names = [str(n) for n in names]
    if len(names) != ndim or len(set(names)) != ndim or not {"x", "y", "z"} <= set(names):
        raise ValueError(f"{where}: axes {names} must be {ndim} unique names including x, y and z.")
    extra = [i for i, n in enumerate(names) if n not in ("c", "x", "y", "z")]
    channel = [names.index("c")] if "c" in names else []
    order = channel + extra + [names.index(a) for a in "xyz"]
    return ("c", *(names[i] for i in extra), "x", "y", "z"), order, not channel


class N5Array(ProcessLocalState, StoredArrayDefaults):
    """An opened N5 array (implements ``StoredArray``), presented as ``("c", *extra, "x", "y", "z")``."""

    def __init__(self, kvstore: Any, local: Path | None, display: str) -> None:
        self._kvstore, self._local, self._display = kvstore, local, display
        self._lock = threading.Lock()
        self._handle: Any = None
        self._handle_pid: int | None = None
        self._load()

    _process_local = ("_handle",)

    def __repr__(self) -> str:
        return f"N5Array({self._display!r}, shape={self._info.shape})"

    @property
    def path(self) -> str:
        """Where the array lives (as given when opening it)."""
        return self._display

    def _where(self) -> str:
        return f"{self._display.rstrip('/')}/{_ATTRIBUTES}"

    def _open(self) -> Any:
        try:
            return ts.open({"driver": "n5", "kvstore": self._kvstore}, open=True, read=True, write=True).result()
        except ValueError as error:
            raise ValueError(f"tensorstore cannot open the N5 array {self._where()}: {error}") from error

    def _load(self) -> None:
        """Read the metadata and derive the presented ArrayInfo."""
        store = self._open()
        meta = store.spec().to_json()["metadata"]
        where = self._where()
        stored_shape = [int(s) for s in meta["dimensions"]]
        block = [int(s) for s in meta["blockSize"]]
        names, order, virtual = _presented_axes(meta.get("axes"), len(stored_shape), where)
        shape = ((1,) if virtual else ()) + tuple(stored_shape[a] for a in order)
        compression = (meta.get("compression") or {}).get("type", "raw")
        self._order, self._virtual, self._block = order, virtual, block
        self._info = ArrayInfo(
            data_format="n5",
            num_channels=shape[0],
            voxel_type=np.dtype(store.dtype.numpy_dtype),
            chunk_shape=Vec3Int(*(block[a] for a in order[-3:])),
            shard_shape=Vec3Int(*(block[a] for a in order[-3:])),
            compression_mode=compression != "raw",
            shape=shape,
            dimension_names=names,
            has_channel_axis=not virtual,
        )
        self._handle, self._handle_pid = self._presented(store), os.getpid()

    def _presented(self, store: Any) -> Any:
        if self._order != list(range(len(self._order))):
            store = store[ts.d[list(self._order)].transpose[:]]
        return store

    def _store(self) -> Any:
        handle = self._handle
        if handle is not None and self._handle_pid == os.getpid():
            return handle
        with self._lock:
            if self._handle is None or self._handle_pid != os.getpid():
                self._handle, self._handle_pid = self._presented(self._open()), os.getpid()
            return self._handle

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the array in presented axis order."""
        return self._info

    @property
    def native(self) -> Any:
        """The engine's own handle: the ``tensorstore.TensorStore`` in stored axis order."""
        return self._open()

    def _slices(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[slice, ...]:
        slices = tuple(slice(a, b) for a, b in zip(lo, hi))
        return slices[1:] if self._virtual else slices

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape``; voxels outside the shape read as 0."""
        offset, shape = check_box(self.path, self._info.dimension_names, offset, shape, "read from")

        def inside(lo: list[int], hi: list[int]) -> np.ndarray:
            try:
                data = self._store()[self._slices(lo, hi)].read(order="F").result()
            except ValueError as error:
                raise ValueError(f"Cannot read N5 array {self.path} box {lo}..{hi}: {error}") from error
            return data[np.newaxis] if self._virtual else data

        return read_clipped(offset, shape, self._info.shape, self._info.voxel_type, inside)

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` at ``offset`` (all axes); the box must fit the shape."""
        data = np.asarray(data)
        offset, shape = check_box(self.path, self._info.dimension_names, offset, data.shape, "write to")
        end = check_write_box(self.path, offset, shape, self._info.shape)
        if data.size == 0:
            return
        data = data.astype(self._info.voxel_type, copy=False)
        try:
            self._store()[self._slices(offset, end)].write(data[0] if self._virtual else data).result()
        except ValueError as error:
            raise ValueError(f"Cannot write to N5 array {self.path} at {offset}: {error}") from error

    def resize(self, new_shape: Sequence[int]) -> None:
        """Set the array's shape (rewrites ``attributes.json``; data beyond a smaller shape becomes unreachable)."""
        new_shape = [int(s) for s in new_shape]
        ndim = len(self._info.shape)
        if len(new_shape) != ndim or any(s < 0 for s in new_shape) or (self._virtual and new_shape[0] != 1):
            raise ValueError(
                f"Cannot resize {self.path} to {new_shape}: need {ndim} non-negative sizes "
                f"(axes {self._info.dimension_names}){' with 1 channel' if self._virtual else ''}."
            )
        stored = [0] * len(self._order)
        for value, axis in zip(new_shape[1:] if self._virtual else new_shape, self._order):
            stored[axis] = value
        with self._lock:
            self._open().resize(exclusive_max=stored, resize_metadata_only=True, expand_only=False).result()
        self._load()

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` of every block stored, clipped to the shape."""
        store = ts.KvStore.open(self._kvstore).result()
        ndim = len(self._block)
        full = [0] * ndim
        for value, axis in zip(self._info.shape[1:] if self._virtual else self._info.shape, self._order):
            full[axis] = value
        for key in sorted(k.decode() for k in store.list().result()):
            parts = key.split("/")
            if len(parts) != ndim or not all(p.isdigit() for p in parts):
                continue
            lo = [int(p) * b for p, b in zip(parts, self._block)]
            size = [min(b, f - a) for a, b, f in zip(lo, self._block, full)]
            if any(s <= 0 for s in size):
                continue
            offset = tuple(lo[a] for a in self._order)
            extent = tuple(size[a] for a in self._order)
            yield ((0, *offset), (1, *extent)) if self._virtual else (offset, extent)


class N5Storage(ArrayStorageDefaults):
    """N5 arrays through tensorstore (gzip-compressed blocks when compressed, all channels in one block)."""

    data_format = "n5"
    engine = "tensorstore"

    def __repr__(self) -> str:
        return f"N5Storage(data_format={self.data_format!r}, engine={self.engine!r})"

    def _metadata(self, info: ArrayInfo, path: Any) -> dict[str, Any]:
        names = tuple(info.dimension_names)
        problem = None
        if names[0] != "c" or names[-3:] != ("x", "y", "z") or len(set(names)) != len(names):
            problem = f"dimension names {names} must be unique and read ('c', ..., 'x', 'y', 'z')"
        elif info.shape[0] != info.num_channels or len(info.shape) != len(names):
            problem = f"shape {info.shape} does not fit the axes {names} with {info.num_channels} channels"
        elif not info.has_channel_axis and info.num_channels != 1:
            problem = f"an array without a stored channel axis cannot hold {info.num_channels} channels"
        elif np.dtype(info.voxel_type).kind not in "uif":
            problem = f"voxel type {info.voxel_type} is not a numeric type"
        if problem:
            raise ValueError(f"Cannot create an N5 array at {path}: {problem}.")
        skip = 0 if info.has_channel_axis else 1
        return {
            "axes": list(names[skip:]),
            "blockSize": list(info.full_chunk_shape)[skip:],
            "compression": {"type": "gzip", "level": -1, "useZlib": False}
            if info.compression_mode
            else {"type": "raw"},
            "dataType": np.dtype(info.voxel_type).name,
            "dimensions": list(info.shape)[skip:],
        }

    def create(self, path: Any, info: ArrayInfo) -> N5Array:
        """Write ``attributes.json`` for a new array at ``path`` and open it."""
        metadata = self._metadata(info, path)
        kvstore, local, display = _kvstore(path)
        if self.exists(path):
            raise FileExistsError(f"An N5 array already exists at {path}; open it or delete it first.")
        try:
            ts.open({"driver": "n5", "kvstore": kvstore, "metadata": metadata}, create=True).result()
        except ValueError as error:
            raise ValueError(f"tensorstore cannot create the N5 array at {path}: {error}") from error
        return N5Array(kvstore, local, display)

    def open(self, path: Any) -> N5Array:
        """Open the N5 array at ``path`` (FileNotFoundError if it has no array ``attributes.json``)."""
        kvstore, local, display = _kvstore(path)
        if not self.exists(path):
            raise FileNotFoundError(f"No N5 array at {path}: {str(path).rstrip('/')}/{_ATTRIBUTES} is absent.")
        return N5Array(kvstore, local, display)

    def exists(self, path: Any) -> bool:
        """Whether ``path`` holds an N5 array (an ``attributes.json`` with ``dimensions``)."""
        kvstore, _, _ = _kvstore(path)
        try:
            result = ts.KvStore.open(kvstore).result().read(_ATTRIBUTES).result()
        except ValueError:
            return False
        if result.state != "value":
            return False
        try:
            attributes = json.loads(bytes(result.value))
        except ValueError:
            return True  # present but corrupt: open() reports the problem
        return isinstance(attributes, dict) and "dimensions" in attributes
