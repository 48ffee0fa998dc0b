"""VoxelSize: the physical edge lengths of one Mag(1) voxel, with their unit."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..geometry.vec3_float import Vec3Float
from .length_unit import DEFAULT_LENGTH_UNIT, LengthUnit


def float_tpl(value: Iterable[float]) -> Vec3Float:
    """Convert three numbers to a Vec3Float (as the reference keeps them); a ValueError for any other length."""
    values = tuple(float(v) for v in value)
    if len(values) != 3:
        raise ValueError(f"A voxel size needs exactly 3 values (x, y, z), got {values!r}.")
    return Vec3Float(values)


@attrs.frozen
class VoxelSize:
    """Voxel edge lengths ``factor`` (x, y, z) in ``unit`` (nanometers by default)."""

    factor: Vec3Float = attrs.field(converter=float_tpl)
    unit: LengthUnit = attrs.field(default=DEFAULT_LENGTH_UNIT, converter=LengthUnit)

    def to_nanometer(self) -> Vec3Float:
        """The voxel size in nanometers."""
        scale = self.unit.nanometers
        return Vec3Float(tuple(f * scale for f in self.factor))
