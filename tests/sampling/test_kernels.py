"""The numpy kernels of daedalus.core.sampling on small arrays and on the reference's fixture mags."""

from collections import Counter
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.sampling import (
    InterpolationModes,
    downsample_cube,
    edge_pad,
    parse_interpolation_mode,
    upsample_cube,
)

EXPECTED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "generated" / "expected"
needs_fixtures = pytest.mark.skipif(not EXPECTED.is_dir(), reason=f"fixtures not found at {EXPECTED}")


def _blocks(cube, factors):
    """Brute force: {(i, j, k): [values of the block, dz slowest, then dx, then dy]} for a 3-d cube.

    That is the order in which the reference library breaks ties of the mode (measured against it)."""
    fx, fy, fz = factors
    out = {}
    for i, j, k in product(*(range(s // f) for s, f in zip(cube.shape, factors))):
        block = cube[i * fx : (i + 1) * fx, j * fy : (j + 1) * fy, k * fz : (k + 1) * fz]
        out[(i, j, k)] = block.transpose(2, 0, 1).ravel().tolist()
    return out


def _brute(cube, factors, reduce):
    shape = tuple(s // f for s, f in zip(cube.shape, factors))
    out = np.empty(shape, dtype=cube.dtype)
    for key, values in _blocks(cube, factors).items():
        out[key] = reduce(values)
    return out


def _brute_mode(values):
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


# ------------------------------------------------------------------------------------------ median


def test_median_of_even_count_is_floor_of_middle_mean_for_unsigned():
    cube = np.array([1, 2, 4, 9], dtype=np.uint8).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == 3  # (2 + 4) / 2
    cube = np.array([1, 2, 5, 9], dtype=np.uint8).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == 3  # floor(3.5)


def test_median_no_overflow_for_large_values():
    cube = np.array([255, 255, 254, 0], dtype=np.uint8).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == 254  # (254 + 255) // 2
    big = np.iinfo(np.uint64).max
    cube = np.array([big, big - 1, 0, big], dtype=np.uint64).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == big - 1


def test_median_signed_truncates_towards_zero():
    cube = np.array([-3, -2, 0, 5], dtype=np.int16).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == -1  # trunc(-1.0)
    cube = np.array([-4, -1, -2, -9], dtype=np.int8).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == -3  # trunc(-3.0)
    cube = np.array([-4, -1, -9, 0], dtype=np.int8).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "median")[0, 0, 0] == -2  # trunc(-2.5)


def test_median_float_is_exact_mean_of_middle_values():
    cube = np.array([1.0, 2.0, 5.0, 9.0], dtype=np.float32).reshape(2, 2, 1)
    result = downsample_cube(cube, (2, 2, 1), "median")
    assert result.dtype == np.float32 and result[0, 0, 0] == 3.5


def test_median_odd_count_and_random_against_numpy():
    rng = np.random.default_rng(0)
    cube = rng.integers(0, 256, (6, 6, 12), dtype=np.uint8)
    for factors in [(3, 3, 1), (2, 2, 2), (1, 3, 4), (2, 3, 2), (3, 3, 3)]:
        expected = _brute(cube, factors, lambda v: np.median(v).astype(np.uint8))
        np.testing.assert_array_equal(downsample_cube(cube, factors, "median"), expected)


# ------------------------------------------------------------------------------------------ mode


def test_mode_picks_most_frequent_and_breaks_ties_by_first_occurrence():
    cube = np.array([7, 3, 3, 9], dtype=np.uint32).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "mode")[0, 0, 0] == 3
    cube = np.array([9, 3, 3, 9], dtype=np.uint32).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "mode")[0, 0, 0] == 9  # tie 2:2, 9 comes first
    cube = np.array([5, 1, 2, 3], dtype=np.uint32).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "mode")[0, 0, 0] == 5  # all distinct: the first voxel
    cube = np.array([0, 0, 2002, 2002], dtype=np.uint32).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "mode")[0, 0, 0] == 0  # zero is an ordinary value


def test_mode_random_against_brute_force():
    rng = np.random.default_rng(1)
    for dtype in [np.uint8, np.uint32, np.int64, np.uint64]:
        cube = rng.integers(0, 4, (8, 6, 8)).astype(dtype)
        for factors in [(2, 2, 1), (2, 2, 2), (4, 3, 2), (1, 1, 8)]:
            expected = _brute(cube, factors, _brute_mode)
            np.testing.assert_array_equal(downsample_cube(cube, factors, "mode"), expected)


def test_mode_uniform_blocks_and_batches(monkeypatch):
    import daedalus.core.sampling.kernels as kernels

    monkeypatch.setattr(kernels, "_MODE_BATCH_ELEMENTS", 16)  # force many batches
    rng = np.random.default_rng(2)
    cube = np.repeat(rng.integers(0, 3, (4, 4, 4)), 2, axis=0).astype(np.uint16)
    expected = _brute(cube, (2, 2, 2), _brute_mode)
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 2), "mode"), expected)


# ------------------------------------------------------------------------------------------ other modes


def test_nearest_max_min():
    cube = np.arange(4 * 4 * 2, dtype=np.uint16).reshape(4, 4, 2)
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 2), "nearest"), cube[::2, ::2, ::2])
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 2), "max"), _brute(cube, (2, 2, 2), max))
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 2), "min"), _brute(cube, (2, 2, 2), min))


def test_bilinear_is_block_mean_for_factor_two_and_rounds():
    cube = np.array([1, 2, 4, 6], dtype=np.uint8).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "bilinear")[0, 0, 0] == 3  # mean 3.25
    cube = np.array([1.0, 2.0, 4.0, 6.0], dtype=np.float64).reshape(2, 2, 1)
    assert downsample_cube(cube, (2, 2, 1), "bilinear")[0, 0, 0] == 3.25
    odd = np.arange(27, dtype=np.float32).reshape(3, 3, 3)
    assert downsample_cube(odd, 3, "bilinear")[0, 0, 0] == odd[1, 1, 1]  # odd factor: the centre voxel


def test_bicubic_reproduces_constants_and_linear_ramps_and_clips():
    constant = np.full((4, 4, 4), 17, dtype=np.uint8)
    np.testing.assert_array_equal(downsample_cube(constant, 2, "bicubic"), np.full((2, 2, 2), 17))
    ramp = np.broadcast_to(np.arange(8, dtype=np.float64)[:, None, None], (8, 2, 2)).copy()
    result = downsample_cube(ramp, (2, 1, 1), "bicubic")
    np.testing.assert_allclose(result[1:-1, 0, 0], [2.5, 4.5])  # interior: exact for linear data
    step = np.zeros((4, 1, 1), dtype=np.uint8)
    step[2:] = 255
    assert downsample_cube(step, (2, 1, 1), "bicubic").max() == 255  # overshoot is clipped


def test_bicubic_margin_gives_context():
    rng = np.random.default_rng(3)
    data = rng.random((10, 10, 10))
    inner = data[1:-1, 1:-1, 1:-1]
    with_margin = downsample_cube(data, 2, "bicubic", margin=1)
    whole = downsample_cube(data[1:-1, 1:-1, 1:-1], 2, "bicubic")
    assert with_margin.shape == (4, 4, 4)
    np.testing.assert_allclose(with_margin[1:-1, 1:-1, 1:-1], whole[1:-1, 1:-1, 1:-1])
    assert not np.allclose(with_margin, whole)  # the borders differ: they use real neighbours
    assert downsample_cube(data, 2, "median", margin=1).shape == downsample_cube(inner, 2, "median").shape


def test_leading_axes_channels_and_bool():
    rng = np.random.default_rng(4)
    cube = rng.integers(0, 256, (3, 2, 4, 4, 2), dtype=np.uint8)
    result = downsample_cube(cube, (2, 2, 2), "median")
    assert result.shape == (3, 2, 2, 2, 1)
    np.testing.assert_array_equal(result[1, 0], downsample_cube(cube[1, 0], (2, 2, 2), "median"))
    mask = rng.random((4, 4, 2)) > 0.5
    assert downsample_cube(mask, 2, "max").dtype == np.bool_
    assert downsample_cube(mask, 2, "mode").dtype == np.bool_


def test_identity_factors_copy():
    cube = np.arange(8, dtype=np.uint8).reshape(2, 2, 2)
    result = downsample_cube(cube, 1, "mode")
    np.testing.assert_array_equal(result, cube)
    assert result is not cube


def test_errors():
    cube = np.zeros((3, 4, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match="multiple"):
        downsample_cube(cube, (2, 2, 2), "median")
    with pytest.raises(ValueError, match="positive"):
        downsample_cube(cube, (0, 1, 1), "median")
    with pytest.raises(ValueError, match="Unknown interpolation mode"):
        downsample_cube(cube, 1, "cubic_spline")
    with pytest.raises(ValueError):
        downsample_cube(np.zeros((2, 2)), 1)


def test_parse_interpolation_mode_defaults_per_category():
    assert parse_interpolation_mode("default", "segmentation") is InterpolationModes.MODE
    assert parse_interpolation_mode("default", "color") is InterpolationModes.MEDIAN
    assert parse_interpolation_mode("MEDIAN") is InterpolationModes.MEDIAN
    assert parse_interpolation_mode(InterpolationModes.MAX) is InterpolationModes.MAX


def test_upsample_repeats_and_edge_pad():
    cube = np.arange(8, dtype=np.uint32).reshape(1, 2, 2, 2)
    up = upsample_cube(cube, (2, 3, 1))
    assert up.shape == (1, 4, 6, 2)
    np.testing.assert_array_equal(up, np.repeat(np.repeat(cube, 2, axis=1), 3, axis=2))
    np.testing.assert_array_equal(downsample_cube(up, (2, 3, 1), "nearest"), cube)
    padded = edge_pad(cube, (1, 0, 0), (0, 2, 0))
    assert padded.shape == (1, 3, 4, 2)
    np.testing.assert_array_equal(padded[:, 1:, :2], cube)
    np.testing.assert_array_equal(padded[:, 0], padded[:, 1])
    np.testing.assert_array_equal(padded[:, :, 3], padded[:, :, 1])


# ------------------------------------------------------------------------------------------ fixtures


@needs_fixtures
def test_median_reproduces_reference_color_mags():
    mag1 = np.load(EXPECTED / "color__1.npy")
    mag2 = np.load(EXPECTED / "color__2-2-1.npy")
    mag4 = np.load(EXPECTED / "color__4-4-2.npy")
    # layer topleft (32, 64, 16) is aligned with 2-2-1, so mag-2 voxel i covers mag-1 voxels 2i, 2i+1
    np.testing.assert_array_equal(downsample_cube(mag1, (2, 2, 1), "median"), mag2)
    # 4-4-2 comes from 2-2-1; y has 75 voxels, the missing 76th is the border voxel repeated
    np.testing.assert_array_equal(downsample_cube(edge_pad(mag2, (0, 0, 0), (0, 1, 0)), 2, "median"), mag4)


@needs_fixtures
def test_mode_reproduces_reference_segmentation_mag():
    mag1 = np.load(EXPECTED / "segmentation__1.npy")
    mag2 = np.load(EXPECTED / "segmentation__2-2-1.npy")
    np.testing.assert_array_equal(downsample_cube(mag1, (2, 2, 1), "mode"), mag2)
