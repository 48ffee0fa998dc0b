"""Bilinear downsampling of 2-D images, voxel for voxel as the reference's ``--downsample`` of a TIFF export.

The reference shrinks each image with spline interpolation of order 1 on a grid whose corner pixels stay
in place (what ``scipy.ndimage.zoom(image, 1 / factor, order=1)`` computes); this is the same arithmetic in
numpy: output sizes ``round(n / factor)`` (half to even), sample positions ``i * (n - 1) / (m - 1)``, weights
applied axis by axis, integers rounded half away from zero. Like the reference, a last sample position that
floating-point rounding puts past the last pixel reads 0 (that row or column of the result is black).
"""

from __future__ import annotations

import numpy as np


def downsampled_size(size: int, factor: int) -> int:
    """The length of an axis of ``size`` pixels after downsampling by ``factor`` (at least 1)."""
    return max(1, int(round(size * (1.0 / factor))))


def _axis_samples(size: int, new_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each output position: the two input neighbours (clipped to the axis) and their weights."""
    step = (size - 1) / (new_size - 1) if new_size > 1 else 1.0
    position = np.arange(new_size, dtype=np.float64) * step
    low = np.floor(position)
    fraction = position - low
    low_index = low.astype(np.intp)
    high_index = low_index + 1
    inside = position <= size - 1
    # a neighbour past the last pixel has weight 0 (reached when the position is the last pixel itself);
    # a position past the last pixel (rounding) samples nothing
    low_weight = np.where(inside, 1.0 - fraction, 0.0)
    high_weight = np.where(inside & (high_index < size), fraction, 0.0)
    return np.minimum(low_index, size - 1), np.minimum(high_index, size - 1), low_weight, high_weight


def _to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "u":
        return np.trunc(np.where(values > 0, values + 0.5, 0.0)).astype(dtype)
    if dtype.kind == "i":
        return np.trunc(np.where(values > 0, values + 0.5, values - 0.5)).astype(dtype)
    if dtype.kind == "b":
        return values != 0
    return values.astype(dtype)


def downsample_image(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` (rows, columns[, samples]) shrunk by ``factor`` along rows and columns; samples are kept.

    ``factor`` 1 returns the image unchanged. The result has the image's dtype.
    """
    if factor < 1:
        raise ValueError(f"The downsampling factor must be at least 1, got {factor}.")
    if factor == 1:
        return image
    rows, columns = image.shape[:2]
    new_rows, new_columns = downsampled_size(rows, factor), downsampled_size(columns, factor)
    r0, r1, wr0, wr1 = _axis_samples(rows, new_rows)
    c0, c1, wc0, wc1 = _axis_samples(columns, new_columns)
    extra = (np.newaxis,) * (image.ndim - 2)
    wr0, wr1 = wr0[(slice(None), np.newaxis, *extra)], wr1[(slice(None), np.newaxis, *extra)]
    wc0, wc1 = wc0[(np.newaxis, slice(None), *extra)], wc1[(np.newaxis, slice(None), *extra)]
    top = image[r0].astype(np.float64)
    bottom = image[r1].astype(np.float64)
    # corner by corner, each value weighted by its row weight and then its column weight
    total = top[:, c0] * wr0 * wc0
    total += top[:, c1] * wr0 * wc1
    total += bottom[:, c0] * wr1 * wc0
    total += bottom[:, c1] * wr1 * wc1
    return _to_dtype(total, np.dtype(image.dtype))
