"""Coarse voxels a layer's box covers only partly: mirrored border voxels, counted within the reference's work units."""

import daedalus.core.dataset.downsampling as downsampling
import numpy as np
import pytest
from daedalus.core.sampling import downsample_cube
from daedalus.core.sampling.border_padding import symmetric_border_indices

import daedalus as wk


def test_inside_the_box_needs_no_indices():
    assert symmetric_border_indices((8, 16), (8, 16), (0, 40), 4, 16) is None


def test_the_end_is_mirrored_from_the_last_voxels():
    # box [0, 33) in source voxels, ratio 4: the last coarse voxel holds 32 only and mirrors 31, 30
    assert symmetric_border_indices((32, 36), (32, 33), (0, 33), 4, 16).tolist() == [32, 32, 31, 30]


def test_the_start_is_mirrored_from_the_first_voxels():
    # box starts at 2: the first coarse voxel [0, 4) holds 2, 3 and mirrors them
    assert symmetric_border_indices((0, 8), (2, 8), (2, 40), 4, 16).tolist() == [3, 2, 2, 3, 4, 5, 6, 7]


def test_mirroring_stays_inside_the_last_work_unit():
    # units of 8 coarse voxels from voxel 0: the last unit [32, 36) holds only 32, so it repeats
    assert symmetric_border_indices((32, 36), (32, 33), (0, 33), 4, 8).tolist() == [32, 32, 32, 32]


def test_a_box_inside_one_coarse_voxel_mirrors_both_ways():
    assert symmetric_border_indices((0, 8), (3, 5), (3, 5), 8, 4).tolist() == [4, 4, 3, 3, 4, 4, 3, 3]


def _mirrored_model(data, offset, factor, unit):
    """Each work unit (``unit`` coarse voxels from the box's first) padded with np.pad(mode="symmetric")."""
    lo = list(offset)
    hi = [o + s for o, s in zip(offset, data.shape[1:])]
    first = [a // factor for a in lo]
    last = [-(-b // factor) for b in hi]
    out = np.zeros((1, *(b - a for a, b in zip(first, last))), data.dtype)
    edges = [list(range(a, b, unit)) + [b] for a, b in zip(first, last)]
    for ux in zip(edges[0], edges[0][1:]):
        for uy in zip(edges[1], edges[1][1:]):
            for uz in zip(edges[2], edges[2][1:]):
                units = (ux, uy, uz)
                src = [(max(u0 * factor, a), min(u1 * factor, b)) for (u0, u1), a, b in zip(units, lo, hi)]
                part = data[(slice(None), *(slice(s0 - a, s1 - a) for (s0, s1), a in zip(src, lo)))]
                widths = [(0, 0)] + [(s0 - u0 * factor, u1 * factor - s1) for (u0, u1), (s0, s1) in zip(units, src)]
                reduced = downsample_cube(np.pad(part, widths, mode="symmetric"), factor, "median")
                out[(slice(None), *(slice(u0 - f, u1 - f) for (u0, u1), f in zip(units, first)))] = reduced
    return out


@pytest.mark.parametrize("executor_name", ["sequential", "threads"])
def test_unaligned_box_matches_symmetric_padding_per_unit_whatever_the_blocks(tmp_path, monkeypatch, executor_name):
    monkeypatch.setattr(downsampling, "_UNIT_MIN_EDGE", 1)  # daedalus' own units: one target shard each
    rng = np.random.default_rng(3)
    offset, data = (3, 62, 1), rng.integers(0, 250, (1, 70, 41, 33), dtype=np.uint8)
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color", dtype="uint8", bounding_box=wk.BoundingBox(offset, data.shape[1:]))
    layer.add_mag(1, chunk_shape=8, shard_shape=16).write(data, absolute_offset=offset, allow_unaligned=True)
    with wk.get_executor(executor_name, max_workers=2) as pool:
        layer.downsample_mag(wk.Mag(1), wk.Mag(4), chunk_shape=8, shard_shape=8, buffer_shape=None, executor=pool)
    np.testing.assert_array_equal(layer.get_mag(4).read(), _mirrored_model(data, offset, 4, unit=8))


def test_buffer_shape_sets_the_work_unit(tmp_path):
    rng = np.random.default_rng(4)
    offset, data = (0, 0, 0), rng.integers(0, 250, (1, 8, 8, 49), dtype=np.uint8)
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color", dtype="uint8", bounding_box=wk.BoundingBox(offset, data.shape[1:]))
    layer.add_mag(1, chunk_shape=8, shard_shape=64).write(data, absolute_offset=offset)
    layer.downsample_mag(wk.Mag(1), wk.Mag(4), chunk_shape=8, shard_shape=16, buffer_shape=12)
    np.testing.assert_array_equal(layer.get_mag(4).read(), _mirrored_model(data, offset, 4, unit=12))
    assert not np.array_equal(_mirrored_model(data, offset, 4, unit=12), _mirrored_model(data, offset, 4, unit=16))
