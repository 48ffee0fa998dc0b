"""Two writers growing one layer in different directions lose neither growth (array shape and layer box)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import daedalus as wk


@pytest.mark.parametrize("data_format", ["zarr3", "zarr"])
def test_stale_handles_growing_a_layer_keep_both_growths(tmp_path, data_format):
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = dataset.add_layer(
        "color",
        wk.COLOR_CATEGORY,
        dtype="uint8",
        data_format=data_format,
        bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32)),
    )
    shard = {"shard_shape": 32} if data_format == "zarr3" else {}
    layer.add_mag(1, chunk_shape=32, **shard).write(np.ones((32, 32, 32), np.uint8), absolute_offset=(0, 0, 0))
    first = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)
    second = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)

    second.write(np.full((32, 32, 32), 2, np.uint8), absolute_offset=(64, 0, 0), allow_resize=True)
    first.write(np.full((32, 32, 32), 3, np.uint8), absolute_offset=(0, 0, 64), allow_resize=True)

    meta_file = "zarr.json" if data_format == "zarr3" else ".zarray"
    shape = json.loads((tmp_path / "ds" / "color" / "1" / meta_file).read_text())["shape"]
    assert shape[-3:] == [96, 32, 96]
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)
    assert reopened.bounding_box == wk.BoundingBox((0, 0, 0), (96, 32, 96))
    assert (reopened.read(absolute_offset=(64, 0, 0), size=(32, 32, 32)) == 2).all()
    assert (reopened.read(absolute_offset=(0, 0, 64), size=(32, 32, 32)) == 3).all()
    assert (reopened.read(absolute_offset=(0, 0, 0), size=(32, 32, 32)) == 1).all()
