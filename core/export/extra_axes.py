"""Exports of layers with extra axes (t, ...): boxes over every axis, and one x/y/z slab read like a 3-d view.

``Layer.export`` of such a layer writes every combination of the extra axes' values: one TIFF stack per
combination (``t0_z3.tiff``), a T axis in OME-TIFF, the extra axes in the OZX archive's arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import Any

import attrs
import numpy as np

from ..errors import InvalidArgumentError
from ..geometry import BoundingBox, NDBoundingBox

XYZ = ("x", "y", "z")


def extra_axes(box: NDBoundingBox) -> tuple[str, ...]:
    """The axes of ``box`` other than x, y and z, in the box's order."""
    return tuple(axis for axis in box.axes if axis not in XYZ)


def restrict(layer_box: NDBoundingBox, given: Any) -> NDBoundingBox:
    """``given`` on the axes of ``layer_box``: a 3-d box limits x, y, z only; an n-d box must name every axis."""
    if not isinstance(given, NDBoundingBox) or isinstance(given, BoundingBox):
        xyz = given if isinstance(given, BoundingBox) else BoundingBox.from_auto(given)
        return layer_box.with_topleft_xyz(xyz.topleft).with_size_xyz(xyz.size)
    missing = [axis for axis in layer_box.axes if axis not in given.axes]
    if missing or len(given.axes) != len(layer_box.axes):
        raise InvalidArgumentError(
            f"The bounding box has the axes {tuple(given.axes)}, but the layer has {tuple(layer_box.axes)}; give a "
            "box over the layer's axes, or a 3-d BoundingBox to limit x, y and z only."
        )
    box = layer_box
    for axis in layer_box.axes:
        low, high = given.get_bounds(axis)
        box = box.with_bounds(axis, low, high - low)
    return box


def combinations(box: NDBoundingBox, axes: tuple[str, ...]) -> Iterator[tuple[int, ...]]:
    """Every combination of values of ``axes`` inside ``box`` (the last axis varying fastest)."""
    return product(*(range(*box.get_bounds(axis)) for axis in axes))


def at_values(box: NDBoundingBox, fixed: tuple[tuple[str, int], ...]) -> NDBoundingBox:
    """``box`` cut to one value of each ``(axis, value)`` of ``fixed``."""
    for axis, value in fixed:
        box = box.with_bounds(axis, value, 1)
    return box


def to_cxyz(data: np.ndarray, box: NDBoundingBox, num_channels: int) -> np.ndarray:
    """Data read over ``box`` (one value on every extra axis) as ``(c, x, y, z)``."""
    axes = list(box.axes)
    if data.ndim == len(axes):
        data = data[np.newaxis]
    spatial = [axis for axis in axes if axis in XYZ]
    squeezed = data.reshape((num_channels, *(box.get_shape(axis) for axis in spatial)))
    return squeezed.transpose(0, *(1 + spatial.index(axis) for axis in XYZ))


@attrs.frozen(eq=False)
class ExtraAxesSlab:
    """The x/y/z slab of an n-d MagView at one value of each extra axis, read like a 3-d view (TIFF export)."""

    mag_view: Any
    fixed: tuple[tuple[str, int], ...]

    @property
    def mag(self) -> Any:
        """The mag of the underlying MagView."""
        return self.mag_view.mag

    @property
    def bounding_box(self) -> BoundingBox:
        """The x/y/z part of the MagView's box (Mag(1))."""
        return BoundingBox.from_ndbbox(self.mag_view.bounding_box)

    @property
    def num_channels(self) -> int:
        """Channels of the layer (one for n-d layers)."""
        return int(self.mag_view.num_channels)

    def get_dtype(self) -> np.dtype:
        """The voxel dtype."""
        return np.dtype(self.mag_view.get_dtype())

    def read_cxyz(self, *, absolute_bounding_box: BoundingBox) -> np.ndarray:
        """The voxels of the 3-d Mag(1) box at the slab's extra-axis values, as ``(c, x, y, z)``."""
        box = at_values(self.mag_view.bounding_box, self.fixed)
        box = box.with_topleft_xyz(absolute_bounding_box.topleft).with_size_xyz(absolute_bounding_box.size)
        data = self.mag_view.read(absolute_bounding_box=box)
        return to_cxyz(data, box.in_mag(self.mag_view.mag), self.num_channels)


__all__ = ["XYZ", "ExtraAxesSlab", "at_values", "combinations", "extra_axes", "restrict", "to_cxyz"]
