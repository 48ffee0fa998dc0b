"""The zarr3 and zarr (v2) ArrayStorage adapters: create, open and check for arrays."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from daedalus.core.array_info import ArrayInfo
from daedalus.core.ports import ArrayStorageDefaults

from .array import TensorstoreZarrArray
from .layout import _dump_json, _stored_shapes, _Zarr2Format, _Zarr3Format
from .locations import _location


class _TensorstoreZarrStorage(ArrayStorageDefaults):
    """Shared create/open/exists logic of the zarr3 and zarr storages."""

    data_format: str
    engine = "tensorstore"
    _format: Any

    def __repr__(self) -> str:
        return f"{type(self).__name__}(data_format={self.data_format!r}, engine={self.engine!r})"

    def _validate(self, info: ArrayInfo, path: Any) -> None:
        names = tuple(info.dimension_names)
        problem = None
        if len(info.shape) != len(names):
            problem = f"shape {info.shape} and dimension names {names} differ in length"
        elif names[0] != "c" or names[-3:] != ("x", "y", "z") or len(set(names)) != len(names):
            problem = f"dimension names {names} must be unique and read ('c', ..., 'x', 'y', 'z')"
        elif info.shape[0] != info.num_channels:
            problem = f"shape {info.shape} does not have num_channels={info.num_channels} channels"
        elif not info.has_channel_axis and info.num_channels != 1:
            problem = f"an array without a stored channel axis cannot hold {info.num_channels} channels"
        elif any(c <= 0 for c in info.chunk_shape) or any(s % c for s, c in zip(info.shard_shape, info.chunk_shape)):
            problem = f"shard shape {info.shard_shape} is not a multiple of chunk shape {info.chunk_shape}"
        elif info.chunk_key_separator not in ("/", "."):
            problem = f"chunk key separator {info.chunk_key_separator!r} is neither '/' nor '.'"
        elif np.dtype(info.voxel_type).kind not in "uif":
            problem = f"voxel type {info.voxel_type} is not a numeric type"
        if problem:
            raise ValueError(f"Cannot create a {self.data_format} array at {path}: {problem}.")

    def create(self, path: Any, info: ArrayInfo) -> TensorstoreZarrArray:
        """Write the metadata of a new array at ``path`` as ``info`` describes and open it."""
        self._validate(info, path)
        location = _location(path)
        if location.exists(self._format.metadata_file):
            raise FileExistsError(f"A {self.data_format} array already exists at {path}; open it or delete it first.")
        meta = self._format.build(info)
        extra = self._format.extra_files(info)
        for name, data in extra.items():
            location.write_bytes(name, data)
        location.write_bytes(self._format.metadata_file, _dump_json(meta).encode())
        names = _stored_shapes(info)[0] if extra else None
        return TensorstoreZarrArray(location, self._format, meta, names)

    def open(self, path: Any) -> TensorstoreZarrArray:
        """Open the array stored at ``path`` (FileNotFoundError if absent, ValueError if unreadable)."""
        location = _location(path)
        where = f"{location.display.rstrip('/')}/{self._format.metadata_file}"
        meta, names = self._format.read_metadata(location, where)
        return TensorstoreZarrArray(location, self._format, meta, names)

    def exists(self, path: Any) -> bool:
        """Whether an array of this format is stored at ``path`` (a zarr3 group does not count)."""
        location = _location(path)
        raw = location.read_bytes(self._format.metadata_file)
        if raw is None:
            return False
        try:
            meta = json.loads(raw)
        except ValueError:
            return True  # present but corrupt: open() reports the problem
        return not (isinstance(meta, dict) and meta.get("node_type") == "group")


class Zarr3Storage(_TensorstoreZarrStorage):
    """zarr v3 arrays (sharded or not) through tensorstore, as WEBKNOSSOS writes them."""

    data_format = "zarr3"
    _format = _Zarr3Format()


class ZarrStorage(_TensorstoreZarrStorage):
    """zarr v2 arrays through tensorstore, as WEBKNOSSOS writes them."""

    data_format = "zarr"
    _format = _Zarr2Format()
