"""Translating Mag(1) bounding boxes into array boxes of one mag, and the argument rules of read/write."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..geometry import Mag, NDBoundingBox, Vec3Int

_XYZ = ("x", "y", "z")


def mag_box(bbox: NDBoundingBox, mag: Mag) -> tuple[dict[str, int], dict[str, int]]:
    """Per-axis (start, stop) of ``bbox`` in the voxels of ``mag``: x/y/z floored/ceiled, other axes as is."""
    starts, stops = {}, {}
    factors = dict(zip(_XYZ, Mag(mag).to_list()))
    for axis in bbox.axes:
        lo, hi = bbox.get_bounds(axis)
        factor = factors.get(axis, 1)
        starts[axis] = lo // factor
        stops[axis] = -((-hi) // factor)
    return starts, stops


def array_box(
    bbox: NDBoundingBox, mag: Mag, dimension_names: tuple[str, ...], shape: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(offset, shape)`` over every array axis for reading/writing ``bbox`` (Mag(1)) at ``mag``."""
    starts, stops = mag_box(bbox, mag)
    offset, size = [], []
    for axis, extent in zip(dimension_names, shape):
        if axis in starts:
            offset.append(starts[axis])
            size.append(stops[axis] - starts[axis])
        else:  # the channel axis, or an axis the box does not restrict
            offset.append(0)
            size.append(extent)
    return tuple(offset), tuple(size)


def is_aligned(start: int, stop: int, unit: int, lower_edge: int, upper_edge: int) -> bool:
    """Whether [start, stop) starts and ends on a multiple of ``unit`` or on the given edges."""
    return (start % unit == 0 or start == lower_edge) and (stop % unit == 0 or stop >= upper_edge)


def warn_size_only(
    method: str, size: Any, relative_offset: Any, absolute_offset: Any, relative_box: Any, absolute_box: Any
) -> None:
    """DeprecationWarning for ``view.<method>(size=...)`` without an offset or a box (the reference's warning)."""
    if size is not None and all(v is None for v in (relative_offset, absolute_offset, relative_box, absolute_box)):
        warnings.warn(
            f"[DEPRECATION] Using view.{method}(size=my_vec) only with a size is deprecated. Please use "
            f"view.{method}(absolute_offset=view.bounding_box.topleft, size=my_vec) instead.",
            DeprecationWarning,
            stacklevel=3,
        )


def pick_region(
    view_bbox: NDBoundingBox,
    *,
    size: Any = None,
    relative_offset: Any = None,
    absolute_offset: Any = None,
    relative_bounding_box: NDBoundingBox | None = None,
    absolute_bounding_box: NDBoundingBox | None = None,
    data_size_xyz: Vec3Int | None = None,
) -> NDBoundingBox:
    """The Mag(1) box named by the read/write/get_view arguments (defaults: the view's own box).

    ``data_size_xyz`` is the Mag(1) x/y/z size of data being written, used when no size is given.
    """
    offsets = [v is not None for v in (relative_offset, absolute_offset)]
    boxes = [v is not None for v in (relative_bounding_box, absolute_bounding_box)]
    if sum(offsets) + sum(boxes) > 1:
        raise InvalidArgumentError(
            "Give at most one of relative_offset, absolute_offset, relative_bounding_box and absolute_bounding_box."
        )
    if any(boxes) and size is not None:
        raise InvalidArgumentError("size cannot be combined with a bounding box; the box already has a size.")
    if relative_bounding_box is not None:
        return _as_view_axes(view_bbox, relative_bounding_box).offset(view_bbox.topleft)
    if absolute_bounding_box is not None:
        return _as_view_axes(view_bbox, absolute_bounding_box)
    if absolute_offset is not None:
        topleft = Vec3Int(absolute_offset)
    elif relative_offset is not None:
        topleft = view_bbox.topleft_xyz + Vec3Int(relative_offset)
    else:
        topleft = view_bbox.topleft_xyz
    if size is not None:
        size_xyz = Vec3Int(size)
    elif data_size_xyz is not None:
        size_xyz = data_size_xyz
    elif relative_offset is None and absolute_offset is None:
        return view_bbox
    else:
        raise InvalidArgumentError("An offset needs a size: pass size=(x, y, z) in Mag(1) voxels.")
    return view_bbox.with_topleft_xyz(topleft).with_size_xyz(size_xyz)


def _as_view_axes(view_bbox: NDBoundingBox, bbox: NDBoundingBox) -> NDBoundingBox:
    """Lift a 3-d box onto an n-d view: like the reference, its other axes span [0, 1) (one time point, ...)."""
    if tuple(bbox.axes) == tuple(view_bbox.axes):
        return bbox
    if set(bbox.axes) == set(_XYZ):
        lifted = view_bbox.with_topleft_xyz(bbox.topleft_xyz).with_size_xyz(bbox.size_xyz)
        for axis in view_bbox.axes:
            if axis not in _XYZ:
                lifted = lifted.with_bounds(axis, 0, 1)
        return lifted
    result = view_bbox
    for axis in bbox.axes:
        lo, hi = bbox.get_bounds(axis)
        result = result.with_bounds(axis, lo, hi - lo)
    return result


def as_full_axes(data: np.ndarray, ndim: int, num_channels: int, path: Any) -> np.ndarray:
    """Add the channel axis to data given without one; check the axis count and channel count."""
    if data.ndim == ndim - 1:
        if num_channels != 1:
            raise InvalidArgumentError(
                f"Data of shape {data.shape} has no channel axis, but {path} has {num_channels} channels; "
                f"pass an array of shape ({num_channels}, x, y, z)."
            )
        data = data[np.newaxis]
    if data.ndim != ndim:
        raise InvalidArgumentError(f"Data of shape {data.shape} does not fit {path}, whose arrays have {ndim} axes.")
    if data.shape[0] != num_channels:
        raise InvalidArgumentError(
            f"Data has {data.shape[0]} channels (shape {data.shape}) but {path} has {num_channels}."
        )
    return data
