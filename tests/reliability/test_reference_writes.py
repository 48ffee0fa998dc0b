"""Mags referenced from outside the dataset are read-only: every way of writing into them is refused (issue 16).

``add_mag_as_ref`` / ``add_layer_as_ref`` register another dataset's (or another layer's) data by path. Before,
daedalus wrote into such mags (and compressed or rechunked them in place), changing a dataset that is not the
one being edited. The reference makes them read-only; so does daedalus now: each write raises
``ReadOnlyViewError`` (a RuntimeError and an AssertionError, the types the reference raises) naming the mag,
and the referenced data stays as it was. One test runs the same script with the reference and compares.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.errors import ReadOnlyViewError

import daedalus as wk

BOX = wk.BoundingBox((0, 0, 0), (32, 32, 32))
BLOCK = np.full((16, 16, 16), 7, dtype="uint8")

# argv: module name (webknossos or daedalus), work folder. Tries every write into referenced mags and prints,
# per attempt, "ok" or the names of the exception's classes (its MRO), then whether the source is unchanged.
COMPARE_SCRIPT = """
import importlib, json, sys
import numpy as np
wk = importlib.import_module(sys.argv[1])
root = sys.argv[2]
if __name__ == "__main__":
    source = wk.Dataset(root + "/source", voxel_size=(1, 1, 1))
    color = source.add_layer("color", "color", bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32)))
    color.add_mag(1, chunk_shape=16, shard_shape=16, compress=False).write(np.ones((32, 32, 32), "uint8"))
    target = wk.Dataset(root + "/target", voxel_size=(1, 1, 1))
    layer_ref = target.add_layer_as_ref(color, "layer_ref")
    local = target.add_layer("local", "color", bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32)))
    mag_ref = local.add_mag_as_ref(color.get_mag(1))
    block = np.full((16, 16, 16), 7, "uint8")
    reopened = wk.Dataset.open(root + "/target")
    attempts = {
        "layer ref write": lambda: layer_ref.get_mag(1).write(block, absolute_offset=(0, 0, 0)),
        "mag ref write": lambda: mag_ref.write(block, absolute_offset=(0, 0, 0)),
        "reopened ref write": lambda: reopened.get_layer("layer_ref").get_mag(1).write(block, absolute_offset=(0,) * 3),
        "view write": lambda: mag_ref.get_view(absolute_offset=(0, 0, 0), size=(16, 16, 16)).write(block),
        "writable view": lambda: mag_ref.get_view(absolute_offset=(0, 0, 0), size=(16, 16, 16), read_only=False),
        "buffered writer": lambda: mag_ref.get_buffered_slice_writer(absolute_offset=(0, 0, 0)).__enter__(),
        "compress in place": lambda: mag_ref.compress(),
    }
    outcome = {"read_only": [layer_ref.get_mag(1).read_only, mag_ref.read_only]}
    for name, attempt in attempts.items():
        try:
            attempt()
            outcome[name] = "ok"
        except Exception as error:
            outcome[name] = [cls.__name__ for cls in type(error).__mro__]
    after = wk.Dataset.open(root + "/source").get_layer("color").get_mag(1).read()
    outcome["source unchanged"] = bool((after == 1).all())
    print(json.dumps(outcome))
"""


def _source(path: Path) -> wk.Dataset:
    dataset = wk.Dataset(path, voxel_size=(1, 1, 1))
    layer = dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BOX)
    layer.add_mag(1, chunk_shape=16, shard_shape=16, compress=False).write(np.ones((32, 32, 32), dtype="uint8"))
    return dataset


def _unchanged(path: Path) -> bool:
    return bool((wk.Dataset.open(path).get_layer("color").get_mag(1).read() == 1).all())


def test_writing_into_a_layer_added_by_reference_is_refused(tmp_path):
    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    mag = target.add_layer_as_ref(source.get_layer("color")).get_mag(1)

    assert mag.read_only
    with pytest.raises(ReadOnlyViewError, match=r"mag 1 at .*source/color/1.*read-only.*add_mag_as_copy"):
        mag.write(BLOCK, absolute_offset=(0, 0, 0))
    with pytest.raises(RuntimeError, match="read-only"):  # the reference's type
        wk.Dataset.open(tmp_path / "target").get_layer("color").get_mag(1).write(BLOCK, absolute_offset=(0, 0, 0))
    assert _unchanged(tmp_path / "source")


@pytest.mark.parametrize("how", ["add_mag_as_ref", "shallow_copy_dataset(make_relative=True)"])
def test_writing_into_a_mag_added_by_reference_is_refused(tmp_path, how, reliability_counts):
    source = _source(tmp_path / "source")
    if how == "add_mag_as_ref":
        target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
        layer = target.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BOX)
        mag = layer.add_mag_as_ref(source.get_layer("color").get_mag(1))
    else:  # the properties hold the path relative to the dataset: ../source/color/1
        source.shallow_copy_dataset(tmp_path / "target", make_relative=True)
        mag = wk.Dataset.open(tmp_path / "target").get_layer("color").get_mag(1)

    attempts = (
        lambda: mag.write(BLOCK, absolute_offset=(0, 0, 0)),
        lambda: mag.write(BLOCK, absolute_offset=(0, 0, 0), allow_resize=True, allow_unaligned=True),
        lambda: mag.get_view(absolute_offset=(0, 0, 0), size=(16, 16, 16)).write(BLOCK),
        lambda: mag.get_buffered_slice_writer(absolute_offset=(0, 0, 0)),
        lambda: mag.compress(),
        lambda: mag.rechunk(chunk_shape=8, shard_shape=16),
        lambda: mag.get_view(absolute_offset=(0, 0, 0), size=(16, 16, 16), read_only=False),
    )
    refused = 0
    for attempt in attempts:
        with pytest.raises(ReadOnlyViewError):  # a RuntimeError and an AssertionError, the reference's types
            attempt()
        refused += 1
    unchanged = _unchanged(tmp_path / "source")
    reliability_counts.record(
        "references: writes into referenced mags",
        attempts=len(attempts),
        refused=refused,
        data_changed=int(not unchanged),
    )
    assert unchanged
    assert sorted(p.name for p in (tmp_path / "source" / "color" / "1").iterdir()) == ["c", "zarr.json"]


def test_a_reference_to_another_layer_of_the_same_dataset_is_read_only(tmp_path):
    dataset = _source(tmp_path / "ds")
    other = dataset.add_layer("other", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BOX)
    mag = other.add_mag_as_ref(dataset.get_layer("color").get_mag(1))

    with pytest.raises(ReadOnlyViewError, match="outside its layer's folder"):
        mag.write(BLOCK, absolute_offset=(0, 0, 0))
    assert _unchanged(tmp_path / "ds")


def test_a_mag_added_to_a_referencing_layer_stays_writable(tmp_path):
    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    layer = target.add_layer_as_ref(source.get_layer("color"))
    own = layer.add_mag(2, chunk_shape=16, shard_shape=16)

    own.write(BLOCK, absolute_offset=(0, 0, 0))

    assert not own.read_only
    assert (wk.Dataset.open(tmp_path / "target").get_layer("color").get_mag(2).read()[0, :8, :8, :8] == 7).all()
    assert _unchanged(tmp_path / "source")


def test_a_referenced_mag_sent_to_another_process_stays_read_only(tmp_path):
    import pickle

    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    mag = target.add_layer_as_ref(source.get_layer("color")).get_mag(1)
    view = pickle.loads(pickle.dumps(mag.get_view(absolute_offset=(0, 0, 0), size=(16, 16, 16))))

    with pytest.raises(ReadOnlyViewError):
        view.write(BLOCK)
    assert _unchanged(tmp_path / "source")


def _load_reference_env():
    name = "daedalus_contract_tests_reference_env"
    module = sys.modules.get(name)
    if module is None:
        path = Path(__file__).resolve().parents[2] / "contract_tests" / "reference_env.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


@pytest.mark.interop
def test_writes_into_referenced_mags_fail_like_in_the_reference(tmp_path):
    reference_env = _load_reference_env()
    try:
        reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        pytest.skip(f"reference webknossos venv unavailable: {error}")
    (tmp_path / "ref").mkdir()
    (tmp_path / "ours").mkdir()
    theirs = reference_env.run_reference_json(COMPARE_SCRIPT, "webknossos", tmp_path / "ref")
    run = subprocess.run(
        [sys.executable, "-c", COMPARE_SCRIPT, "daedalus", str(tmp_path / "ours")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    ours = json.loads(run.stdout.strip().splitlines()[-1])

    assert ours["read_only"] == theirs["read_only"] == [True, True]
    assert ours["source unchanged"] and theirs["source unchanged"]
    for name, outcome in theirs.items():
        if name in ("read_only", "source unchanged"):
            continue
        if outcome == "ok":
            assert ours[name] == "ok", f"{name}: the reference allows it, daedalus raised {ours[name]}"
        else:
            assert ours[name] != "ok", f"{name}: the reference raises {outcome[0]}, daedalus allowed it"
            assert outcome[0] in ours[name], f"{name}: the reference raises {outcome[0]}, daedalus {ours[name][0]}"
