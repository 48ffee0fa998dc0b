"""Numpy kernels that resample ``(..., x, y, z)`` voxel blocks by an integer factor per axis.

Every kernel works on the last three axes; leading axes (channels, time, ...) are batch axes.
Output blocks have the input's dtype.

Downsampling modes (each output voxel summarises one block of ``fx * fy * fz`` input voxels):

- ``median``: the median of the block. For an even count it is the mean of the two middle values,
  truncated towards zero for integer types (what ``np.median(...).astype(dtype)`` gives; for uint8
  ``(a + b) // 2``). This reproduces the reference library's mags exactly.
- ``mode``: the most frequent value of the block; ties go to the value that occurs first in the block when
  its offsets are listed with ``dz`` slowest, then ``dx``, then ``dy`` (the order the reference library
  counts in; the block's first corner wins a tie it is part of).
- ``nearest``: the block's first voxel (offset ``(0, 0, 0)``).
- ``bilinear``: linear interpolation at the block centre (for a factor of 2: the block mean), rounded.
- ``bicubic``: cubic convolution (Keys, a = -0.5) at the block centre, rounded and clipped to the dtype.
  It reads one voxel beyond the block; pass ``margin`` voxels of context or the borders are clamped.
- ``max`` / ``min``: the block's maximum / minimum.

Upsampling repeats every voxel ``fx * fy * fz`` times (nearest neighbour).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np

from .small_blocks import median_small, midpoint_towards_zero, mode_small

_MODE_BATCH_ELEMENTS = 1 << 22  # voxels per batch of the mode kernel (bounds its temporary memory)
_SMALL_BLOCK = 16  # blocks up to this many voxels are reduced column-wise (``small_blocks``: no sort)
_CUBIC_WEIGHTS = (-1.0 / 16.0, 9.0 / 16.0, 9.0 / 16.0, -1.0 / 16.0)  # Keys (a=-0.5) at offsets -1.5..1.5


class InterpolationModes(Enum):
    """How a block of voxels is reduced to one voxel when downsampling."""

    MEDIAN = "median"
    MODE = "mode"
    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    MAX = "max"
    MIN = "min"


class InterpolationModeError(ValueError, KeyError):
    """An unknown interpolation mode: a ValueError, and a KeyError like the reference's lookup by name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def parse_interpolation_mode(mode: str | InterpolationModes, category: str = "color") -> InterpolationModes:
    """The mode named by ``mode``; ``"default"`` is ``mode`` for segmentation layers, else ``median``."""
    if isinstance(mode, InterpolationModes):
        return mode
    name = str(mode).lower()
    if name == "default":
        return InterpolationModes.MODE if category == "segmentation" else InterpolationModes.MEDIAN
    try:
        return InterpolationModes(name)
    except ValueError:
        choices = ["default"] + [m.value for m in InterpolationModes]
        raise InterpolationModeError(f"Unknown interpolation mode {mode!r}; use one of {choices}.") from None


def _as_factors(factors: Any) -> tuple[int, int, int]:
    if isinstance(factors, (int, np.integer)):
        values = (int(factors),) * 3
    else:
        values = tuple(int(f) for f in factors)
    if len(values) != 3 or any(f < 1 for f in values):
        raise ValueError(f"Sampling factors must be three positive integers, got {factors!r}.")
    return values  # type: ignore[return-value]


def _check_cube(cube: np.ndarray) -> np.ndarray:
    cube = np.asarray(cube)
    if cube.ndim < 3:
        raise ValueError(f"Expected a block with at least the axes (x, y, z), got shape {cube.shape}.")
    return cube


def edge_pad(cube: np.ndarray, before: Sequence[int], after: Sequence[int]) -> np.ndarray:
    """Pad the last three axes by repeating the border voxels (``before``/``after`` per axis)."""
    cube = _check_cube(cube)
    if not any(before) and not any(after):
        return cube
    if any(s == 0 for s in cube.shape[-3:]):
        raise ValueError(f"Cannot edge-pad the empty block of shape {cube.shape}.")
    widths = [(0, 0)] * (cube.ndim - 3) + [(int(b), int(a)) for b, a in zip(before, after)]
    return np.pad(cube, widths, mode="edge")


def _block_view(cube: np.ndarray, factors: tuple[int, int, int]) -> np.ndarray:
    """``(..., X/fx, fx, Y/fy, fy, Z/fz, fz)`` (a view when possible)."""
    lead = cube.shape[:-3]
    shape: list[int] = list(lead)
    for size, f in zip(cube.shape[-3:], factors):
        shape += [size // f, f]
    return cube.reshape(shape)


def _flat_blocks(cube: np.ndarray, factors: tuple[int, int, int]) -> np.ndarray:
    """``(..., X/fx, Y/fy, Z/fz, fx*fy*fz)``; the last axis lists a block with dz slowest, then dx, dy."""
    view = _block_view(cube, factors)
    nd = view.ndim
    moved = np.moveaxis(view, (nd - 1, nd - 5, nd - 3), (nd - 3, nd - 2, nd - 1))
    return moved.reshape(moved.shape[:-3] + (-1,))


def _median(blocks: np.ndarray) -> np.ndarray:
    n = blocks.shape[-1]
    k = n // 2
    if n % 2:
        return np.partition(blocks, k, axis=-1)[..., k]
    part = np.partition(blocks, (k - 1, k), axis=-1)
    lo, hi = part[..., k - 1], part[..., k]
    if np.issubdtype(blocks.dtype, np.integer):
        return midpoint_towards_zero(lo, hi)
    return ((lo.astype(np.float64) + hi.astype(np.float64)) / 2).astype(blocks.dtype)


def _mode_rows(rows: np.ndarray) -> np.ndarray:
    """Most frequent value of each row; ties go to the value whose first occurrence comes first."""
    m, n = rows.shape
    order = np.argsort(rows, axis=1, kind="stable")
    values = np.take_along_axis(rows, order, axis=1)
    index = np.arange(n, dtype=np.int32)
    starts = np.ones((m, n), dtype=bool)
    starts[:, 1:] = values[:, 1:] != values[:, :-1]
    run_start = np.maximum.accumulate(np.where(starts, index, 0), axis=1)
    ends = np.ones((m, n), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    run_end = np.minimum.accumulate(np.where(ends, index, n - 1)[:, ::-1], axis=1)[:, ::-1]
    count = (run_end - run_start + 1).astype(np.int64)
    first = np.take_along_axis(order, run_start, axis=1)  # stable sort: a run starts at its first occurrence
    best = np.argmax(count * n + (n - 1 - first), axis=1)
    return values[np.arange(m), best]


def _mode(blocks: np.ndarray) -> np.ndarray:
    n = blocks.shape[-1]
    rows = blocks.reshape(-1, n)
    out = rows[:, 0].copy()  # uniform blocks (the common case in segmentations) keep their value
    mixed = np.flatnonzero((rows != rows[:, :1]).any(axis=1))
    batch = max(1, _MODE_BATCH_ELEMENTS // n)
    for start in range(0, mixed.size, batch):
        picked = mixed[start : start + batch]
        out[picked] = _mode_rows(rows[picked])
    return out.reshape(blocks.shape[:-1])


def _axis_slice(ndim: int, axis: int, index: slice) -> tuple[slice, ...]:
    key = [slice(None)] * ndim
    key[axis] = index
    return tuple(key)


def _linear_axis(values: np.ndarray, axis: int, f: int) -> np.ndarray:
    """Linear interpolation at each block centre along one axis (float64)."""
    if f == 1:
        return values
    if f % 2:
        return values[_axis_slice(values.ndim, axis, slice((f - 1) // 2, None, f))]
    left = values[_axis_slice(values.ndim, axis, slice(f // 2 - 1, None, f))]
    right = values[_axis_slice(values.ndim, axis, slice(f // 2, None, f))]
    return (left + right) * 0.5


def _cubic_axis(values: np.ndarray, axis: int, f: int, margin: int) -> np.ndarray:
    """Cubic convolution at each block centre along one axis; drops the axis's ``margin`` (float64)."""
    length = values.shape[axis] - 2 * margin
    count = length // f
    if f % 2:
        start = margin + (f - 1) // 2
        return values[_axis_slice(values.ndim, axis, slice(start, start + count * f, f))]
    if margin < 1:
        widths = [(0, 0)] * values.ndim
        widths[axis] = (1 - margin, 1 - margin)
        values = np.pad(values, widths, mode="edge")
        margin = 1
    first_tap = margin + f // 2 - 2
    result = None
    for j, weight in enumerate(_CUBIC_WEIGHTS):
        start = first_tap + j
        tap = values[_axis_slice(values.ndim, axis, slice(start, start + count * f, f))] * weight
        result = tap if result is None else result + tap
    return result  # type: ignore[return-value]


def _to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round and clip float results into ``dtype``."""
    if dtype == np.bool_:
        return values >= 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype)


def downsample_cube(
    cube: np.ndarray,
    factors: int | Sequence[int],
    mode: str | InterpolationModes = InterpolationModes.MEDIAN,
    *,
    margin: int = 0,
) -> np.ndarray:
    """Reduce every ``fx * fy * fz`` block of the last three axes of ``cube`` to one voxel.

    ``cube`` is ``(..., x, y, z)``; its x/y/z sizes (without ``margin``) must be multiples of the factors.
    ``margin`` voxels of context on each side of x, y and z are used by ``bicubic`` and dropped otherwise.
    """
    cube = _check_cube(cube)
    fx, fy, fz = factors3 = _as_factors(factors)
    mode = parse_interpolation_mode(mode)
    if margin < 0:
        raise ValueError(f"margin must not be negative, got {margin}.")
    if margin and mode is not InterpolationModes.BICUBIC:
        cube = cube[..., margin:-margin, margin:-margin, margin:-margin]
        margin = 0
    inner = tuple(s - 2 * margin for s in cube.shape[-3:])
    if any(s < 0 or s % f for s, f in zip(inner, factors3)):
        raise ValueError(
            f"A block of x/y/z size {inner} cannot be downsampled by {factors3}: each size must be a multiple "
            "of its factor (pad the block first, e.g. with edge_pad)."
        )
    dtype = cube.dtype
    if factors3 == (1, 1, 1):
        if margin:
            cube = cube[..., margin:-margin, margin:-margin, margin:-margin]
        return cube.copy()
    work = cube.view(np.uint8) if dtype == np.bool_ else cube
    small = fx * fy * fz <= _SMALL_BLOCK
    if mode is InterpolationModes.MEDIAN:
        result = median_small(work, factors3) if small else _median(_flat_blocks(work, factors3))
    elif mode is InterpolationModes.MODE:
        result = mode_small(work, factors3) if small else _mode(_flat_blocks(work, factors3))
    elif mode is InterpolationModes.MAX:
        result = _block_view(work, factors3).max(axis=(-5, -3, -1))
    elif mode is InterpolationModes.MIN:
        result = _block_view(work, factors3).min(axis=(-5, -3, -1))
    elif mode is InterpolationModes.NEAREST:
        result = work[..., ::fx, ::fy, ::fz].copy()
    elif mode is InterpolationModes.BILINEAR:
        values = work.astype(np.float64)
        for offset, f in enumerate(factors3):
            values = _linear_axis(values, values.ndim - 3 + offset, f)
        return _to_dtype(values, dtype)
    else:  # BICUBIC
        values = work.astype(np.float64)
        for offset, f in enumerate(factors3):
            values = _cubic_axis(values, values.ndim - 3 + offset, f, margin)
        return _to_dtype(values, dtype)
    return result.astype(dtype, copy=False) if dtype == np.bool_ else result


def upsample_cube(cube: np.ndarray, factors: int | Sequence[int]) -> np.ndarray:
    """Repeat every voxel of the last three axes ``fx``, ``fy``, ``fz`` times (nearest neighbour)."""
    cube = _check_cube(cube)
    factors3 = _as_factors(factors)
    lead = cube.shape[:-3]
    x, y, z = cube.shape[-3:]
    fx, fy, fz = factors3
    expanded = cube.reshape(lead + (x, 1, y, 1, z, 1))
    expanded = np.broadcast_to(expanded, lead + (x, fx, y, fy, z, fz))
    return expanded.reshape(lead + (x * fx, y * fy, z * fz)).copy()
