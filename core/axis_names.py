"""Names of the axes of n-d data (``x``, ``y``, ``z``, channel ``c``, time ``t``) and their usual orders."""

from __future__ import annotations

from typing import Literal

X_AXIS = "x"
Y_AXIS = "y"
Z_AXIS = "z"
C_AXIS = "c"
T_AXIS = "t"
XY_AXES = (X_AXIS, Y_AXIS)
XYZ_AXES = (X_AXIS, Y_AXIS, Z_AXIS)
CXYZ_AXES = (C_AXIS, *XYZ_AXES)
TXYZ_AXES = (T_AXIS, *XYZ_AXES)
TCXYZ_AXES = (T_AXIS, C_AXIS, *XYZ_AXES)

XYZAxis = Literal["x", "y", "z"]
"""Type of a spatial axis name."""
