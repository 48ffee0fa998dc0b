"""NDBoundingBox: an axis-aligned n-d box of integer voxels with named axes.

The topleft corner is inclusive, the bottomright corner exclusive.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import numpy as np

from .mag import Mag
from .vec3_int import Vec3Int, Vec3IntLike
from .vec_int import (
    VecInt,
    VecIntLike,
    coerce_int,
    parse_vec_int,
    parse_vec_int_or_none,
    str_iterable_to_tuple,
)

if TYPE_CHECKING:
    from .normalized_bounding_box import NormalizedBoundingBox

_T = TypeVar("_T", bound="NDBoundingBox")
_DEFAULT_BBOX_NAME = "Unnamed Bounding Box"
_XYZ = ("x", "y", "z")


def color_converter(value: Any) -> tuple[float, float, float, float] | None:
    """Converter: an RGBA color as a tuple of four floats (or None)."""
    if value is None:
        return None
    color = tuple(float(v) for v in value)
    if len(color) != 4:
        raise ValueError(f"A bounding box color needs 4 floats (r, g, b, a), got {value!r}.")
    return color  # type: ignore[return-value]


def mag_vec(mag: Mag | VecIntLike | int) -> Vec3Int:
    """A Mag, int or x/y/z vector as a Vec3Int of factors."""
    if isinstance(mag, Mag):
        return mag.to_vec3_int()
    return Vec3Int.from_vec_or_int(mag)  # type: ignore[arg-type]


@attrs.frozen(repr=False)
class NDBoundingBox:
    """An n-dimensional box given by ``topleft`` (inclusive) and ``size`` along named ``axes``.

    ``index`` gives each axis' position in the data array (inferred from ``axes`` when omitted).
    Equality and hashing compare all fields, including name, visibility and color.
    """

    topleft: VecInt = attrs.field(converter=parse_vec_int)
    size: VecInt = attrs.field(converter=parse_vec_int)
    axes: tuple[str, ...] = attrs.field(converter=str_iterable_to_tuple)
    index: VecInt = attrs.field(converter=parse_vec_int_or_none, default=None)
    bottomright: VecInt = attrs.field(init=False, eq=False, repr=False)
    name: str | None = _DEFAULT_BBOX_NAME
    is_visible: bool = True
    color: tuple[float, float, float, float] | None = attrs.field(default=None, converter=color_converter)

    def __attrs_post_init__(self) -> None:
        axes = self.axes
        n = len(axes)
        if len(set(axes)) != n:
            raise ValueError(f"Bounding box axes must be unique, got {axes}.")
        if len(self.topleft) != n or len(self.size) != n:
            raise ValueError(
                f"Bounding box topleft {tuple(self.topleft)} and size {tuple(self.size)} need {n} values "
                f"for axes {axes}."
            )
        topleft, size = self.topleft, self.size
        if topleft.axes != axes:
            object.__setattr__(self, "topleft", VecInt._make(tuple(topleft), axes))
        if size.axes != axes:
            object.__setattr__(self, "size", VecInt._make(tuple(size), axes))
        index = self.index
        if index is None:
            index = VecInt._make(range(n), axes)
        elif len(index) != n or len(set(index)) != n:
            raise ValueError(f"Bounding box index {tuple(index)} needs {n} distinct values for axes {axes}.")
        elif index.axes != axes:
            index = VecInt._make(tuple(index), axes)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "bottomright", self.topleft + self.size)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(topleft={tuple(self.topleft)}, size={tuple(self.size)}, axes={self.axes})"

    __str__ = __repr__

    # ---- construction helpers ---------------------------------------------------------------
    def _with(self: _T, topleft: Iterable[int], size: Iterable[int]) -> _T:
        """A box of the same kind and metadata with new topleft and size."""
        return type(self)(
            topleft=topleft,
            size=size,
            axes=self.axes,
            index=self.index,
            name=self.name,
            is_visible=self.is_visible,
            color=self.color,
        )

    def _vec(self, values: Iterable[int]) -> VecInt:
        """A vector with this box' axes."""
        return VecInt._make(values, self.axes)

    def _axis(self, axis: str) -> int:
        """Position of ``axis`` in ``axes``; KeyError if absent."""
        try:
            return self.axes.index(axis)
        except ValueError:
            raise KeyError(f"Axis {axis!r} is not one of the bounding box axes {self.axes}.") from None

    def _xyz_positions(self) -> tuple[int, int, int]:
        return (self._axis("x"), self._axis("y"), self._axis("z"))

    def _pick_xyz(self, vec: VecInt) -> Vec3Int:
        ix, iy, iz = self._xyz_positions()
        return Vec3Int(vec[ix], vec[iy], vec[iz])

    def _put_xyz(self, vec: Iterable[int], xyz: Iterable[int]) -> VecInt:
        values = list(vec)
        for pos, value in zip(self._xyz_positions(), Vec3Int(xyz)):
            values[pos] = value
        return self._vec(values)

    def _full(self, vec: VecIntLike | int, fill: int) -> VecInt:
        """A per-axis vector: an int for all axes, ndim values, or x/y/z values with ``fill`` elsewhere."""
        if isinstance(vec, (int, np.integer)):
            return self._vec((int(vec),) * self.ndim)
        values = tuple(parse_vec_int(vec))
        if len(values) == self.ndim:
            return self._vec(values)
        if len(values) == 3:
            return self._put_xyz((fill,) * self.ndim, values)
        raise ValueError(f"Expected {self.ndim} values (or 3 for x, y, z) for axes {self.axes}, got {vec!r}.")

    def _axis_pairs(self, other: NDBoundingBox) -> list[tuple[int, int]]:
        """Index pairs (mine, theirs) of the axes both boxes share; a lone channel axis is ignored."""
        if self.axes == other.axes:
            return [(i, i) for i in range(self.ndim)]
        mine, theirs = set(self.axes), set(other.axes)
        if mine != theirs and mine ^ theirs != {"c"}:
            raise ValueError(f"Cannot combine bounding boxes with axes {self.axes} and {other.axes}.")
        return [(i, other.axes.index(a)) for i, a in enumerate(self.axes) if a in theirs]

    def _pairwise(self, other: NDBoundingBox, tl_fn: Any, br_fn: Any) -> NDBoundingBox:
        """Combine corners per shared axis; a box with a channel axis wins the result type."""
        if "c" in other.axes and "c" not in self.axes:
            return other._pairwise(self, lambda a, b: tl_fn(b, a), lambda a, b: br_fn(b, a))
        topleft, bottomright = list(self.topleft), list(self.bottomright)
        for i, j in self._axis_pairs(other):
            topleft[i] = tl_fn(topleft[i], other.topleft[j])
            bottomright[i] = br_fn(bottomright[i], other.bottomright[j])
        return self._with(topleft, [max(b - t, 0) for t, b in zip(topleft, bottomright)])

    # ---- derived attributes -----------------------------------------------------------------
    @property
    def ndim(self) -> int:
        """The number of dimensions of the bounding box."""
        return len(self.axes)

    @property
    def topleft_xyz(self) -> Vec3Int:
        """The topleft corner of the bounding box regarding only x, y and z axis."""
        return self._pick_xyz(self.topleft)

    @property
    def size_xyz(self) -> Vec3Int:
        """The size of the bounding box regarding only x, y and z axis."""
        return self._pick_xyz(self.size)

    @property
    def bottomright_xyz(self) -> Vec3Int:
        """The bottomright corner of the bounding box regarding only x, y and z axis."""
        return self._pick_xyz(self.bottomright)

    @property
    def index_xyz(self) -> Vec3Int:
        """The index of x, y and z axis within the bounding box."""
        return self._pick_xyz(self.index)

    def get_bounds(self, axis: str) -> tuple[int, int]:
        """``(topleft, bottomright)`` along ``axis``."""
        i = self._axis(axis)
        return (self.topleft[i], self.bottomright[i])

    def get_shape(self, axis_name: str) -> int:
        """The size of the bounding box along ``axis_name``."""
        return self.size[self._axis(axis_name)]

    # ---- with_* copies ----------------------------------------------------------------------
    def with_topleft(self: _T, new_topleft: VecIntLike) -> _T:
        """A copy with a new topleft (the size stays)."""
        return self._with(new_topleft, self.size)

    def with_size(self: _T, new_size: VecIntLike) -> _T:
        """A copy with a new size (the topleft stays)."""
        return self._with(self.topleft, new_size)

    def with_bottomright(self: _T, new_bottomright: VecIntLike) -> _T:
        """A copy with a new bottomright (the topleft stays)."""
        bottomright = parse_vec_int(new_bottomright)
        return self._with(self.topleft, [b - t for t, b in zip(self.topleft, bottomright)])

    def with_topleft_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z coordinates of the topleft replaced."""
        return self._with(self._put_xyz(self.topleft, new_xyz), self.size)

    def with_size_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z size replaced."""
        return self._with(self.topleft, self._put_xyz(self.size, new_xyz))

    def with_bottomright_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z coordinates of the bottomright replaced."""
        return self.with_bottomright(self._put_xyz(self.bottomright, new_xyz))

    def with_index(self: _T, new_index: VecIntLike) -> _T:
        """A copy with a new axis order (index)."""
        return attrs.evolve(self, index=new_index)

    def with_index_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z index replaced."""
        return attrs.evolve(self, index=self._put_xyz(self.index, new_xyz))

    def with_name(self: _T, name: str | None) -> _T:
        """A copy with a new name."""
        return attrs.evolve(self, name=name)

    def with_is_visible(self: _T, is_visible: bool) -> _T:
        """A copy with a new visibility."""
        return attrs.evolve(self, is_visible=is_visible)

    def with_color(self: _T, color: tuple[float, float, float, float] | None) -> _T:
        """A copy with a new RGBA color."""
        return attrs.evolve(self, color=color)

    def with_bounds(self: _T, axis: str, new_topleft: int | None = None, new_size: int | None = None) -> _T:
        """A copy with topleft and/or size replaced along ``axis``; KeyError for an unknown axis."""
        i = self._axis(axis)
        topleft, size = list(self.topleft), list(self.size)
        if new_topleft is not None:
            topleft[i] = coerce_int(new_topleft)
        if new_size is not None:
            size[i] = coerce_int(new_size)
        return self._with(topleft, size)

    # ---- set operations ---------------------------------------------------------------------
    def intersected_with(self: _T, other: _T, dont_assert: bool = False) -> _T:
        """The overlap of both boxes; AssertionError when it is empty unless ``dont_assert``."""
        if type(self) is type(other) and self.axes == other.axes:
            topleft = self.topleft.pairmax(other.topleft)
            size = (self.bottomright.pairmin(other.bottomright) - topleft).pairmax(0)
            result = self._with(topleft, size)
        else:
            result = self._pairwise(other, max, min)  # type: ignore[assignment]
        if not dont_assert:
            assert not result.is_empty(), f"No intersection between {self} and {other}."
        return result

    def extended_by(self: _T, other: _T) -> _T:
        """The smallest box containing both boxes (an empty box contributes nothing)."""
        if other.is_empty():
            return self._pairwise(other, lambda a, b: a, lambda a, b: a)  # type: ignore[return-value]
        if self.is_empty():
            return self._pairwise(other, lambda a, b: b, lambda a, b: b)  # type: ignore[return-value]
        return self._pairwise(other, min, max)  # type: ignore[return-value]

    def contains(self, coord: VecIntLike) -> bool:
        """Whether a point lies inside the box (a numpy point may have float coordinates)."""
        if isinstance(coord, np.ndarray):
            point = coord.astype(np.float64).reshape(-1)
            return bool(np.all(self.topleft.to_np() <= point) and np.all(point < self.bottomright.to_np()))
        point = tuple(coord)
        if len(point) != self.ndim:
            raise ValueError(f"Point {point} needs {self.ndim} coordinates for axes {self.axes}.")
        return all(t <= p < b for t, p, b in zip(self.topleft, point, self.bottomright))

    def contains_bbox(self, inner_bbox: NDBoundingBox) -> bool:
        """Whether ``inner_bbox`` lies completely inside this box (a lone channel axis is ignored)."""
        for i, j in self._axis_pairs(inner_bbox):
            if inner_bbox.topleft[j] < self.topleft[i] or inner_bbox.bottomright[j] > self.bottomright[i]:
                return False
        return True

    def is_empty(self) -> bool:
        """Whether any dimension has zero or negative size."""
        return any(s <= 0 for s in self.size)

    def volume(self) -> int:
        """The number of voxels in the box."""
        return math.prod(self.size)

    def offset(self: _T, vector: VecIntLike) -> _T:
        """A copy moved by ``vector`` (ndim values, or 3 for x, y, z)."""
        return self._with(self.topleft + self._full(vector, 0), self.size)

    def padded_with_margins(self: _T, margins_left: Vec3IntLike, margins_right: Vec3IntLike | None = None) -> _T:
        """A copy grown by ``margins_left`` before and ``margins_right`` (default: same) after, in x/y/z."""
        left = self._full(margins_left, 0)
        right = left if margins_right is None else self._full(margins_right, 0)
        return self._with(self.topleft - left, self.size + left + right)

    # ---- magnifications ---------------------------------------------------------------------
    def align_with_mag(self: _T, mag: Mag | Vec3Int, ceil: bool = False) -> _T:
        """Round the box so both corners are divisible by ``mag``: grow if ``ceil``, else shrink."""
        factors = self._full(mag_vec(mag), 1)
        topleft, bottomright = self.topleft, self.bottomright
        if ceil:
            new_topleft = (topleft // factors) * factors
            new_bottomright = bottomright.ceildiv(factors) * factors
        else:
            new_topleft = topleft.ceildiv(factors) * factors
            new_bottomright = ((bottomright // factors) * factors).pairmax(new_topleft)
        return self._with(new_topleft, new_bottomright - new_topleft)

    def in_mag(self: _T, mag: Mag) -> _T:
        """This Mag(1) box in ``mag`` coordinates; asserts it is aligned with ``mag``."""
        factors = self._full(mag_vec(mag), 1)
        assert not any(self.topleft % factors) and not any(self.bottomright % factors), (
            f"{self} is not aligned with {mag}; call align_with_mag() first."
        )
        return self._with(self.topleft // factors, self.size // factors)

    def from_mag_to_mag1(self: _T, from_mag: Mag) -> _T:
        """This box, given in ``from_mag`` coordinates, in Mag(1) coordinates."""
        factors = self._full(mag_vec(from_mag), 1)
        return self._with(self.topleft * factors, self.size * factors)

    @staticmethod
    def group_boxes_with_aligned_mag(
        bounding_boxes: Iterable[NDBoundingBox], aligning_mag: Mag
    ) -> dict[NDBoundingBox, list[NDBoundingBox]]:
        """Group boxes by the box they grow to when aligned (ceil) with ``aligning_mag``."""
        groups: dict[NDBoundingBox, list[NDBoundingBox]] = {}
        for bbox in bounding_boxes:
            groups.setdefault(bbox.align_with_mag(aligning_mag, ceil=True), []).append(bbox)
        return groups

    # ---- chunking ---------------------------------------------------------------------------
    def chunk(
        self: _T, chunk_shape: VecIntLike, chunk_border_alignments: VecIntLike | None = None
    ) -> Generator[_T, None, None]:
        """Split the box into chunks of at most ``chunk_shape`` (x fastest); inner borders are multiples of
        ``chunk_border_alignments`` when given. Axes missing from a 3-value shape are chunked by 1.
        """
        shape = self._full(chunk_shape, 1)
        if not shape.is_positive(strictly_positive=True):
            raise ValueError(f"Chunk shape must be positive, got {chunk_shape!r}.")
        if self.is_empty():
            return
        start = self.topleft
        if chunk_border_alignments is not None:
            alignment = self._full(chunk_border_alignments, 1)
            assert not any(shape % alignment), (
                f"chunk_shape {tuple(shape)} must be divisible by chunk_border_alignments {tuple(alignment)}."
            )
            start = (start // alignment) * alignment
        spans = []
        for first, low, high, step in zip(start, self.topleft, self.bottomright, shape):
            edges = np.arange(first, high, step, dtype=np.int64)
            lows = np.maximum(edges, low)
            sizes = np.minimum(edges + step, high) - lows
            spans.append(list(zip(lows.tolist(), sizes.tolist())))
        for combo in itertools.product(*reversed(spans)):
            topleft, size = zip(*reversed(combo))
            yield self._with(topleft, size)

    # ---- arrays -----------------------------------------------------------------------------
    def _index_order(self) -> list[int]:
        """Axis positions sorted by their array index."""
        return sorted(range(self.ndim), key=lambda i: self.index[i])

    def to_slices(self) -> tuple[slice, ...]:
        """Slices selecting this box from an array laid out in index order."""
        return tuple(slice(self.topleft[i], self.bottomright[i]) for i in self._index_order())

    def to_slices_xyz(self) -> tuple[slice, ...]:
        """Slices for x, y and z; every other axis gets ``slice(0, 1)`` (one wide, no offset)."""
        return tuple(
            slice(self.topleft[i], self.bottomright[i]) if self.axes[i] in _XYZ else slice(0, 1)
            for i in self._index_order()
        )

    def slice_array(self, array: np.ndarray) -> np.ndarray:
        """The part of ``array`` covered by this box (a leading channel axis is kept whole)."""
        slices = self.to_slices()
        if array.ndim == self.ndim + 1:
            slices = (slice(None), *slices)
        return array[slices]

    def xyz_array_to_bbox_shape(self, data: np.ndarray) -> np.ndarray:
        """Reshape an ``(..., x, y, z)`` array to this box' axis layout; other axes must be one wide."""
        others = [a for a in self.axes if a not in _XYZ]
        for axis in others:
            assert self.get_shape(axis) == 1, f"{self} is not flat along {axis!r}; cannot reshape x/y/z data."
        leading = data.ndim - 3
        labels = [f"_{i}" for i in range(leading)] + ["x", "y", "z"] + others
        expanded = data.reshape(data.shape + (1,) * len(others))
        target = labels[:leading] + [self.axes[i] for i in self._index_order()]
        return np.transpose(expanded, [labels.index(label) for label in target])

    # ---- serialization ----------------------------------------------------------------------
    def to_wkw_dict(self) -> dict:
        """The box as in datasource-properties.json (``topLeft``/``width``/``height``/``depth`` and
        ``additionalAxes`` for non x/y/z axes)."""
        topleft, size = self.topleft_xyz, self.size_xyz
        result: dict = {"topLeft": topleft.to_list(), "width": size[0], "height": size[1], "depth": size[2]}
        extra = [
            {"name": axis, "bounds": [self.topleft[i], self.bottomright[i]], "index": self.index[i]}
            for i, axis in enumerate(self.axes)
            if axis not in _XYZ and axis != "c"
        ]
        if extra:
            result["additionalAxes"] = extra
        return result

    @classmethod
    def from_wkw_dict(cls, bbox: dict) -> NDBoundingBox:
        """Read a datasource-properties bounding box; ``additionalAxes`` need an ``axisOrder`` for x/y/z."""
        from .bounding_box import BoundingBox

        topleft = Vec3Int(bbox["topLeft"])
        size = Vec3Int(bbox["width"], bbox["height"], bbox["depth"])
        extra = bbox.get("additionalAxes") or []
        if not extra:
            return BoundingBox(topleft, size)
        assert "axisOrder" in bbox, f"additionalAxes {extra} need an axisOrder to place x, y and z: {bbox}"
        order = bbox["axisOrder"]
        entries = [(order[a], a, topleft[k], size[k]) for k, a in enumerate(_XYZ)]
        for axis in extra:
            low, high = axis["bounds"]
            entries.append((axis["index"], axis["name"], low, high - low))
        entries.sort()
        target = cls if cls is not BoundingBox else NDBoundingBox
        return target(
            topleft=[e[2] for e in entries],
            size=[e[3] for e in entries],
            axes=[e[1] for e in entries],
            index=[e[0] for e in entries],
        )

    def to_config_dict(self) -> dict:
        """``{"topleft": [...], "size": [...], "axes": [...]}``."""
        return {"topleft": self.topleft.to_list(), "size": self.size.to_list(), "axes": list(self.axes)}

    def to_checkpoint_name(self) -> str:
        """Topleft and size joined by underscores, e.g. ``"0_0_0_10_10_10"``."""
        return "_".join(str(v) for v in (*self.topleft, *self.size))

    # ---- channel axis -----------------------------------------------------------------------
    def normalize_axes(self, num_channels: int) -> NormalizedBoundingBox:
        """This box with a leading channel axis ``c`` of ``num_channels`` (index 0)."""
        from .normalized_bounding_box import NormalizedBoundingBox

        if "c" in self.axes:
            return NormalizedBoundingBox(
                topleft=self.topleft.with_c(0),
                size=self.size.with_c(num_channels),
                axes=self.axes,
                index=self.index,
                name=self.name,
                is_visible=self.is_visible,
                color=self.color,
            )
        shift = 1 - min(self.index)
        return NormalizedBoundingBox(
            topleft=(0, *self.topleft),
            size=(num_channels, *self.size),
            axes=("c", *self.axes),
            index=(0, *(i + shift for i in self.index)),
            name=self.name,
            is_visible=self.is_visible,
            color=self.color,
        )

    def denormalize(self) -> NDBoundingBox:
        """This box without a channel axis (a box without one is returned as is)."""
        return self
