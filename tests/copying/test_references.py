"""References: add_mag_as_ref, add_layer_as_ref, shallow_copy_dataset (make_relative), add_mag_from_zarrarray."""

import importlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))
helpers = importlib.import_module("copying_helpers")


@pytest.fixture
def source(tmp_path):
    return helpers.make_source(tmp_path / "source")


@pytest.fixture
def target(tmp_path):
    return wk.Dataset(tmp_path / "target", voxel_size=(11.0, 11.0, 25.0))


def _layer_doc(path: Path, name: str) -> dict:
    doc = json.loads((Path(str(path)) / "datasource-properties.json").read_text())
    (entry,) = [layer for layer in doc["dataLayers"] if layer["name"] == name]
    return entry


def test_add_layer_as_ref_uses_absolute_paths_and_copies_no_data(source, target):
    layer = target.add_layer_as_ref(source.get_layer("color"), "linked")
    paths = [m["path"] for m in _layer_doc(target.path, "linked")["mags"]]
    assert paths == [str(Path(str(source.path)) / "color" / "1"), str(Path(str(source.path)) / "color" / "2")]
    assert not (Path(str(target.path)) / "linked").exists()
    assert layer.is_foreign and layer.is_remote_to_dataset
    assert all(layer.is_mag_view_foreign(m) for m in layer.mags.values())
    reopened = wk.Dataset.open(target.path).get_layer("linked")
    np.testing.assert_array_equal(reopened.get_mag(2).read(), source.get_layer("color").get_mag(2).read())
    assert reopened.is_foreign


def test_copied_layer_is_not_foreign(source, target):
    layer = target.add_layer_as_copy(source.get_layer("color"))
    assert not layer.is_foreign
    assert not any(m.is_foreign for m in layer.mags.values())


def test_add_mag_as_ref_extends_bbox_and_can_rename_mag(source, target):
    layer = target.add_layer("color", "color", dtype="uint8")
    view = layer.add_mag_as_ref(source.get_layer("color").get_mag(1))
    assert layer.bounding_box == source.get_layer("color").bounding_box
    assert view.is_foreign
    other = layer.add_mag_as_ref(str(source.path / "color" / "2"), mag=4, extend_layer_bounding_box=False)
    assert other.mag == wk.Mag(4)
    with pytest.raises(IndexError):
        layer.add_mag_as_ref(source.get_layer("color").get_mag(1))
    seg = target.add_layer("seg", "segmentation", dtype="uint32")
    with pytest.raises(ValueError, match="uint8"):
        seg.add_mag_as_ref(source.get_layer("color").get_mag(1))


def test_add_mag_as_copy_from_path_and_exists_ok(source, target):
    layer = target.add_layer("color", "color", dtype="uint8")
    view = layer.add_mag_as_copy(str(source.path / "color" / "1"), progress_desc=None)
    assert not view.is_foreign
    assert layer.bounding_box == source.get_layer("color").bounding_box
    np.testing.assert_array_equal(view.read(), source.get_layer("color").get_mag(1).read())
    with pytest.raises(IndexError, match="exists_ok"):
        layer.add_mag_as_copy(source.get_layer("color").get_mag(1))
    again = layer.add_mag_as_copy(source.get_layer("color").get_mag(1), exists_ok=True, compress=False)
    assert again.info.compression_mode is False


def test_shallow_copy_dataset_relative(source, tmp_path):
    shallow = source.shallow_copy_dataset(
        tmp_path / "shallow", name="view", layers_to_ignore=["segmentation"], make_relative=True
    )
    assert shallow.name == "view" and list(shallow.layers) == ["color"]
    paths = [m["path"] for m in _layer_doc(shallow.path, "color")["mags"]]
    assert paths == ["../source/color/1", "../source/color/2"]
    reopened = wk.Dataset.open(tmp_path / "shallow")
    np.testing.assert_array_equal(
        reopened.get_layer("color").get_mag(1).read(), source.get_layer("color").get_mag(1).read()
    )


def test_shallow_copy_dataset_absolute_references_attachments(tmp_path):
    fixture = helpers.FIXTURES / "datasets" / "zarr3_sharded"
    if not fixture.exists():
        pytest.skip(f"fixture {fixture} is absent")
    shallow = wk.Dataset.open(fixture).shallow_copy_dataset(tmp_path / "shallow")
    entry = _layer_doc(shallow.path, "segmentation")
    assert all(os.path.isabs(m["path"]) for m in entry["mags"])
    (agglomerate,) = entry["attachments"]["agglomerates"]
    assert os.path.isabs(agglomerate["path"])
    assert not (tmp_path / "shallow" / "segmentation").exists()
    expected = np.load(helpers.FIXTURES / "expected" / "color__4-4-2.npy")
    np.testing.assert_array_equal(wk.Dataset.open(shallow.path).get_layer("color").get_mag("4-4-2").read(), expected)


@pytest.mark.parametrize("move", [False, True])
def test_add_mag_from_zarrarray(source, target, tmp_path, move):
    loose = tmp_path / "loose_array"
    wk.TransferMode.COPY.copy(source.get_layer("color").get_mag(1).path, loose)
    layer = target.add_layer("color", "color", dtype="uint8")
    view = layer.add_mag_from_zarrarray(1, loose, move=move)
    assert loose.exists() is not move
    assert not view.is_foreign
    assert layer.bounding_box.size_xyz.x >= 80
    np.testing.assert_array_equal(
        view.read(absolute_bounding_box=source.get_layer("color").bounding_box),
        source.get_layer("color").get_mag(1).read(),
    )


def test_deprecated_aliases_warn_and_delegate(source, target, tmp_path):
    color = source.get_layer("color")
    with pytest.warns(DeprecationWarning, match="add_layer_as_copy"):
        target.add_copy_layer(color, "a")
    with pytest.warns(DeprecationWarning, match="add_layer_as_copy"):
        target.add_fs_copy_layer(color, "b")
    with pytest.warns(DeprecationWarning, match="add_layer_as_ref"):
        assert target.add_remote_layer(color, "c").is_foreign
    with pytest.warns(DeprecationWarning, match="add_layer_as_ref"):
        target.add_symlink_layer(color, "d", make_relative=True)
    assert _layer_doc(target.path, "d")["mags"][0]["path"] == "../source/color/1"
    with pytest.warns(DeprecationWarning, match="copy_dataset"):
        assert sorted(source.fs_copy_dataset(tmp_path / "fs").layers) == ["color", "segmentation"]
    mags = target.add_layer("m", "color", dtype="uint8")
    with pytest.warns(DeprecationWarning, match="add_mag_as_copy"):
        mags.add_copy_mag(color.get_mag(1))
    with pytest.warns(DeprecationWarning, match="add_mag_as_copy"):
        mags.add_fs_copy_mag(color.get_mag(2))
    refs = target.add_layer("r", "color", dtype="uint8")
    with pytest.warns(DeprecationWarning, match="add_mag_as_ref"):
        assert refs.add_remote_mag(color.get_mag(1)).is_foreign
    with pytest.warns(DeprecationWarning, match="add_mag_as_ref"):
        refs.add_symlink_mag(color.get_mag(2), make_relative=True)
    assert _layer_doc(target.path, "r")["mags"][1]["path"] == "../source/color/2"
