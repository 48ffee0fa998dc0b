"""Parsing and writing zarr3 / zarr (v2) metadata: axis order, storage keys and the codecs WEBKNOSSOS writes."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from daedalus.core.array_info import ArrayInfo
from daedalus.core.geometry import Vec3Int
from daedalus.core.ngff_axes import ngff_axis_names_from_json
from daedalus.core.zarr3_config import Zarr3ArrayInfo

_ZSTD_LEVEL = 5
# codecs that neither compress nor change the meaning of the bytes
_NON_COMPRESSING_CODECS = {"transpose", "bytes", "endian", "crc32c", "sharding_indexed"}


def _dump_json(value: Any) -> str:
    """Compact, key-sorted JSON: the layout the WEBKNOSSOS Python library writes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _resolve_axes(
    names: Sequence[str | None] | None, ndim: int, where: str
) -> tuple[tuple[str, ...], tuple[int, ...], bool]:
    """Map stored axes onto the presented order ``("c", *extra, "x", "y", "z")``.

    Returns the presented names, the stored axis of every presented axis except a virtual channel
    axis, and whether the channel axis is virtual (not stored).
    """
    if names is None or all(n is None for n in names):
        if ndim == 3:
            names = ["x", "y", "z"]
        elif ndim >= 4:
            names = ["c", *[f"axis_{i}" for i in range(1, ndim - 3)], "x", "y", "z"]
        else:
            raise ValueError(f"{where}: a {ndim}-d array without dimension names has no x, y and z axes.")
    names = [str(n) if n is not None else f"axis_{i}" for i, n in enumerate(names)]
    if len(names) != ndim:
        raise ValueError(f"{where}: {len(names)} dimension names for a {ndim}-d array.")
    if len(set(names)) != ndim or not {"x", "y", "z"} <= set(names):
        raise ValueError(f"{where}: dimension names {names} must be unique and include x, y and z.")
    extra = [i for i, n in enumerate(names) if n not in ("c", "x", "y", "z")]
    channel = [names.index("c")] if "c" in names else []
    order = tuple(channel + extra + [names.index(a) for a in "xyz"])
    presented = ("c", *(names[i] for i in extra), "x", "y", "z")
    return presented, order, not channel


def stored_names(presented: Sequence[str], order: Sequence[int], virtual_channel: bool) -> tuple[str, ...]:
    """The axis names in stored order, from the presented names and the stored axis of each presented axis."""
    stored = [""] * len(order)
    for name, axis in zip(list(presented)[1:] if virtual_channel else presented, order):
        stored[axis] = name
    return tuple(stored)


class _Layout:
    """Parsed metadata: the presented ArrayInfo plus how to find stored axes and storage keys."""

    def __init__(
        self,
        info: ArrayInfo,
        order: tuple[int, ...],
        virtual_channel: bool,
        grid: tuple[int, ...],
        key_prefix: str,
        separator: str,
        sharded: bool,
    ) -> None:
        self.info = info
        self.order = order  # stored axis of every presented axis (virtual channel excluded)
        self.virtual_channel = virtual_channel
        self.grid = grid  # stored-order shape of one storage key (shard, or chunk when unsharded)
        self.key_prefix = key_prefix
        self.separator = separator
        self.sharded = sharded

    @property
    def stored_ndim(self) -> int:
        return len(self.grid)

    def to_stored(self, values: Sequence[int]) -> list[int]:
        """Presented per-axis values (virtual channel included) in stored axis order."""
        presented = list(values)[1:] if self.virtual_channel else list(values)
        stored = [0] * self.stored_ndim
        for value, axis in zip(presented, self.order):
            stored[axis] = value
        return stored

    def to_presented(self, stored: Sequence[int], channel: int) -> tuple[int, ...]:
        """Stored per-axis values in presented order; ``channel`` fills a virtual channel axis."""
        values = tuple(int(stored[axis]) for axis in self.order)
        return ((channel,) + values) if self.virtual_channel else values

    def key(self, index: Sequence[int]) -> str:
        """Storage key of the grid cell ``index`` (stored order)."""
        body = self.separator.join(str(i) for i in index)
        if self.key_prefix:
            return self.key_prefix + (self.separator + body if body else "")
        return body or "0"

    def parse_key(self, key: str) -> tuple[int, ...] | None:
        """Grid cell of a storage key, or None for anything that is not a chunk key."""
        if self.key_prefix:
            if not key.startswith(self.key_prefix + self.separator):
                return None
            key = key[len(self.key_prefix) + 1 :]
        parts = key.split(self.separator)
        if len(parts) != self.stored_ndim or not all(p.isdigit() for p in parts):
            return None
        return tuple(int(p) for p in parts)

    def cells(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[list[str], list[str]]:
        """Keys of the grid cells meeting the stored box ``lo .. hi``, and those only partly inside it."""
        ranges = [range(a // g, (b - 1) // g + 1) for a, b, g in zip(lo, hi, self.grid)]
        keys, partial = [], []
        for index in itertools.product(*ranges):
            key = self.key(index)
            keys.append(key)
            if any(i * g < a or (i + 1) * g > b for i, a, b, g in zip(index, lo, hi, self.grid)):
                partial.append(key)
        return keys, partial


def _axis_values(values: Sequence[Any], order: Sequence[int]) -> tuple[int, int, int]:
    return tuple(int(values[axis]) for axis in order[-3:])  # type: ignore[return-value]


# --------------------------------------------------------------------------- formats


class _Zarr3Format:
    """Metadata of zarr v3 arrays (``zarr.json``)."""

    data_format = "zarr3"
    driver = "zarr3"
    metadata_file = "zarr.json"

    def build(self, info: ArrayInfo) -> dict[str, Any]:
        """The ``zarr.json`` WEBKNOSSOS writes for ``info``."""
        names, shape, chunk, shard = _stored_shapes(info)
        ndim = len(shape)
        dtype = np.dtype(info.voxel_type)
        bytes_codec: dict[str, Any] = {"name": "bytes"}
        if dtype.itemsize > 1:
            bytes_codec["configuration"] = {"endian": "little"}
        chunk_codecs: list[dict[str, Any]] = [
            {"configuration": {"order": list(range(ndim - 1, -1, -1))}, "name": "transpose"},
            bytes_codec,
        ]
        if isinstance(info, Zarr3ArrayInfo) and info.codecs:  # configured with compress=Zarr3Config(...)
            chunk_codecs = [dict(codec) for codec in info.codecs]
        elif info.compression_mode:
            chunk_codecs.append({"configuration": {"checksum": True, "level": _ZSTD_LEVEL}, "name": "zstd"})
        if shard != chunk:
            grid = shard
            codecs = [
                {
                    "configuration": {
                        "chunk_shape": chunk,
                        "codecs": chunk_codecs,
                        "index_codecs": [
                            {"configuration": {"endian": "little"}, "name": "bytes"},
                            {"name": "crc32c"},
                        ],
                    },
                    "name": "sharding_indexed",
                }
            ]
        else:
            grid, codecs = chunk, chunk_codecs
        key_encoding: dict[str, Any] = {"name": "default"}
        if info.chunk_key_separator != "/":
            key_encoding["configuration"] = {"separator": info.chunk_key_separator}
        return {
            "chunk_grid": {"configuration": {"chunk_shape": grid}, "name": "regular"},
            "chunk_key_encoding": key_encoding,
            "codecs": codecs,
            "data_type": dtype.name,
            "dimension_names": names,
            "fill_value": 0,
            "node_type": "array",
            "shape": shape,
            "zarr_format": 3,
        }

    def parse(self, meta: dict[str, Any], where: str, names: Any = None) -> _Layout:
        """Interpret a ``zarr.json`` document (its own ``dimension_names`` win over ``names``)."""
        if meta.get("zarr_format") != 3 or meta.get("node_type") != "array":
            raise ValueError(f"{where} does not describe a zarr v3 array (zarr_format 3, node_type array).")
        shape = [int(s) for s in meta["shape"]]
        dtype = np.dtype(str(meta["data_type"]))
        if meta["chunk_grid"].get("name", "regular") != "regular":
            raise ValueError(f"{where}: only regular chunk grids are supported.")
        outer = [int(s) for s in meta["chunk_grid"]["configuration"]["chunk_shape"]]
        inner, chunk_codecs, sharded = outer, meta["codecs"], False
        for codec in meta["codecs"]:
            if codec["name"] == "sharding_indexed":
                inner = [int(s) for s in codec["configuration"]["chunk_shape"]]
                chunk_codecs, sharded = codec["configuration"].get("codecs", []), True
        compressed = any(c["name"] not in _NON_COMPRESSING_CODECS for c in chunk_codecs)
        encoding = meta.get("chunk_key_encoding") or {"name": "default"}
        default_encoding = encoding.get("name", "default") == "default"
        separator = (encoding.get("configuration") or {}).get("separator", "/" if default_encoding else ".")
        return _make_layout(
            self.data_format,
            where,
            dtype=dtype,
            shape=shape,
            inner=inner,
            outer=outer,
            compressed=compressed,
            names=meta.get("dimension_names", names),
            separator=separator,
            key_prefix="c" if default_encoding else "",
            sharded=sharded,
            codecs=chunk_codecs,
            encoding=encoding,
        )

    def with_shape(self, meta: dict[str, Any], stored_shape: Sequence[int]) -> dict[str, Any]:
        """``meta`` with a new array shape."""
        return {**meta, "shape": [int(s) for s in stored_shape]}

    def extra_files(self, info: ArrayInfo) -> dict[str, bytes]:
        """Further metadata files written on create (none for zarr3)."""
        return {}

    def read_metadata(self, location: Any, where: str) -> tuple[dict[str, Any], list[str] | None]:
        """The parsed metadata document (dimension names live inside it for zarr3; else the OME-NGFF group's)."""
        meta = _read_json(location, self.metadata_file, where)
        if meta.get("dimension_names") is None and location.fetches_optional_files:
            return meta, _group_axis_names(location, "zarr.json", len(meta.get("shape") or ()))
        return meta, None


class _Zarr2Format:
    """Metadata of zarr v2 arrays (``.zarray``, plus ``_ARRAY_DIMENSIONS`` in ``.zattrs`` when present)."""

    data_format = "zarr"
    driver = "zarr"
    metadata_file = ".zarray"

    def build(self, info: ArrayInfo) -> dict[str, Any]:
        """The ``.zarray`` WEBKNOSSOS writes for ``info``."""
        _, shape, chunk, _ = _stored_shapes(info)
        dtype = np.dtype(info.voxel_type).newbyteorder("<")
        return {
            "chunks": chunk,
            "compressor": {"id": "zstd", "level": _ZSTD_LEVEL} if info.compression_mode else None,
            "dimension_separator": info.chunk_key_separator,
            "dtype": dtype.str,
            "fill_value": 0,
            "filters": None,
            "order": "F",
            "shape": shape,
            "zarr_format": 2,
        }

    def parse(self, meta: dict[str, Any], where: str, names: Any = None) -> _Layout:
        """Interpret a ``.zarray`` document."""
        if meta.get("zarr_format") != 2:
            raise ValueError(f"{where} does not describe a zarr v2 array (zarr_format 2).")
        shape = [int(s) for s in meta["shape"]]
        chunks = [int(s) for s in meta["chunks"]]
        dtype = np.dtype(meta["dtype"]).newbyteorder("=")
        compressed = meta.get("compressor") is not None
        separator = meta.get("dimension_separator") or "."
        return _make_layout(
            self.data_format,
            where,
            dtype=dtype,
            shape=shape,
            inner=chunks,
            outer=chunks,
            compressed=compressed,
            names=names,
            separator=separator,
            key_prefix="",
            sharded=False,
        )

    def with_shape(self, meta: dict[str, Any], stored_shape: Sequence[int]) -> dict[str, Any]:
        """``meta`` with a new array shape."""
        return {**meta, "shape": [int(s) for s in stored_shape]}

    def extra_files(self, info: ArrayInfo) -> dict[str, bytes]:
        """``.zattrs`` with the dimension names, when they differ from what a reader would assume."""
        names = _stored_shapes(info)[0]
        if len(names) == 3 or names == ["c", *(f"axis_{i}" for i in range(1, len(names) - 3)), "x", "y", "z"]:
            return {}  # what a reader assumes without names
        return {".zattrs": _dump_json({"_ARRAY_DIMENSIONS": names}).encode()}

    def read_metadata(self, location: Any, where: str) -> tuple[dict[str, Any], list[str] | None]:
        """The parsed ``.zarray`` and the dimension names from ``.zattrs``, if any."""
        meta = _read_json(location, self.metadata_file, where)
        names = None
        if not location.fetches_optional_files and len(meta.get("shape") or ()) <= 4:
            return meta, None  # over http a 3-/4-d array is read as (x, y, z) / (c, x, y, z) without a lookup
        raw = location.read_bytes(".zattrs")
        if raw:
            try:
                attributes = json.loads(raw)
                names = attributes.get("_ARRAY_DIMENSIONS") if isinstance(attributes, dict) else None
            except ValueError:
                names = None
        if names is None and location.fetches_optional_files:  # OME-Zarr 0.4: the image group names the axes
            names = _group_axis_names(location, ".zattrs", len(meta.get("shape") or ()))
        return meta, names


def _group_axis_names(location: Any, group_file: str, ndim: int) -> list[str] | None:
    """The axis names the parent group's OME-NGFF multiscales give this array (None if it gives none)."""
    array_name = location.display.rstrip("/").rsplit("/", 1)[-1]
    return ngff_axis_names_from_json(location.read_bytes(f"../{group_file}"), array_name, ndim)


def _stored_shapes(info: ArrayInfo) -> tuple[list[str], list[int], list[int], list[int]]:
    """Dimension names, shape, chunk shape and shard shape as stored (without "c" if it is not stored)."""
    skip = 0 if info.has_channel_axis else 1
    return (
        list(info.dimension_names)[skip:],
        list(info.shape)[skip:],
        list(info.full_chunk_shape)[skip:],
        list(info.full_shard_shape)[skip:],
    )


def _make_layout(
    data_format: str,
    where: str,
    *,
    dtype: np.dtype,
    shape: list[int],
    inner: list[int],
    outer: list[int],
    compressed: bool,
    names: Any,
    separator: str,
    key_prefix: str,
    sharded: bool,
    codecs: Sequence[dict[str, Any]] | None = None,
    encoding: dict[str, Any] | None = None,
) -> _Layout:
    """The presented ArrayInfo and key layout of a stored array (chunk shapes in stored axis order)."""
    named = names is not None and any(n is not None for n in names)
    names, order, virtual = _resolve_axes(names, len(shape), where)
    presented_shape = ((1,) if virtual else ()) + tuple(shape[axis] for axis in order)
    fields: dict[str, Any] = {} if codecs is None else {"codecs": codecs, "chunk_key_encoding": encoding}  # zarr3
    info = (ArrayInfo if codecs is None else Zarr3ArrayInfo)(
        **fields,
        data_format=data_format,
        num_channels=presented_shape[0],
        voxel_type=dtype,
        chunk_shape=Vec3Int(_axis_values(inner, order)),
        shard_shape=Vec3Int(_axis_values(outer, order)),
        compression_mode=compressed,
        shape=presented_shape,
        dimension_names=names,
        chunk_key_separator=separator,
        has_channel_axis=not virtual,
        stored_dimension_names=stored_names(names, order, virtual) if named else None,
    )
    return _Layout(info, order, virtual, tuple(outer), key_prefix, separator, sharded)


def _read_json(location: Any, name: str, where: str) -> dict[str, Any]:
    raw = location.read_bytes(name)
    if raw is None:
        raise FileNotFoundError(f"No array at {location.display}: {where} does not exist.")
    try:
        meta = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"Cannot parse {where}: {error}") from error
    if not isinstance(meta, dict):
        raise ValueError(f"Cannot parse {where}: expected a JSON object.")
    return meta
