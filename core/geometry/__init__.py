"""Geometry values of daedalus: integer vectors, magnifications and bounding boxes (numpy and attrs only)."""

from .bounding_box import BoundingBox
from .mag import Mag, MagLike
from .nd_bounding_box import NDBoundingBox
from .normalized_bounding_box import NormalizedBoundingBox
from .vec3_float import Vec3Float, Vec3FloatLike
from .vec3_int import Vec3Int, Vec3IntLike
from .vec_int import VecInt, VecIntLike

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
