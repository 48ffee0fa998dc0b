"""WKW and N5 datasets written by daedalus open in the reference ``webknossos`` and read identically."""

from __future__ import annotations

import numpy as np
import pytest

import daedalus as wk

pytestmark = pytest.mark.interop

READ_SCRIPT = """
import sys, json
import numpy as np
import webknossos as wk
ds = wk.Dataset.open(sys.argv[1])
layer = ds.get_layer("color")
data = layer.get_mag(1).read()
np.save(sys.argv[2], data)
print(json.dumps({"format": str(layer.data_format), "shape": list(data.shape), "dtype": str(data.dtype)}))
"""


@pytest.mark.parametrize("data_format", ["wkw", "n5"])
def test_reference_reads_daedalus_datasets(tmp_path, run_reference_json, data_format):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(11.24, 11.24, 28.0))
    bbox = wk.BoundingBox((32, 64, 16), (70, 50, 40))
    layer = ds.add_layer(
        "color", "color", dtype_per_channel="uint16", num_channels=2, data_format=data_format, bounding_box=bbox
    )
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=64)
    data = np.random.default_rng(7).integers(0, 65535, size=(2, 70, 50, 40), dtype="uint16")
    mag.write(data, absolute_offset=(32, 64, 16), allow_unaligned=True)
    np.testing.assert_array_equal(mag.read(), data)
    result = run_reference_json(READ_SCRIPT, tmp_path / "ds", tmp_path / "ref.npy")
    assert result["format"] == data_format and result["dtype"] == "uint16"
    np.testing.assert_array_equal(np.load(tmp_path / "ref.npy"), data)
