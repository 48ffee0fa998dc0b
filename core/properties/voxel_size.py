"""VoxelSize: the physical edge lengths of one Mag(1) voxel, with their unit."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from .length_unit import DEFAULT_LENGTH_UNIT, LengthUnit


def float_tpl(value: Iterable[float]) -> tuple[float, float, float]:
    """Convert three numbers to a tuple of floats; raise a ValueError for any other length."""
    values = tuple(float(v) for v in value)
    if len(values) != 3:
        raise ValueError(f"A voxel size needs exactly 3 values (x, y, z), got {values!r}.")
    return values  # type: ignore[return-value]


@attrs.frozen
class VoxelSize:
    """Voxel edge lengths ``factor`` (x, y, z) in ``unit`` (nanometers by default)."""

    factor: tuple[float, float, float] = attrs.field(converter=float_tpl)
    unit: LengthUnit = attrs.field(default=DEFAULT_LENGTH_UNIT, converter=LengthUnit)

    def to_nanometer(self) -> tuple[float, float, float]:
        """The voxel size in nanometers."""
        scale = self.unit.nanometers
        return tuple(f * scale for f in self.factor)  # type: ignore[return-value]
