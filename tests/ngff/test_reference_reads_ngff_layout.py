"""The reference (webknossos 4.3.3) still reads and extends daedalus datasets with the OME-Zarr-friendly layout.

daedalus now writes ``.zgroup`` with the integer ``zarr_format`` 2 and sizes zarr3 arrays to whole chunks instead
of whole 1024³ shards. The reference opens such datasets, reads every mag exactly as daedalus does, and grows
them (a write past the layer's end resizes the arrays); daedalus then reads what the reference wrote.
"""

from __future__ import annotations

import numpy as np
import pytest

import daedalus as wk

from .conftest import build_dataset

pytestmark = pytest.mark.interop

# argv: dataset path, folder for the .npy files. Reads every mag of every layer, then writes a block of 7s past the
# color layer's end (the layer grows) and prints the mags it read, the new box and the array shapes it sees.
REFERENCE_SCRIPT = """
import json, sys
import numpy as np
import webknossos as wk

if __name__ == "__main__":
    ds = wk.Dataset.open(sys.argv[1])
    read = []
    for layer in ds.layers.values():
        for mag_view in layer.mags.values():
            np.save(f"{sys.argv[2]}/{layer.name}__{mag_view.name}.npy", mag_view.read())
            read.append(f"{layer.name}__{mag_view.name}")
    color = ds.get_layer("color").get_mag(1)
    color.write(np.full((40, 40, 40), 7, "uint8"), absolute_offset=(150, 100, 60), allow_resize=True,
                allow_unaligned=True)
    box = ds.get_layer("color").bounding_box
    print(json.dumps({"read": sorted(read), "topleft": list(box.topleft), "size": list(box.size)}))
"""


@pytest.mark.parametrize("data_format", ["zarr", "zarr3"])
def test_reference_reads_and_grows_daedalus_layout(data_format, tmp_path, run_reference_json):
    ds = build_dataset(tmp_path / "ds", data_format)
    if data_format == "zarr3":  # the layout under test: arrays end at whole chunks, far inside the 1024³ shard
        assert ds.get_layer("color").get_mag(1).info.shape == (1, 128, 96, 96)
    out = tmp_path / "reference_reads"
    out.mkdir()
    result = run_reference_json(REFERENCE_SCRIPT, ds.path, out)
    expected = sorted(f"{name}__{mag.to_layer_name()}" for name, layer in ds.layers.items() for mag in layer.mags)
    assert result["read"] == expected
    for key in expected:
        name, mag = key.split("__")
        np.testing.assert_array_equal(np.load(out / f"{key}.npy"), ds.get_layer(name).get_mag(mag).read(), key)
    assert (result["topleft"], result["size"]) == ([10, 20, 30], [180, 120, 70])
    reopened = wk.Dataset.open(ds.path).get_layer("color")
    assert reopened.bounding_box == wk.BoundingBox((10, 20, 30), (180, 120, 70))
    grown = reopened.get_mag(1).read(absolute_offset=(150, 100, 60), size=(40, 40, 40))
    assert (grown == 7).all()
    before = reopened.get_mag(1).read(absolute_bounding_box=wk.BoundingBox((10, 20, 30), (100, 70, 50)))
    np.testing.assert_array_equal(before, ds.get_layer("color").get_mag(1).read())
