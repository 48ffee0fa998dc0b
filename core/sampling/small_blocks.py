"""Median and mode of small blocks (at most 16 voxels, e.g. 2×2×1 or 2×2×2) in cache-sized batches.

The block's voxels are taken as columns: ``cube[..., dx::fx, dy::fy, dz::fz]``, ordered dz slowest, then dx,
dy (the order in which the mode breaks ties). Each batch of target voxels is copied once into contiguous
buffers reused for every batch, so all arithmetic runs on cache-resident arrays. When the x axis is the
contiguous one (reads are F-ordered), the buffers are whole x rows (``cube[..., :, dy::fy, dz::fz]``: plain
copies, no gather) and the ``fx`` columns of a row are its interleaved elements: comparisons of whole rows
then handle every ``dx`` at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

_CACHE_BATCH_BYTES = 1 << 19  # source bytes per batch (they and the batch's temporaries stay in the L2 cache)
_RUN_DTYPES = {2: np.uint16, 4: np.uint32, 8: np.uint64}  # a run of fx booleans read as one integer
_WIDER = {1: np.uint16, 2: np.uint32, 4: np.uint64}  # by item size: two values read as one integer


class Batch:
    """One batch of target voxels: ``target`` (the output's view) and its source voxels in 1-d buffers.

    ``rows[r]`` (``r = dz * fy + dy``) holds ``fx`` interleaved columns when ``fx > 1`` (element ``i * fx + dx``
    is column ``dx`` of target voxel ``i``, in ``order``); with ``fx == 1`` the rows are the columns.
    """

    def __init__(self, target: np.ndarray, rows: list[np.ndarray], fx: int, fy: int, order: str) -> None:
        self.target, self.rows, self.fx, self.fy, self.order = target, rows, fx, fy, order

    @property
    def columns(self) -> list[np.ndarray]:
        """The block's columns (1-d views of the rows), ordered dz slowest, then dx, then dy."""
        if self.fx == 1:
            return self.rows
        fx, fy = self.fx, self.fy
        depth = len(self.rows) // fy
        return [self.rows[dz * fy + dy][dx::fx] for dz in range(depth) for dx in range(fx) for dy in range(fy)]

    def store(self, result: np.ndarray) -> None:
        """Copy the batch's 1-d result (in ``order``; the target's values, maybe held wider) into ``target``."""
        np.copyto(self.target, result.reshape(self.target.shape, order=self.order), casting="unsafe")


def _batch_slices(view: np.ndarray, limit: int) -> list[tuple[slice, ...]]:
    """Index tuples cutting ``view`` along its outermost (largest-stride) axis into batches of about ``limit``
    elements (at least one slice of that axis)."""
    sizes = [n if n > 1 else 0 for n in view.shape]
    if not any(sizes):
        return [()]
    axis = max(range(view.ndim), key=lambda i: (sizes[i] > 0, abs(view.strides[i])))
    length = view.shape[axis]
    step = max(1, limit // max(1, view.size // length))
    return [(slice(None),) * axis + (slice(start, start + step),) for start in range(0, length, step)]


def _x_rows(cube: np.ndarray, factors: tuple[int, int, int]) -> bool:
    """Whether the batches can copy whole x rows: x is the contiguous axis and there is one channel."""
    return (
        factors[0] in _RUN_DTYPES
        and cube.ndim >= 3
        and math.prod(cube.shape[:-3]) == 1
        and cube.shape[-3] > 1
        and cube.strides[-3] == cube.itemsize
    )


def batches(cube: np.ndarray, factors: tuple[int, int, int]) -> tuple[np.ndarray, Iterator[Batch]]:
    """The output block (uninitialised, the source's memory order) and its batches (see ``Batch``)."""
    fx, fy, fz = factors
    lead, (x, y, z) = cube.shape[:-3], cube.shape[-3:]
    shape = lead + (x // fx, y // fy, z // fz)
    if _x_rows(cube, factors):
        out = np.empty(shape, dtype=cube.dtype, order="F")
        sources = [cube[..., :, dy::fy, dz::fz] for dz in range(fz) for dy in range(fy)]
        return out, _batches(out, sources, fx, fy, "F")
    sources = [cube[..., dx::fx, dy::fy, dz::fz] for dz in range(fz) for dx in range(fx) for dy in range(fy)]
    out = np.empty_like(sources[0])  # same memory order as the source (F-ordered reads stay F-ordered)
    order = "F" if out.flags.f_contiguous and not out.flags.c_contiguous else "C"
    return out, _batches(out, sources, 1, fy, order)


def _batches(out: np.ndarray, sources: list[np.ndarray], fx: int, fy: int, order: str) -> Iterator[Batch]:
    keys = _batch_slices(out, _CACHE_BATCH_BYTES // (out.itemsize * len(sources) * fx))
    longest = max(out[key].size for key in keys) * fx
    buffers = np.empty((len(sources), longest), dtype=out.dtype)
    x_axis = out.ndim - 3
    for key in keys:
        target = out[key]
        source_key = key
        if fx > 1 and len(key) == x_axis + 1:  # the batches cut x: the rows hold fx source voxels per target voxel
            cut = key[x_axis]
            source_key = key[:x_axis] + (slice(cut.start * fx, cut.stop * fx),)
        row_shape = target.shape[:x_axis] + (target.shape[x_axis] * fx,) + target.shape[x_axis + 1 :]
        rows = [buffer[: target.size * fx] for buffer in buffers]
        for source, row in zip(sources, rows):
            np.copyto(row.reshape(row_shape, order=order), source[source_key])
        yield Batch(target, rows, fx, fy, order)


# ------------------------------------------------------------------------------------------ networks


def _merging_pairs(size: int, p: int) -> list[tuple[int, int]]:
    """Comparators of Batcher's odd-even merge of sorted runs of ``p`` wires into runs of ``2p`` (``size`` wires)."""
    pairs = []
    k = p
    while k >= 1:
        for j in range(k % p, size - k, 2 * k):
            for i in range(min(k, size - j - k)):
                if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                    pairs.append((i + j, i + j + k))
        k //= 2
    return pairs


def sorting_network(n: int) -> list[tuple[int, int]]:
    """Comparators ``(low wire, high wire)`` of Batcher's odd-even merge sort for ``n`` wires.

    Built for the next power of two; comparators reaching past wire ``n - 1`` are dropped (those wires act as
    +inf and never swap). For 8 wires: 19 comparators instead of the 28 of odd-even transposition.
    """
    size = 1 << max(0, n - 1).bit_length()
    pairs = []
    p = 1
    while p < size:
        pairs += [(low, high) for low, high in _merging_pairs(size, p) if high < n]
        p *= 2
    return pairs


def _pruned(pairs: list[tuple[int, int]], ranks: tuple[int, ...]) -> tuple[tuple[int, int, bool, bool], ...]:
    """``pairs`` cut down to what the outputs ``ranks`` need: ``(low wire, high wire, keep min, keep max)``.

    Walking the comparators backwards, one that touches no needed wire is dropped; of the others only the
    needed outputs are kept.
    """
    needed = set(ranks)
    kept = []
    for low, high in reversed(pairs):
        keep_min, keep_max = low in needed, high in needed
        if keep_min or keep_max:
            kept.append((low, high, keep_min, keep_max))
            needed.update((low, high))
    return tuple(reversed(kept))


@lru_cache(maxsize=64)
def selection_network(n: int, ranks: tuple[int, ...]) -> tuple[tuple[int, int, bool, bool], ...]:
    """The sorting network for ``n`` wires cut down to what the values of rank ``ranks`` need."""
    return _pruned(sorting_network(n), ranks)


@lru_cache(maxsize=16)
def _merge_selection(m: int, ranks: tuple[int, ...]) -> tuple[tuple[int, int, bool, bool], ...]:
    """The odd-even merge of two sorted runs of ``m`` wires (``m`` a power of two) cut down to ``ranks``."""
    return _pruned(_merging_pairs(2 * m, m), ranks)


def _apply(columns: list[np.ndarray], network: tuple[tuple[int, int, bool, bool], ...]) -> list[np.ndarray]:
    columns = list(columns)
    for low, high, keep_min, keep_max in network:
        a, b = columns[low], columns[high]
        if keep_min:
            columns[low] = np.minimum(a, b)
        if keep_max:
            columns[high] = np.maximum(a, b)
    return columns


def select_ranks(columns: list[np.ndarray], ranks: tuple[int, ...]) -> list[np.ndarray]:
    """Element-wise order statistics: the columns' values of the given ranks (0 = smallest), in rank order."""
    columns = _apply(columns, selection_network(len(columns), ranks))
    return [columns[rank] for rank in ranks]


# ------------------------------------------------------------------------------------------ median


def midpoint_towards_zero(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``trunc((lo + hi) / 2)`` for integer arrays with ``lo <= hi`` element-wise, without overflow."""
    if np.issubdtype(lo.dtype, np.unsignedinteger):  # floor is trunc for unsigned values; no ordering needed
        return (lo & hi) + ((lo ^ hi) >> 1)
    floor = lo // 2 + hi // 2 + ((lo % 2) + (hi % 2)) // 2
    if np.issubdtype(lo.dtype, np.signedinteger):
        floor = floor + (((lo % 2) != (hi % 2)) & (floor < 0)).astype(lo.dtype)
    return floor


def _middle(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The median of an even count from its two middle values (see ``kernels`` for the rounding)."""
    if np.issubdtype(lo.dtype, np.unsignedinteger):
        return midpoint_towards_zero(lo, hi)
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    if np.issubdtype(lo.dtype, np.integer):
        return midpoint_towards_zero(lo, hi)
    return ((lo.astype(np.float64) + hi.astype(np.float64)) / 2).astype(lo.dtype)


def median_columns(columns: list[np.ndarray]) -> np.ndarray:
    """Element-wise median of equally shaped columns."""
    n = len(columns)
    k = n // 2
    if n % 2:
        return select_ranks(columns, (k,))[0].copy()
    return _middle(*select_ranks(columns, (k - 1, k)))


def _median_of_rows(batch: Batch) -> np.ndarray:
    """Median of a batch whose rows interleave two columns (fx 2; 2 or 4 rows): the rows are sorted
    element-wise as wholes (every dx at once, contiguous), then the two sorted halves are merged.

    Unsigned values of up to 4 bytes are split into their dx halves by reading a row as integers of twice
    the width (mask and shift: contiguous, no strided gather); the merge then runs in that width, where the
    middle values' sum cannot overflow. The halves are symmetric, so the byte order does not matter.
    """
    rows = _apply(batch.rows, _pruned(sorting_network(len(batch.rows)), tuple(range(len(batch.rows)))))
    m = len(rows)
    wide = _WIDER.get(rows[0].itemsize) if rows[0].dtype.kind == "u" else None
    if wide is None:
        wires = [row[0::2] for row in rows] + [row[1::2] for row in rows]
    else:
        bits = 8 * rows[0].itemsize
        pairs = [row.view(wide) for row in rows]
        wires = [pair & ((1 << bits) - 1) for pair in pairs] + [pair >> bits for pair in pairs]
    wires = _apply(wires, _merge_selection(m, (m - 1, m)))
    if wide is None:
        return _middle(wires[m - 1], wires[m])
    total = wires[m - 1] + wires[m]
    total >>= 1
    return total


def median_small(cube: np.ndarray, factors: tuple[int, int, int]) -> np.ndarray:
    """Median of every block of ``cube`` (even counts: the middle values' mean, truncated for integers)."""
    out, parts = batches(cube, factors)
    for batch in parts:
        if batch.fx == 2 and len(batch.rows) in (2, 4):
            batch.store(_median_of_rows(batch))
        else:
            batch.store(median_columns(batch.columns))
    return out


# ------------------------------------------------------------------------------------------ mode


def mode_counted(columns: list[np.ndarray]) -> np.ndarray:
    """Mode over equally shaped 1-d columns by pairwise equality counts; ties go to the earliest column."""
    counts = [np.ones(columns[0].shape, dtype=np.uint8) for _ in columns]
    equal = np.empty(columns[0].shape, dtype=bool)
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            np.equal(columns[i], columns[j], out=equal)
            counts[i] += equal
            counts[j] += equal
    best, best_count = columns[0].copy(), counts[0]
    for column, count in zip(columns[1:], counts[1:]):
        np.copyto(best, column, where=count > best_count)
        np.maximum(count, best_count, out=best_count)
    return best


def _mode_of_four(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Mode of four 1-d columns, ties to the earliest: ``a`` if it occurs twice, else ``b`` if it does, else
    ``c`` if ``c == d``, else ``a`` (all distinct): what counting gives, in 6 comparisons."""
    result = a.copy()
    hit = np.equal(c, d)
    np.copyto(result, c, where=hit)
    hit = (b == c) | (b == d)
    np.copyto(result, b, where=hit)
    hit = (a == b) | (a == c) | (a == d)
    np.copyto(result, a, where=hit)
    return result


def _uniform(batch: Batch) -> np.ndarray:
    """Per target voxel of the batch: whether its block holds one value only.

    The rows are compared as wholes (every dx at once); integers of up to 4 bytes with fx 2 as pairs read as
    one integer of twice the width (equal bits are equal values), else element-wise with each target voxel's
    run of fx booleans then read as one integer.
    """
    rows, fx = batch.rows, batch.fx
    wide = _WIDER.get(rows[0].itemsize) if fx == 2 and rows[0].dtype.kind in "ui" else None
    if wide is not None:
        rows = [row.view(wide) for row in rows]
    same = np.equal(rows[0], rows[1]) if len(rows) > 1 else np.ones(rows[0].shape, dtype=bool)
    if len(rows) > 2:
        equal = np.empty(rows[0].shape, dtype=bool)
        for row in rows[2:]:
            same &= np.equal(rows[0], row, out=equal)
    if fx == 1:
        return same
    uniform = same if wide is not None else same.view(_RUN_DTYPES[fx]) == int.from_bytes(b"\x01" * fx, "little")
    first = batch.rows[0][0::fx]
    for dx in range(1, fx):
        uniform &= first == batch.rows[0][dx::fx]
    return uniform


def _mode_of(columns: list[np.ndarray]) -> np.ndarray:
    return _mode_of_four(*columns) if len(columns) == 4 else mode_counted(columns)


def mode_small(cube: np.ndarray, factors: tuple[int, int, int]) -> np.ndarray:
    """Mode of every block of ``cube``; ties go to the value occurring first in the block (column order).

    A block of two voxels gives its first voxel (equal, or a tie). Otherwise the uniform blocks of a batch keep
    their first voxel and only the mixed ones are gathered and reduced (``_mode_of_four`` or counted).
    """
    out, parts = batches(cube, factors)
    for batch in parts:
        columns = batch.columns
        result = columns[0].copy()
        if len(columns) > 2:
            mixed = np.flatnonzero(~_uniform(batch))
            if mixed.size:
                result[mixed] = _mode_of([column[mixed] for column in columns])
        batch.store(result)
    return out
