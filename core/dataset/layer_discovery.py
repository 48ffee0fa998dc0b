"""Discovering a layer's mags, dtype and channels from array folders that already exist on disk."""

from __future__ import annotations

from typing import Any

from upath import UPath

from .. import ports
from ..errors import LayerFilesNotFoundError
from ..geometry import BoundingBox, Mag, NDBoundingBox
from ..properties import (
    SEGMENTATION_CATEGORY,
    DataFormat,
    LayerProperties,
    MagViewProperties,
    SegmentationLayerProperties,
)


def _parse_mag(name: str) -> Mag | None:
    try:
        return Mag(name)
    except (ValueError, TypeError, AssertionError):
        return None


def discover_layer_properties(layer_path: UPath, layer_name: str, category: str, **overrides: Any) -> LayerProperties:
    """Build layer properties from the mag folders under ``layer_path`` (names like ``1``, ``2-2-1``)."""
    if not layer_path.exists():
        raise LayerFilesNotFoundError(
            f"Cannot add layer {layer_name!r} for existing files: {layer_path} does not exist."
        )
    formats = [DataFormat(overrides.pop("data_format"))] if "data_format" in overrides else list(DataFormat)
    found: list[tuple[Mag, Any, DataFormat, str]] = []
    for child in sorted(layer_path.iterdir(), key=lambda p: p.name):
        mag = _parse_mag(child.name)
        if mag is None or not child.is_dir():
            continue
        for data_format in formats:
            try:
                storage = ports.resolve_storage(data_format)
            except ValueError:
                continue
            if storage.exists(child):
                found.append((mag, storage.open(child).info, data_format, child.name))
                break
    if not found:
        raise LayerFilesNotFoundError(
            f"No mag arrays found in {layer_path}: expected folders named like '1' or '2-2-1' holding arrays "
            f"of one of {[f.value for f in formats]}."
        )
    found.sort(key=lambda item: (item[0].max_dim, item[0].to_list()))
    finest_mag, info, data_format, finest_folder = found[0]
    bounding_box = overrides.pop("bounding_box", None)
    if bounding_box is None:
        finest = ports.resolve_storage(data_format).open(layer_path / finest_folder)
        bounding_box = _bounding_box_on_disk(finest, info, finest_mag)
    if "dtype_per_channel" in overrides:  # deprecated alias of dtype
        overrides.setdefault("dtype", overrides.pop("dtype_per_channel"))
    common = dict(
        name=layer_name,
        category=category,
        bounding_box=bounding_box,
        data_format=data_format,
        mags=[
            MagViewProperties(
                mag=mag,
                path=f"./{layer_name}/{folder}",
                cube_length=mag_info.shard_shape.x if fmt == DataFormat.WKW else None,
                axis_order=axis_order_of(mag_info),
            )
            for mag, mag_info, fmt, folder in found
        ],
        num_channels=int(overrides.pop("num_channels", info.num_channels)),
        dtype=str(overrides.pop("dtype", info.voxel_type)),
    )
    if category == SEGMENTATION_CATEGORY:
        properties: LayerProperties = SegmentationLayerProperties(
            **common,
            largest_segment_id=overrides.pop("largest_segment_id", None),
            mappings=list(overrides.pop("mappings", None) or []),
        )
    else:
        properties = LayerProperties(**common)
    if overrides:
        raise TypeError(f"add_layer_for_existing_files got unexpected arguments {sorted(overrides)}.")
    return properties


def _bounding_box_on_disk(array: Any, info: Any, mag: Mag) -> NDBoundingBox:
    """The Mag(1) box enclosing the shards (or chunk files) stored on disk, clipped to the array's shape.

    Arrays are sized to whole shards, so their shape overstates the data; an array without any stored
    data falls back to its shape.
    """
    factors = mag.to_list()
    limits = info.shape[-3:]
    lower: list[int] | None = None
    upper: list[int] | None = None
    for offset, shape in array.list_bounding_boxes():
        start = list(offset[-3:])
        stop = [min(o + s, limit) for o, s, limit in zip(offset[-3:], shape[-3:], limits)]
        lower = start if lower is None else [min(a, b) for a, b in zip(lower, start)]
        upper = stop if upper is None else [max(a, b) for a, b in zip(upper, stop)]
    if lower is None or upper is None:
        xyz = BoundingBox((0, 0, 0), [s * f for s, f in zip(limits, factors)])
    else:
        xyz = BoundingBox(
            [lo * f for lo, f in zip(lower, factors)], [(hi - lo) * f for lo, hi, f in zip(lower, upper, factors)]
        )
    if not info.additional_axes:
        return xyz
    # n-d arrays: extra axes (e.g. t) span the array; indices are the axes' positions as stored
    stored = info.dimension_names if info.has_channel_axis else info.dimension_names[1:]
    position = {axis: i for i, axis in enumerate(stored)}
    extra = list(info.additional_axes)
    extent = dict(zip(info.dimension_names, info.shape))
    return NDBoundingBox(
        topleft=(*xyz.topleft_xyz, *(0 for _ in extra)),
        size=(*xyz.size_xyz, *(extent[axis] for axis in extra)),
        axes=("x", "y", "z", *extra),
        index=tuple(position[axis] for axis in ("x", "y", "z", *extra)),
    )


def axis_order_of(info: Any) -> dict[str, int]:
    """The properties' ``axisOrder`` for an array: positions of c/x/y/z as stored (no c when it has none).

    The stored order is the array's own (e.g. ``z, y, x`` for arrays written by other tools); an array that names
    no axes is read by position, as ``(c, ...,) x, y, z``.
    """
    names = info.stored_dimension_names
    if names is None:
        names = info.dimension_names if info.has_channel_axis else info.dimension_names[1:]
    return {axis: position for position, axis in enumerate(names) if axis in ("c", "x", "y", "z")}
