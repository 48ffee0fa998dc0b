"""VecInt: an immutable integer vector with named axes (a tuple subclass), plus its parsing helpers."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from .vec3_int import Vec3Int

_T = TypeVar("_T", bound="VecInt")
_XYZ = ("x", "y", "z")
_STR_SPLIT = re.compile(r"[\s,;]+")
_AXES_IN_STR = re.compile(r"axes\s*=\s*[(\[]([^)\]]*)[)\]]")


def coerce_int(value: Any, source: Any = None) -> int:
    """Return ``value`` as a Python int; integral floats are accepted, anything else raises ValueError."""
    if type(value) is int:
        return value
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    where = "" if source is None else f" in {source!r}"
    raise ValueError(f"Expected an integer but got {value!r}{where}; pass whole numbers only.")


def parse_int_string(string: str) -> tuple[int, ...]:
    """Parse ``"1,2,3"``, ``"(1, 2, 3)"``, ``"[1 2 3]"`` or ``"Vec3Int(1,2,3)"`` into a tuple of ints."""
    body = string.strip()
    body = re.sub(r"^[A-Za-z_][A-Za-z0-9_]*\s*\(", "", body).strip().strip("()[]").strip()
    body = re.sub(r",?\s*axes\s*=.*$", "", body)
    if not body:
        return ()
    try:
        return tuple(int(part) for part in _STR_SPLIT.split(body) if part)
    except ValueError:
        raise ValueError(f"Cannot parse an integer vector from {string!r}; write e.g. '1,2,3'.") from None


def parse_values(args: tuple, kwargs: dict) -> tuple[tuple[int, ...], tuple[str, ...] | None]:
    """Turn constructor arguments into ``(ints, axes or None)``; the general (slow) path of VecInt."""
    if kwargs:
        if args:
            raise ValueError(f"Pass components positionally or by axis name, not both: {args} {kwargs}")
        return tuple(coerce_int(v, kwargs) for v in kwargs.values()), tuple(kwargs)
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, VecInt):
            return tuple(arg), arg.axes
        if isinstance(arg, str):
            return parse_int_string(arg), None
        if isinstance(arg, np.ndarray):
            if arg.ndim != 1:
                raise ValueError(f"Expected a 1-d array for a vector but got shape {arg.shape}: {arg!r}")
            return tuple(coerce_int(v, arg) for v in arg.tolist()), None
        if isinstance(arg, Iterable):
            items = tuple(arg)
            return tuple(coerce_int(v, arg) for v in items), None
    return tuple(coerce_int(v, args) for v in args), None


def default_axes(length: int) -> tuple[str, ...]:
    """Axis names used when none are given: x, y, z, then d3, d4, ..."""
    return _XYZ[:length] + tuple(f"d{i}" for i in range(3, length))


class VecInt(tuple):
    """An immutable vector of ints with named axes, e.g. ``VecInt(1, 2, 3, 4, axes=("x", "y", "z", "t"))``.

    It is a tuple: it compares and hashes like the tuple of its values. Arithmetic is elementwise.
    """

    _axes: tuple[str, ...]

    def __new__(cls, *args: Any, axes: Iterable[str] | None = None, **kwargs: Any) -> VecInt:
        """Build from ints, one sequence/array/string/vector, or axis keywords (``x=1, t=4``)."""
        values, parsed_axes = parse_values(args, kwargs)
        if axes is not None:
            parsed_axes = tuple(str(a) for a in axes)
        elif parsed_axes is None:
            parsed_axes = default_axes(len(values))
        return cls._make(values, parsed_axes)

    @classmethod
    def _make(cls: type[_T], values: Iterable[int], axes: tuple[str, ...]) -> _T:
        obj = tuple.__new__(cls, values)
        if len(axes) != len(obj):
            raise ValueError(f"{cls.__name__}: {len(obj)} values {tuple(obj)} but {len(axes)} axes {axes}.")
        object.__setattr__(obj, "_axes", axes)
        return obj

    def _new(self: _T, values: Iterable[int]) -> _T:
        """Build a vector of the same kind and axes from new values."""
        return type(self)._make(values, self.axes)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}.")

    def __reduce__(self) -> tuple:
        return (_rebuild, (type(self), tuple(self), self.axes))

    @property
    def axes(self) -> tuple[str, ...]:
        """Names of the vector's axes."""
        return self._axes

    def __repr__(self) -> str:
        values = ", ".join(str(v) for v in self)
        return f"{type(self).__name__}({values}, axes={self.axes})"

    __str__ = __repr__

    # ---- element access -------------------------------------------------------------------
    def _axis_index(self, axis: str) -> int:
        try:
            return self.axes.index(axis)
        except ValueError:
            raise ValueError(f"{self!r} has no axis {axis!r}; its axes are {self.axes}.") from None

    @property
    def x(self) -> int:
        """Returns the x component of the vector."""
        return self[self._axis_index("x")]

    @property
    def y(self) -> int:
        """Returns the y component of the vector."""
        return self[self._axis_index("y")]

    @property
    def z(self) -> int:
        """Returns the z component of the vector."""
        return self[self._axis_index("z")]

    @property
    def c(self) -> int:
        """Returns the c component of the vector."""
        return self[self._axis_index("c")]

    @property
    def xyz(self) -> Vec3Int:
        """The x, y and z components as a Vec3Int."""
        from .vec3_int import Vec3Int

        return Vec3Int(self.x, self.y, self.z)

    def get(self, axis: str, default: int | None = None) -> int:
        """Returns the value of the specified axis, or ``default`` if the axis is absent."""
        if axis in self.axes:
            return self[self.axes.index(axis)]
        return default  # type: ignore[return-value]

    def with_replaced(self: _T, axis: str | int, new_element: int) -> _T:
        """Returns a new vector with the element at an axis name (or index) replaced."""
        i = self._axis_index(axis) if isinstance(axis, str) else operator.index(axis)
        values = list(self)
        values[i] = coerce_int(new_element)
        return self._new(values)

    def with_x(self: _T, new_x: int) -> _T:
        """Returns a new vector with the x component replaced by the given value."""
        return self.with_replaced("x", new_x)

    def with_y(self: _T, new_y: int) -> _T:
        """Returns a new vector with the y component replaced by the given value."""
        return self.with_replaced("y", new_y)

    def with_z(self: _T, new_z: int) -> _T:
        """Returns a new vector with the z component replaced by the given value."""
        return self.with_replaced("z", new_z)

    def with_c(self: _T, new_c: int) -> _T:
        """Returns a new vector with the c component replaced by the given value."""
        return self.with_replaced("c", new_c)

    def with_xyz(self: _T, new_xyz: Iterable[int]) -> _T:
        """Returns a new vector with x, y and z replaced; components absent from this vector are skipped."""
        values = list(self)
        for axis, value in zip(_XYZ, tuple(new_xyz)):
            if axis in self.axes:
                values[self.axes.index(axis)] = coerce_int(value)
        return self._new(values)

    def moveaxis(self: _T, source: int | list[int], target: int | list[int]) -> _T:
        """Moves the element(s) at ``source`` to ``target`` like ``np.moveaxis`` (not a swap); axes stay."""
        sources = [source] if isinstance(source, int) else list(source)
        targets = [target] if isinstance(target, int) else list(target)
        n = len(self)
        sources = [s % n for s in sources]
        targets = [t % n for t in targets]
        if len(sources) != len(targets):
            raise ValueError(f"moveaxis needs as many sources as targets, got {sources} and {targets}.")
        order = [i for i in range(n) if i not in sources]
        for dest, src in sorted(zip(targets, sources)):
            order.insert(dest, src)
        return self._new(self[i] for i in order)

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
    def contains(self, needle: int) -> bool:
        """Checks if the vector contains a given element."""
        return needle in tuple(self)

    def is_positive(self, strictly_positive: bool = False) -> bool:
        """Checks if all elements are >= 0 (or > 0 with ``strictly_positive``)."""
        if strictly_positive:
            return all(v > 0 for v in self)
        return all(v >= 0 for v in self)

    def is_uniform(self) -> bool:
        """Checks if all elements in the vector are the same."""
        return len(set(self)) <= 1

    def prod(self) -> int:
        """Returns the product of all elements in the vector."""
        return math.prod(self)

    # ---- arithmetic -----------------------------------------------------------------------
    def _operand(self, other: Any) -> tuple[int, ...] | None:
        """The other operand as a tuple of ints of our length, or None if it is not vector-like."""
        if type(other) is int:
            return (other,) * len(self)
        if isinstance(other, Iterable) and not isinstance(other, (str, bytes, dict)):
            items = other.tolist() if isinstance(other, np.ndarray) else tuple(other)
            values = tuple(coerce_int(v, other) for v in items)
            if len(values) != len(self):
                raise ValueError(f"Cannot combine {self!r} with {other!r}: their lengths differ.")
            return values
        try:
            return (operator.index(other),) * len(self)
        except TypeError:
            return None

    def _require(self, other: Any) -> tuple[int, ...]:
        """Like _operand, but raises TypeError for operands that are not vector-like."""
        values = self._operand(other)
        if values is None:
            raise TypeError(f"Expected an int or a vector of {len(self)} ints, got {other!r}.")
        return values

    def _zip(self: _T, other: Any, fn: Any) -> _T:
        values = self._operand(other)
        if values is None:
            return NotImplemented
        return self._new(fn(a, b) for a, b in zip(self, values))

    def _rzip(self: _T, other: Any, fn: Any) -> _T:
        values = self._operand(other)
        if values is None:
            return NotImplemented
        return self._new(fn(b, a) for a, b in zip(self, values))

    def __add__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.add)

    def __radd__(self: _T, other: Any) -> _T:
        return self._rzip(other, operator.add)

    def __sub__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.sub)

    def __rsub__(self: _T, other: Any) -> _T:
        return self._rzip(other, operator.sub)

    def __mul__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.mul)

    def __rmul__(self: _T, other: Any) -> _T:
        return self._rzip(other, operator.mul)

    def __floordiv__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.floordiv)

    def __rfloordiv__(self: _T, other: Any) -> _T:
        return self._rzip(other, operator.floordiv)

    def __mod__(self: _T, other: Any) -> _T:
        return self._zip(other, operator.mod)

    def __rmod__(self: _T, other: Any) -> _T:
        return self._rzip(other, operator.mod)

    def __neg__(self: _T) -> _T:
        return self._new(-v for v in self)

    def __pos__(self: _T) -> _T:
        return self

    def __abs__(self: _T) -> _T:
        return self._new(abs(v) for v in self)

    def ceildiv(self: _T, other: int | VecIntLike) -> _T:
        """Returns a new vector with the ceil division of each element by the other."""
        return self._zip(other, lambda a, b: -(-a // b))

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
    @classmethod
    def from_str(cls, string: str) -> VecInt:
        """Returns a new vector parsed from ``"1,2,3"``, ``"(1, 2, 3)"`` or a VecInt repr with ``axes=``."""
        match = _AXES_IN_STR.search(string)
        if match is None:
            return cls(parse_int_string(string))
        axes = tuple(name.strip(" '\"") for name in match.group(1).split(",") if name.strip(" '\""))
        return cls(parse_int_string(string), axes=axes)

    @classmethod
    def full(cls, an_int: int, axes: tuple[str, ...]) -> VecInt:
        """Returns a new vector with all elements set to ``an_int``."""
        axes = tuple(axes)
        return cls._make((coerce_int(an_int),) * len(axes), axes)

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


def parse_vec_int(value: Any) -> VecInt:
    """Converter: anything vector-like to a VecInt (a VecInt is returned unchanged)."""
    if isinstance(value, VecInt):
        return value
    return VecInt(value)


def parse_vec_int_or_none(value: Any) -> VecInt | None:
    """Converter: like parse_vec_int but lets None through."""
    return None if value is None else parse_vec_int(value)


def str_iterable_to_tuple(value: str | Iterable[str]) -> tuple[str, ...]:
    """Converter: an iterable of axis names (or one comma separated string) to a tuple of str."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v) for v in value)


VecIntLike = VecInt | tuple[int, ...] | list[int] | np.ndarray
