"""datasource-properties.json is replaced atomically, and a malformed one is reported with its path."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk


def _properties_file(ds: wk.Dataset) -> Path:
    return Path(str(ds.path)) / "datasource-properties.json"


@pytest.fixture
def ds(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    seg = ds.add_layer("seg", "segmentation", dtype="uint32", bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32)))
    seg.add_mag(1).write(np.ones((32, 32, 32), np.uint32), absolute_offset=(0, 0, 0))
    seg.largest_segment_id = 1
    return ds


CHANGES = {
    "add_layer": lambda ds: ds.add_layer("new", "color"),
    "write_layer": lambda ds: ds.write_layer("new", "color", np.zeros((8, 8, 8), np.uint8), downsample=False),
    "delete_layer": lambda ds: ds.delete_layer("seg"),
    "dataset name": lambda ds: setattr(ds, "name", "renamed"),
    "default_view_configuration": lambda ds: setattr(
        ds, "default_view_configuration", wk.DatasetViewConfiguration(zoom=3.0)
    ),
    "bounding_box": lambda ds: setattr(ds.get_layer("seg"), "bounding_box", wk.BoundingBox((0, 0, 0), (64, 64, 64))),
    "largest_segment_id": lambda ds: setattr(ds.get_segmentation_layer("seg"), "largest_segment_id", 77),
    "layer name": lambda ds: setattr(ds.get_layer("seg"), "name", "renamed"),
    "add_mag": lambda ds: ds.get_layer("seg").add_mag("2-2-1"),
    "delete_mag": lambda ds: ds.get_layer("seg").delete_mag(1),
    "allow_resize write": lambda ds: (
        ds.get_layer("seg")
        .get_mag(1)
        .write(np.ones((32, 32, 32), np.uint32), absolute_offset=(32, 0, 0), allow_resize=True, allow_unaligned=True)
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_failed_properties_write_keeps_the_old_file(ds, change, monkeypatch):
    file = _properties_file(ds)
    before_text = file.read_text()
    before = json.loads(before_text)

    def failing_replace(src, dst, *args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated"):
        change(ds)
    monkeypatch.undo()

    assert json.loads(file.read_text()) == before
    assert file.read_text() == before_text
    leftovers = [p.name for p in file.parent.iterdir() if p.name.startswith(".datasource-properties")]
    assert leftovers == []
    reopened = wk.Dataset.open(ds.path)
    assert sorted(reopened.layers) == ["seg"]
    assert (Path(str(ds.path)) / "seg" / "1").is_dir()
    seg = reopened.get_segmentation_layer("seg")
    assert seg.largest_segment_id == 1
    assert seg.bounding_box == wk.BoundingBox((0, 0, 0), (32, 32, 32))
    assert (seg.get_mag(1).read() == 1).all()


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_successful_change_leaves_valid_json_and_no_temporary_files(ds, change):
    change(ds)
    file = _properties_file(ds)
    assert json.loads(file.read_text())["dataLayers"] is not None
    assert [p.name for p in file.parent.iterdir() if p.name.startswith(".datasource-properties")] == []
    wk.Dataset.open(ds.path)


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "",
        '{"dataLayers": [], "version": 1}',
        '{"id": {"name": "x"}, "scale": [1, 1, 1], "dataLayers": [{"name": "c"}]}',
    ],
    ids=["syntax", "empty", "no scale", "layer without keys"],
)
def test_malformed_properties_error_names_the_file(tmp_path, content):
    path = tmp_path / "broken"
    path.mkdir()
    file = path / "datasource-properties.json"
    file.write_text(content)
    with pytest.raises(ValueError) as error:
        wk.Dataset.open(path)
    assert str(file) in str(error.value)
    with pytest.raises(ValueError):
        wk.Dataset(path, voxel_size=(1, 1, 1), exist_ok=True)
    assert file.read_text() == content


def test_failed_rename_moves_the_layer_folder_back(ds, monkeypatch):
    layer = ds.get_layer("seg")
    mag = layer.get_mag(1)

    def failing_replace(src, dst, *args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated"):
        layer.name = "renamed"
    monkeypatch.undo()
    assert layer.name == "seg" and list(ds.layers) == ["seg"]
    assert not (Path(str(ds.path)) / "renamed").exists()
    assert (mag.read() == 1).all()
    layer.name = "renamed"  # works once the disk does
    assert (wk.Dataset.open(ds.path).get_layer("renamed").get_mag(1).read() == 1).all()
    assert (mag.read() == 1).all()
