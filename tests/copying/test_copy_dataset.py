"""Dataset.copy_dataset / add_layer_as_copy: file copies when the layout matches, recoding otherwise."""

import importlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.dataset import array_copy

import daedalus as wk

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))
helpers = importlib.import_module("copying_helpers")


@pytest.fixture
def source(tmp_path):
    return helpers.make_source(tmp_path / "source")


def _assert_same_data(a: wk.Dataset, b: wk.Dataset) -> None:
    assert sorted(a.layers) == sorted(b.layers)
    for name, layer in a.layers.items():
        other = b.get_layer(name)
        assert other.bounding_box == layer.bounding_box
        assert sorted(other.mags) == sorted(layer.mags)
        for mag, view in layer.mags.items():
            np.testing.assert_array_equal(other.get_mag(mag).read(), view.read())


def test_same_format_copy_is_a_file_copy(source, tmp_path, monkeypatch):
    def no_recoding(args):
        raise AssertionError("a same-layout copy must not decode and re-encode data")

    monkeypatch.setattr(array_copy, "copy_box", no_recoding)
    start = time.perf_counter()
    copy = source.copy_dataset(tmp_path / "copy")
    assert time.perf_counter() - start < 5
    for layer in ("color", "segmentation"):
        original = helpers.files_of(Path(str(source.path)) / layer)
        copied = helpers.files_of(Path(str(copy.path)) / layer)
        shard_files = [name for name in original if "/c/" in name]
        assert shard_files, "the source should hold shard files"
        for name in shard_files:
            assert copied[name] == original[name]
    _assert_same_data(source, wk.Dataset.open(copy.path))


@pytest.mark.parametrize(
    ("target_format", "options"),
    [
        ("zarr", {"chunk_shape": 32}),
        ("zarr3", {"chunk_shape": 8, "shard_shape": 16}),
        ("zarr3", {"compress": False}),
        ("wkw", {}),
    ],
)
def test_copy_converts_format_and_layout(source, tmp_path, target_format, options):
    if not helpers.has_format(target_format):
        pytest.skip(f"no storage adapter for {target_format} is registered")
    copy = source.copy_dataset(tmp_path / "copy", data_format=target_format, **options)
    reopened = wk.Dataset.open(copy.path)
    _assert_same_data(source, reopened)
    info = reopened.get_layer("color").get_mag(1).info
    assert info.data_format == target_format
    if "chunk_shape" in options:
        assert info.chunk_shape == wk.Vec3Int.full(options["chunk_shape"])
    if "shard_shape" in options:
        assert info.shard_shape == wk.Vec3Int.full(options["shard_shape"])
    assert info.compression_mode is options.get("compress", True)


@pytest.mark.parametrize("source_format", ["zarr", "wkw"])
def test_copy_back_to_zarr3(tmp_path, source_format):
    if not helpers.has_format(source_format):
        pytest.skip(f"no storage adapter for {source_format} is registered")
    src = helpers.make_source(tmp_path / "src", data_format=source_format)
    copy = src.copy_dataset(tmp_path / "copy", data_format="zarr3", shard_shape=64)
    _assert_same_data(src, wk.Dataset.open(copy.path))
    assert copy.get_layer("segmentation").get_mag(1).info.shard_shape == wk.Vec3Int.full(64)


def test_copy_keeps_segmentation_properties_voxel_size_and_name(source, tmp_path):
    copy = source.copy_dataset(tmp_path / "copy", data_format="zarr", voxel_size=(1, 2, 3))
    seg = wk.Dataset.open(copy.path).get_segmentation_layer("segmentation")
    assert seg.largest_segment_id == 99
    assert seg.mappings == ["agglomerate_view_1"]
    assert copy.voxel_size == (1, 2, 3)
    assert copy.name == "copy"  # named after its folder, as in the reference


def test_layers_to_ignore_and_existing_target(source, tmp_path):
    copy = source.copy_dataset(tmp_path / "copy", layers_to_ignore=["segmentation"])
    assert list(copy.layers) == ["color"]
    with pytest.raises(RuntimeError, match="exists_ok"):
        source.copy_dataset(tmp_path / "copy")
    again = source.copy_dataset(tmp_path / "copy", exists_ok=True)
    assert sorted(again.layers) == ["color", "segmentation"]


def test_add_layer_as_copy_with_executor_and_new_name(source, tmp_path, monkeypatch):
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 1)  # one task per target shard
    target = wk.Dataset(tmp_path / "target", voxel_size=(11.0, 11.0, 25.0))
    with wk.get_executor("threads", max_workers=2) as executor:
        layer = target.add_layer_as_copy(
            source.get_layer("color"), "copied", data_format="zarr", chunk_shape=16, executor=executor
        )
    assert layer.name == "copied"
    np.testing.assert_array_equal(layer.get_mag(1).read(), source.get_layer("color").get_mag(1).read())
    with pytest.raises(IndexError, match="exists_ok"):
        target.add_layer_as_copy(source.get_layer("color"), "copied")
    replaced = target.add_layer_as_copy(str(source.path / "color"), "copied", exists_ok=True)
    assert replaced.data_format == wk.DataFormat.Zarr3


def test_interrupted_layer_copy_leaves_nothing(source, tmp_path, monkeypatch):
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 1)
    target = wk.Dataset(tmp_path / "target", voxel_size=(11.0, 11.0, 25.0))
    with pytest.raises(RuntimeError, match="simulated crash"):
        target.add_layer_as_copy(source.get_layer("color"), data_format="zarr", executor=helpers.FailingExecutor(2))
    doc = json.loads((tmp_path / "target" / "datasource-properties.json").read_text())
    assert doc["dataLayers"] == []
    assert not (tmp_path / "target" / "color").exists()
    assert "color" not in wk.Dataset.open(target.path).layers


def test_interrupted_dataset_copy_leaves_no_dataset(source, tmp_path, monkeypatch):
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 1)
    seen = []
    original = array_copy.copy_box

    def watching(args):
        seen.append((tmp_path / "copy" / "datasource-properties.json").exists())
        return original(args)

    monkeypatch.setattr(array_copy, "copy_box", watching)
    with pytest.raises(RuntimeError, match="simulated crash"):
        source.copy_dataset(tmp_path / "copy", data_format="zarr", executor=helpers.FailingExecutor(5))
    assert seen and not any(seen), "the properties file must not exist while data is copied"
    assert not (tmp_path / "copy").exists()


def test_copy_of_fixture_with_attachments(tmp_path):
    fixture = helpers.FIXTURES / "datasets" / "zarr3_sharded"
    if not fixture.exists():
        pytest.skip(f"fixture {fixture} is absent")
    src = wk.Dataset.open(fixture)
    copy = src.copy_dataset(tmp_path / "copy", layers_to_ignore=["color", "rgb"])
    seg = wk.Dataset.open(copy.path).get_segmentation_layer("segmentation")
    assert seg.largest_segment_id == 39039
    doc = json.loads((tmp_path / "copy" / "datasource-properties.json").read_text())
    (agglomerate,) = doc["dataLayers"][0]["attachments"]["agglomerates"]
    assert agglomerate["path"].startswith("./segmentation/")
    assert (tmp_path / "copy" / agglomerate["path"]).exists()
    expected = np.load(helpers.FIXTURES / "expected" / "segmentation__2-2-1.npy")
    np.testing.assert_array_equal(seg.get_mag("2-2-1").read(), expected)


def test_wkw_fixture_copied_to_zarr3_matches_expected(tmp_path):
    fixture = helpers.FIXTURES / "datasets" / "wkw_compressed"
    if not fixture.exists() or not helpers.has_format("wkw"):
        pytest.skip("the wkw fixture or the wkw adapter is absent")
    copy = wk.Dataset.open(fixture).copy_dataset(tmp_path / "copy", data_format="zarr3", layers_to_ignore=["rgb"])
    for name, mag in (("color", "4-4-2"), ("segmentation", "1")):
        expected = np.load(helpers.FIXTURES / "expected" / f"{name}__{mag}.npy")
        np.testing.assert_array_equal(copy.get_layer(name).get_mag(mag).read(), expected)


def test_copy_on_worker_processes(source, tmp_path, monkeypatch):
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 1)
    with wk.get_executor("multiprocessing", max_workers=2) as executor:
        copy = source.copy_dataset(tmp_path / "copy", data_format="zarr", executor=executor)
    _assert_same_data(source, wk.Dataset.open(copy.path))
