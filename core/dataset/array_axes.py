"""How a layer's n-d box maps onto its stored arrays: the axis order, box re-indexing, the array shape and what
a mag's voxels are (for ``ArrayInfo``)."""

from __future__ import annotations

from typing import Any

from ..geometry import Mag, NDBoundingBox, Vec3Int


def voxel_description(layer: Any, mag: Any) -> dict[str, Any]:
    """The ArrayInfo fields that say what a mag's voxels are: their edges in nanometres and the layer's category."""
    nanometres = layer.dataset.voxel_size_with_unit.to_nanometer()
    size = tuple(float(v) * m for v, m in zip(nanometres, Mag(mag).to_list()))
    return {"voxel_size_nm": size, "category": str(layer.category)}


def has_extra_axes(bbox: NDBoundingBox) -> bool:
    """Whether a layer box has axes besides x, y and z (an n-d layer)."""
    return any(axis not in ("x", "y", "z") for axis in bbox.axes)


def array_indexed(bbox: NDBoundingBox) -> NDBoundingBox:
    """An n-d layer box re-indexed to the positions of its axes in the stored array: extra axes first (in the
    order of their index), then x, y, z; a 3-d box unchanged."""
    if not has_extra_axes(bbox):
        return bbox
    axes = array_axes(bbox)[1:]
    bounds = {axis: bbox.get_bounds(axis) for axis in bbox.axes}
    return NDBoundingBox(
        topleft=tuple(bounds[axis][0] for axis in axes),
        size=tuple(bounds[axis][1] - bounds[axis][0] for axis in axes),
        axes=axes,
        index=tuple(range(len(axes))),
    )


def array_axes(bbox: NDBoundingBox) -> tuple[str, ...]:
    """Array dimension names for a layer box: ``("c", *extra axes by index, "x", "y", "z")``."""
    axes = list(bbox.axes)
    index = list(bbox.index) if bbox.index is not None else list(range(1, len(axes) + 1))
    extra = [a for _, a in sorted(zip(index, axes)) if a not in ("x", "y", "z")]
    return ("c", *extra, "x", "y", "z")


def array_shape_for(bbox: NDBoundingBox, mag: Mag, num_channels: int, grid: Vec3Int) -> tuple[int, ...]:
    """Array shape covering ``bbox`` (Mag(1)) at ``mag``: x/y/z rounded up to whole cells of ``grid``.

    Mags pass their chunk shape, not the shard shape: OME-Zarr readers (ome-zarr-py, napari, neuroglancer) show
    an array's shape as the image's extent, and a shard-padded shape would show a small volume as mostly empty.
    """
    factors = dict(zip(("x", "y", "z"), Mag(mag).to_list()))
    grid_of = dict(zip(("x", "y", "z"), grid))
    shape = [num_channels]
    for axis in array_axes(bbox)[1:]:
        _, hi = bbox.get_bounds(axis)
        if axis in factors:
            edge = -(-hi // factors[axis])
            shape.append(-(-edge // grid_of[axis]) * grid_of[axis])
        else:
            shape.append(hi)
    return tuple(shape)
