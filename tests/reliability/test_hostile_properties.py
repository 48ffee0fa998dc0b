"""Hostile or invalid ``datasource-properties.json`` files: refused on opening with an error naming file, key and
value, and never able to make a dataset operation delete or write outside the dataset (issue 16, defects 1 and 6)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.properties import DatasetPropertiesError, read_dataset_properties

import daedalus as wk


def _make_dataset(path: Path, segmentation: bool = False) -> Path:
    """A small dataset with one layer (``color``, or ``segmentation``) holding Mag(1) data."""
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    if segmentation:
        layer = ds.add_layer(
            "segmentation", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=1,
            bounding_box=wk.BoundingBox((0, 0, 0), (16, 16, 16)),
        )  # fmt: skip
        layer.add_mag(1).write(np.ones((16, 16, 16), dtype="uint32"), absolute_offset=(0, 0, 0))
    else:
        box = wk.BoundingBox((0, 0, 0), (16, 16, 16))
        layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
        layer.add_mag(1).write(np.ones((16, 16, 16), dtype="uint8"), absolute_offset=(0, 0, 0))
    return path


def _edit_properties(dataset: Path, change) -> Path:
    """Apply ``change`` to the decoded properties JSON of ``dataset`` and write it back; returns the file."""
    file = dataset / "datasource-properties.json"
    data = json.loads(file.read_text())
    change(data)
    file.write_text(json.dumps(data))
    return file


def _victim(tmp_path: Path) -> Path:
    """A folder next to the dataset that no dataset operation may touch."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    return victim


@pytest.mark.parametrize("name", ["../../victim", "../victim", "", "..", ".", ".hidden", "a/b", "a\\b", "c:d"])
def test_invalid_layer_name_from_the_file_is_refused_on_opening(tmp_path, name):
    dataset = _make_dataset(tmp_path / "datasets" / "ds")
    file = _edit_properties(dataset, lambda d: d["dataLayers"][0].__setitem__("name", name))
    with pytest.raises(DatasetPropertiesError) as caught:
        wk.Dataset.open(dataset)
    error = caught.value
    assert isinstance(error, AssertionError)  # the reference raises AssertionError for such names
    assert error.key == "dataLayers[0].name"
    assert str(file) in str(error)
    assert repr(name) in str(error)
    assert "rename" in str(error).lower()
    with pytest.raises(DatasetPropertiesError):
        read_dataset_properties(dataset)


def test_traversing_layer_name_cannot_delete_or_write_outside_the_dataset(tmp_path):
    victim = _victim(tmp_path)
    dataset = _make_dataset(tmp_path / "datasets" / "ds")
    _edit_properties(dataset, lambda d: d["dataLayers"][0].__setitem__("name", "../../victim"))
    with pytest.raises(DatasetPropertiesError):
        wk.Dataset.open(dataset).delete_layer("../../victim")
    assert (victim / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]


def test_empty_layer_name_cannot_delete_the_dataset(tmp_path):
    dataset = _make_dataset(tmp_path / "ds")
    _edit_properties(dataset, lambda d: d["dataLayers"][0].__setitem__("name", ""))
    with pytest.raises(DatasetPropertiesError):
        wk.Dataset.open(dataset).delete_layer("")
    assert (dataset / "datasource-properties.json").exists()
    assert (dataset / "color" / "1").is_dir()


def test_layer_names_the_reference_accepts_still_open(tmp_path):
    dataset = _make_dataset(tmp_path / "ds")
    _edit_properties(dataset, lambda d: d["dataLayers"][0].__setitem__("name", "my-layer.v2_x"))
    assert list(wk.Dataset.open(dataset).layers) == ["my-layer.v2_x"]


@pytest.mark.parametrize("name", ["../../x", "", "a/b", ".hidden"])
def test_invalid_attachment_name_from_the_file_is_refused(tmp_path, name):
    dataset = _make_dataset(tmp_path / "ds", segmentation=True)
    mesh = {"name": name, "path": "./segmentation/meshes/m.hdf5", "dataFormat": "hdf5"}
    file = _edit_properties(dataset, lambda d: d["dataLayers"][0].__setitem__("attachments", {"meshes": [mesh]}))
    with pytest.raises(DatasetPropertiesError) as caught:  # a ValueError, as the reference raises
        wk.Dataset.open(dataset)
    assert caught.value.key == "dataLayers[0].attachments.meshes[0].name"
    assert str(file) in str(caught.value) and repr(name) in str(caught.value)


def test_mag_path_escaping_the_layer_is_foreign_and_never_deleted(tmp_path):
    victim = _victim(tmp_path)
    dataset = _make_dataset(tmp_path / "datasets" / "ds")
    _edit_properties(dataset, lambda d: d["dataLayers"][0]["mags"][0].__setitem__("path", "./color/../../../victim"))
    layer = wk.Dataset.open(dataset).get_layer("color")
    assert layer.get_mag(1).is_foreign
    layer.delete_mag(1)
    assert (victim / "precious.txt").read_text() == "keep me"
    assert wk.Dataset.open(dataset).get_layer("color").mags == {}


@pytest.mark.parametrize(
    ("change", "key", "value"),
    [
        (lambda d: d["dataLayers"][0].__setitem__("numChannels", 0), "dataLayers[0].numChannels", "0"),
        (lambda d: d["dataLayers"][0].__setitem__("numChannels", -3), "dataLayers[0].numChannels", "-3"),
        (lambda d: d["dataLayers"][0]["boundingBox"].__setitem__("width", -5), "dataLayers[0].boundingBox.width", "-5"),
        (lambda d: d["dataLayers"][0]["boundingBox"].__setitem__("depth", -1), "dataLayers[0].boundingBox.depth", "-1"),
        (lambda d: d["scale"].__setitem__("factor", [-11.2, 11.2, 28]), "scale.factor", "-11.2"),
        (lambda d: d["scale"].__setitem__("factor", [11.2, 0, 28]), "scale.factor", "0"),
        (lambda d: d.__setitem__("scale", [1, 1, -4]), "scale", "-4"),
    ],
    ids=["channels-0", "channels-negative", "width-negative", "depth-negative", "voxel-negative", "voxel-zero",
         "legacy-voxel-negative"],
)  # fmt: skip
def test_invalid_values_are_refused_naming_file_key_and_value(tmp_path, change, key, value):
    dataset = _make_dataset(tmp_path / "ds")
    file = _edit_properties(dataset, change)
    with pytest.raises(DatasetPropertiesError) as caught:
        wk.Dataset.open(dataset)
    message = str(caught.value)
    assert caught.value.key == key
    assert str(file) in message and key in message and value in message


def test_negative_additional_axis_extent_is_refused(tmp_path):
    dataset = _make_dataset(tmp_path / "ds")
    axis = {"name": "t", "bounds": [5, 2], "index": 4}
    file = _edit_properties(dataset, lambda d: d["dataLayers"][0].__setitem__("additionalAxes", [axis]))
    with pytest.raises(DatasetPropertiesError) as caught:
        read_dataset_properties(dataset)
    assert caught.value.key == "dataLayers[0].additionalAxes[0].bounds"
    assert str(file) in str(caught.value) and "[5, 2]" in str(caught.value)


def test_empty_bounding_box_is_still_valid(tmp_path):
    dataset = _make_dataset(tmp_path / "ds")
    _edit_properties(dataset, lambda d: d["dataLayers"][0]["boundingBox"].update(width=0, height=0, depth=0))
    assert wk.Dataset.open(dataset).get_layer("color").bounding_box.size_xyz == (0, 0, 0)


def test_mag_path_naming_the_layer_folder_does_not_delete_the_other_mags(tmp_path):
    dataset = _make_dataset(tmp_path / "ds")
    wk.Dataset.open(dataset).get_layer("color").add_mag(2)
    _edit_properties(dataset, lambda d: d["dataLayers"][0]["mags"][0].__setitem__("path", "./color"))
    wk.Dataset.open(dataset).get_layer("color").delete_mag(1)
    assert (dataset / "color" / "2" / "zarr.json").exists()
    assert list(wk.Dataset.open(dataset).get_layer("color").mags) == [wk.Mag(2)]
