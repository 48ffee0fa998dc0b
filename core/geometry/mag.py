"""Mag: the downsampling factor of one resolution level, e.g. ``Mag(1)`` or ``Mag("2-2-1")``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from .errors import GeometryValueError
from .vec3_int import Vec3Int
from .vec_int import VecInt

_ONE = re.compile(r"\d+")
_THREE = re.compile(r"(\d+)-(\d+)-(\d+)")
_MESSAGE = "Mag must be int or a vector3 of ints or a string shaped like e.g. 2-2-1. Got: {!r}"


def _parse_mag(args: tuple) -> Vec3Int:
    """Mag constructor arguments as a Vec3Int of positive factors."""
    if len(args) == 3:
        vec = Vec3Int(args)
    elif len(args) != 1:
        raise TypeError(f"Mag takes one value (int, str, sequence, Vec3Int or Mag) or three ints, got {args!r}.")
    else:
        arg = args[0]
        if isinstance(arg, Mag):
            return arg._mag
        if isinstance(arg, (int, np.integer)):
            n = int(arg)
            vec = Vec3Int(n, n, n)
        elif isinstance(arg, str):
            if _ONE.fullmatch(arg):
                n = int(arg)
                vec = Vec3Int(n, n, n)
            elif _THREE.fullmatch(arg):
                vec = Vec3Int(*(int(part) for part in _THREE.fullmatch(arg).groups()))
            else:
                raise ValueError(_MESSAGE.format(arg))
        elif isinstance(arg, Vec3Int) or (isinstance(arg, (list, tuple, np.ndarray)) and not isinstance(arg, VecInt)):
            vec = Vec3Int(arg)
        else:
            raise ValueError(_MESSAGE.format(arg))
    for factor in vec:
        if factor <= 0:  # the reference fails here with ValueError or, for a zero after a non-power of two, asserts
            raise GeometryValueError(f"Mag components must be positive integers, got {tuple(vec)} from {args!r}.")
    return vec


class Mag:
    """The magnification (downsampling factor) of a data layer level: ``Mag(1)``, ``Mag("2-2-1")``,
    ``Mag([2, 2, 1])``, ``Mag(Vec3Int(2, 2, 1))``. Immutable and hashable like the tuple of its factors.

    Comparisons read the other operand as a Mag (``Mag(2) == 2``); ``<`` and ``<=`` compare the largest factor.
    """

    __slots__ = ("_mag",)
    _mag: Vec3Int

    def __init__(self, mag: MagLike, *more: int) -> None:
        object.__setattr__(self, "_mag", _parse_mag((mag, *more)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Mag is immutable; cannot set {name!r}.")

    def __reduce__(self) -> tuple:
        return (Mag, (self._mag.to_tuple(),))

    def __eq__(self, other: Any) -> bool:
        other_mag = other if isinstance(other, Mag) else Mag(other)
        return self._mag == other_mag._mag

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._mag)

    def __lt__(self, other: Any) -> bool:
        return self.max_dim < Mag(other).max_dim

    def __le__(self, other: Any) -> bool:
        return self.max_dim <= Mag(other).max_dim

    def __gt__(self, other: Any) -> bool:
        return not self.__lt__(other) and self != other

    def __ge__(self, other: Any) -> bool:
        return not self.__lt__(other)

    def __iter__(self) -> Iterator[int]:
        return iter(self._mag)

    def __mul__(self, factor: Any) -> Mag:
        return Mag(self._mag * factor)

    def __floordiv__(self, d: Any) -> Mag:
        return Mag(self._mag // d)

    def __repr__(self) -> str:
        return f"Mag({self.to_layer_name()})"

    def __str__(self) -> str:
        return self.to_layer_name()

    @property
    def x(self) -> int:
        """Downsampling factor along x."""
        return self._mag.x

    @property
    def y(self) -> int:
        """Downsampling factor along y."""
        return self._mag.y

    @property
    def z(self) -> int:
        """Downsampling factor along z."""
        return self._mag.z

    @property
    def max_dim(self) -> int:
        """The largest of the three factors."""
        return max(self._mag)

    @property
    def max_dim_log2(self) -> int:
        """``log2`` of the largest factor, rounded down."""
        return int(math.log2(self.max_dim))

    def to_layer_name(self) -> str:
        """Directory name of this mag: ``"2"`` when uniform, else ``"2-2-1"``."""
        x, y, z = self._mag
        if x == y == z:
            return str(x)
        return self.to_long_layer_name()

    def to_long_layer_name(self) -> str:
        """Always the three-part name, e.g. ``"1-1-1"``."""
        x, y, z = self._mag
        return f"{x}-{y}-{z}"

    def to_list(self) -> list[int]:
        """``[x, y, z]``."""
        return self._mag.to_list()

    def to_np(self) -> np.ndarray:
        """The factors as a numpy array."""
        return self._mag.to_np()

    def to_tuple(self) -> tuple[int, int, int]:
        """``(x, y, z)`` as a plain tuple."""
        return self._mag.to_tuple()

    def to_vec3_int(self) -> Vec3Int:
        """The factors as a Vec3Int."""
        return self._mag


MagLike = int | str | list[int] | tuple[int, int, int] | np.ndarray | Vec3Int | Mag
