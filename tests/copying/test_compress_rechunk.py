"""MagView.compress / rechunk (in place and into a target path) and Dataset.compress."""

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))
helpers = importlib.import_module("copying_helpers")


@pytest.fixture
def raw(tmp_path):
    return helpers.make_source(tmp_path / "raw", compress=False)


def test_compress_in_place_swaps_the_folder(raw):
    view = raw.get_layer("color").get_mag(1)
    before = view.read()
    assert view.info.compression_mode is False
    view.compress()
    assert view.info.compression_mode is True
    np.testing.assert_array_equal(view.read(), before)
    reopened = wk.Dataset.open(raw.path).get_layer("color").get_mag(1)
    assert reopened.info.compression_mode is True
    np.testing.assert_array_equal(reopened.read(), before)
    leftovers = [p.name for p in Path(str(view.path)).parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_compress_to_target_path_leaves_the_mag(raw, tmp_path):
    view = raw.get_layer("color").get_mag(2)
    view.compress(target_path=tmp_path / "compressed")
    assert view.info.compression_mode is False
    array = wk.get_plugin_manager().storage("zarr3").open(tmp_path / "compressed")
    assert array.info.compression_mode is True
    np.testing.assert_array_equal(
        array.read((0, 0, 0, 0), view.info.shape), view._array.read((0, 0, 0, 0), view.info.shape)
    )


def test_rechunk_in_place_and_with_executor(raw):
    view = raw.get_layer("segmentation").get_mag(1)
    before = view.read()
    with wk.get_executor("threads", max_workers=2) as executor:
        view.rechunk(chunk_shape=8, shard_shape=64, compress=True, executor=executor)
    assert view.info.chunk_shape == wk.Vec3Int.full(8)
    assert view.info.shard_shape == wk.Vec3Int.full(64)
    np.testing.assert_array_equal(view.read(), before)


def test_dataset_compress_compresses_every_own_mag(raw, tmp_path):
    other = wk.Dataset(tmp_path / "other", voxel_size=(11.0, 11.0, 25.0))
    linked = other.add_layer_as_ref(raw.get_layer("color"))
    other.add_layer_as_copy(raw.get_layer("segmentation"))
    other.compress()
    assert other.get_layer("segmentation").get_mag(1).info.compression_mode is True
    assert all(m.info.compression_mode is False for m in linked.mags.values()), "references stay untouched"
    raw.compress()
    assert all(m.info.compression_mode for layer in raw.layers.values() for m in layer.mags.values())


def test_in_place_rechunk_needs_a_local_path():
    ds = wk.Dataset("memory:///rechunk-test", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color", dtype="uint8")
    view = layer.add_mag(1, chunk_shape=16, shard_shape=32, compress=False)
    view.write(np.ones((32, 32, 32), dtype="uint8"), absolute_offset=(0, 0, 0), allow_resize=True)
    with pytest.raises(ValueError, match="target_path"):
        view.compress()
    view.compress(target_path="memory:///rechunk-test-out")
    assert wk.get_plugin_manager().storage("zarr3").open("memory:///rechunk-test-out").info.compression_mode


@pytest.mark.skipif(not helpers.has_format("wkw"), reason="no wkw storage adapter registered")
def test_wkw_rechunk_updates_cube_length(tmp_path):
    ds = helpers.make_source(tmp_path / "wkw", data_format="wkw", compress=False)
    view = ds.get_layer("color").get_mag(1)
    view.rechunk(shard_shape=64, compress=True)
    doc = json.loads((tmp_path / "wkw" / "datasource-properties.json").read_text())
    assert doc["dataLayers"][0]["mags"][0]["cubeLength"] == 64
    assert view.info.compression_mode is True
