"""N5 volumes: one array, or a multiscale group ``s0``, ``s1``, ... with the n5-viewer / BigDataViewer attributes.

Downsampling factors come from each level's ``downsamplingFactors``, else the group's ``scales``, else the ratio of
the levels' ``resolution``; the voxel size from ``pixelResolution`` (``dimensions`` + ``unit``) or ``resolution``
(+ ``units``, as tensorstore writes it), of the finest level or the group. N5 lists axes fastest first: x, y, z.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from upath import UPath

from ...properties import DataFormat, LengthUnit, VoxelSize
from .metadata_files import json_object, numbers, whole_numbers
from .model import ForeignScale, ForeignVolume, ForeignVolumeError
from .scales import checked_scales, mag_of
from .zarr_arrays import check_axes, positional_names, voxel_type

ATTRIBUTES = "attributes.json"
_MAX_LEVELS = 40


def is_n5_array(attributes: Any) -> bool:
    """Whether N5 attributes describe an array (they hold ``dimensions``)."""
    return isinstance(attributes, dict) and "dimensions" in attributes


def _levels(root: UPath, root_attributes: dict[str, Any]) -> list[tuple[UPath, dict[str, Any]]]:
    if is_n5_array(root_attributes):
        return [(root, root_attributes)]
    levels = []
    for index in range(_MAX_LEVELS):  # levels are found by name: remote stores cannot always be listed
        attributes = json_object(root / f"s{index}" / ATTRIBUTES, required=False)
        if not is_n5_array(attributes):
            break
        levels.append((root / f"s{index}", attributes))
    if not levels:
        raise ForeignVolumeError(
            f"{root} holds neither an N5 array ({ATTRIBUTES} with 'dimensions') nor a multiscale group of arrays "
            f"s0, s1, ...",
            path=root,
        )
    return levels  # type: ignore[return-value]


def _unit(value: Any, where: str) -> LengthUnit:
    if isinstance(value, list):
        distinct = set(value)
        if len(distinct) != 1:
            raise ForeignVolumeError(f"{where}: units {value!r} differ between the axes.")
        value = distinct.pop()
    try:
        return LengthUnit(str(value))
    except ValueError:
        raise ForeignVolumeError(f"{where}: unknown length unit {value!r}.") from None


def _resolution(attributes: dict[str, Any], order: list[int], where: str) -> tuple[tuple[float, ...], Any] | None:
    """(x, y, z resolution, unit) from ``pixelResolution`` or ``resolution``/``units``; None if neither is there."""
    pixel = attributes.get("pixelResolution")
    if isinstance(pixel, dict):
        values = numbers(
            pixel.get("dimensions"), len(pixel.get("dimensions") or ()), f"{where} pixelResolution", positive=True
        )
        unit = _unit(pixel.get("unit", "nm"), f"{where} pixelResolution unit")
    elif "resolution" in attributes:
        raw = attributes["resolution"]
        values = numbers(raw, len(raw) if isinstance(raw, list) else 0, f"{where} resolution", positive=True)
        unit = _unit(attributes.get("units", attributes.get("unit", "nm")), f"{where} units")
    else:
        return None
    if len(values) < max(order) + 1:
        values = values + (1.0,) * (max(order) + 1 - len(values))
    return tuple(values[i] for i in order), unit


def _factors(attributes: dict[str, Any], order: list[int], where: str) -> tuple[float, ...] | None:
    factors = attributes.get("downsamplingFactors")
    if factors is None:
        return None
    values = numbers(
        factors, len(factors) if isinstance(factors, list) else 0, f"{where} downsamplingFactors", positive=True
    )
    values = values + (1.0,) * max(0, max(order) + 1 - len(values))
    return tuple(values[i] for i in order)


def read_n5(root: UPath, root_attributes: dict[str, Any]) -> ForeignVolume:
    """The volume of the N5 array or multiscale group at ``root``."""
    levels = _levels(root, root_attributes)
    group_scales = root_attributes.get("scales") if len(levels) > 1 else None
    parsed = []
    for index, (path, attributes) in enumerate(levels):
        where = str(path / ATTRIBUTES)
        dimensions = whole_numbers(
            attributes.get("dimensions"), len(attributes.get("dimensions") or ()), f"{where} dimensions", minimum=1
        )
        axes = attributes.get("axes")
        names = tuple(axes) if isinstance(axes, list) and all(isinstance(a, str) for a in axes) else None
        names = names or positional_names(len(dimensions), where)
        if len(names) != len(dimensions):
            raise ForeignVolumeError(f"{where}: axes {list(names)} do not fit dimensions {list(dimensions)}.")
        check_axes(names, where)
        order = [names.index(a) for a in "xyz"]
        channels = dimensions[names.index("c")] if "c" in names else 1
        dtype = voxel_type(attributes.get("dataType"), f"{where} dataType")
        factors = _factors(attributes, order, where)
        if factors is None and isinstance(group_scales, list) and index < len(group_scales):
            entry = numbers(
                group_scales[index],
                len(group_scales[index]) if isinstance(group_scales[index], list) else 0,
                f"{root / ATTRIBUTES} scales[{index}]",
                positive=True,
            )
            factors = tuple((entry + (1.0,) * 3)[i] for i in order) if len(entry) >= 3 else None
        size = tuple(dimensions[i] for i in order)
        parsed.append((path, size, channels, dtype, factors, _resolution(attributes, order, where), where))
    if len({(p[2], str(p[3])) for p in parsed}) != 1:
        raise ForeignVolumeError(f"{root}: the levels differ in voxel type or channel count.", path=root)
    finest_resolution = parsed[0][5] or _resolution(root_attributes, [0, 1, 2], str(root / ATTRIBUTES))
    scales = []
    for path, size, _, _, factors, resolution, where in parsed:
        if factors is None and resolution is not None and parsed[0][5] is not None:
            factors = tuple(r / f for r, f in zip(resolution[0], parsed[0][5][0]))
        if factors is None:  # nothing says it: the ratio of the sizes, which must come out whole
            factors = tuple(f / s for f, s in zip(parsed[0][1], size))
        scales.append(ForeignScale(mag_of(factors, where, finest_size=parsed[0][1], size=size), path, size))
    voxel_size = None
    if finest_resolution is not None:
        values, unit = finest_resolution
        voxel_size = VoxelSize(values, unit)
    return ForeignVolume(
        kind="N5",
        source=root,
        data_format=DataFormat.N5,
        scales=checked_scales(scales, root),
        dtype=np.dtype(parsed[0][3]),
        num_channels=parsed[0][2],
        voxel_size=voxel_size,
    )
