"""webknossos 4.3.3 (which cannot create precomputed arrays) reads the precomputed layers daedalus writes."""

from __future__ import annotations

import numpy as np
import pytest
from precomputed_volumes import em_like, label_like

import daedalus as wk

pytestmark = pytest.mark.interop

SCRIPT = """
import json, sys, numpy as np, webknossos as wk
dataset = wk.Dataset.open(sys.argv[1])
seen = {}
for name in ("raw", "jpeg", "segmentation"):
    mag = dataset.get_layer(name).get_mag(1)
    seen[name] = bool(np.array_equal(mag.read(), np.load(f"{sys.argv[1]}/{name}.npy")))
print(json.dumps(seen))
"""


def test_reference_reads_raw_jpeg_and_sharded_segmentation(tmp_path, run_reference_json):
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(11, 11, 25))
    image, labels = em_like((64, 64, 32)), label_like((64, 64, 32), "uint32")
    for name, compress in (("raw", False), ("jpeg", True)):
        mag = dataset.add_layer(name, "color", dtype="uint8", data_format="neuroglancerPrecomputed").add_mag(
            1, compress=compress
        )
        mag.write(image, absolute_offset=(0, 0, 0), allow_resize=True)
        np.save(tmp_path / "ds" / f"{name}.npy", mag.read())  # what daedalus reads (jpeg: the decoded data)
    segmentation = dataset.add_layer(
        "segmentation",
        "segmentation",
        dtype="uint32",
        largest_segment_id=2**32 - 1,
        data_format="neuroglancerPrecomputed",
    )
    segmentation.add_mag(1, shard_shape=64).write(labels, absolute_offset=(0, 0, 0), allow_resize=True)
    np.save(tmp_path / "ds" / "segmentation.npy", labels[None])
    assert run_reference_json(SCRIPT, tmp_path / "ds") == {"raw": True, "jpeg": True, "segmentation": True}
