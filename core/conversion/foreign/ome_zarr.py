"""OME-Zarr images (NGFF 0.4 on zarr v2, 0.5 on zarr v3): levels, voxel size, translation from ``multiscales``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from upath import UPath

from ...ngff_axes import axis_name, multiscales_of
from ...properties import SEGMENTATION_CATEGORY, LengthUnit, VoxelSize
from .metadata_files import child_path, numbers
from .model import ForeignScale, ForeignVolume, ForeignVolumeError
from .scales import checked_scales, mag_of
from .zarr_arrays import check_axes, positional_default, read_zarr_array, stored_axis_order


def _unit(axes: list[Any], names: list[str], where: str) -> tuple[LengthUnit | None, dict[str, float]]:
    """The common unit of x, y, z (None when they have none) and, per space axis, nanometers per unit."""
    units: dict[str, LengthUnit | None] = {}
    for axis, name in zip(axes, names):
        if name not in ("x", "y", "z"):
            continue
        text = axis.get("unit") if isinstance(axis, dict) else None
        if text is None:
            units[name] = None
            continue
        try:
            units[name] = LengthUnit(str(text))
        except ValueError:
            raise ForeignVolumeError(f"{where}: axis {name!r} has the unknown length unit {text!r}.") from None
    distinct = set(units.values())
    if distinct == {None}:
        return None, {axis: 1.0 for axis in "xyz"}
    if None in distinct:
        raise ForeignVolumeError(f"{where}: some of the axes x, y, z have a unit and some do not ({units}).")
    if len(distinct) == 1:
        return distinct.pop(), {axis: 1.0 for axis in "xyz"}
    return LengthUnit.NANOMETER, {axis: units[axis].nanometers for axis in "xyz"}  # type: ignore[union-attr]


def _transforms(value: Any, ndim: int, where: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The scale and translation of a ``coordinateTransformations`` list (identity when absent)."""
    scale, translation = (1.0,) * ndim, (0.0,) * ndim
    if value is None:
        return scale, translation
    if not isinstance(value, list):
        raise ForeignVolumeError(f"{where}: coordinateTransformations must be a list, got {value!r}.")
    for transform in value:
        kind = transform.get("type") if isinstance(transform, dict) else None
        if kind == "scale" and "scale" in transform:
            scale = tuple(
                a * b for a, b in zip(scale, numbers(transform["scale"], ndim, f"{where} scale", positive=True))
            )
        elif kind == "translation" and "translation" in transform:
            shift = numbers(transform["translation"], ndim, f"{where} translation")
            translation = tuple(t + d for t, d in zip(translation, shift))
        elif kind != "identity":
            raise ForeignVolumeError(
                f"{where}: coordinate transformation {transform!r} is not supported (only scale and translation "
                "given inline)."
            )
    return scale, translation


def read_ome_zarr(group: UPath, attributes: dict[str, Any], metadata_file: UPath) -> ForeignVolume:
    """The volume of the first multiscale image of the OME-Zarr group ``group`` (``attributes`` its metadata)."""
    where = str(metadata_file)
    multiscales = multiscales_of(attributes)
    if not multiscales:
        raise ForeignVolumeError(f"{where} has no OME-NGFF multiscales.", path=group)
    multiscale = multiscales[0]
    axes = multiscale.get("axes")
    if not isinstance(axes, list) or not axes:
        version = (attributes.get("ome") or {}).get("version") or multiscale.get("version")
        raise ForeignVolumeError(f"{where}: OME-NGFF {version} multiscales without axes are not supported.", path=group)
    names = [axis_name(axis) for axis in axes]
    if None in names:
        raise ForeignVolumeError(f"{where}: every axis needs a name, got {axes!r}.", path=group)
    channel_named_otherwise = [
        n for a, n in zip(axes, names) if isinstance(a, dict) and a.get("type") == "channel" and n != "c"
    ]
    if channel_named_otherwise:
        raise ForeignVolumeError(
            f"{where}: the channel axis is named {channel_named_otherwise[0]!r}; daedalus reads a channel axis "
            "named 'c'.",
            path=group,
        )
    check_axes(tuple(names), where)  # type: ignore[arg-type]
    ndim = len(names)
    datasets = multiscale.get("datasets")
    if not isinstance(datasets, list) or not datasets or not all(isinstance(d, dict) for d in datasets):
        raise ForeignVolumeError(f"{where}: multiscales 'datasets' must be a non-empty list of objects.", path=group)
    global_scale, global_shift = _transforms(multiscale.get("coordinateTransformations"), ndim, where)
    unit, nanometers = _unit(axes, names, where)  # type: ignore[arg-type]
    position = {name: i for i, name in enumerate(names)}
    levels = []
    for index, dataset in enumerate(datasets):
        level_where = f"{where} datasets[{index}]"
        path = child_path(group, dataset.get("path"), f"{level_where} path")
        meta = read_zarr_array(path)
        if len(meta.shape) != ndim:
            raise ForeignVolumeError(
                f"{path}: the array has {len(meta.shape)} axes, the multiscales axes are {names}.", path=path
            )
        if meta.names is not None and list(meta.names) != names:
            raise ForeignVolumeError(
                f"{path}: the array's dimension names {list(meta.names)} differ from the multiscales axes {names}.",
                path=path,
            )
        scale, shift = _transforms(dataset.get("coordinateTransformations"), ndim, level_where)
        physical = [scale[position[a]] * global_scale[position[a]] * nanometers[a] for a in "xyz"]
        offset = [
            (shift[position[a]] * global_scale[position[a]] + global_shift[position[a]]) * nanometers[a] for a in "xyz"
        ]
        levels.append((meta, physical, offset))
    first = levels[0][0]
    dtypes = {str(meta.dtype) for meta, _, _ in levels}
    channels = {meta.shape[position["c"]] if "c" in position else 1 for meta, _, _ in levels}
    if len(dtypes) != 1 or len(channels) != 1:
        raise ForeignVolumeError(
            f"{group}: the levels differ in voxel type {dtypes} or channels {channels}.", path=group
        )
    finest_meta, finest_scale, finest_offset = min(levels, key=lambda level: math.prod(level[1]))
    finest_size = [finest_meta.shape[position[a]] for a in "xyz"]
    scales = []
    for meta, physical, _ in levels:
        size = tuple(meta.shape[position[a]] for a in "xyz")
        ratios = [p / f for p, f in zip(physical, finest_scale)]
        mag = mag_of(ratios, f"{meta.path} ({where})", finest_size=finest_size, size=size)
        from_group = meta.names is None and tuple(names) != positional_default(len(names))
        scales.append(ForeignScale(mag, meta.path, size, stored_axis_order(names), from_group))  # type: ignore[arg-type]
    voxel_size = VoxelSize(tuple(finest_scale), unit or LengthUnit.NANOMETER)
    translation = tuple(o / s for o, s in zip(finest_offset, finest_scale))
    labels = "image-label" in attributes or "image-label" in (attributes.get("ome") or {})
    version = (attributes.get("ome") or {}).get("version") or multiscale.get("version") or "?"
    return ForeignVolume(
        kind=f"OME-Zarr {version}",
        source=group,
        data_format=first.data_format,
        scales=checked_scales(scales, group),
        dtype=np.dtype(first.dtype),
        num_channels=channels.pop(),
        voxel_size=voxel_size,
        translation=None if all(abs(t) < 1e-9 for t in translation) else translation,  # type: ignore[arg-type]
        category=SEGMENTATION_CATEGORY if labels else None,
    )
