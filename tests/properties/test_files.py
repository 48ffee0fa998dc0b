"""Tests of reading and atomically writing datasource-properties.json on local and fsspec paths."""

import json
import os

import pytest
from daedalus.core.geometry import BoundingBox, Mag
from daedalus.core.properties import (
    DatasetProperties,
    DatasetPropertiesError,
    LayerProperties,
    MagViewProperties,
    VoxelSize,
    dataset_properties_to_json,
    read_dataset_properties,
    write_dataset_properties,
)
from upath import UPath


def make_props(name="ds"):
    layer = LayerProperties(
        "color", "color", BoundingBox((0, 0, 0), (8, 8, 8)), "zarr", [MagViewProperties(Mag(1), "./color/1")]
    )
    return DatasetProperties({"name": name, "team": ""}, VoxelSize((1, 1, 2)), [layer])


def test_write_then_read_local(tmp_path):
    props = make_props()
    write_dataset_properties(tmp_path, props)
    file = tmp_path / "datasource-properties.json"
    assert json.loads(file.read_text()) == dataset_properties_to_json(props)
    assert file.read_text().startswith('{\n    "id": {')
    assert read_dataset_properties(tmp_path) == props
    assert read_dataset_properties(file) == props
    assert read_dataset_properties(str(tmp_path)) == props
    assert read_dataset_properties(UPath(tmp_path)) == props
    assert os.listdir(tmp_path) == ["datasource-properties.json"]


def test_rewrite_replaces_atomically_and_keeps_mode(tmp_path):
    file = tmp_path / "datasource-properties.json"
    write_dataset_properties(file, make_props("first"))
    file.chmod(0o640)
    inode = file.stat().st_ino
    write_dataset_properties(UPath(f"file://{tmp_path}"), make_props("second"))
    assert read_dataset_properties(tmp_path).id["name"] == "second"
    assert file.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert file.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["datasource-properties.json"]


def test_failed_encoding_leaves_old_file(tmp_path):
    write_dataset_properties(tmp_path, make_props("first"))
    broken = make_props("second")
    broken.extra["bad"] = object()
    with pytest.raises(TypeError):
        write_dataset_properties(tmp_path, broken)
    assert read_dataset_properties(tmp_path).id["name"] == "first"
    assert os.listdir(tmp_path) == ["datasource-properties.json"]


def test_write_and_read_fsspec_memory():
    path = UPath("memory://daedalus-properties-test/ds")
    path.mkdir(parents=True, exist_ok=True)
    props = make_props()
    write_dataset_properties(path, props)
    assert (path / "datasource-properties.json").exists()
    assert read_dataset_properties(path) == props


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        read_dataset_properties(tmp_path / "nope")


def test_malformed_file_names_the_path(tmp_path):
    file = tmp_path / "datasource-properties.json"
    file.write_text('{"id": {"name": "x"}, "dataLayers": [')
    with pytest.raises(DatasetPropertiesError, match=str(file)):
        read_dataset_properties(tmp_path)
