"""MagView.merge_with_view: overlays the other mag's non-zero voxels, grows the box, checks mag and dtype."""

from __future__ import annotations

import numpy as np
import pytest

import daedalus as wk


def _mag(ds, name, offset, size, dtype="uint32", mag=1):
    layer = ds.add_layer(name, "segmentation", dtype=dtype, bounding_box=wk.BoundingBox(offset, size))
    return layer.add_mag(mag, chunk_shape=16, shard_shape=32)


def test_merge_overlays_non_zero_voxels_and_grows_the_bounding_box(tmp_path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    base = _mag(ds, "base", (0, 0, 0), (64, 64, 32))
    base.write(np.full((64, 64, 32), 5, np.uint32))
    other = _mag(ds, "other", (32, 0, 0), (64, 64, 32))
    incoming = np.zeros((64, 64, 32), np.uint32)
    incoming[:, :10] = 9
    other.write(incoming, absolute_offset=(32, 0, 0))

    base.merge_with_view(other, None)

    assert base.layer.bounding_box == wk.BoundingBox((0, 0, 0), (96, 64, 32))
    merged = base.read()[0]
    expected = np.zeros((96, 64, 32), np.uint32)
    expected[:64] = 5
    expected[32:, :10] = 9
    np.testing.assert_array_equal(merged, expected)
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("base")
    assert reopened.bounding_box == wk.BoundingBox((0, 0, 0), (96, 64, 32))


def test_merge_refuses_other_mags_and_voxel_types(tmp_path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    base = _mag(ds, "base", (0, 0, 0), (32, 32, 32))
    with pytest.raises(ValueError, match="voxel type"):
        base.merge_with_view(_mag(ds, "bytes", (0, 0, 0), (32, 32, 32), dtype="uint8"), None)
    with pytest.raises(ValueError, match="mag"):
        base.merge_with_view(_mag(ds, "coarse", (0, 0, 0), (32, 32, 32), mag=2), None)
