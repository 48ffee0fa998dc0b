"""An array that names no axes read through the properties' ``axisOrder``: stored e.g. z, y, x, presented as
(c, x, y, z) by permuting boxes and data (engines read such arrays by position)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from ..array_info import ArrayInfo
from ..geometry import Vec3Int

_CXYZ = ("c", "x", "y", "z")


def stored_axes_from_order(info: ArrayInfo, axis_order: dict[str, int] | None) -> tuple[str, ...] | None:
    """The stored axes (c first, virtual or not) an unnamed array has according to ``axis_order``, when that differs
    from reading it by position; None when the array names its axes or ``axis_order`` agrees with the positions.

    Raises ValueError (saying what to do) for an order this cannot present: extra axes, or c stored after x/y/z.
    """
    if not axis_order or info.stored_dimension_names is not None or not {"x", "y", "z"} <= set(axis_order):
        return None
    positional = list(info.dimension_names if info.has_channel_axis else info.dimension_names[1:])
    described = sorted(positional, key=lambda axis: axis_order.get(axis, -1))  # c unlisted: stored first
    if described == positional:
        return None
    fix = "Name the axes in the array's metadata (zarr3 dimension_names, zarr v2 _ARRAY_DIMENSIONS in .zattrs)."
    if tuple(info.dimension_names) != _CXYZ or ("c" in described and described[0] != "c"):
        raise ValueError(
            f"its axisOrder {dict(axis_order)} stores the axes as {', '.join(described)}, but the array names no "
            f"axes and is read by position as {', '.join(positional)}; without names daedalus reads other orders "
            f"only for arrays of c (first), x, y and z. {fix}"
        )
    return tuple(described) if "c" in described else ("c", *described)


class AxisPermutedArray:
    """A StoredArray presented as (c, x, y, z) whose engine presents it in stored order ``stored_axes`` (c first).

    ``inner`` is the engine's array (read by position); boxes are permuted into its order, data back out of it.
    """

    def __init__(self, inner: Any, stored_axes: Sequence[str]) -> None:
        self._inner = inner
        self._stored_axes = tuple(stored_axes)
        self._order = [self._stored_axes.index(axis) for axis in _CXYZ]  # inner axis of each presented axis
        self._inverse = [int(i) for i in np.argsort(self._order)]

    def __repr__(self) -> str:
        return f"AxisPermutedArray({self._inner!r}, stored as {self._stored_axes})"

    def _to_inner(self, values: Sequence[int]) -> list[int]:
        return [int(values[i]) for i in self._inverse]

    def _to_presented(self, values: Sequence[int]) -> tuple[int, ...]:
        return tuple(int(values[j]) for j in self._order)

    @property
    def info(self) -> ArrayInfo:
        """The engine's metadata with shape, chunk and shard shape in (c, x, y, z) order and the stored axis names."""
        inner = self._inner.info
        spatial = [j - 1 for j in self._order[1:]]  # position of x, y, z among the inner x, y, z slots

        def xyz(values: Sequence[int]) -> Vec3Int:
            return Vec3Int(*(int(values[j]) for j in spatial))

        stored = self._stored_axes if inner.has_channel_axis else self._stored_axes[1:]
        return attrs.evolve(
            inner,
            shape=self._to_presented(inner.shape),
            chunk_shape=xyz(inner.chunk_shape),
            shard_shape=xyz(inner.shard_shape),
            grid_offset=xyz(inner.grid_offset),
            stored_dimension_names=stored,
        )

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the (c, x, y, z) box ``offset .. offset + shape``."""
        data = self._inner.read(self._to_inner(offset), self._to_inner(shape))
        return np.transpose(data, self._order)

    def read_into(self, offset: Sequence[int], out: np.ndarray) -> None:
        """Read the (c, x, y, z) box at ``offset`` with ``out``'s shape into ``out``."""
        self._inner.read_into(self._to_inner(offset), np.transpose(out, self._inverse))

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write (c, x, y, z) ``data`` at ``offset``."""
        data = np.asarray(data)
        self._inner.write(self._to_inner(offset), np.transpose(data, self._inverse))

    def resize(self, new_shape: Sequence[int]) -> None:
        """Change the (c, x, y, z) shape."""
        self._inner.resize(self._to_inner(new_shape))

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """The stored shards (or chunks) as (c, x, y, z) ``(offset, shape)`` boxes."""
        for offset, shape in self._inner.list_bounding_boxes():
            yield self._to_presented(offset), self._to_presented(shape)

    @property
    def native(self) -> Any:
        """The engine's own handle (in stored axis order)."""
        return self._inner.native
