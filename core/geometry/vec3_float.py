"""Vec3Float: an immutable (x, y, z) float vector, e.g. for voxel sizes and float positions."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import numpy as np


def _floats(values: Iterable[Any], source: Any) -> tuple[float, float, float]:
    try:
        result = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ValueError(f"Vec3Float needs 3 numbers (x, y, z) but got {source!r}.") from None
    if len(result) != 3:
        raise ValueError(f"Vec3Float needs exactly 3 numbers (x, y, z) but got {source!r}.")
    return result  # type: ignore[return-value]


class Vec3Float(tuple):
    """An immutable (x, y, z) vector of floats; equal to and hashed like the tuple of its values."""

    axes = ("x", "y", "z")

    def __new__(cls, *args: Any, **kwargs: Any) -> Vec3Float:
        """Build from three numbers, one sequence/array/string, or ``x=, y=, z=``."""
        if kwargs:
            values = _floats((kwargs[a] for a in cls.axes), kwargs)
        elif len(args) == 1:
            arg = args[0]
            if isinstance(arg, str):
                arg = arg.strip().strip("()[]").replace(",", " ").split()
            elif isinstance(arg, np.ndarray):
                arg = arg.tolist()
            values = _floats(arg, args[0])
        else:
            values = _floats(args, args)
        return tuple.__new__(cls, values)

    def __reduce__(self) -> tuple:
        return (Vec3Float, (tuple(self),))

    def __repr__(self) -> str:
        return f"Vec3Float({self[0]},{self[1]},{self[2]})"

    __str__ = __repr__

    x = property(operator.itemgetter(0), doc="The x component.")
    y = property(operator.itemgetter(1), doc="The y component.")
    z = property(operator.itemgetter(2), doc="The z component.")

    def _operand(self, other: Any) -> tuple | None:
        if isinstance(other, (int, float, np.number)):
            value = float(other)
            return (value, value, value)
        if isinstance(other, (tuple, list, np.ndarray)):
            return _floats(other.tolist() if isinstance(other, np.ndarray) else other, other)
        return None

    def _zip(self, other: Any, fn: Any, reverse: bool = False) -> Vec3Float:
        values = self._operand(other)
        if values is None:
            return NotImplemented
        pairs = zip(values, self) if reverse else zip(self, values)
        return tuple.__new__(Vec3Float, (fn(a, b) for a, b in pairs))

    def __add__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.add)

    def __radd__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.add, True)

    def __sub__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.sub)

    def __rsub__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.sub, True)

    def __mul__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.mul)

    def __rmul__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.mul, True)

    def __truediv__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.truediv)

    def __rtruediv__(self, other: Any) -> Vec3Float:
        return self._zip(other, operator.truediv, True)

    def __neg__(self) -> Vec3Float:
        return tuple.__new__(Vec3Float, (-self[0], -self[1], -self[2]))

    def prod(self) -> float:
        """Product of the three components."""
        return self[0] * self[1] * self[2]

    def to_np(self) -> np.ndarray:
        """The vector as a float64 numpy array."""
        return np.array(tuple(self), dtype=np.float64)

    def to_list(self) -> list[float]:
        """The vector as a list."""
        return list(self)

    def to_tuple(self) -> tuple[float, float, float]:
        """The vector as a plain tuple."""
        return (self[0], self[1], self[2])

    def is_uniform(self) -> bool:
        """Whether all three components are equal."""
        return self[0] == self[1] == self[2]

    def is_positive(self, strictly_positive: bool = False) -> bool:
        """Whether all components are >= 0 (or > 0 with ``strictly_positive``)."""
        return all(v > 0 for v in self) if strictly_positive else all(v >= 0 for v in self)

    @staticmethod
    def from_xyz(x: float, y: float, z: float) -> Vec3Float:
        """Build from three numbers."""
        return Vec3Float(x, y, z)

    @staticmethod
    def from_vec_or_float(vec_or_float: Vec3FloatLike | float) -> Vec3Float:
        """A number n becomes ``(n, n, n)``; anything vector-like is converted."""
        if isinstance(vec_or_float, (int, float, np.number)):
            return Vec3Float(vec_or_float, vec_or_float, vec_or_float)
        return Vec3Float(vec_or_float)


Vec3FloatLike = Vec3Float | tuple[float, float, float] | np.ndarray | Iterable[float]
