"""Sharded precomputed scales: shards are the aligned shard_shape boxes, growing the layer rewrites the shards
for the wider Morton code and keeps the data, and shard shapes that are no such boxes are refused."""

from __future__ import annotations

import numpy as np
import pytest
from precomputed_volumes import label_like

import daedalus as wk


def _layer(tmp_path):
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(4, 4, 40))
    return dataset.add_layer(
        "segmentation",
        "segmentation",
        dtype="uint32",
        largest_segment_id=2**32 - 1,
        data_format="neuroglancerPrecomputed",
    )


def test_growing_a_sharded_scale_keeps_its_data(tmp_path, cloudvolume):
    mag = _layer(tmp_path).add_mag(1, chunk_shape=16, shard_shape=32)
    first = label_like((32, 32, 32), "uint32", seed=1)
    mag.write(first, absolute_offset=(0, 0, 0), allow_resize=True)
    second = label_like((64, 32, 32), "uint32", seed=2)
    mag.write(second, absolute_offset=(32, 64, 0), allow_resize=True)  # the grid needs more bits in x and y
    expected = np.zeros((96, 96, 32), np.uint32)
    expected[:32, :32] = first
    expected[32:, 64:] = second
    np.testing.assert_array_equal(mag.read()[0], expected)
    boxes = sorted(mag._array.list_bounding_boxes())  # one per shard file: the 32³ boxes written
    assert boxes == [((0, x, y, 0), (1, 32, 32, 32)) for x, y in [(0, 0), (32, 64), (64, 64)]]
    volume = cloudvolume.CloudVolume(f"file://{mag.layer.path}", progress=False, fill_missing=True)
    np.testing.assert_array_equal(np.asarray(volume[0:96, 0:96, 0:32])[..., 0], expected)


def test_shards_that_are_no_morton_boxes_are_refused(tmp_path):
    layer = _layer(tmp_path)
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (256, 256, 256))
    with pytest.raises(ValueError, match="powers of two"):
        layer.add_mag(1, chunk_shape=32, shard_shape=(96, 96, 96))
    with pytest.raises(ValueError, match="no aligned boxes"):
        layer.add_mag(1, chunk_shape=32, shard_shape=(128, 128, 32))
