"""An annotation zip written by daedalus (skeleton + volume data) loads in the reference ``webknossos``,
cheaply: its volume data is in WEBKNOSSOS's layout (unsharded 32³ chunks), not in large shards."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

pytestmark = pytest.mark.interop

MAX_REFERENCE_RSS_BYTES = 1024**3
"""The reference reads the small volume below with well under this peak memory (it took 8.7 GB from shards)."""

_READ_SCRIPT = """
import json, resource, sys
import numpy as np
import webknossos as wk


def peak_rss_bytes():
    # VmHWM: the peak of this process image only (ru_maxrss also counts the parent's RSS it was spawned from)
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


annotation = wk.Annotation.load(sys.argv[1])
trees = sorted((t.name, len(list(t.nodes))) for t in annotation.skeleton.flattened_trees())
with annotation.temporary_volume_layer_copy() as layer:
    data = layer.get_mag(1).read(absolute_offset=(10, 20, 30), size=(64, 64, 32))
    coarse = {mag.to_layer_name(): view.read().tolist() for mag, view in layer.mags.items() if mag != wk.Mag(1)}
np.save(sys.argv[2], data)
segments = {str(k): v.name for k, v in annotation.get_volume_layer_segments().items()}
print(json.dumps({"name": annotation.name, "trees": trees, "volumes": list(annotation.get_volume_layer_names()),
                  "segments": segments, "dataset": annotation.dataset_name, "coarse": coarse,
                  "peak_rss_bytes": peak_rss_bytes()}))
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
    data = rng.integers(0, 5, size=(1, 64, 64, 32), dtype=np.uint32)
    with annotation.temporary_volume_layer_copy(read_only=False) as layer:
        layer.add_mag(1).write(data, absolute_offset=(10, 20, 30), allow_resize=True)
        layer.downsample(coarsest_mag=wk.Mag("4-4-2"))
        coarse = {mag.to_layer_name(): view.read().tolist() for mag, view in layer.mags.items() if mag != wk.Mag(1)}
    annotation.get_volume_layer_segments()[3] = wk.SegmentInformation("three", (11, 21, 31), None, {})
    annotation.save(tmp_path / "a.zip")

    result = run_reference_json(_READ_SCRIPT, tmp_path / "a.zip", tmp_path / "ref.npy")
    assert result["name"] == "interop"
    assert result["dataset"] == "interop_ds"
    assert sorted(map(tuple, result["trees"])) == [("axon", 5), ("empty", 0)]
    assert result["volumes"] == ["seg"]
    assert result["segments"] == {"3": "three"}
    np.testing.assert_array_equal(np.load(tmp_path / "ref.npy"), data)
    assert result["coarse"] == coarse and set(coarse) == {"2-2-1", "4-4-2"}
    assert result["peak_rss_bytes"] < MAX_REFERENCE_RSS_BYTES, f"reference peaked at {result['peak_rss_bytes']} B"


_UNITS_SCRIPT = """
import json, sys
import webknossos as wk
out = {}
for source, daedalus_saved, reference_saved in json.loads(sys.argv[1]):
    original = wk.Annotation.load(source)
    original.save(reference_saved)
    ours = wk.Annotation.load(daedalus_saved)
    out[source] = {"voxel_size": list(original.voxel_size), "factor": list(original.voxel_size_with_unit.factor),
                   "unit": original.voxel_size_with_unit.unit.value, "daedalus_saved_factor":
                   list(ours.voxel_size_with_unit.factor), "daedalus_saved_unit": ours.voxel_size_with_unit.unit.value}
print(json.dumps(out))
"""


def test_voxel_size_units_match_reference(tmp_path: Path, run_reference_json, shared_dir: Path) -> None:
    text = (shared_dir / "fixtures" / "wk-testdata" / "nmls" / "test_a.nml").read_text()
    runs = []
    for unit in ("micrometer", "nanometer", "angstrom", "millimeter"):
        source = tmp_path / f"{unit}.nml"
        source.write_text(text.replace('unit="micrometer"', f'unit="{unit}"'))
        wk.Annotation.load(source).save(tmp_path / f"{unit}_daedalus.nml")
        runs.append([str(source), str(tmp_path / f"{unit}_daedalus.nml"), str(tmp_path / f"{unit}_reference.nml")])
    result = run_reference_json(_UNITS_SCRIPT, json.dumps(runs))
    for source, _, reference_saved in runs:
        reference = result[source]
        ours = wk.Annotation.load(source)
        assert list(ours.voxel_size) == reference["voxel_size"]  # nanometres, exactly as the reference computes
        assert list(ours.voxel_size_with_unit.factor) == reference["factor"]
        assert ours.voxel_size_with_unit.unit.value == reference["unit"]
        # what daedalus saves reads the same in the reference, and what the reference saves reads the same here
        assert (reference["daedalus_saved_factor"], reference["daedalus_saved_unit"]) == (
            reference["factor"],
            reference["unit"],
        )
        assert wk.Annotation.load(reference_saved).voxel_size_with_unit == ours.voxel_size_with_unit
