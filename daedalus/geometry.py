"""``daedalus.geometry``: the names of the reference's ``webknossos.geometry`` (vectors, mags, bounding boxes)."""

from daedalus.core.geometry import (
    BoundingBox,
    Mag,
    MagLike,
    NDBoundingBox,
    NormalizedBoundingBox,
    Vec3Float,
    Vec3FloatLike,
    Vec3Int,
    Vec3IntLike,
    VecInt,
    VecIntLike,
)

__all__ = [
    "BoundingBox",
    "Mag",
    "MagLike",
    "NDBoundingBox",
    "NormalizedBoundingBox",
    "Vec3Float",
    "Vec3FloatLike",
    "Vec3Int",
    "Vec3IntLike",
    "VecInt",
    "VecIntLike",
]
