"""VecInt: an immutable integer vector with named axes (a tuple subclass), plus its conversion helpers.

Conversions follow the reference: components go through ``int()`` (floats are truncated, ``"4"`` is parsed),
arithmetic broadcasts Python ints and otherwise reads the operand as a vector of the same axes.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .errors import AxisNotFoundError, GeometryValueError

if TYPE_CHECKING:
    from .vec3_int import Vec3Int

_T = TypeVar("_T", bound="VecInt")
_XYZ = ("x", "y", "z")
_STR_SPLIT = re.compile(r"[\s,;]+")
_AXES_IN_STR = re.compile(r"axes\s*=\s*[(\[]([^)\]]*)[)\]]")
_tuple_getitem = tuple.__getitem__
USAGE = (
    "VecInt takes int values and axes (`VecInt(1, 2, 3, 4, axes=('x', 'y', 'z', 't'))`), axis names as keywords "
    "(`VecInt(x=10, y=42, z=3, t=100)`) or two iterables of values and axis names; got {!r}."
)


def to_int(value: Any) -> int:
    """``int(value)`` as the reference converts components: floats truncate, numeric strings parse."""
    return value if type(value) is int else int(value)


def parse_int_string(string: str) -> tuple[int, ...]:
    """Parse ``"1,2,3"``, ``"(1, 2, 3)"``, ``"[1 2 3]"`` or ``"Vec3Int(1,2,3)"`` into a tuple of ints."""
    body = string.strip()
    body = re.sub(r"^[A-Za-z_][A-Za-z0-9_]*\s*\(", "", body).strip().strip("()[]").strip()
    body = re.sub(r",?\s*axes\s*=.*$", "", body)
    if not body:
        raise GeometryValueError(f"Cannot parse an integer vector from {string!r}; write e.g. '1,2,3'.")
    try:
        return tuple(int(part) for part in _STR_SPLIT.split(body) if part)
    except ValueError:
        raise GeometryValueError(f"Cannot parse an integer vector from {string!r}; write e.g. '1,2,3'.") from None


def int_components(values: Iterable[Any], strict_floats: bool = False) -> tuple[int, ...]:
    """The components of an iterable through ``int()``; with ``strict_floats`` a float array must be integral."""
    if isinstance(values, np.ndarray):
        if values.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        if strict_floats and values.dtype.kind == "f" and not np.all(np.mod(values, 1) == 0):
            raise GeometryValueError(f"A VecInt needs whole numbers, got the float array {values!r}.")
        if values.ndim == 1:
            return tuple(to_int(v) for v in values.tolist())
    return tuple(to_int(v) for v in values)


def default_axes(length: int) -> tuple[str, ...]:
    """Axis names used when none are given: x, y, z, then d3, d4, ..."""
    return _XYZ[:length] + tuple(f"d{i}" for i in range(3, length))


def operand_values(other: Any, axes: tuple) -> tuple[int, ...]:
    """``other`` read as the reference reads an arithmetic operand: as ``VecInt(other, axes=axes)``."""
    if isinstance(other, VecInt):
        if len(other) != len(axes):
            raise ValueError("The number of axes must match the number of axes in the VecInt.")
        return tuple(other)
    if isinstance(other, str):
        raise GeometryValueError(USAGE.format(other))
    if isinstance(other, (Iterable, np.ndarray)):
        return int_components(other, strict_floats=True)
    return (to_int(other),)


class VecInt(tuple):
    """An immutable vector of ints with named axes, e.g. ``VecInt(1, 2, 3, 4, axes=("x", "y", "z", "t"))``.

    It is a tuple: it compares and hashes like the tuple of its values. Arithmetic is elementwise; a Python int
    is broadcast, anything else is read as a vector of the same axes. ``vec["x"]`` reads an axis by name.
    """

    _axes: tuple[str, ...]

    def __new__(cls, *args: Any, axes: Iterable[str] | None = None, **kwargs: Any) -> VecInt:
        """Build from values and ``axes``, from axis keywords (``x=1, t=4``) or from ``(values, axis_names)``.

        Without axes they default to x, y, z, d3, ... (the reference refuses that, though its documentation
        writes ``VecInt(2, 3, 4, 5)``).
        """
        if kwargs and not args:  # with positional values the keywords are ignored, as in the reference
            if axes is not None:
                raise GeometryValueError(USAGE.format(kwargs))
            return cls._make(tuple(to_int(v) for v in kwargs.values()), tuple(kwargs))
        if len(args) == 1 and isinstance(args[0], VecInt):
            vec = args[0]
            if axes is None:
                return vec
            names = tuple(axes)
            if len(names) != len(vec):
                raise ValueError("The number of axes must match the number of axes in the VecInt.")
            return cls._make(tuple(vec), names)
        positional = True
        if axes is None and len(args) == 2 and isinstance(args[0], Iterable) and isinstance(args[1], Iterable):
            args, axes = (args[0],), args[1]
        if len(args) == 1 and isinstance(args[0], (Iterable, np.ndarray)):
            if isinstance(args[0], str):
                raise GeometryValueError(USAGE.format(args))
            values, positional = args[0], False
        else:
            values = args
        if positional and values and isinstance(values[0], str):
            raise GeometryValueError(USAGE.format(args))
        ints = int_components(values, strict_floats=True)
        names = default_axes(len(ints)) if axes is None else tuple(axes)  # daedalus: axes default to x, y, z, d3
        if len(names) != len(ints):
            raise GeometryValueError(
                f"VecInt got {len(ints)} values {ints} but {len(names)} axes {names}; give one axis per value."
            )
        return cls._make(ints, names)

    @classmethod
    def _make(cls: type[_T], values: Iterable[int], axes: tuple[str, ...]) -> _T:
        obj = tuple.__new__(cls, values)
        if len(axes) != len(obj):
            raise GeometryValueError(f"{cls.__name__}: {len(obj)} values {tuple(obj)} but {len(axes)} axes {axes}.")
        object.__setattr__(obj, "_axes", axes)
        return obj

    def _new(self: _T, values: Iterable[int]) -> _T:
        """Build a vector of the same kind and axes from new values."""
        return type(self)._make(values, self.axes)

    def _rebuild(self: _T, values: list) -> _T:
        """A vector of the same kind and axes from raw values, converted like positional constructor values."""
        if values and isinstance(values[0], str):
            raise GeometryValueError(USAGE.format(tuple(values)))
        return type(self)._make(tuple(to_int(v) for v in values), self.axes)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}.")

    def __reduce__(self) -> tuple:
        return (_rebuild, (type(self), tuple(self), self.axes))

    @property
    def axes(self) -> tuple[str, ...]:
        """Names of the vector's axes."""
        return self._axes

    def __repr__(self) -> str:
        return f"{type(self).__name__}({','.join(str(v) for v in self)}, axes={self.axes!r})"

    __str__ = __repr__

    # ---- element access -------------------------------------------------------------------
    def __getitem__(self, index: Any) -> Any:
        if type(index) is str:
            return _tuple_getitem(self, self._index_of(index))
        return _tuple_getitem(self, index)

    def _index_of(self, axis: str) -> int:
        try:
            return self.axes.index(axis)
        except ValueError:
            raise AxisNotFoundError(f"Axis {axis} not found in {self.axes}") from None

    def _component(self, axis: str) -> int:
        try:
            return _tuple_getitem(self, self.axes.index(axis))
        except ValueError:
            raise AxisNotFoundError(f"The vector does not have an {axis} component.") from None

    @property
    def x(self) -> int:
        """Returns the x component of the vector."""
        return self._component("x")

    @property
    def y(self) -> int:
        """Returns the y component of the vector."""
        return self._component("y")

    @property
    def z(self) -> int:
        """Returns the z component of the vector."""
        return self._component("z")

    @property
    def c(self) -> int:
        """Returns the c component of the vector."""
        return self._component("c")

    @property
    def xyz(self) -> Vec3Int:
        """The x, y and z components as a Vec3Int."""
        from .vec3_int import Vec3Int

        return Vec3Int(self.x, self.y, self.z)

    def get(self, axis: str, default: int | None = None) -> int:
        """The value of ``axis``; ``default`` when the axis is absent (KeyError when that is None)."""
        if axis in self.axes:
            return _tuple_getitem(self, self.axes.index(axis))
        if default is None:
            raise AxisNotFoundError(f"Axis {axis} not found in {self.axes}")
        return default

    def with_replaced(self: _T, axis: str | int, new_element: int) -> _T:
        """A new vector with the element at an axis name (or position) replaced."""
        index = axis if isinstance(axis, int) else self.axes.index(axis)
        values = list(self)
        return self._rebuild(values[:index] + [new_element] + values[index + 1 :])

    def with_x(self: _T, new_x: int) -> _T:
        """A new vector with the x component replaced (the vector needs x, y and z)."""
        from .vec3_int import Vec3Int

        return self.with_xyz(Vec3Int(new_x, self.y, self.z))

    def with_y(self: _T, new_y: int) -> _T:
        """A new vector with the y component replaced (the vector needs x, y and z)."""
        from .vec3_int import Vec3Int

        return self.with_xyz(Vec3Int(self.x, new_y, self.z))

    def with_z(self: _T, new_z: int) -> _T:
        """A new vector with the z component replaced (the vector needs x, y and z)."""
        from .vec3_int import Vec3Int

        return self.with_xyz(Vec3Int(self.x, self.y, new_z))

    def with_c(self: _T, new_c: int) -> _T:
        """A new vector with the c component replaced."""
        if "c" not in self.axes:
            raise AxisNotFoundError("The vector does not have an c component.")
        return self.with_replaced(self.axes.index("c"), new_c)

    def with_xyz(self: _T, new_xyz: Vec3Int) -> _T:
        """A new vector with x, y and z taken from ``new_xyz`` (which has ``.x/.y/.z``); absent axes are skipped."""
        replacements = (new_xyz.x, new_xyz.y, new_xyz.z)
        values = list(self)
        axes = self.axes
        for axis, value in zip(_XYZ, replacements):
            if axis in axes:
                values[axes.index(axis)] = to_int(value)
        return self._new(values)

    def moveaxis(self: _T, source: int | list[int], target: int | list[int]) -> _T:
        """Moves the element(s) at ``source`` to ``target`` like ``np.moveaxis`` (not a swap); axes stay."""
        sources = [source] if isinstance(source, int) else list(source)
        targets = [target] if isinstance(target, int) else list(target)
        n = len(self)
        if len(sources) != len(targets):
            raise ValueError(f"moveaxis needs as many sources as targets, got {sources} and {targets}.")
        for position, role in [*((s, "source") for s in sources), *((t, "destination") for t in targets)]:
            if not -n <= position < n:
                raise np.exceptions.AxisError(position, n, role)
        sources = [s % n for s in sources]
        targets = [t % n for t in targets]
        order = [i for i in range(n) if i not in sources]
        for dest, src in sorted(zip(targets, sources)):
            order.insert(dest, src)
        return self._new(_tuple_getitem(self, i) for i in order)

    # ---- conversions ----------------------------------------------------------------------
    def to_np(self) -> np.ndarray:
        """Returns the vector as a numpy array."""
        return np.array(tuple(self))

    def to_list(self) -> list[int]:
        """Returns the vector as a list."""
        return list(self)

    def to_tuple(self) -> tuple[int, ...]:
        """Returns the vector as a plain tuple."""
        return tuple(self)

    # ---- predicates and reductions --------------------------------------------------------
    def count(self, value: Any) -> int:
        """How often ``value`` occurs in the vector."""
        return tuple.count(self, value)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The first position of ``value`` (between ``start`` and ``stop``); ValueError when it is absent."""
        return tuple.index(self, value, start, len(self) if stop is None else stop)

    def contains(self, needle: int) -> bool:
        """Checks if the vector contains a given element."""
        return tuple.__contains__(self, needle)

    def is_positive(self, strictly_positive: bool = False) -> bool:
        """Checks if all elements are >= 0 (or > 0 with ``strictly_positive``)."""
        if strictly_positive:
            return all(v > 0 for v in self)
        return all(v >= 0 for v in self)

    def is_uniform(self) -> bool:
        """Checks if all elements in the vector are the same (IndexError for an empty vector)."""
        first = _tuple_getitem(self, 0)
        return all(v == first for v in self)

    def prod(self) -> int:
        """Returns the product of all elements in the vector."""
        return math.prod(self)

    # ---- arithmetic -----------------------------------------------------------------------
    def _operand(self, other: Any) -> tuple[int, ...]:
        """The other operand as ints of our length: a Python int is broadcast, anything else read as a vector."""
        if isinstance(other, int):
            return (other if type(other) is int else int(other),) * len(self)
        values = operand_values(other, self.axes)
        if len(values) != len(self):
            raise GeometryValueError(f"{other} and {self} are not equally shaped.")
        return values

    def _zip(self: _T, other: Any, fn: Any) -> _T:
        return self._new(fn(a, b) for a, b in zip(self, self._operand(other)))

    def _reflected(self, other: Any, symbol: str) -> Any:
        # A plain tuple on the left would otherwise concatenate or repeat; the reference has no reflected operators.
        raise TypeError(
            f"unsupported operand type(s) for {symbol}: '{type(other).__name__}' and '{type(self).__name__}'"
        )

    def __add__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.add)

    def __radd__(self, other: Any) -> Any:
        return self._reflected(other, "+")

    def __sub__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.sub)

    def __mul__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.mul)

    def __rmul__(self, other: Any) -> Any:
        return self._reflected(other, "*")

    def __floordiv__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.floordiv)

    def __mod__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.mod)

    def __neg__(self: _T) -> _T:
        return self._new(-v for v in self)

    def ceildiv(self: _T, other: int | VecIntLike) -> _T:
        """``(self + other - 1) // other``: the ceil division for positive divisors."""
        return (self + other - 1) // other

    def pairmax(self: _T, other: int | VecIntLike) -> _T:
        """Returns a new vector with the maximum of each pair of elements."""
        return self._zip(other, max)

    def pairmin(self: _T, other: int | VecIntLike) -> _T:
        """Returns a new vector with the minimum of each pair of elements."""
        return self._zip(other, min)

    def add_or_none(self: _T, other: VecInt | None) -> _T | None:
        """Adds two vectors or returns None if the other is None."""
        return None if other is None else self + other

    # ---- factories ------------------------------------------------------------------------
    @staticmethod
    def from_str(string: str) -> VecInt:
        """A vector parsed from ``"1,2,3"`` or a VecInt repr with ``axes=`` (default axes x, y, z, d3, ...)."""
        values = parse_int_string(string)
        match = _AXES_IN_STR.search(string)
        if match is None:
            return VecInt._make(values, default_axes(len(values)))
        axes = tuple(name.strip(" '\"") for name in match.group(1).split(",") if name.strip(" '\""))
        return VecInt(values, axes=axes)

    @classmethod
    def full(cls, an_int: int, axes: tuple[str, ...]) -> VecInt:
        """Returns a new vector with all elements set to ``an_int``."""
        n = len(axes)
        return cls._make((to_int(an_int),) * n, tuple(axes))

    @classmethod
    def zeros(cls, axes: tuple[str, ...]) -> VecInt:
        """Returns a new vector with all elements set to 0."""
        return cls.full(0, axes)

    @classmethod
    def ones(cls, axes: tuple[str, ...]) -> VecInt:
        """Returns a new vector with all elements set to 1."""
        return cls.full(1, axes)


def _rebuild(cls: type, values: tuple[int, ...], axes: tuple[str, ...]) -> VecInt:
    """Unpickle a vector."""
    return cls._make(values, axes)


VecIntLike = VecInt | tuple[int, ...] | list[int] | np.ndarray
