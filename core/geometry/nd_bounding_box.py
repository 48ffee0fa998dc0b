"""NDBoundingBox: an axis-aligned n-d box of integer voxels with named axes and an array index per axis.

Like the reference: the axes are kept sorted by ``index``, a negative size extends the box towards lower
coordinates (``topleft=(10,), size=(-4,)`` is topleft 6, size 4), and boxes compare by topleft and size only.
The topleft corner is inclusive, the bottomright corner exclusive.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import numpy as np

from .errors import GeometryValueError
from .mag import Mag
from .vec3_int import Vec3Int, Vec3IntLike
from .vec_int import VecInt, VecIntLike, int_components, to_int

if TYPE_CHECKING:
    from .normalized_bounding_box import NormalizedBoundingBox

_T = TypeVar("_T", bound="NDBoundingBox")
DEFAULT_BBOX_NAME = "Unnamed Bounding Box"
_XYZ = ("x", "y", "z")
_NO_AXIS = "The given axis name does not exist:"
_FLAT = "The view's bounding box must be flat in all dimensions except x, y and z."
_vec_make = VecInt._make


def as_vec(value: Any, axes: tuple) -> VecInt:
    """``value`` as a VecInt with ``axes`` (as the reference's converter ``VecInt(value, axes=axes)``)."""
    if type(value) is VecInt and value.axes == axes:
        return value
    if isinstance(value, VecInt):
        if len(value) != len(axes):
            raise GeometryValueError(
                f"{value} has {len(value)} values but the box has the axes {axes}; the number of axes must match."
            )
        return _vec_make(tuple(value), axes)
    if isinstance(value, str):
        return VecInt(value, axes=axes)
    values = int_components(value, strict_floats=True) if isinstance(value, (Iterable, np.ndarray)) else None
    if values is None:
        return VecInt(value, axes=axes)
    if len(values) != len(axes):
        raise GeometryValueError(f"{tuple(values)} has {len(values)} values but the box has the axes {axes}.")
    return _vec_make(values, axes)


def mag_factors(mag: Any) -> Vec3Int:
    """A Mag's factors; a Vec3Int is taken as is (the reference does arithmetic with anything else and fails)."""
    if isinstance(mag, Mag):
        return mag.to_vec3_int()
    if isinstance(mag, Vec3Int):
        return mag
    raise TypeError(f"unsupported operand type(s) for -: '{type(mag).__name__}' and 'Vec3Int'")


def check_zero_steps(lows: Iterable[int], highs: Iterable[int], steps: Iterable[int]) -> None:
    """ZeroDivisionError where the reference's chunk iteration reaches an axis with a zero chunk extent: axis by
    axis, until the first axis along which the box is empty."""
    for low, high, step in zip(lows, highs, steps):
        if low >= high:
            return
        if step == 0:
            raise ZeroDivisionError("integer modulo by zero")


def incompatible(first: Any, second: Any) -> ValueError:
    """The reference's error for an operation on boxes with different axes."""
    return ValueError(
        f"Operation with two bboxes is only possible if they have the same axes and axes order. {first} != {second}"
    )


@attrs.frozen(repr=False, eq=False)
class NDBoundingBox:
    """An n-dimensional box given by ``topleft`` (inclusive) and ``size`` along named ``axes``.

    ``index`` gives each axis' position in the data array (default 0, 1, 2, ...); the axes are stored sorted by
    it. Equal boxes have the same axes, topleft and size (name, visibility, color and index do not count).
    """

    topleft: VecInt
    size: VecInt
    axes: tuple[str, ...]
    index: VecInt = None  # type: ignore[assignment]
    bottomright: VecInt = attrs.field(init=False)
    name: str | None = DEFAULT_BBOX_NAME
    is_visible: bool = True
    color: tuple[float, float, float, float] | None = None

    def __attrs_post_init__(self) -> None:
        axes = tuple(self.axes)
        topleft = as_vec(self.topleft, axes)
        size = as_vec(self.size, axes)
        index = _vec_make(tuple(range(len(axes))), axes) if self.index is None else as_vec(self.index, axes)
        if len(set(axes)) != len(axes):
            raise GeometryValueError(f"Bounding box axes must be unique, got {axes}; name every axis once.")
        if not len(topleft) == len(size) == len(axes) == len(index):
            raise GeometryValueError(
                f"The dimensions of topleft, size, axes and index ({len(topleft)}, {len(size)}, {len(axes)}, "
                f"{len(index)}) do not match."
            )
        if any(a > b for a, b in zip(index, index[1:])):
            order = sorted(range(len(axes)), key=index.__getitem__)
            axes = tuple(axes[i] for i in order)
            topleft = _vec_make(tuple(topleft[i] for i in order), axes)
            size = _vec_make(tuple(size[i] for i in order), axes)
            index = _vec_make(tuple(index[i] for i in order), axes)
        if any(s < 0 for s in size):
            topleft = _vec_make(tuple(t + min(s, 0) for t, s in zip(topleft, size)), axes)
            size = _vec_make(tuple(abs(s) for s in size), axes)
        _set = object.__setattr__
        _set(self, "axes", axes)
        _set(self, "topleft", topleft)
        _set(self, "size", size)
        _set(self, "index", index)
        _set(self, "bottomright", _vec_make(tuple(t + s for t, s in zip(topleft, size)), axes))

    def __repr__(self) -> str:
        axes = dict(zip(self.axes, self.index))
        return f"{type(self).__name__}(topleft={tuple(self.topleft)}, size={tuple(self.size)}, axes={axes})"

    def __str__(self) -> str:
        return self.__repr__()

    def __len__(self) -> int:
        return self.ndim

    # ---- equality ---------------------------------------------------------------------------
    def _check_compatibility(self, other: NDBoundingBox) -> None:
        if self.axes != other.axes:
            raise incompatible(self.axes, other.axes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NDBoundingBox):
            return NotImplemented
        if type(other).__name__ == "NormalizedBoundingBox" and type(self).__name__ != "NormalizedBoundingBox":
            return other.__eq__(self)
        self._check_compatibility(other)
        return self.topleft == other.topleft and self.size == other.size

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        # As the reference: the index takes part in the hash (not in ==) of an NDBoundingBox, not of a BoundingBox.
        return hash((type(self).__name__, tuple(self.topleft), tuple(self.size), tuple(self.axes), tuple(self.index)))

    # ---- derived attributes -----------------------------------------------------------------
    @property
    def ndim(self) -> int:
        """The number of dimensions of the bounding box."""
        return len(self.axes)

    def _get_attr_xyz(self, attr_name: str) -> Vec3Int:
        """The x, y and z values of a per-axis attribute (0 for an axis the box does not have)."""
        values = getattr(self, attr_name)
        axes = list(self.axes)
        return Vec3Int(*(values[axes.index(axis)] if axis in axes else 0 for axis in _XYZ))

    def _get_attr_with_replaced_xyz(self, attr_name: str, xyz: Vec3IntLike) -> VecInt:
        """A per-axis attribute with its x, y and z values replaced."""
        replacement = Vec3Int(xyz)
        values = list(getattr(self, attr_name))
        axes = list(self.axes)
        for axis, value in zip(_XYZ, replacement):
            if axis in axes:
                values[axes.index(axis)] = value
        return _vec_make(tuple(values), tuple(self.axes))

    @property
    def topleft_xyz(self) -> Vec3Int:
        """The topleft corner of the bounding box regarding only x, y and z axis."""
        return self._get_attr_xyz("topleft")

    @property
    def size_xyz(self) -> Vec3Int:
        """The size of the bounding box regarding only x, y and z axis."""
        return self._get_attr_xyz("size")

    @property
    def bottomright_xyz(self) -> Vec3Int:
        """The bottomright corner of the bounding box regarding only x, y and z axis."""
        return self._get_attr_xyz("bottomright")

    @property
    def index_xyz(self) -> Vec3Int:
        """The index of x, y and z axis within the bounding box."""
        return self._get_attr_xyz("index")

    def _position(self, axis: str, message: str = _NO_AXIS) -> int:
        try:
            return list(self.axes).index(axis)
        except ValueError:
            raise KeyError(f"{message} {axis!r} is not one of the box' axes {tuple(self.axes)}.") from None

    def get_bounds(self, axis: str) -> tuple[int, int]:
        """``(topleft, bottomright)`` along ``axis``."""
        i = self._position(axis)
        return (self.topleft[i], self.bottomright[i])

    def get_shape(self, axis_name: str) -> int:
        """The size of the bounding box along ``axis_name``."""
        return self.size[self._position(axis_name, "The axis doesn't exist in NDBoundingBox:")]

    # ---- with_* copies ----------------------------------------------------------------------
    def with_topleft(self: _T, new_topleft: VecIntLike) -> _T:
        """A copy with a new topleft (the size stays)."""
        return attrs.evolve(self, topleft=new_topleft)

    def with_size(self: _T, new_size: VecIntLike) -> _T:
        """A copy with a new size (the topleft stays; a negative size extends towards lower coordinates)."""
        return attrs.evolve(self, size=new_size)

    def with_bottomright(self: _T, new_bottomright: VecIntLike) -> _T:
        """A copy with a new bottomright (the topleft stays)."""
        return self.with_size(self._vector(new_bottomright) - self.topleft)

    def _vector(self, value: Any) -> VecInt:
        return as_vec(value, tuple(self.axes))

    def with_topleft_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z coordinates of the topleft replaced."""
        return self.with_topleft(self._get_attr_with_replaced_xyz("topleft", new_xyz))

    def with_size_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z size replaced."""
        return self.with_size(self._get_attr_with_replaced_xyz("size", new_xyz))

    def with_bottomright_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z coordinates of the bottomright replaced."""
        return self.with_bottomright(self._get_attr_with_replaced_xyz("bottomright", new_xyz))

    def with_index(self: _T, new_index: VecIntLike) -> _T:
        """A copy with a new index (the axes are then sorted by it)."""
        values = tuple(new_index)
        axes = tuple(axis for _, axis in sorted(zip(values, self.axes), key=lambda pair: pair[0]))
        return attrs.evolve(self, index=VecInt(values, axes=axes))

    def with_index_xyz(self: _T, new_xyz: Vec3IntLike) -> _T:
        """A copy with the x, y and z index replaced."""
        return self.with_index(self._get_attr_with_replaced_xyz("index", new_xyz))

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
        i = self._position(axis)
        topleft, size = list(self.topleft), list(self.size)
        if new_topleft is not None:
            topleft[i] = new_topleft
        if new_size is not None:
            size[i] = new_size
        return attrs.evolve(self, topleft=topleft, size=size)

    # ---- set operations ---------------------------------------------------------------------
    def intersected_with(self: _T, other: _T, dont_assert: bool = False) -> _T:
        """The overlap of both boxes; AssertionError when it is empty unless ``dont_assert``."""
        self._check_compatibility(other)
        topleft = self.topleft.pairmax(other.topleft)
        size = (self.bottomright.pairmin(other.bottomright) - topleft).pairmax(0)
        result = attrs.evolve(self, topleft=topleft, size=size)
        if not dont_assert:
            assert not result.is_empty(), f"No intersection between bounding boxes {self} and {other}."
        return result

    def extended_by(self: _T, other: _T) -> _T:
        """The smallest box containing both boxes (an empty box contributes nothing)."""
        self._check_compatibility(other)
        if self.is_empty():
            return other
        if other.is_empty():
            return self
        topleft = self.topleft.pairmin(other.topleft)
        bottomright = self.bottomright.pairmax(other.bottomright)
        return attrs.evolve(self, topleft=topleft, size=bottomright - topleft)

    def contains(self, coord: VecIntLike) -> bool:
        """Whether a point lies inside the box (a numpy point may have float coordinates)."""
        if isinstance(coord, np.ndarray):
            assert coord.shape == (self.ndim,), (
                f"Numpy array BoundingBox.contains must have shape ({self.ndim},), got {coord.shape}."
            )
            return np.all(self.topleft.to_np() <= coord) & np.all(coord < self.bottomright.to_np())
        if isinstance(coord, VecInt) and len(coord) != self.ndim:
            raise ValueError("The number of axes must match the number of axes in the VecInt.")
        point = int_components(coord) if isinstance(coord, Iterable) else (to_int(coord),)
        return all(self.topleft[i] <= point[i] < self.bottomright[i] for i in range(self.ndim))

    def contains_bbox(self: _T, inner_bbox: _T) -> bool:
        """Whether ``inner_bbox`` lies completely inside this box (an empty box lies anywhere)."""
        return self.intersected_with(inner_bbox, dont_assert=True) == inner_bbox

    def is_empty(self) -> bool:
        """Whether any dimension has a size of zero."""
        return any(s <= 0 for s in self.size)

    def volume(self) -> int:
        """The number of voxels in the box."""
        return math.prod(self.size)

    def offset(self: _T, vector: VecIntLike) -> _T:
        """A copy moved by ``vector``: one value per axis, or three for x, y and z."""
        values = tuple(vector) if isinstance(vector, Iterable) else (vector,)
        if len(values) == 3:
            return self.with_topleft_xyz(self.topleft_xyz + Vec3Int(values))
        if len(values) != self.ndim:
            raise ValueError("The number of axes must match the number of axes in the VecInt.")
        return self.with_topleft(self.topleft + self._vector(values))

    def padded_with_margins(self: _T, margins_left: Vec3IntLike, margins_right: Vec3IntLike | None = None) -> _T:
        """A copy grown by ``margins_left`` before and ``margins_right`` (default: same) after, in x/y/z."""
        left = Vec3Int(margins_left)
        right = left if margins_right is None else Vec3Int(margins_right)
        return self.with_topleft_xyz(self.topleft_xyz - left).with_size_xyz(self.size_xyz + left + right)

    # ---- magnifications ---------------------------------------------------------------------
    def align_with_mag(self: _T, mag: Mag | Vec3Int, ceil: bool = False) -> _T:
        """Round the x/y/z corners to multiples of ``mag``: grow if ``ceil``, else shrink."""
        factors = mag_factors(mag)
        topleft, bottomright = self.topleft_xyz, self.bottomright_xyz
        if ceil:
            new_topleft = topleft // factors * factors
            new_bottomright = bottomright.ceildiv(factors) * factors
        else:
            new_topleft = topleft.ceildiv(factors) * factors
            new_bottomright = bottomright // factors * factors
        return self.with_topleft_xyz(new_topleft).with_size_xyz(new_bottomright - new_topleft)

    def in_mag(self: _T, mag: Mag) -> _T:
        """This Mag(1) box in ``mag`` coordinates; asserts it is aligned with ``mag``."""
        factors = mag.to_vec3_int()
        topleft, bottomright = self.topleft_xyz, self.bottomright_xyz
        assert topleft % factors == Vec3Int.zeros(), (
            f"topleft {self.topleft} is not aligned with the mag {mag!r}. Use BoundingBox.align_with_mag()."
        )
        assert bottomright % factors == Vec3Int.zeros(), (
            f"bottomright {self.bottomright} is not aligned with the mag {mag!r}. Use BoundingBox.align_with_mag()."
        )
        return self.with_topleft_xyz(topleft // factors).with_size_xyz(self.size_xyz // factors)

    def from_mag_to_mag1(self: _T, from_mag: Mag) -> _T:
        """This box, given in ``from_mag`` coordinates, in Mag(1) coordinates."""
        factors = from_mag.to_vec3_int()
        return self.with_topleft_xyz(self.topleft_xyz * factors).with_size_xyz(self.size_xyz * factors)

    @classmethod
    def group_boxes_with_aligned_mag(
        cls, bounding_boxes: Iterable[NDBoundingBox], aligning_mag: Mag
    ) -> dict[NDBoundingBox, list[NDBoundingBox]]:
        """Group boxes by the box they grow to when aligned (ceil) with ``aligning_mag``."""
        groups: defaultdict[NDBoundingBox, list[NDBoundingBox]] = defaultdict(list)
        for bbox in bounding_boxes:
            groups[bbox.align_with_mag(aligning_mag, ceil=True)].append(bbox)
        return groups

    @classmethod
    def from_axes(cls: type[_T], axes: Iterable[str], sizes: Iterable[int]) -> _T:
        """A box at the origin with the given axes and sizes."""
        names = tuple(axes)
        return cls(topleft=(0,) * len(names), size=tuple(sizes), axes=names)

    # ---- chunking ---------------------------------------------------------------------------
    def _per_axis(self, shape: Any) -> VecInt:
        """A per-axis chunk shape: three values for x, y and z (other axes: 1, the channel axis: whole), or one
        value per axis."""
        values = tuple(shape) if isinstance(shape, Iterable) else (shape,)
        axes = tuple(self.axes)
        if len(values) == 3:
            xyz = Vec3Int(values)
            return _vec_make(
                tuple(
                    xyz[_XYZ.index(axis)] if axis in _XYZ else (self.size[i] if axis == "c" else 1)
                    for i, axis in enumerate(axes)
                ),
                axes,
            )
        if len(values) < 3:
            raise IndexError(f"index {len(values)} is out of bounds for axis 0 with size {len(values)}")
        return self._vector(values)

    def chunk(
        self: _T, chunk_shape: VecIntLike, chunk_border_alignments: VecIntLike | None = None
    ) -> Generator[_T, None, None]:
        """Split the box into chunks of ``chunk_shape`` (the last axis varies fastest); inner borders are
        multiples of ``chunk_border_alignments`` when given. Axes missing from a 3-value shape are chunked by 1.
        """
        shape = self._per_axis(chunk_shape)
        start = self.topleft
        if chunk_border_alignments is not None:
            alignment = self._per_axis(chunk_border_alignments)
            assert not any(shape % alignment), (
                f"chunk_shape {tuple(shape)} is not divisible by chunk_border_alignments {tuple(alignment)}."
            )
            start = self.topleft - self.topleft % alignment
        ranges = [range(s, e, step) for s, e, step in zip(start, self.bottomright, shape)]
        for corner in itertools.product(*ranges):
            chunk = attrs.evolve(self, topleft=corner, size=shape)
            yield chunk.intersected_with(self, dont_assert=True)

    # ---- arrays -----------------------------------------------------------------------------
    def to_slices(self) -> tuple[slice, ...]:
        """Slices selecting this box from an array laid out in index order."""
        return tuple(slice(t, b) for t, b in zip(self.topleft, self.bottomright))

    def _assert_flat(self) -> None:
        assert all(s == 1 for axis, s in zip(self.axes, self.size) if axis not in _XYZ), _FLAT

    def to_slices_xyz(self) -> tuple[slice, ...]:
        """The slices of a box that is one wide along every axis other than x, y and z."""
        self._assert_flat()
        return tuple(
            slice(t, b) if axis in _XYZ else slice(0, 1)
            for axis, t, b in zip(self.axes, self.topleft, self.bottomright)
        )

    def slice_array(self, array: np.ndarray) -> np.ndarray:
        """The part of ``array`` covered by this box."""
        return array[self.to_slices()]

    def xyz_array_to_bbox_shape(self, data: np.ndarray) -> np.ndarray:
        """An x/y/z array with a one wide axis inserted for every other axis of this (flat) box."""
        self._assert_flat()
        order = [axis for axis in self.axes if axis in _XYZ]
        if len(order) == 3 and order != list(_XYZ):
            data = np.moveaxis(data, [0, 1, 2], [order.index(axis) for axis in _XYZ])
        extra = tuple(i for i, axis in enumerate(self.axes) if axis not in _XYZ)
        return np.expand_dims(data, axis=extra) if extra else data

    # ---- serialization ----------------------------------------------------------------------
    def to_config_dict(self) -> dict:
        """``{"topleft": [...], "size": [...], "axes": (...)}``."""
        return {"topleft": self.topleft.to_list(), "size": self.size.to_list(), "axes": self.axes}

    def to_checkpoint_name(self) -> str:
        """Topleft and size joined by underscores, e.g. ``"0_0_0_10_10_10"``."""
        return "_".join(str(v) for v in (*self.topleft, *self.size))

    # ---- channel axis -----------------------------------------------------------------------
    def normalize_axes(self, num_channels: int) -> NormalizedBoundingBox:
        """This box as a NormalizedBoundingBox with ``num_channels`` channels.

        A box with a ``c`` axis gets that size along it. A box without one (an n-d layer's box: such layers hold
        one channel) keeps its axes, as in the reference; it only takes ``num_channels`` 1.
        """
        from ..errors import InvalidArgumentError
        from .normalized_bounding_box import NormalizedBoundingBox

        extra = {"name": self.name, "is_visible": self.is_visible, "color": self.color}
        if "c" in self.axes:
            return NormalizedBoundingBox(
                topleft=self.topleft,
                size=self.size.with_c(num_channels),
                axes=self.axes,
                index=self.index,
                **extra,
            )
        if num_channels != 1:
            raise InvalidArgumentError(
                f"Cannot normalize the box with axes {tuple(self.axes)} to {num_channels} channels: a box without "
                "a channel axis 'c' stands for one channel; add a 'c' axis to the box for more."
            )
        return NormalizedBoundingBox(topleft=self.topleft, size=self.size, axes=self.axes, index=self.index, **extra)

    def denormalize(self) -> NDBoundingBox:
        """This box without a channel axis (a box without one is returned as is)."""
        return self
