"""Geometry values of daedalus: integer vectors, magnifications and bounding boxes (numpy and attrs only)."""

from .bounding_box import BoundingBox
from .errors import AxisNotFoundError, GeometryValueError
from .mag import Mag, MagLike
from .nd_bounding_box import NDBoundingBox
from .normalized_bounding_box import NormalizedBoundingBox
from .vec3_float import Vec3Float, Vec3FloatLike, as_vec3_float_or_none
from .vec3_int import Vec3Int, Vec3IntLike, as_vec3_int_or_none
from .vec_int import VecInt, VecIntLike

__all__ = [
    "AxisNotFoundError",
    "BoundingBox",
    "GeometryValueError",
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
    "as_vec3_float_or_none",
    "as_vec3_int_or_none",
]
