"""Seeded synthetic data the benchmarks write and read: EM-like blob volumes, smooth wave slabs, random read boxes.

The same seed gives the same array on every machine (numpy's ``default_rng``, float32 arithmetic in a fixed order).
"""

from __future__ import annotations

import numpy as np

SEED = 20240611
BLOB_GRID = 16
"""Voxels between the coarse noise samples whose interpolation makes the blobs of ``em_volume``."""


def _linear_weights(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``n`` points spread evenly over ``m`` samples (ends kept): the lower sample and both float32 weights."""
    position = np.linspace(0, m - 1, n, dtype=np.float32)
    lower = np.minimum(np.floor(position).astype(np.intp), m - 2)
    upper_weight = position - lower
    return lower, (1 - upper_weight).astype(np.float32), upper_weight.astype(np.float32)


def _interpolate(values: np.ndarray, weights: tuple[np.ndarray, np.ndarray, np.ndarray], axis: int) -> np.ndarray:
    """``values`` linearly interpolated along ``axis`` with ``_linear_weights``."""
    lower, lower_weight, upper_weight = weights
    shape = [-1 if a == axis else 1 for a in range(values.ndim)]
    return np.take(values, lower, axis=axis) * lower_weight.reshape(shape) + np.take(
        values, lower + 1, axis=axis
    ) * upper_weight.reshape(shape)


def em_volume(shape: tuple[int, int, int], seed: int = SEED) -> np.ndarray:
    """EM-like, compressible uint8 (x, y, z): smooth bright blobs on black, plus fine noise (0..5) inside the blobs.

    The blobs are coarse uniform noise on a ``BLOB_GRID`` grid, interpolated linearly along x, then y, then z,
    and thresholded. Computed one x plane at a time: a 1024×1024×512 volume takes seconds and little more
    memory than the result.
    """
    rng = np.random.default_rng(seed)
    coarse_shape = tuple(s // BLOB_GRID + 2 for s in shape)
    coarse = rng.random(coarse_shape, dtype=np.float32)
    noise = rng.integers(0, 6, size=shape, dtype=np.uint8)
    (x_lower, x_lower_weight, x_upper_weight), y_weights, z_weights = (
        _linear_weights(n, m) for n, m in zip(shape, coarse_shape)
    )
    out = np.empty(shape, dtype=np.uint8)
    for x in range(shape[0]):
        plane = coarse[x_lower[x]] * x_lower_weight[x] + coarse[x_lower[x] + 1] * x_upper_weight[x]
        plane = _interpolate(_interpolate(plane, y_weights, 0), z_weights, 1)
        blobs = np.clip((plane - 0.5) * 600, 0, 250).astype(np.uint8)
        out[x] = np.where(blobs > 0, blobs + noise[x], 0)
    return out


def random_offsets(shape: tuple[int, ...], n: int, edge: int, seed: int = SEED) -> list[tuple[int, ...]]:
    """``n`` random corners of ``edge``-sided cubes that lie inside ``shape``."""
    rng = np.random.default_rng(seed + 1)
    return [tuple(int(rng.integers(0, s - edge + 1)) for s in shape) for _ in range(n)]


def wave_field(shape: tuple[int, int, int], z0: int, depth: int) -> np.ndarray:
    """Smooth float32 waves in [-3, 3] over the x, y extent of ``shape`` and the ``depth`` slices from ``z0``."""
    x = np.arange(shape[0], dtype=np.float32)[:, None, None]
    y = np.arange(shape[1], dtype=np.float32)[None, :, None]
    z = np.arange(z0, z0 + depth, dtype=np.float32)[None, None, :]
    return np.sin(x / 37.0) + np.cos(y / 23.0) + np.sin((x + y + 2 * z) / 51.0)


def wave_slab(shape: tuple[int, int, int], z0: int, depth: int) -> np.ndarray:
    """``wave_field`` as compressible uint8 (x, y, z) blobs: one z slab of a volume written slab by slab."""
    return ((wave_field(shape, z0, depth) + 3.0) * 42.0).astype(np.uint8)


def wave_labels(shape: tuple[int, int, int], z0: int, depth: int) -> np.ndarray:
    """Label-like uint32 slab: box cells of 48×48×24 voxels with distinct ids where ``wave_field`` > -0.5, else 0."""
    x = (np.arange(shape[0]) // 48).astype(np.uint32)[:, None, None]
    y = (np.arange(shape[1]) // 48).astype(np.uint32)[None, :, None]
    z = (np.arange(z0, z0 + depth) // 24).astype(np.uint32)[None, None, :]
    return np.where(wave_field(shape, z0, depth) > -0.5, x * 1000 + y * 10 + z + 1, 0).astype(np.uint32)
