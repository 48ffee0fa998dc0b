"""Box arithmetic shared by StoredArray adapters: validating boxes, clipping reads to the shape, zero padding."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def check_box(path: str, names: Sequence[str], offset: Sequence[int], shape: Sequence[int], action: str):
    """``offset`` and ``shape`` as int lists; a ValueError naming ``path`` if they do not fit the axes."""
    offset, shape = [int(o) for o in offset], [int(s) for s in shape]
    if len(offset) != len(names) or len(shape) != len(names):
        raise ValueError(
            f"Cannot {action} {path}: offset {offset} and shape {shape} must both have {len(names)} entries "
            f"(axes {tuple(names)})."
        )
    if any(s < 0 for s in shape):
        raise ValueError(f"Cannot {action} {path}: negative shape {shape}.")
    return offset, shape


def check_write_box(path: str, offset: Sequence[int], shape: Sequence[int], full: Sequence[int]) -> list[int]:
    """The end of the write box; a ValueError naming ``path`` if the box leaves ``0 .. full``."""
    end = [o + s for o, s in zip(offset, shape)]
    if any(o < 0 for o in offset) or any(e > f for e, f in zip(end, full)):
        raise ValueError(
            f"Cannot write to {path}: box offset {list(offset)} shape {list(shape)} lies outside the array "
            f"shape {tuple(full)}; resize the array first."
        )
    return end


def read_clipped(
    offset: Sequence[int],
    shape: Sequence[int],
    full: Sequence[int],
    dtype: np.dtype,
    read_inside: Callable[[list[int], list[int]], np.ndarray],
) -> np.ndarray:
    """Read ``offset .. offset + shape``; ``read_inside(lo, hi)`` serves the part inside ``0 .. full``, 0 elsewhere."""
    lo = [max(o, 0) for o in offset]
    hi = [min(o + s, f) for o, s, f in zip(offset, shape, full)]
    if any(h <= low for low, h in zip(lo, hi)):
        return np.zeros(tuple(shape), dtype=dtype, order="F")
    data = read_inside(lo, hi)
    if lo == list(offset) and hi == [o + s for o, s in zip(offset, shape)]:
        return data
    out = np.zeros(tuple(shape), dtype=dtype, order="F")
    out[tuple(slice(a - o, b - o) for a, b, o in zip(lo, hi, offset))] = data
    return out
