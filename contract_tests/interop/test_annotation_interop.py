"""An annotation zip written by daedalus (skeleton + volume data) loads in the reference ``webknossos``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

pytestmark = pytest.mark.interop

_READ_SCRIPT = """
import json, sys
import numpy as np
import webknossos as wk
annotation = wk.Annotation.load(sys.argv[1])
trees = sorted((t.name, len(list(t.nodes))) for t in annotation.skeleton.flattened_trees())
with annotation.temporary_volume_layer_copy() as layer:
    data = layer.get_mag(1).read(absolute_offset=(10, 20, 30), size=(40, 30, 20))
np.save(sys.argv[2], data)
segments = {str(k): v.name for k, v in annotation.get_volume_layer_segments().items()}
print(json.dumps({"name": annotation.name, "trees": trees, "volumes": list(annotation.get_volume_layer_names()),
                  "segments": segments, "dataset": annotation.dataset_name}))
"""


def test_daedalus_zip_loads_in_reference(tmp_path: Path, run_reference_json) -> None:
    annotation = wk.Annotation(name="interop", dataset_name="interop_ds", voxel_size=(11.24, 11.24, 28.0))
    tree = annotation.skeleton.add_tree("axon")
    previous = None
    for i in range(5):
        node = tree.add_node(position=(i, 2 * i, 3))
        if previous is not None:
            tree.add_edge(previous, node)
        previous = node
    annotation.skeleton.add_group("g").add_tree("empty")
    annotation.add_volume_layer("seg", dtype=np.uint32)
    rng = np.random.default_rng(0)
    data = rng.integers(0, 5, size=(1, 40, 30, 20), dtype=np.uint32)
    with annotation.temporary_volume_layer_copy(read_only=False) as layer:
        layer.add_mag(1).write(data, absolute_offset=(10, 20, 30), allow_resize=True)
    annotation.get_volume_layer_segments()[3] = wk.SegmentInformation("three", (11, 21, 31), None, {})
    annotation.save(tmp_path / "a.zip")

    result = run_reference_json(_READ_SCRIPT, tmp_path / "a.zip", tmp_path / "ref.npy")
    assert result["name"] == "interop"
    assert result["dataset"] == "interop_ds"
    assert sorted(map(tuple, result["trees"])) == [("axon", 5), ("empty", 0)]
    assert result["volumes"] == ["seg"]
    assert result["segments"] == {"3": "three"}
    np.testing.assert_array_equal(np.load(tmp_path / "ref.npy"), data)
