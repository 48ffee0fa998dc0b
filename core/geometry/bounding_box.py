"""BoundingBox: the 3-d (x, y, z) NDBoundingBox with Vec3Int corners, plus its text/tuple/dict formats."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import attrs
import numpy as np

from .errors import GeometryValueError
from .mag import Mag
from .nd_bounding_box import DEFAULT_BBOX_NAME, NDBoundingBox, check_zero_steps, mag_factors
from .vec3_int import Vec3Int, Vec3IntLike

_XYZ = ("x", "y", "z")
_DEFAULT_INDEX = Vec3Int(1, 2, 3)
_new_object = object.__new__
_set = object.__setattr__
_tnew = tuple.__new__
_CHECKPOINT = re.compile(r"(\d+)_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)")


def _is_normalized(box: Any) -> bool:
    return type(box).__name__ == "NormalizedBoundingBox"


@attrs.frozen(repr=False, eq=False)
class BoundingBox(NDBoundingBox):
    """An axis-aligned 3-d box of integer voxels: ``BoundingBox(topleft=(x, y, z), size=(w, h, d))``.

    ``topleft`` is inclusive, ``bottomright = topleft + size`` exclusive; a negative size extends the box
    towards lower coordinates. Boxes are equal when their topleft and size are (name, color, index aside).
    """

    topleft: Vec3Int = attrs.field(converter=Vec3Int)
    size: Vec3Int = attrs.field(converter=Vec3Int)
    axes: tuple[str, str, str] = _XYZ
    index: Vec3Int = _DEFAULT_INDEX
    bottomright: Vec3Int = attrs.field(init=False)
    name: str | None = DEFAULT_BBOX_NAME
    is_visible: bool = True
    color: tuple[float, float, float, float] | None = None

    def __attrs_post_init__(self) -> None:
        (x, y, z), (w, h, d) = self.topleft, self.size
        if w < 0 or h < 0 or d < 0:
            x, w = (x + w, -w) if w < 0 else (x, w)
            y, h = (y + h, -h) if h < 0 else (y, h)
            z, d = (z + d, -d) if d < 0 else (z, d)
            _set(self, "topleft", _tnew(Vec3Int, (x, y, z)))
            _set(self, "size", _tnew(Vec3Int, (w, h, d)))
        _set(self, "bottomright", _tnew(Vec3Int, (x + w, y + h, z + d)))

    def __repr__(self) -> str:
        return f"BoundingBox(topleft={tuple(self.topleft)}, size={tuple(self.size)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NDBoundingBox):
            return NotImplemented
        if _is_normalized(other):
            return other.__eq__(self)
        self._check_compatibility(other)
        return self.topleft == other.topleft and self.size == other.size

    def __hash__(self) -> int:
        return hash(("BoundingBox", tuple(self.topleft), tuple(self.size)))

    def _with(self, topleft: tuple, size: tuple) -> BoundingBox:
        # Hot path (chunking): the corners are valid and the size is not negative; the metadata is kept.
        box = _new_object(BoundingBox)
        x, y, z = topleft
        w, h, d = size
        _set(box, "topleft", _tnew(Vec3Int, (x, y, z)))
        _set(box, "size", _tnew(Vec3Int, (w, h, d)))
        _set(box, "axes", self.axes)
        _set(box, "index", self.index)
        _set(box, "bottomright", _tnew(Vec3Int, (x + w, y + h, z + d)))
        _set(box, "name", self.name)
        _set(box, "is_visible", self.is_visible)
        _set(box, "color", self.color)
        return box

    def _get_attr_xyz(self, attr_name: str) -> Vec3Int:
        if self.axes == _XYZ:
            return getattr(self, attr_name) if attr_name != "index" else Vec3Int(self.index)
        return super()._get_attr_xyz(attr_name)

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

    def offset(self, vector: Vec3IntLike) -> BoundingBox:  # type: ignore[override]
        """A copy moved by ``vector``."""
        return self.with_topleft(self.topleft + Vec3Int(vector))

    def contains(self, coord: Vec3IntLike | np.ndarray) -> bool:
        """Whether a point lies inside the box (a numpy point may have float coordinates)."""
        if isinstance(coord, np.ndarray):
            assert coord.shape == (3,), f"Numpy array BoundingBox.contains must have shape (3,), got {coord.shape}."
            return np.all(self.topleft.to_np() <= coord) & np.all(coord < self.bottomright.to_np())
        x, y, z = Vec3Int(coord)
        (x0, y0, z0), (x1, y1, z1) = self.topleft, self.bottomright
        return x0 <= x < x1 and y0 <= y < y1 and z0 <= z < z1

    # ---- set operations (a NormalizedBoundingBox operand keeps its channels) -----------------
    def intersected_with(self, other: Any, dont_assert: bool = False) -> Any:  # type: ignore[override]
        """The overlap of both boxes; AssertionError when it is empty unless ``dont_assert``."""
        if _is_normalized(other):
            return other.intersected_with(self, dont_assert)
        return super().intersected_with(other, dont_assert)

    def extended_by(self, other: Any) -> Any:  # type: ignore[override]
        """The smallest box containing both boxes (an empty box contributes nothing)."""
        if _is_normalized(other):
            return other if self.is_empty() else other.extended_by(self)
        return super().extended_by(other)

    def contains_bbox(self, inner_bbox: Any) -> bool:  # type: ignore[override]
        """Whether ``inner_bbox`` lies inside this box (a NormalizedBoundingBox: its x, y and z)."""
        if _is_normalized(inner_bbox):
            inner_bbox = inner_bbox.denormalize()
        return super().contains_bbox(inner_bbox)

    def is_empty(self) -> bool:
        """Whether any dimension has a size of zero."""
        w, h, d = self.size
        return w <= 0 or h <= 0 or d <= 0

    # ---- magnifications ---------------------------------------------------------------------
    def align_with_mag(self, mag: Mag | Vec3Int, ceil: bool = False) -> BoundingBox:  # type: ignore[override]
        """Round both corners to multiples of ``mag``: grow if ``ceil``, else shrink."""
        factors = mag_factors(mag)
        if ceil:
            topleft = self.topleft // factors * factors
            bottomright = self.bottomright.ceildiv(factors) * factors
        else:
            topleft = self.topleft.ceildiv(factors) * factors
            bottomright = self.bottomright // factors * factors
        return attrs.evolve(self, topleft=topleft, size=bottomright - topleft)

    def in_mag(self, mag: Mag) -> BoundingBox:  # type: ignore[override]
        """This Mag(1) box in ``mag`` coordinates; asserts it is aligned with ``mag``."""
        factors = mag.to_vec3_int()
        assert self.topleft % factors == (0, 0, 0), (
            f"topleft {self.topleft} is not aligned with the mag {mag!r}. Use BoundingBox.align_with_mag()."
        )
        assert self.bottomright % factors == (0, 0, 0), (
            f"bottomright {self.bottomright} is not aligned with the mag {mag!r}. Use BoundingBox.align_with_mag()."
        )
        return attrs.evolve(self, topleft=self.topleft // factors, size=self.size // factors)

    # ---- chunking ---------------------------------------------------------------------------
    def _grid(self, chunk_shape: Vec3IntLike, chunk_border_alignments: Vec3IntLike | None) -> tuple:
        """(shape, first corner) of the chunk grid."""
        shape = Vec3Int(chunk_shape)
        if chunk_border_alignments is not None:
            alignment = Vec3Int(chunk_border_alignments)
            assert not any(shape % alignment), (
                f"chunk_shape {tuple(shape)} is not divisible by chunk_border_alignments {tuple(alignment)}."
            )
            start = self.topleft - self.topleft % alignment
        else:
            start = self.topleft
        check_zero_steps(self.topleft, self.bottomright, shape)
        return shape, start

    def chunk(  # type: ignore[override]
        self, chunk_shape: Vec3IntLike, chunk_border_alignments: Vec3IntLike | None = None
    ) -> Generator[BoundingBox, None, None]:
        """Split the box into chunks of ``chunk_shape`` (z varies fastest); inner borders are multiples of
        ``chunk_border_alignments`` when given."""
        (sx, sy, sz), (x0, y0, z0) = self._grid(chunk_shape, chunk_border_alignments)
        if 0 in (sx, sy, sz):
            return
        (lx, ly, lz), (hx, hy, hz) = self.topleft, self.bottomright
        for x in range(x0, hx, sx):
            ax, bx = max(x, lx), min(x + sx, hx)
            for y in range(y0, hy, sy):
                ay, by = max(y, ly), min(y + sy, hy)
                for z in range(z0, hz, sz):
                    az, bz = max(z, lz), min(z + sz, hz)
                    yield self._with((ax, ay, az), (bx - ax, by - ay, bz - az))

    def iter_chunk_toplefts(
        self,
        chunk_shape: Vec3IntLike,
        chunk_border_alignments: Vec3IntLike | None = None,
        clip_to: BoundingBox | None = None,
    ) -> Iterator[tuple[int, int, int]]:
        """The topleft corners ``(x, y, z)`` of the chunks :meth:`chunk` gives (z varies fastest), without
        building boxes; with ``clip_to`` only those of chunks that overlap it."""
        shape, start = self._grid(chunk_shape, chunk_border_alignments)
        if 0 in shape:
            return itertools.product(())
        low, high = self.topleft, self.bottomright
        if clip_to is not None:
            region = self.intersected_with(clip_to, dont_assert=True)
            low, high = region.topleft, region.bottomright
            if region.is_empty():
                high = low
            start = Vec3Int(*(s + (lo - s) // step * step for s, lo, step in zip(start, low, shape)))
        return itertools.product(*(range(s, h, step) for s, h, step in zip(start, high, shape)))

    # ---- factories --------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> BoundingBox:
        """The empty box at the origin."""
        return cls(Vec3Int(0, 0, 0), Vec3Int(0, 0, 0))

    @classmethod
    def from_tuple6(cls, tuple6: tuple[int, int, int, int, int, int]) -> BoundingBox:
        """From ``(x, y, z, width, height, depth)``."""
        return cls(tuple6[0:3], tuple6[3:6])

    @classmethod
    def from_tuple2(cls, tuple2: tuple[Vec3IntLike, Vec3IntLike]) -> BoundingBox:
        """From ``(topleft, size)``."""
        return cls(tuple2[0], tuple2[1])

    @classmethod
    def from_csv(cls, csv_bbox: str) -> BoundingBox:
        """From ``"x,y,z,width,height,depth"``."""
        return cls.from_tuple6(tuple(int(part) for part in csv_bbox.split(",")))  # type: ignore[arg-type]

    @classmethod
    def from_config_dict(cls, bbox: dict) -> BoundingBox:
        """From ``{"topleft": [x, y, z], "size": [w, h, d]}``."""
        return cls(bbox["topleft"], bbox["size"])

    @classmethod
    def from_checkpoint_name(cls, checkpoint_name: str) -> BoundingBox:
        """Find ``x_y_z_width_height_depth`` inside a string."""
        match = _CHECKPOINT.search(checkpoint_name)
        assert match is not None, f"Could not extract bounding box from {checkpoint_name}"
        return cls.from_tuple6(tuple(int(v) for v in match.groups()))  # type: ignore[arg-type]

    @classmethod
    def from_points(cls, points: Iterable[Vec3IntLike]) -> BoundingBox:
        """The smallest box containing all points (bottomright is exclusive, so max + 1)."""
        array = np.array(points)
        topleft = Vec3Int(array.min(axis=0))
        bottomright = Vec3Int(array.max(axis=0)) + 1
        return cls(topleft, bottomright - topleft)

    @classmethod
    def from_ndbbox(cls, bbox: NDBoundingBox) -> BoundingBox:
        """The x/y/z part of an n-d box (name, visibility and color are kept)."""
        return cls(bbox.topleft_xyz, bbox.size_xyz, name=bbox.name, is_visible=bbox.is_visible, color=bbox.color)

    @classmethod
    def from_auto(cls, obj: BoundingBox | str | dict | list | tuple) -> BoundingBox:
        """From a BoundingBox, a csv or JSON string, a config or wkw dict, a 6-tuple or a 2-tuple."""
        if isinstance(obj, BoundingBox):
            return obj
        if isinstance(obj, str):
            if obj.strip().startswith("{"):
                return cls.from_auto(json.loads(obj))
            return cls.from_csv(obj)
        if isinstance(obj, dict):
            if "size" in obj:
                return cls.from_config_dict(obj)
            return cls.from_wkw_dict(obj)
        if isinstance(obj, (list, tuple)):
            if len(obj) == 2:
                return cls.from_tuple2(obj)  # type: ignore[arg-type]
            if len(obj) == 6:
                return cls.from_tuple6(obj)  # type: ignore[arg-type]
        raise GeometryValueError(f"Unknown bounding box format: {obj!r}; see BoundingBox.from_auto for the formats.")

    @classmethod
    def from_wkw_dict(cls, bbox: dict) -> BoundingBox:
        """From ``{"topLeft": [x, y, z], "width": w, "height": h, "depth": d}`` (extra keys are ignored)."""
        return cls(bbox["topLeft"], (bbox["width"], bbox["height"], bbox["depth"]))

    # ---- serialization ----------------------------------------------------------------------
    def to_wkw_dict(self) -> dict:
        """``{"topLeft": [x, y, z], "width": w, "height": h, "depth": d}``."""
        w, h, d = self.size
        return {"topLeft": self.topleft.to_list(), "width": w, "height": h, "depth": d}

    def to_config_dict(self) -> dict:
        """``{"topleft": [x, y, z], "size": [w, h, d]}``."""
        return {"topleft": self.topleft.to_list(), "size": self.size.to_list()}

    def to_tuple6(self) -> tuple[int, int, int, int, int, int]:
        """``(x, y, z, width, height, depth)``."""
        return (*self.topleft, *self.size)  # type: ignore[return-value]

    def to_csv(self) -> str:
        """``"x,y,z,width,height,depth"``."""
        return ",".join(str(v) for v in self.to_tuple6())

    def to_checkpoint_name(self) -> str:
        """``"x_y_z_width_height_depth"``."""
        return "_".join(str(v) for v in self.to_tuple6())

    def normalize_axes(self, num_channels: int) -> Any:
        """This box with a leading channel axis ``c`` of ``num_channels`` (index 0)."""
        from .normalized_bounding_box import NormalizedBoundingBox

        return NormalizedBoundingBox(
            topleft=(0, *self.topleft),
            size=(num_channels, *self.size),
            axes=("c", "x", "y", "z"),
            index=(0, *self.index.to_tuple()),
            name=self.name,
            is_visible=self.is_visible,
            color=self.color,
        )

    def denormalize(self) -> BoundingBox:
        """A BoundingBox has no channel axis; returns itself."""
        return self
