"""Write groups of a work unit: slabs of whole blocks within a byte budget, filled block by block."""

from __future__ import annotations

from itertools import product

import numpy as np
from daedalus.core.sampling.block_gather import GroupBuffer, plan_groups

# a unit of 4 x 2 x 8 blocks of 32 target voxels, the last z piece shorter (a layer end inside the shard)
PIECES = [
    [(0, 32), (32, 64), (64, 96), (96, 128)],
    [(0, 32), (32, 64)],
    [(z, z + 32) for z in range(0, 224, 32)] + [(224, 240)],
]


def test_groups_cover_every_block_once_in_slabs_of_whole_pieces_within_the_budget() -> None:
    slice_bytes = 128 * 64 * 2  # uint16 voxels of one z-slice of the unit
    groups = plan_groups(PIECES, 2, max_bytes=64 * slice_bytes)
    assert sorted(block for group in groups for block in group) == sorted(product(*PIECES))
    assert [sorted({block[2] for block in group}) for group in groups] == [
        PIECES[2][0:2],
        PIECES[2][2:4],
        PIECES[2][4:6],
        PIECES[2][6:8],
    ]
    for group in groups:  # each slab spans the unit's x and y fully
        assert {block[:2] for block in group} == set(product(PIECES[0], PIECES[1]))


def test_min_groups_halves_a_unit_that_fits_the_budget_and_one_piece_is_one_group() -> None:
    halves = plan_groups(PIECES, 1, max_bytes=1 << 30, min_groups=2)
    assert [len({block[2] for block in group}) for group in halves] == [4, 4]
    assert len(plan_groups(PIECES, 1, max_bytes=1 << 30)) == 1
    single = [[(0, 64)], [(0, 64)], [(0, 64)]]
    assert plan_groups(single, 4, max_bytes=1, min_groups=2) == [[((0, 64), (0, 64), (0, 64))]]


def test_the_axis_with_the_most_pieces_is_cut() -> None:
    long_x = [[(x, x + 32) for x in range(0, 256, 32)], [(0, 32)], [(0, 32)]]
    groups = plan_groups(long_x, 1, max_bytes=1 << 30, min_groups=2)
    assert [[block[0] for block in group] for group in groups] == [long_x[0][:4], long_x[0][4:]]


def test_a_buffer_assembles_its_blocks_and_reports_when_full() -> None:
    rng = np.random.default_rng(0)
    group = plan_groups(PIECES, 1, max_bytes=1 << 30)[0]
    expected = rng.integers(0, 1000, (2, 128, 64, 240)).astype(np.uint32)
    buffer = GroupBuffer(group)
    full = [buffer.put(block, expected[(Ellipsis, *(slice(a, b) for a, b in block))]) for block in group[::-1]]
    assert full == [False] * (len(group) - 1) + [True]
    assert buffer.complete and buffer.data.dtype == np.uint32 and buffer.data.flags.f_contiguous
    np.testing.assert_array_equal(buffer.data, expected)
    assert buffer.nbytes == expected.nbytes


def test_blocks_without_data_are_left_out_of_the_buffer() -> None:
    group = [((0, 32), (0, 32), (0, 32)), ((32, 64), (0, 32), (0, 32)), ((64, 96), (0, 32), (0, 32))]
    buffer = GroupBuffer(group)
    assert not buffer.put(group[0], np.full((32, 32, 32), 7, np.uint8))
    assert not buffer.put(group[1], None)
    assert buffer.put(group[2], np.full((32, 32, 32), 9, np.uint8))
    assert not buffer.complete
    assert buffer.filled == [group[0], group[2]]
    assert int(buffer.data[(Ellipsis, *buffer.window(group[2]))].min()) == 9
    empty = GroupBuffer(group[:1])
    assert empty.put(group[0], None) and empty.data is None and not empty.complete
