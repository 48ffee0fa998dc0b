"""Datasets made by daedalus' Dataset.from_images open in the reference and read the imported pixels."""

from __future__ import annotations

import numpy as np
import pytest

import daedalus as wk

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")
Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed (pip install 'daedalus[images]')")

pytestmark = pytest.mark.interop

# argv: dataset path, output folder; saves each layer's Mag 1 as <layer>.npy and prints its properties.
READ_SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
import webknossos as wk

ds = wk.Dataset.open(sys.argv[1])
out = Path(sys.argv[2])
info = {}
for name, layer in ds.layers.items():
    bbox = layer.bounding_box
    info[name] = [layer.category, str(layer.dtype), layer.num_channels, list(bbox.topleft), list(bbox.size)]
    np.save(out / f"{name}.npy", layer.get_mag(1).read())
print(json.dumps(info))
"""


def test_reference_reads_dataset_from_images(tmp_path, run_reference_json):
    gray = (np.arange(6 * 20 * 30) % 251).astype(np.uint8).reshape(6, 20, 30)  # z, y, x
    (tmp_path / "in" / "gray").mkdir(parents=True)
    for z, page in enumerate(gray):
        tifffile.imwrite(tmp_path / "in" / "gray" / f"slice{z}.tif", page)
    rgb = (np.arange(2 * 20 * 30 * 3) % 253).astype(np.uint8).reshape(2, 20, 30, 3)
    (tmp_path / "in" / "rgb").mkdir()
    for z, page in enumerate(rgb):
        Image.fromarray(page).save(tmp_path / "in" / "rgb" / f"p{z}.png")
    wk.Dataset.from_images(tmp_path / "in", tmp_path / "ds", voxel_size=(2, 2, 5), shard_shape=64, batch_size=64)
    out = tmp_path / "out"
    out.mkdir()
    info = run_reference_json(READ_SCRIPT, tmp_path / "ds", out)
    assert info == {
        "gray": ["color", "uint8", 1, [0, 0, 0], [30, 20, 6]],
        "rgb": ["color", "uint8", 3, [0, 0, 0], [30, 20, 2]],
    }
    np.testing.assert_array_equal(np.load(out / "gray.npy"), np.transpose(gray, (2, 1, 0))[np.newaxis])
    np.testing.assert_array_equal(np.load(out / "rgb.npy"), np.transpose(rgb, (3, 2, 1, 0)))
