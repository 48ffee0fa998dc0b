"""Test volumes for the precomputed tests: EM-like images and segmentation-like labels; PSNR of lossy copies."""

from __future__ import annotations

import numpy as np


def em_like(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """uint8 data with the smooth structure of EM images (blurred blobs plus a little noise)."""
    rng = np.random.default_rng(seed)
    grid = np.indices(shape, dtype=np.float32)
    data = np.zeros(shape, dtype=np.float32)
    for _ in range(12):
        centre = [rng.uniform(0, n) for n in shape]
        radius = rng.uniform(4, 16)
        data += 90 * np.exp(-sum((g - c) ** 2 for g, c in zip(grid, centre)) / (2 * radius**2))
    data += rng.normal(60, 3, size=shape)
    return np.clip(data, 0, 255).astype(np.uint8)


def label_like(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    """Segmentation-like labels: blocks of 4 voxels with ids spread over the dtype's range (large ids included)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 50, size=tuple(-(-n // 4) for n in shape))
    labels = np.kron(coarse, np.ones((4, 4, 4), dtype=np.int64))[tuple(slice(0, n) for n in shape)]
    ids = np.asarray(np.iinfo(dtype).max, dtype=dtype) - np.arange(50, dtype=dtype) * 7
    ids[0] = 0
    return ids[labels]


def psnr(expected: np.ndarray, actual: np.ndarray) -> float:
    """Peak signal-to-noise ratio (dB) of uint8 data."""
    error = np.mean((expected.astype(np.float64) - actual.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0**2 / error))
