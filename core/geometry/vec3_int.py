"""Vec3Int: the x/y/z integer vector used for positions, sizes and shapes; construction is a hot path."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import numpy as np

from .vec_int import VecInt, coerce_int, parse_int_string, parse_values

_XYZ = ("x", "y", "z")


_tnew = tuple.__new__  # builds a Vec3Int from three Python ints without checks: _tnew(Vec3Int, (x, y, z))


class Vec3Int(VecInt):
    """An immutable (x, y, z) integer vector; equal to and hashed like the tuple ``(x, y, z)``.

    Accepts ``Vec3Int(1, 2, 3)``, ``Vec3Int((1, 2, 3))``, lists, 1-d numpy arrays, other vectors,
    ``Vec3Int(x=1, y=2, z=3)`` and strings like ``"1,2,3"``.
    """

    axes = _XYZ  # type: ignore[assignment]

    def __new__(cls, *args: Any, **kwargs: Any) -> Vec3Int:
        """Build from three ints (fast path), one vector-like value, or ``x=, y=, z=``."""
        if len(args) == 3:
            x, y, z = args
            if type(x) is int and type(y) is int and type(z) is int:
                return tuple.__new__(cls, args)
        elif len(args) == 1:
            arg = args[0]
            kind = type(arg)
            if kind is cls:
                return arg
            if kind is tuple and len(arg) == 3:
                x, y, z = arg
                if type(x) is int and type(y) is int and type(z) is int:
                    return tuple.__new__(cls, arg)
        return cls._parse(args, kwargs)

    @classmethod
    def _parse(cls, args: tuple, kwargs: dict) -> Vec3Int:
        """General conversion path for everything the fast paths do not cover."""
        if len(args) == 1 and not kwargs:
            arg = args[0]
            if isinstance(arg, np.ndarray) and arg.shape == (3,) and arg.dtype.kind in "iu":
                return tuple.__new__(cls, arg.tolist())
            if type(arg) is list and len(arg) == 3 and all(type(v) is int for v in arg):
                return tuple.__new__(cls, arg)
        kwargs.pop("axes", None)
        if kwargs and not args and set(kwargs) == set(_XYZ):
            return tuple.__new__(cls, (coerce_int(kwargs[a], kwargs) for a in _XYZ))
        values, axes = parse_values(args, kwargs)
        if len(values) != 3:
            shown = args[0] if len(args) == 1 else args
            raise ValueError(f"Vec3Int needs exactly 3 integers (x, y, z) but got {shown!r}.")
        if axes is not None and axes != _XYZ and set(axes) == set(_XYZ):
            values = tuple(values[axes.index(a)] for a in _XYZ)
        return tuple.__new__(cls, values)

    @classmethod
    def _make(cls, values: Iterable[int], axes: tuple[str, ...] = _XYZ) -> Vec3Int:
        obj = tuple.__new__(cls, values)
        if len(obj) != 3:
            raise ValueError(f"Vec3Int needs exactly 3 integers (x, y, z) but got {tuple(obj)!r}.")
        return obj

    def _new(self, values: Iterable[int]) -> Vec3Int:
        return tuple.__new__(Vec3Int, values)

    def __reduce__(self) -> tuple:
        return (Vec3Int, (tuple(self),))

    def __repr__(self) -> str:
        return f"Vec3Int({self[0]},{self[1]},{self[2]})"

    __str__ = __repr__

    x = property(operator.itemgetter(0), doc="The x component.")  # type: ignore[assignment]
    y = property(operator.itemgetter(1), doc="The y component.")  # type: ignore[assignment]
    z = property(operator.itemgetter(2), doc="The z component.")  # type: ignore[assignment]

    @property
    def xyz(self) -> Vec3Int:
        """The vector itself (it already is x, y, z)."""
        return self

    def with_x(self, new_x: int) -> Vec3Int:
        """Returns a copy with x replaced."""
        return _tnew(Vec3Int, (coerce_int(new_x), self[1], self[2]))

    def with_y(self, new_y: int) -> Vec3Int:
        """Returns a copy with y replaced."""
        return _tnew(Vec3Int, (self[0], coerce_int(new_y), self[2]))

    def with_z(self, new_z: int) -> Vec3Int:
        """Returns a copy with z replaced."""
        return _tnew(Vec3Int, (self[0], self[1], coerce_int(new_z)))

    def to_tuple(self) -> tuple[int, int, int]:
        """Returns the vector as a plain tuple."""
        return (self[0], self[1], self[2])

    # ---- hot arithmetic: unrolled for three components ------------------------------------
    def _operand3(self, other: Any) -> tuple | None:
        kind = type(other)
        if kind is Vec3Int:
            return other
        if kind is int:
            return (other, other, other)
        return self._operand(other)

    def _require(self, other: Any) -> tuple:
        kind = type(other)
        if kind is Vec3Int:
            return other
        if kind is int:
            return (other, other, other)
        return super()._require(other)

    def __add__(self, other: Any) -> Vec3Int:
        if type(other) is Vec3Int:
            return _tnew(Vec3Int, (self[0] + other[0], self[1] + other[1], self[2] + other[2]))
        o = self._operand3(other)
        if o is None:
            return NotImplemented
        return _tnew(Vec3Int, (self[0] + o[0], self[1] + o[1], self[2] + o[2]))

    def __radd__(self, other: Any) -> Vec3Int:
        return self.__add__(other)

    def __sub__(self, other: Any) -> Vec3Int:
        if type(other) is Vec3Int:
            return _tnew(Vec3Int, (self[0] - other[0], self[1] - other[1], self[2] - other[2]))
        o = self._operand3(other)
        if o is None:
            return NotImplemented
        return _tnew(Vec3Int, (self[0] - o[0], self[1] - o[1], self[2] - o[2]))

    def __mul__(self, other: Any) -> Vec3Int:
        if type(other) is Vec3Int:
            return _tnew(Vec3Int, (self[0] * other[0], self[1] * other[1], self[2] * other[2]))
        o = self._operand3(other)
        if o is None:
            return NotImplemented
        return _tnew(Vec3Int, (self[0] * o[0], self[1] * o[1], self[2] * o[2]))

    def __rmul__(self, other: Any) -> Vec3Int:
        return self.__mul__(other)

    def __floordiv__(self, other: Any) -> Vec3Int:
        if type(other) is Vec3Int:
            return _tnew(Vec3Int, (self[0] // other[0], self[1] // other[1], self[2] // other[2]))
        o = self._operand3(other)
        if o is None:
            return NotImplemented
        return _tnew(Vec3Int, (self[0] // o[0], self[1] // o[1], self[2] // o[2]))

    def __mod__(self, other: Any) -> Vec3Int:
        o = self._operand3(other)
        if o is None:
            return NotImplemented
        return _tnew(Vec3Int, (self[0] % o[0], self[1] % o[1], self[2] % o[2]))

    def pairmax(self, other: int | Vec3IntLike) -> Vec3Int:
        """Elementwise maximum with an int or vector."""
        o = self._require(other)
        return _tnew(Vec3Int, (max(self[0], o[0]), max(self[1], o[1]), max(self[2], o[2])))

    def pairmin(self, other: int | Vec3IntLike) -> Vec3Int:
        """Elementwise minimum with an int or vector."""
        o = self._require(other)
        return _tnew(Vec3Int, (min(self[0], o[0]), min(self[1], o[1]), min(self[2], o[2])))

    def ceildiv(self, other: int | Vec3IntLike) -> Vec3Int:
        """Elementwise ceil division by an int or vector."""
        o = self._require(other)
        return _tnew(Vec3Int, (-(-self[0] // o[0]), -(-self[1] // o[1]), -(-self[2] // o[2])))

    def __neg__(self) -> Vec3Int:
        return _tnew(Vec3Int, (-self[0], -self[1], -self[2]))

    # ---- factories ------------------------------------------------------------------------
    @staticmethod
    def from_xyz(x: int, y: int, z: int) -> Vec3Int:
        """Use Vec3Int.from_xyz for fast construction (no checks)."""
        return _tnew(Vec3Int, (x, y, z))

    @staticmethod
    def from_vec3_float(vec: tuple[float, float, float]) -> Vec3Int:
        """Truncates three floats to ints."""
        return _tnew(Vec3Int, (int(vec[0]), int(vec[1]), int(vec[2])))

    @staticmethod
    def from_vec_or_int(vec_or_int: Vec3IntLike | int) -> Vec3Int:
        """An int n becomes ``(n, n, n)``; anything vector-like is converted."""
        if isinstance(vec_or_int, (int, np.integer)):
            n = int(vec_or_int)
            return _tnew(Vec3Int, (n, n, n))
        return Vec3Int(vec_or_int)

    @staticmethod
    def from_str(string: str) -> Vec3Int:
        """Parses ``"1,2,3"``, ``"(1, 2, 3)"`` or ``"Vec3Int(1,2,3)"``."""
        return Vec3Int(parse_int_string(string))

    @classmethod
    def full(cls, an_int: int, _axes: tuple[str, ...] = _XYZ) -> Vec3Int:  # type: ignore[override]
        """``(an_int, an_int, an_int)``."""
        n = coerce_int(an_int)
        return _tnew(Vec3Int, (n, n, n))

    @classmethod
    def zeros(cls, _axes: tuple[str, ...] = _XYZ) -> Vec3Int:  # type: ignore[override]
        """``(0, 0, 0)``."""
        return _tnew(Vec3Int, (0, 0, 0))

    @classmethod
    def ones(cls, _axes: tuple[str, ...] = _XYZ) -> Vec3Int:  # type: ignore[override]
        """``(1, 1, 1)``."""
        return _tnew(Vec3Int, (1, 1, 1))


Vec3IntLike = Vec3Int | tuple[int, int, int] | np.ndarray | Iterable[int]
