"""The voxels a coarse voxel is reduced from where the layer's bounding box covers it only partly.

Like the reference, the missing voxels are taken by mirroring the box's border voxels (numpy's ``symmetric``
padding), counted within the reference's work unit: runs of ``unit`` coarse voxels from the box's first coarse voxel.
"""

from __future__ import annotations

import numpy as np


def symmetric_border_indices(
    need: tuple[int, int], have: tuple[int, int], valid: tuple[int, int], ratio: int, unit: int
) -> np.ndarray | None:
    """Along one axis: for every source voxel of ``need`` the index of the voxel it takes its value from.

    ``need`` is the source range of a block of whole coarse voxels, ``have`` its part inside ``valid`` (the
    bounding box in source voxels); ``ratio`` source voxels make one coarse voxel and the reference pads the box
    within work units of ``unit`` coarse voxels. Returns None when the block lies inside the box.
    """
    (n0, n1), (h0, h1), (v0, v1) = need, have, valid
    before, after = h0 - n0, n1 - h1
    if before <= 0 and after <= 0:
        return None
    first = v0 // ratio  # the box's first coarse voxel: where the reference's work units start
    parts = []
    if before > 0:  # mirrored from the start of the first unit's part of the box
        end = min(v1, (first + unit) * ratio, v0 + before)
        parts.append(np.pad(np.arange(v0, end), (before, 0), mode="symmetric")[:before])
    parts.append(np.arange(h0, h1))
    if after > 0:  # mirrored from the end of the last unit's part of the box
        last = (v1 - 1) // ratio
        start = max(v0, (first + (last - first) // unit * unit) * ratio, v1 - after)
        parts.append(np.pad(np.arange(start, v1), (0, after), mode="symmetric")[-after:])
    return np.concatenate(parts)


def symmetric_pad_widths(
    need: tuple[int, int], have: tuple[int, int], valid: tuple[int, int], ratio: int, unit: int
) -> tuple[int, int] | None:
    """Along one axis: ``(before, after)`` when numpy's ``symmetric`` padding of the block's own voxels ``have``
    gives what :func:`symmetric_border_indices` gives (the usual case), else None."""
    (n0, n1), (h0, h1), (v0, v1) = need, have, valid
    before, after = h0 - n0, n1 - h1
    first = v0 // ratio
    if before > 0 and min(h1, v1, (first + unit) * ratio) - h0 < before:
        return None
    if after > 0:
        last = (v1 - 1) // ratio
        start = max(v0, (first + (last - first) // unit * unit) * ratio)
        if h1 - max(h0, start) < after:
            return None
    return max(before, 0), max(after, 0)


def take_along_spatial_axes(data: np.ndarray, indices: list[np.ndarray | None], origin: list[int]) -> np.ndarray:
    """``data`` (last three axes x, y, z starting at ``origin``) re-indexed along each axis that has indices."""
    for axis, (index, start) in enumerate(zip(indices, origin)):
        if index is not None:
            data = np.take(data, index - start, axis=data.ndim - 3 + axis)
    return data


__all__ = ["symmetric_border_indices", "symmetric_pad_widths", "take_along_spatial_axes"]
