"""Batched column kernels (median/mode of small blocks) and the default block size of a downsampling step."""

from types import SimpleNamespace

import numpy as np
import pytest
from daedalus.core.dataset import downsampling
from daedalus.core.sampling import downsample_cube, kernels, small_blocks


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
    monkeypatch.setattr(small_blocks, "_CACHE_BATCH_BYTES", 7 * 32)  # many batches, some with uniform blocks only
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
    monkeypatch.setattr(small_blocks, "_CACHE_BATCH_BYTES", 40)
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


def _brute_blocks(cube, factors):
    """``(target voxels, fx*fy*fz)``: each block's values dz slowest, then dx, then dy (the mode's tie order)."""
    fx, fy, fz = factors
    x, y, z = (s // f for s, f in zip(cube.shape, factors))
    view = cube.reshape(x, fx, y, fy, z, fz).transpose(0, 2, 4, 5, 1, 3)
    return view.reshape(x * y * z, -1)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int16, np.float32, np.bool_])
@pytest.mark.parametrize("factors", [(2, 2, 1), (2, 2, 2), (2, 1, 1), (4, 2, 1), (2, 1, 2), (3, 2, 1)])
def test_f_ordered_reads_are_reduced_row_wise_like_brute_force(monkeypatch, dtype, factors):
    # F-ordered single-channel reads take the whole-row batches; few distinct values make ties and mixed blocks
    monkeypatch.setattr(small_blocks, "_CACHE_BATCH_BYTES", 48)
    rng = np.random.default_rng(7)
    values = rng.integers(0, 3, (24, 12, 8)) + (250 if dtype == np.uint8 else 0)
    values[:8, :, :4] = 1  # uniform blocks, too
    cube = np.asfortranarray(values.astype(dtype))[np.newaxis]
    assert small_blocks._x_rows(cube, factors) == (factors[0] != 3)  # x rows for fx 2, 4 and 8
    blocks = _brute_blocks(cube[0], factors)
    mode = downsample_cube(cube, factors, "mode")[0]
    assert mode.flags.f_contiguous and mode.dtype == cube.dtype
    np.testing.assert_array_equal(mode.ravel(order="C"), _mode_brute(blocks))
    if dtype != np.bool_:
        median = downsample_cube(cube, factors, "median")[0]
        np.testing.assert_array_equal(median.ravel(order="C"), np.median(blocks, axis=-1).astype(dtype))


def test_row_batches_may_cut_the_x_axis(monkeypatch):
    monkeypatch.setattr(small_blocks, "_CACHE_BATCH_BYTES", 3 * 4 * 4)  # 3 target voxels
    cube = np.asfortranarray(np.arange(64, dtype=np.uint32).reshape(32, 2, 1) // 3)[np.newaxis]
    out, parts = small_blocks.batches(cube, (2, 2, 1))
    assert [batch.target.shape for batch in parts] == [(1, 3, 1, 1)] * 5 + [(1, 1, 1, 1)]
    blocks = _brute_blocks(cube[0], (2, 2, 1))
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 1), "mode")[0].ravel(), _mode_brute(blocks))
    expected = np.median(blocks, axis=-1).astype(np.uint32)
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 1), "median")[0].ravel(), expected)
