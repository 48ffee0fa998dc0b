"""Discovering a layer's mags, dtype and channels from array folders that already exist on disk."""

from __future__ import annotations

from typing import Any

from upath import UPath

from .. import ports
from ..geometry import BoundingBox, Mag
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
        raise FileNotFoundError(f"Cannot add layer {layer_name!r} for existing files: {layer_path} does not exist.")
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
        raise ValueError(
            f"No mag arrays found in {layer_path}: expected folders named like '1' or '2-2-1' holding arrays "
            f"of one of {[f.value for f in formats]}."
        )
    found.sort(key=lambda item: (item[0].max_dim, item[0].to_list()))
    finest_mag, info, data_format, _ = found[0]
    size = [s * m for s, m in zip(info.shape[-3:], finest_mag.to_list())]
    common = dict(
        name=layer_name,
        category=category,
        bounding_box=overrides.pop("bounding_box", None) or BoundingBox((0, 0, 0), size),
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


def axis_order_of(info: Any) -> dict[str, int]:
    """The properties' ``axisOrder`` for an array: positions of c/x/y/z as stored (no c when it has none)."""
    names = info.dimension_names if info.has_channel_axis else info.dimension_names[1:]
    return {axis: position for position, axis in enumerate(names) if axis in ("c", "x", "y", "z")}
