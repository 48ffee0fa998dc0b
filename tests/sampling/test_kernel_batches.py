"""Batched column kernels (median/mode of small blocks) and the default block size of a downsampling step."""

from types import SimpleNamespace

import numpy as np
import pytest
from daedalus.core.dataset import downsampling
from daedalus.core.sampling import downsample_cube, kernels


def _mode_brute(blocks):
    """Most frequent value per row of ``blocks``; ties go to the value occurring first in the row."""
    out = np.empty(blocks.shape[0], dtype=blocks.dtype)
    for r, row in enumerate(blocks):
        values, counts = list(row), [list(row).count(v) for v in row]
        out[r] = values[counts.index(max(counts))]
    return out


@pytest.mark.parametrize("factors", [(2, 2, 1), (2, 2, 2), (1, 2, 2), (2, 1, 1)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_mode_small_batches_match_brute_force(monkeypatch, factors, order):
    monkeypatch.setattr(kernels, "_CACHE_BATCH_ELEMENTS", 7)  # many batches, some with uniform blocks only
    rng = np.random.default_rng(3)
    cube = rng.integers(0, 3, (8, 6, 4)).astype(np.uint32)
    cube[:4] = 5  # uniform region
    cube = np.asarray(cube, order=order)
    got = downsample_cube(cube[np.newaxis], factors, "mode")[0]
    expected = _mode_brute(kernels._flat_blocks(np.ascontiguousarray(cube), factors).reshape(-1, np.prod(factors)))
    assert np.array_equal(got.ravel(), expected)
    assert got.flags.f_contiguous == (order == "F") or got.ndim < 2


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint32, np.float32])
@pytest.mark.parametrize("factors", [(2, 2, 1), (2, 2, 2)])
def test_median_small_batches_match_numpy(monkeypatch, dtype, factors):
    monkeypatch.setattr(kernels, "_CACHE_BATCH_ELEMENTS", 5)
    rng = np.random.default_rng(4)
    cube = np.asfortranarray(rng.integers(-100 if dtype != np.uint8 else 0, 255, (6, 8, 4)).astype(dtype))
    got = downsample_cube(cube, factors, "median")
    expected = np.median(kernels._flat_blocks(cube, factors), axis=-1).astype(dtype)
    assert np.array_equal(got, expected)


def test_default_block_bounds_source_and_target_bytes():
    info = SimpleNamespace(chunk_shape=(32, 32, 32), shard_shape=(1024, 1024, 1024), num_channels=1)
    for dtype, ratio in [(np.uint8, 4), (np.uint32, 4), (np.uint32, 8), (np.uint64, 8)]:
        info.voxel_type = np.dtype(dtype)
        block = downsampling._block_shape(None, info, ratio)
        held = np.prod(block) * np.dtype(dtype).itemsize * (1 + ratio)
        assert held <= downsampling._BLOCK_MAX_BYTES
        assert held > downsampling._BLOCK_MAX_BYTES // 2  # not needlessly small
        assert all(b % 32 == 0 for b in block)
    assert downsampling._block_shape(100, info, 8) == (128, 128, 128)  # an explicit buffer_shape is kept
