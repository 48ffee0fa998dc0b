"""Vec3Float: an immutable (x, y, z) float vector, e.g. for voxel sizes, rotations and float positions.

Like the reference it is a sequence (not a tuple): it equals and hashes like the tuple of its floats, but it is
never equal to an integer vector.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .vec3_int import Vec3Int
from .vec_int import VecInt

_MESSAGE = "Vector components must be three floats, got {}."


def _from_iterable(values: Any) -> tuple[float, float, float]:
    if isinstance(values, str):
        values = tuple(values)
    try:
        array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(_MESSAGE.format(repr(values))) from None
    if array.shape != (3,):
        shown = repr(values) if isinstance(values, tuple) else f"an object of shape {array.shape}"
        raise ValueError(_MESSAGE.format(shown))
    x, y, z = array.tolist()
    return (x, y, z)


def _floats(value: Any) -> tuple[float, float, float]:
    """One constructor argument (a sequence, array, vector or Mag) as three floats."""
    if isinstance(value, Vec3Float):
        return value._data
    if isinstance(value, (Iterable, np.ndarray)):
        return _from_iterable(value)
    raise ValueError(_MESSAGE.format(repr(value)))


def _operand(value: Any) -> tuple[float, float, float]:
    """An arithmetic operand: a number is broadcast, anything else read as a vector."""
    if isinstance(value, (int, float)):
        number = float(value)
        return (number, number, number)
    return _floats(value)


def _new(x: float, y: float, z: float) -> Vec3Float:
    vec = object.__new__(Vec3Float)
    object.__setattr__(vec, "_data", (x, y, z))
    return vec


class Vec3Float(Sequence):
    """An immutable (x, y, z) vector of floats: ``Vec3Float(1, 2, 3)``, ``Vec3Float((1, 2, 3))``, arrays, vectors.

    It equals and hashes like the tuple of its floats; arithmetic broadcasts numbers and reads sequences as vectors.
    """

    __slots__ = ("_data",)
    _data: tuple[float, float, float]

    def __new__(cls, *args: Any) -> Vec3Float:
        """Build from three numbers or from one sequence, array, vector or Mag."""
        if len(args) == 1:
            values = _floats(args[0])
        elif len(args) == 3 and all(isinstance(v, (int, float)) for v in args):
            values = (float(args[0]), float(args[1]), float(args[2]))
        else:
            raise ValueError(_MESSAGE.format(repr(args)))
        return _new(*values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Vec3Float is immutable; cannot set {name!r}.")

    def __reduce__(self) -> tuple:
        return (Vec3Float, (self._data,))

    def __getnewargs__(self) -> tuple[tuple[float, float, float]]:
        return (self._data,)

    def __repr__(self) -> str:
        x, y, z = self._data
        return f"Vec3Float({x},{y},{z})"

    # ---- sequence -------------------------------------------------------------------------
    def __getitem__(self, index: Any) -> Any:
        return self._data[index]

    def __len__(self) -> int:
        return 3

    def __iter__(self) -> Iterator[float]:
        return iter(self._data)

    def __contains__(self, item: object) -> bool:
        return item in self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(self._data, dtype=dtype)

    # ---- comparison -----------------------------------------------------------------------
    def _comparable(self, other: object) -> tuple[float, ...] | None:
        if isinstance(other, Vec3Float):
            return other._data
        if isinstance(other, tuple) and not isinstance(other, VecInt):
            return other
        return None

    def __eq__(self, other: object) -> bool:
        data = self._comparable(other)
        return NotImplemented if data is None else self._data == data

    def __hash__(self) -> int:
        return hash(self._data)

    def __lt__(self, other: object) -> bool:
        data = self._comparable(other)
        return NotImplemented if data is None else self._data < data

    def __le__(self, other: object) -> bool:
        data = self._comparable(other)
        return NotImplemented if data is None else self._data <= data

    def __gt__(self, other: object) -> bool:
        data = self._comparable(other)
        return NotImplemented if data is None else self._data > data

    def __ge__(self, other: object) -> bool:
        data = self._comparable(other)
        return NotImplemented if data is None else self._data >= data

    # ---- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Any) -> Vec3Float:
        (x, y, z), (a, b, c) = self._data, _operand(other)
        return _new(x + a, y + b, z + c)

    def __sub__(self, other: Any) -> Vec3Float:
        (x, y, z), (a, b, c) = self._data, _operand(other)
        return _new(x - a, y - b, z - c)

    def __mul__(self, other: Any) -> Vec3Float:
        (x, y, z), (a, b, c) = self._data, _operand(other)
        return _new(x * a, y * b, z * c)

    def __truediv__(self, other: Any) -> Vec3Float:
        (x, y, z), (a, b, c) = self._data, _operand(other)
        return _new(x / a, y / b, z / c)

    def __neg__(self) -> Vec3Float:
        x, y, z = self._data
        return _new(-x, -y, -z)

    def pairmax(self, other: float | Vec3FloatLike) -> Vec3Float:
        """Elementwise maximum with a number or vector."""
        (x, y, z), (a, b, c) = self._data, _operand(other)
        return _new(max(x, a), max(y, b), max(z, c))

    def pairmin(self, other: float | Vec3FloatLike) -> Vec3Float:
        """Elementwise minimum with a number or vector."""
        (x, y, z), (a, b, c) = self._data, _operand(other)
        return _new(min(x, a), min(y, b), min(z, c))

    # ---- components -----------------------------------------------------------------------
    @property
    def x(self) -> float:
        """The x component."""
        return self._data[0]

    @property
    def y(self) -> float:
        """The y component."""
        return self._data[1]

    @property
    def z(self) -> float:
        """The z component."""
        return self._data[2]

    @property
    def axes(self) -> tuple[str, str, str]:
        """The axis names ``("x", "y", "z")``."""
        return ("x", "y", "z")

    def with_x(self, new_x: float) -> Vec3Float:
        """A copy with x replaced."""
        _, y, z = self._data
        return _new(float(new_x), y, z)

    def with_y(self, new_y: float) -> Vec3Float:
        """A copy with y replaced."""
        x, _, z = self._data
        return _new(x, float(new_y), z)

    def with_z(self, new_z: float) -> Vec3Float:
        """A copy with z replaced."""
        x, y, _ = self._data
        return _new(x, y, float(new_z))

    # ---- conversions and reductions -------------------------------------------------------
    def prod(self) -> float:
        """Product of the three components."""
        x, y, z = self._data
        return x * y * z

    def to_np(self) -> np.ndarray:
        """The vector as a float64 numpy array."""
        return np.array(self._data, dtype=np.float64)

    def to_list(self) -> list[float]:
        """The vector as a list."""
        return list(self._data)

    def to_tuple(self) -> tuple[float, float, float]:
        """The vector as a plain tuple."""
        return self._data

    def to_vec3_int(self) -> Vec3Int:
        """The components truncated to ints."""
        x, y, z = self._data
        return Vec3Int(int(x), int(y), int(z))

    def is_uniform(self) -> bool:
        """Whether all three components are equal."""
        x, y, z = self._data
        return x == y == z

    def is_positive(self, strictly_positive: bool = False) -> bool:
        """Whether all components are >= 0 (or > 0 with ``strictly_positive``)."""
        return all(v > 0 for v in self._data) if strictly_positive else all(v >= 0 for v in self._data)

    # ---- factories ------------------------------------------------------------------------
    @classmethod
    def from_xyz(cls, x: float, y: float, z: float) -> Vec3Float:
        """Build from three numbers, stored as given (no conversion)."""
        return _new(x, y, z)

    @classmethod
    def from_str(cls, string: str) -> Vec3Float:
        """Parses ``"1.5,2,3"`` or ``"(1.5, 2, 3)"``."""
        return cls(tuple(float(part) for part in string.strip("()").split(",")))

    @classmethod
    def full(cls, value: float) -> Vec3Float:
        """``(value, value, value)``."""
        number = float(value)
        return _new(number, number, number)

    @classmethod
    def zeros(cls) -> Vec3Float:
        """``(0.0, 0.0, 0.0)``."""
        return _new(0.0, 0.0, 0.0)

    @classmethod
    def ones(cls) -> Vec3Float:
        """``(1.0, 1.0, 1.0)``."""
        return _new(1.0, 1.0, 1.0)

    @staticmethod
    def from_vec_or_float(vec_or_float: Vec3FloatLike | float) -> Vec3Float:
        """A number n becomes ``(n, n, n)``; anything vector-like is converted."""
        if isinstance(vec_or_float, (int, float, np.number)):
            return Vec3Float.full(vec_or_float)
        return Vec3Float(vec_or_float)


Vec3FloatLike = Vec3Float | tuple[float, float, float] | np.ndarray | Iterable[float]


def as_vec3_float_or_none(vec3_float_like: Vec3FloatLike | Vec3Int | None) -> Vec3Float | None:
    """``Vec3Float(vec3_float_like)``, or None for None."""
    return None if vec3_float_like is None else Vec3Float(vec3_float_like)
