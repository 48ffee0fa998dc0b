"""Work units of a volume import: shard-aligned boxes of the target mag, axis flips, and writing one box.

Boxes are ``(offset, shape)`` in voxels of the target mag, x/y/z only. They follow the target's shard grid, so
parallel tasks never write into the same shard.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..geometry import Vec3Int

TASK_VOXELS = 256**3
"""Small shards are grouped into tasks of at least this many voxels (fewer tasks, less overhead)."""

Box = tuple[tuple[int, int, int], tuple[int, int, int]]


def task_step(shard_shape: Sequence[int], extent: Sequence[int], min_voxels: int = TASK_VOXELS) -> list[int]:
    """Edge of one task along x/y/z: the shard, doubled along its shortest edge until it holds ``min_voxels``
    or covers ``extent``."""
    step = [int(s) for s in shard_shape]
    while int(np.prod(step)) < min_voxels:
        growable = [axis for axis in range(3) if step[axis] < extent[axis]]
        if not growable:
            break
        step[min(growable, key=lambda axis: step[axis])] *= 2
    return step


def import_boxes(lo: Sequence[int], hi: Sequence[int], shard_shape: Sequence[int]) -> list[Box]:
    """The boxes covering ``lo .. hi`` (target mag voxels), cut at multiples of the task step, in x-fastest order."""
    step = task_step(shard_shape, [b for b in hi])
    ranges = [range(a // s, -(-b // s)) for a, b, s in zip(lo, hi, step)]
    boxes: list[Box] = []
    for kz, ky, kx in itertools.product(*reversed(ranges)):
        start = [max(k * s, a) for k, s, a in zip((kx, ky, kz), step, lo)]
        stop = [min((k + 1) * s, b) for k, s, b in zip((kx, ky, kz), step, hi)]
        if all(b > a for a, b in zip(start, stop)):
            boxes.append((tuple(start), tuple(b - a for a, b in zip(start, stop))))  # type: ignore[arg-type]
    return boxes


def checked_flip_axes(flip_axes: Iterable[int] | None) -> tuple[int, ...]:
    """``flip_axes`` as sorted indices into (c, x, y, z): 0 flips the channels, 1/2/3 flip x/y/z.

    Raises ValueError for an index outside 0..3 or one given twice.
    """
    if flip_axes is None:
        return ()
    axes = [int(axis) for axis in flip_axes]
    if any(not 0 <= axis <= 3 for axis in axes) or len(set(axes)) != len(axes):
        raise ValueError(
            f"flip_axes={tuple(axes)} must name distinct axes of (c, x, y, z): 0 for the channels, 1, 2, 3 for "
            "x, y, z (e.g. (1, 3) flips x and z)."
        )
    return tuple(sorted(axes))


def source_box(box: Box, size: Sequence[int], flip_axes: Sequence[int]) -> Box:
    """Where the data of target ``box`` lies in a source of ``size`` (x, y, z) that is flipped along ``flip_axes``."""
    offset, shape = box
    start = list(offset)
    for axis in flip_axes:
        if axis > 0:
            i = axis - 1
            start[i] = size[i] - offset[i] - shape[i]
    return tuple(start), shape  # type: ignore[return-value]


def flipped(data: np.ndarray, flip_axes: Sequence[int]) -> np.ndarray:
    """``data`` (c, x, y, z) reversed along ``flip_axes`` (a view, no copy)."""
    return np.flip(data, axis=tuple(flip_axes)) if flip_axes else data


def write_box(mag_view: Any, offset: Sequence[int], data: np.ndarray) -> int | None:
    """Write ``data`` (c, x, y, z, the layer's dtype) at ``offset`` (target mag voxels) unless it is all zeros
    (zarr and WKW read zeros where nothing is stored); returns its maximum for integer data, else None."""
    if not data.any():
        return 0 if np.issubdtype(data.dtype, np.integer) else None
    mag = mag_view.mag.to_vec3_int()
    mag_view.write(np.ascontiguousarray(data), absolute_offset=Vec3Int(offset) * mag)
    return int(data.max()) if np.issubdtype(data.dtype, np.integer) else None
