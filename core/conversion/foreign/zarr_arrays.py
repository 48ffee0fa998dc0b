"""The shape, voxel type and axis names of one zarr array (v2 ``.zarray`` or v3 ``zarr.json``), from its JSON."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from upath import UPath

from ...ngff_axes import ngff_axis_names
from ...properties import DataFormat
from .metadata_files import json_object
from .model import ForeignVolumeError

VOXEL_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64")


@attrs.frozen
class ZarrArrayMeta:
    """What a zarr array's own metadata says; ``names`` None when it names no axes."""

    path: UPath
    data_format: DataFormat
    shape: tuple[int, ...]
    dtype: np.dtype
    names: tuple[str, ...] | None

    def sizes(self, names: tuple[str, ...]) -> dict[str, int]:
        """Axis name -> length, for the axes ``names`` (in stored order)."""
        return dict(zip(names, self.shape))


def voxel_type(value: Any, where: str) -> np.dtype:
    """The numpy dtype of a metadata ``dtype`` / ``data_type`` / ``dataType``; only types WEBKNOSSOS stores."""
    try:
        dtype = np.dtype(str(value)) if isinstance(value, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.newbyteorder("=").name not in VOXEL_TYPES:
        raise ForeignVolumeError(f"{where}: voxel type {value!r} is not one of {', '.join(VOXEL_TYPES)}.")
    return dtype.newbyteorder("=")


def _shape(value: Any, where: str) -> tuple[int, ...]:
    ok = isinstance(value, list) and 3 <= len(value) <= 8
    ok = ok and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    if not ok:
        raise ForeignVolumeError(f"{where}: shape {value!r} is not a list of 3 to 8 non-negative integers.")
    return tuple(value)


def read_zarr_array(path: UPath) -> ZarrArrayMeta:
    """The metadata of the zarr array at ``path`` (zarr.json first, then .zarray); errors name the file."""
    v3 = json_object(path / "zarr.json", required=False)
    if v3 is not None:
        where = str(path / "zarr.json")
        if v3.get("zarr_format") != 3 or v3.get("node_type") != "array":
            raise ForeignVolumeError(f"{where} does not describe a zarr v3 array (node_type 'array').", path=path)
        names = v3.get("dimension_names")
        names = tuple(names) if isinstance(names, list) and all(isinstance(n, str) for n in names) else None
        shape = _shape(v3.get("shape"), where)
        return ZarrArrayMeta(path, DataFormat.Zarr3, shape, voxel_type(v3.get("data_type"), where), names)
    v2 = json_object(path / ".zarray", required=False)
    if v2 is None:
        raise ForeignVolumeError(f"No zarr array at {path}: it has neither zarr.json nor .zarray.", path=path)
    where = str(path / ".zarray")
    if v2.get("zarr_format") != 2:
        raise ForeignVolumeError(f"{where} does not describe a zarr v2 array (zarr_format 2).", path=path)
    attributes = json_object(path / ".zattrs", required=False) or {}
    names = attributes.get("_ARRAY_DIMENSIONS")
    names = tuple(names) if isinstance(names, list) and all(isinstance(n, str) for n in names) else None
    shape = _shape(v2.get("shape"), where)
    return ZarrArrayMeta(path, DataFormat.Zarr, shape, voxel_type(v2.get("dtype"), where), names)


def group_names(meta: ZarrArrayMeta, group_attributes: Any) -> tuple[str, ...] | None:
    """The array's own axis names, else those the OME-NGFF group gives it (as daedalus' zarr adapters read it)."""
    if meta.names is not None:
        return meta.names
    names = ngff_axis_names(group_attributes, meta.path.name, len(meta.shape))
    return tuple(names) if names else None


def positional_default(ndim: int) -> tuple[str, ...] | None:
    """How daedalus reads an array without axis names: (x, y, z) or (c, x, y, z); None for other ranks."""
    return {3: ("x", "y", "z"), 4: ("c", "x", "y", "z")}.get(ndim)


def positional_names(ndim: int, where: str) -> tuple[str, ...]:
    """``positional_default``, or ForeignVolumeError naming ``where`` for arrays of other ranks."""
    names = positional_default(ndim)
    if names is not None:
        return names
    raise ForeignVolumeError(
        f"{where}: a {ndim}-d array without axis names; name its axes (zarr v3 dimension_names, zarr v2 "
        "_ARRAY_DIMENSIONS) as c, x, y, z."
    )


def check_axes(names: tuple[str, ...], where: str) -> None:
    """Refuse axes other than x, y, z and an optional channel axis c (ForeignVolumeError naming them)."""
    if len(set(names)) != len(names) or not {"x", "y", "z"} <= set(names):
        raise ForeignVolumeError(f"{where}: axes {list(names)} must be unique and include x, y and z.")
    others = [n for n in names if n not in ("c", "x", "y", "z")]
    if others:
        raise ForeignVolumeError(
            f"{where}: axes {others} are not supported; a layer holds x, y, z and an optional channel axis c "
            "(import one time point or select the channel axis, named 'c')."
        )


def stored_axis_order(names: tuple[str, ...] | list[str]) -> dict[str, int]:
    """The properties' ``axisOrder``: where c (if stored), x, y and z are among the array's stored axes."""
    return {name: position for position, name in enumerate(names) if name in ("c", "x", "y", "z")}
