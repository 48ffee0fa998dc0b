"""The comparator networks of the column-wise median: exhaustive 0-1 checks and the median they give."""

import numpy as np
import pytest
from daedalus.core.sampling import InterpolationModes, downsample_cube
from daedalus.core.sampling.small_blocks import midpoint_towards_zero, select_ranks, selection_network


@pytest.mark.parametrize("n", range(1, 17))
def test_networks_select_and_sort_every_zero_one_input(n):
    """By the 0-1 principle a comparator network that orders every 0/1 input orders every input."""
    bits = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.uint8)
    columns = [bits[:, i].copy() for i in range(n)]
    ordered = np.sort(bits, axis=1)
    ranks = (n // 2,) if n % 2 else (n // 2 - 1, n // 2)
    for got, rank in zip(select_ranks(columns, ranks), ranks):
        np.testing.assert_array_equal(got, ordered[:, rank])
    for rank, got in enumerate(select_ranks(columns, tuple(range(n)))):
        np.testing.assert_array_equal(got, ordered[:, rank])


def test_the_median_of_eight_needs_half_the_operations_of_a_full_transposition_sort():
    operations = sum(keep_min + keep_max for _, _, keep_min, keep_max in selection_network(8, (3, 4)))
    assert operations <= 28  # odd-even transposition: 28 comparators = 56 min/max operations


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int32, np.float32])
def test_median_of_2x2x2_blocks_is_the_truncated_mean_of_the_middle_values(dtype):
    rng = np.random.default_rng(5)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        cube = rng.integers(info.min, info.max, size=(2, 16, 12, 10), dtype=dtype, endpoint=True)
    else:
        cube = rng.normal(0, 1000, size=(2, 16, 12, 10)).astype(dtype)
    blocks = cube.reshape(2, 8, 2, 6, 2, 5, 2).transpose(0, 1, 3, 5, 2, 4, 6).reshape(2, 8, 6, 5, 8)
    ordered = np.sort(blocks, axis=-1)
    lo, hi = ordered[..., 3], ordered[..., 4]
    if np.issubdtype(dtype, np.integer):  # exact: Python integers, truncated towards zero
        total = lo.astype(object) + hi.astype(object)
        expected = np.array([abs(t) // 2 * (1 if t >= 0 else -1) for t in total.ravel()], dtype=dtype)
        expected = expected.reshape(lo.shape)
    else:
        expected = ((lo.astype(np.float64) + hi.astype(np.float64)) / 2).astype(dtype)
    np.testing.assert_array_equal(downsample_cube(cube, (2, 2, 2), InterpolationModes.MEDIAN), expected)


def test_unsigned_midpoint_never_overflows():
    lo = np.array([0, 254, 255, 3], np.uint8)
    hi = np.array([255, 255, 255, 4], np.uint8)
    np.testing.assert_array_equal(midpoint_towards_zero(lo, hi), [127, 254, 255, 3])
