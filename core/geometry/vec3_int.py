"""Vec3Int: the x/y/z integer vector used for positions, sizes and shapes; construction is a hot path."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import GeometryValueError
from .vec_int import VecInt, parse_int_string, to_int

_XYZ = ("x", "y", "z")
_XYZ_SET = frozenset(_XYZ)
_USAGE = "Vector components must be three integers or a Vec3IntLike object, got {!r}."
_FROM_STR = re.compile(r"(?:Vec3Int)?\(\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*\)|(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)")

_tnew = tuple.__new__  # builds a Vec3Int from three Python ints without checks: _tnew(Vec3Int, (x, y, z))
_tget = tuple.__getitem__


def _string_components(string: str) -> tuple[int, ...]:
    """``"n"`` as ``(n, n, n)``, ``"x,y,z"`` (or its repr forms) as three ints."""
    values = parse_int_string(string)
    return values * 3 if len(values) == 1 else values


class Vec3Int(VecInt):
    """An immutable (x, y, z) integer vector; equal to and hashed like the tuple ``(x, y, z)``.

    Accepts ``Vec3Int(1, 2, 3)``, ``Vec3Int((1, 2, 3))``, lists, numpy arrays, other vectors, ``Vec3Int(x=1,
    y=2, z=3)``, three values with their ``axes`` order (``Vec3Int(3, 2, 1, axes="zyx")``) and strings like
    ``"1,2,3"``. Components go through ``int()`` (floats are truncated).
    """

    axes = _XYZ  # type: ignore[assignment]

    def __new__(cls, *args: Any, axes: Iterable[str] | None = _XYZ, **kwargs: Any) -> Vec3Int:
        """Build from three values (fast path for ints), one vector-like value, or ``x=, y=, z=``."""
        if not kwargs and axes is _XYZ:
            if len(args) == 3:
                x, y, z = args
                if type(x) is int and type(y) is int and type(z) is int:
                    return _tnew(cls, args)
            elif len(args) == 1:
                arg = args[0]
                kind = type(arg)
                if kind is cls:
                    return arg
                if kind is tuple and len(arg) == 3:
                    x, y, z = arg
                    if type(x) is int and type(y) is int and type(z) is int:
                        return _tnew(cls, arg)
        return cls._parse(args, axes, kwargs)

    @classmethod
    def _parse(cls, args: tuple, axes: Iterable[str] | None, kwargs: dict) -> Vec3Int:
        """General conversion path for everything the fast paths do not cover."""
        if kwargs:
            if args or kwargs.keys() != _XYZ_SET:
                raise GeometryValueError(_USAGE.format(kwargs if not args else (args, kwargs)))
            return _tnew(cls, (to_int(kwargs["x"]), to_int(kwargs["y"]), to_int(kwargs["z"])))
        if len(args) == 3:
            order = None if axes is None else tuple(axes)
            if order is None or len(order) != 3 or set(order) != _XYZ_SET:
                raise GeometryValueError(_USAGE.format(args) + f" Axes {order!r} must name x, y and z.")
            x, y, z = (args[order.index(axis)] for axis in _XYZ)
            return _tnew(cls, (to_int(x), to_int(y), to_int(z)))
        if len(args) != 1 or axes is None:
            raise GeometryValueError(_USAGE.format(args))
        arg = args[0]
        if isinstance(arg, str):
            values: Any = _string_components(arg)
        elif isinstance(arg, np.ndarray):
            if arg.ndim == 0:
                raise TypeError("iteration over a 0-d array")
            if arg.ndim == 2 and arg.shape[0] == 1:
                arg = arg[0]
            if arg.ndim != 1:
                raise GeometryValueError(_USAGE.format(arg) + f" (an array of shape {arg.shape})")
            values = arg.tolist()
        elif isinstance(arg, Iterable):
            values = list(arg)
            if len(values) == 1 and isinstance(values[0], Iterable) and not isinstance(values[0], str):
                values = list(values[0])
        else:
            raise GeometryValueError(_USAGE.format(arg))
        if len(values) != 3:
            raise GeometryValueError(_USAGE.format(arg))
        x, y, z = values
        return _tnew(cls, (to_int(x), to_int(y), to_int(z)))

    @classmethod
    def _make(cls, values: Iterable[int], axes: tuple[str, ...] = _XYZ) -> Vec3Int:
        obj = _tnew(cls, values)
        if len(obj) != 3:
            raise GeometryValueError(_USAGE.format(tuple(obj)))
        return obj

    def _new(self, values: Iterable[int]) -> Vec3Int:
        return _tnew(Vec3Int, values)

    def _rebuild(self, values: list) -> Vec3Int:
        if len(values) != 3:
            raise GeometryValueError(_USAGE.format(tuple(values)))
        return Vec3Int(*values)

    def __reduce__(self) -> tuple:
        return (Vec3Int, (tuple(self),))

    def __repr__(self) -> str:
        x, y, z = self
        return f"Vec3Int({x},{y},{z})"

    __str__ = __repr__

    x = property(lambda self: _tget(self, 0), doc="The x component.")  # type: ignore[assignment]
    y = property(lambda self: _tget(self, 1), doc="The y component.")  # type: ignore[assignment]
    z = property(lambda self: _tget(self, 2), doc="The z component.")  # type: ignore[assignment]

    @property
    def xyz(self) -> Vec3Int:
        """The vector itself (it already is x, y, z)."""
        return self

    def with_x(self, new_x: int) -> Vec3Int:
        """Returns a copy with x replaced."""
        _, y, z = self
        return _tnew(Vec3Int, (to_int(new_x), y, z))

    def with_y(self, new_y: int) -> Vec3Int:
        """Returns a copy with y replaced."""
        x, _, z = self
        return _tnew(Vec3Int, (x, to_int(new_y), z))

    def with_z(self, new_z: int) -> Vec3Int:
        """Returns a copy with z replaced."""
        x, y, _ = self
        return _tnew(Vec3Int, (x, y, to_int(new_z)))

    def to_tuple(self) -> tuple[int, int, int]:
        """Returns the vector as a plain tuple."""
        return tuple(self)  # type: ignore[return-value]

    # ---- hot arithmetic: unrolled for three components ------------------------------------
    def _operand3(self, other: Any) -> tuple:
        kind = type(other)
        if kind is Vec3Int:
            return other
        if kind is int:
            return (other, other, other)
        return self._operand(other)

    def __add__(self, other: Any) -> Vec3Int:
        x, y, z = self
        a, b, c = other if type(other) is Vec3Int else self._operand3(other)
        return _tnew(Vec3Int, (x + a, y + b, z + c))

    def __sub__(self, other: Any) -> Vec3Int:
        x, y, z = self
        a, b, c = other if type(other) is Vec3Int else self._operand3(other)
        return _tnew(Vec3Int, (x - a, y - b, z - c))

    def __mul__(self, other: Any) -> Vec3Int:
        x, y, z = self
        a, b, c = other if type(other) is Vec3Int else self._operand3(other)
        return _tnew(Vec3Int, (x * a, y * b, z * c))

    def __floordiv__(self, other: Any) -> Vec3Int:
        x, y, z = self
        a, b, c = self._operand3(other)
        return _tnew(Vec3Int, (x // a, y // b, z // c))

    def __mod__(self, other: Any) -> Vec3Int:
        x, y, z = self
        a, b, c = self._operand3(other)
        return _tnew(Vec3Int, (x % a, y % b, z % c))

    def pairmax(self, other: int | Vec3IntLike) -> Vec3Int:
        """Elementwise maximum with an int or vector."""
        x, y, z = self
        a, b, c = self._operand3(other)
        return _tnew(Vec3Int, (max(x, a), max(y, b), max(z, c)))

    def pairmin(self, other: int | Vec3IntLike) -> Vec3Int:
        """Elementwise minimum with an int or vector."""
        x, y, z = self
        a, b, c = self._operand3(other)
        return _tnew(Vec3Int, (min(x, a), min(y, b), min(z, c)))

    def ceildiv(self, other: int | Vec3IntLike) -> Vec3Int:
        """``(self + other - 1) // other``: the ceil division for positive divisors."""
        kind = type(other)
        if kind is int or kind is Vec3Int:
            x, y, z = self
            a, b, c = (other, other, other) if kind is int else other
            return _tnew(Vec3Int, ((x + a - 1) // a, (y + b - 1) // b, (z + c - 1) // c))
        return (self + other - 1) // other

    def __neg__(self) -> Vec3Int:
        x, y, z = self
        return _tnew(Vec3Int, (-x, -y, -z))

    # ---- factories ------------------------------------------------------------------------
    @staticmethod
    def from_xyz(x: int, y: int, z: int) -> Vec3Int:
        """Use Vec3Int.from_xyz for fast construction (no checks)."""
        return _tnew(Vec3Int, (x, y, z))

    @staticmethod
    def from_vec3_float(vec: tuple[float, float, float]) -> Vec3Int:
        """Truncates the first three numbers to ints."""
        return _tnew(Vec3Int, (int(vec[0]), int(vec[1]), int(vec[2])))

    @staticmethod
    def from_vec_or_int(vec_or_int: Vec3IntLike | int) -> Vec3Int:
        """An int n becomes ``(n, n, n)``; anything vector-like is converted."""
        if isinstance(vec_or_int, int):
            return _tnew(Vec3Int, (int(vec_or_int),) * 3)
        return Vec3Int(vec_or_int)

    @staticmethod
    def from_str(string: str) -> Vec3Int:
        """Parses ``"1,2,3"``, ``"(1, 2, 3)"`` or ``"Vec3Int(1,2,3)"``; a single number ``"n"`` means (n, n, n)."""
        match = _FROM_STR.fullmatch(string.strip())
        if match is not None:
            x, y, z = (int(v) for v in match.groups() if v is not None)
            return _tnew(Vec3Int, (x, y, z))
        try:
            n = int(string)
        except ValueError:
            raise ValueError(f"Cannot parse a Vec3Int from {string!r}; write e.g. '1,2,3' or '(1,2,3)'.") from None
        return _tnew(Vec3Int, (n, n, n))

    @classmethod
    def full(cls, an_int: int, _axes: tuple[str, ...] = _XYZ) -> Vec3Int:  # type: ignore[override]
        """``(an_int, an_int, an_int)``."""
        n = to_int(an_int)
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


def as_vec3_int_or_none(vec3_int_like: Vec3IntLike | None) -> Vec3Int | None:
    """``Vec3Int(vec3_int_like)``, or None for None."""
    return None if vec3_int_like is None else Vec3Int(vec3_int_like)
