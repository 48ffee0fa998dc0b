"""BoundingBox: the 3-d (x, y, z) NDBoundingBox with Vec3Int corners, plus its text/tuple/dict formats."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np

from .nd_bounding_box import _DEFAULT_BBOX_NAME, NDBoundingBox, color_converter
from .vec3_int import Vec3Int, Vec3IntLike
from .vec_int import str_iterable_to_tuple

_XYZ = ("x", "y", "z")
_DEFAULT_INDEX = Vec3Int(1, 2, 3)
_new_object = object.__new__
_set = object.__setattr__
_CHECKPOINT = re.compile(r"(-?\d+)_(-?\d+)_(-?\d+)_(\d+)_(\d+)_(\d+)")


def _xyz_axes(value: Any) -> tuple[str, str, str]:
    if value is _XYZ:
        return _XYZ
    axes = str_iterable_to_tuple(value)
    if axes != _XYZ:
        raise ValueError(f"BoundingBox axes must be ('x', 'y', 'z'), got {axes}; use NDBoundingBox.")
    return axes  # type: ignore[return-value]


@attrs.frozen(repr=False)
class BoundingBox(NDBoundingBox):
    """An axis-aligned 3-d box of integer voxels: ``BoundingBox(topleft=(x, y, z), size=(w, h, d))``.

    ``topleft`` is inclusive, ``bottomright = topleft + size`` exclusive.
    """

    topleft: Vec3Int = attrs.field(converter=Vec3Int)
    size: Vec3Int = attrs.field(converter=Vec3Int)
    axes: tuple[str, str, str] = attrs.field(default=_XYZ, converter=_xyz_axes)
    index: Vec3Int = attrs.field(default=_DEFAULT_INDEX, converter=Vec3Int)
    bottomright: Vec3Int = attrs.field(init=False, eq=False, repr=False)
    name: str | None = _DEFAULT_BBOX_NAME
    is_visible: bool = True
    color: tuple[float, float, float, float] | None = attrs.field(default=None, converter=color_converter)

    def __attrs_post_init__(self) -> None:
        if self.index is not _DEFAULT_INDEX and len(set(self.index)) != 3:
            raise ValueError(f"BoundingBox index must hold 3 distinct values, got {tuple(self.index)}.")
        object.__setattr__(self, "bottomright", self.topleft + self.size)

    def __repr__(self) -> str:
        return f"BoundingBox(topleft={tuple(self.topleft)}, size={tuple(self.size)})"

    __str__ = __repr__

    def _with(self, topleft: Iterable[int], size: Iterable[int]) -> BoundingBox:
        # Hot path (chunking, alignment): every field is already valid except the two corners.
        topleft, size = Vec3Int(topleft), Vec3Int(size)
        box = _new_object(BoundingBox)
        _set(box, "topleft", topleft)
        _set(box, "size", size)
        _set(box, "axes", _XYZ)
        _set(box, "index", self.index)
        _set(box, "bottomright", topleft + size)
        _set(box, "name", self.name)
        _set(box, "is_visible", self.is_visible)
        _set(box, "color", self.color)
        return box

    def _full(self, vec: Any, fill: int) -> Vec3Int:
        return Vec3Int.from_vec_or_int(vec)

    def _xyz_positions(self) -> tuple[int, int, int]:
        return (0, 1, 2)

    @property
    def topleft_xyz(self) -> Vec3Int:
        """The topleft corner (x, y, z)."""
        return self.topleft

    @property
    def size_xyz(self) -> Vec3Int:
        """The size (x, y, z)."""
        return self.size

    @property
    def bottomright_xyz(self) -> Vec3Int:
        """The bottomright corner (x, y, z)."""
        return self.bottomright

    @property
    def index_xyz(self) -> Vec3Int:
        """The index of x, y and z."""
        return self.index

    # ---- x/y/z specific copies --------------------------------------------------------------
    def with_bounds_x(self, new_topleft_x: int | None = None, new_size_x: int | None = None) -> BoundingBox:
        """A copy with topleft.x and/or size.x replaced."""
        return self.with_bounds("x", new_topleft_x, new_size_x)

    def with_bounds_y(self, new_topleft_y: int | None = None, new_size_y: int | None = None) -> BoundingBox:
        """A copy with topleft.y and/or size.y replaced."""
        return self.with_bounds("y", new_topleft_y, new_size_y)

    def with_bounds_z(self, new_topleft_z: int | None = None, new_size_z: int | None = None) -> BoundingBox:
        """A copy with topleft.z and/or size.z replaced."""
        return self.with_bounds("z", new_topleft_z, new_size_z)

    def contains(self, coord: Vec3IntLike | np.ndarray) -> bool:
        """Whether a point lies inside the box (a numpy point may have float coordinates)."""
        if isinstance(coord, np.ndarray):
            return super().contains(coord)
        x, y, z = coord
        (x0, y0, z0), (x1, y1, z1) = self.topleft, self.bottomright
        return x0 <= x < x1 and y0 <= y < y1 and z0 <= z < z1

    # ---- factories --------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> BoundingBox:
        """The empty box at the origin."""
        return cls(Vec3Int(0, 0, 0), Vec3Int(0, 0, 0))

    @classmethod
    def from_tuple6(cls, tuple6: tuple[int, int, int, int, int, int]) -> BoundingBox:
        """From ``(x, y, z, width, height, depth)``."""
        values = tuple(tuple6)
        if len(values) != 6:
            raise ValueError(f"Expected 6 values (x, y, z, width, height, depth), got {tuple6!r}.")
        return cls(values[:3], values[3:])

    @classmethod
    def from_tuple2(cls, tuple2: tuple[Vec3IntLike, Vec3IntLike]) -> BoundingBox:
        """From ``(topleft, size)``."""
        topleft, size = tuple2
        return cls(topleft, size)

    @classmethod
    def from_csv(cls, csv_bbox: str) -> BoundingBox:
        """From ``"x,y,z,width,height,depth"``."""
        try:
            values = [int(part) for part in csv_bbox.split(",")]
        except ValueError:
            raise ValueError(f"Cannot parse a bounding box from {csv_bbox!r}; want 'x,y,z,w,h,d'.") from None
        return cls.from_tuple6(values)  # type: ignore[arg-type]

    @classmethod
    def from_config_dict(cls, bbox: dict) -> BoundingBox:
        """From ``{"topleft": [x, y, z], "size": [w, h, d]}``."""
        return cls(bbox["topleft"], bbox["size"])

    @classmethod
    def from_checkpoint_name(cls, checkpoint_name: str) -> BoundingBox:
        """Find ``x_y_z_width_height_depth`` inside a string."""
        match = _CHECKPOINT.search(checkpoint_name)
        if match is None:
            raise ValueError(f"No 'x_y_z_width_height_depth' bounding box found in {checkpoint_name!r}.")
        return cls.from_tuple6(tuple(int(v) for v in match.groups()))  # type: ignore[arg-type]

    @classmethod
    def from_points(cls, points: Iterable[Vec3IntLike]) -> BoundingBox:
        """The smallest box containing all points (bottomright is exclusive, so max + 1)."""
        array = np.array([tuple(p) for p in points])
        if array.size == 0:
            raise ValueError("BoundingBox.from_points needs at least one point.")
        if array.ndim != 2 or array.shape[1] != 3:
            raise ValueError(f"Points must have 3 coordinates each, got an array of shape {array.shape}.")
        low = np.floor(array.min(axis=0)).astype(np.int64)
        high = np.floor(array.max(axis=0)).astype(np.int64) + 1
        return cls(low.tolist(), (high - low).tolist())

    @classmethod
    def from_ndbbox(cls, bbox: NDBoundingBox) -> BoundingBox:
        """The x/y/z part of an n-d box (name, visibility and color are kept)."""
        return cls(
            bbox.topleft_xyz,
            bbox.size_xyz,
            name=bbox.name,
            is_visible=bbox.is_visible,
            color=bbox.color,
        )

    @classmethod
    def from_auto(cls, obj: BoundingBox | str | dict | list | tuple) -> BoundingBox:
        """From a BoundingBox, a csv/checkpoint/JSON string, a config or wkw dict, a 6-tuple or a 2-tuple."""
        if isinstance(obj, BoundingBox):
            return obj
        if isinstance(obj, NDBoundingBox):
            return cls.from_ndbbox(obj)
        if isinstance(obj, str):
            text = obj.strip()
            if text.startswith(("{", "[")):
                return cls.from_auto(json.loads(text))
            if "," in text:
                return cls.from_csv(text)
            return cls.from_checkpoint_name(text)
        if isinstance(obj, dict):
            if "topLeft" in obj:
                return cls.from_ndbbox(cls.from_wkw_dict(obj))
            return cls.from_config_dict(obj)
        values = list(obj)
        if len(values) == 6:
            return cls.from_tuple6(values)  # type: ignore[arg-type]
        if len(values) == 2:
            return cls.from_tuple2(values)  # type: ignore[arg-type]
        raise ValueError(f"Cannot make a BoundingBox from {obj!r}; see BoundingBox.from_auto for formats.")

    # ---- serialization ----------------------------------------------------------------------
    def to_wkw_dict(self) -> dict:
        """``{"topLeft": [x, y, z], "width": w, "height": h, "depth": d}``."""
        x, y, z = self.size
        return {"topLeft": self.topleft.to_list(), "width": x, "height": y, "depth": z}

    def to_config_dict(self) -> dict:
        """``{"topleft": [x, y, z], "size": [w, h, d]}``."""
        return {"topleft": self.topleft.to_list(), "size": self.size.to_list()}

    def to_tuple6(self) -> tuple[int, int, int, int, int, int]:
        """``(x, y, z, width, height, depth)``."""
        return (*self.topleft, *self.size)  # type: ignore[return-value]

    def to_csv(self) -> str:
        """``"x,y,z,width,height,depth"``."""
        return ",".join(str(v) for v in self.to_tuple6())

    def denormalize(self) -> BoundingBox:
        """A BoundingBox has no channel axis; returns itself."""
        return self
