"""Mag: the downsampling factor of one resolution level, e.g. ``Mag(1)`` or ``Mag("2-2-1")``."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .vec3_int import Vec3Int

_SEPARATORS = re.compile(r"[-,_x\s]+")


def _parse_mag(args: tuple) -> Vec3Int:
    """Turn Mag constructor arguments into a positive Vec3Int."""
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, Mag):
            return arg._mag
        if isinstance(arg, (int, np.integer)) and not isinstance(arg, bool):
            n = int(arg)
            vec = Vec3Int(n, n, n)
        elif isinstance(arg, str):
            parts = _SEPARATORS.split(arg.strip().strip("()[]").strip())
            try:  # an empty part (e.g. "3-x", "2--1") is an error, not skipped
                ints = [int(p) for p in parts]
            except ValueError:
                raise ValueError(f"Cannot parse a Mag from {arg!r}; use '1', '2' or '2-2-1'.") from None
            if len(ints) == 1:
                ints *= 3
            if len(ints) != 3:
                raise ValueError(f"Cannot parse a Mag from {arg!r}; use '1', '2' or '2-2-1'.")
            vec = Vec3Int(ints)
        else:
            try:
                items = list(arg.tolist() if isinstance(arg, np.ndarray) else arg)
            except TypeError:
                raise TypeError(f"Cannot make a Mag from {arg!r} of type {type(arg).__name__}.") from None
            if len(items) == 1:
                items *= 3
            vec = Vec3Int(items)
    elif len(args) == 3:
        vec = Vec3Int(args)
    else:
        raise ValueError(f"Mag takes one value (int, str, sequence, Mag) or three ints, got {args!r}.")
    if not vec.is_positive(strictly_positive=True):
        raise ValueError(f"Mag components must be positive integers, got {tuple(vec)} from {args!r}.")
    return vec


class Mag:
    """The magnification (downsampling factor) of a data layer level: ``Mag(1)``, ``Mag(2, 2, 1)``,
    ``Mag("2-2-1")``, ``Mag([2, 2, 1])``. Immutable and hashable; equal Mags have equal components.
    """

    __slots__ = ("_mag",)
    _mag: Vec3Int

    def __init__(self, *args: Any) -> None:
        object.__setattr__(self, "_mag", _parse_mag(args))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Mag is immutable; cannot set {name!r}.")

    def __reduce__(self) -> tuple:
        return (Mag, (self._mag.to_tuple(),))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mag):
            return self._mag == other._mag
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Mag", *self._mag))

    def _key(self) -> tuple:
        return (self.max_dim, self._mag.to_tuple())

    def __lt__(self, other: Mag) -> bool:
        if not isinstance(other, Mag):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: Mag) -> bool:
        if not isinstance(other, Mag):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: Mag) -> bool:
        if not isinstance(other, Mag):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: Mag) -> bool:
        if not isinstance(other, Mag):
            return NotImplemented
        return self._key() >= other._key()

    def __iter__(self):  # noqa: ANN204
        return iter(self._mag)

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int) -> int:
        return self._mag[index]

    def __mul__(self, other: Any) -> Mag:
        other_vec = other._mag if isinstance(other, Mag) else Vec3Int.from_vec_or_int(other)
        return Mag(self._mag * other_vec)

    __rmul__ = __mul__

    def __floordiv__(self, other: Any) -> Mag:
        other_vec = other._mag if isinstance(other, Mag) else Vec3Int.from_vec_or_int(other)
        return Mag(self._mag // other_vec)

    def __repr__(self) -> str:
        return f"Mag({self.to_layer_name()})"

    def __str__(self) -> str:
        return self.__repr__()

    @property
    def x(self) -> int:
        """Downsampling factor along x."""
        return self._mag[0]

    @property
    def y(self) -> int:
        """Downsampling factor along y."""
        return self._mag[1]

    @property
    def z(self) -> int:
        """Downsampling factor along z."""
        return self._mag[2]

    @property
    def max_dim(self) -> int:
        """The largest of the three factors."""
        return max(self._mag)

    @property
    def max_dim_log2(self) -> int:
        """``log2`` of the largest factor, rounded down."""
        return self.max_dim.bit_length() - 1

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
