"""A dataset opened with ``read_only=True`` refuses every change with RuntimeError and leaves the disk untouched."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def built_dataset(tmp_path_factory):
    ds = wk.Dataset(tmp_path_factory.mktemp("read_only") / "ds", voxel_size=(1, 1, 1))
    color = ds.add_layer("color", "color", bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 32)))
    color.add_mag(1, shard_shape=64).write(np.full((64, 64, 32), 7, np.uint8), absolute_offset=(0, 0, 0))
    color.add_mag("2-2-1", shard_shape=64)
    seg = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=5)
    seg.bounding_box = wk.BoundingBox((0, 0, 0), (32, 32, 32))
    seg.add_mag(1, shard_shape=32).write(np.full((32, 32, 32), 5, np.uint32), absolute_offset=(0, 0, 0))
    return ds.path, _snapshot(ds.path)


@pytest.fixture
def read_only_dataset(built_dataset):
    path, before = built_dataset
    yield wk.Dataset.open(path, read_only=True)
    assert _snapshot(path) == before, "a refused change modified files on disk"


def test_read_only_dataset_reads(read_only_dataset):
    ds = read_only_dataset
    assert ds.read_only
    color = ds.get_layer("color")
    assert color.read_only and color.get_mag(1).read_only
    assert (color.get_mag(1).read() == 7).all()
    assert ds.get_segmentation_layer("seg").largest_segment_id == 5


CHANGES = {
    "add_layer": lambda ds: ds.add_layer("new", "color"),
    "get_or_add_layer (new)": lambda ds: ds.get_or_add_layer("new", "color"),
    "write_layer": lambda ds: ds.write_layer("new", "color", np.zeros((4, 4, 4), np.uint8), downsample=False),
    "add_layer_for_existing_files": lambda ds: ds.add_layer_for_existing_files("color", "color"),
    "add_layer_like": lambda ds: ds.add_layer_like(ds.get_layer("color"), "copy"),
    "delete_layer": lambda ds: ds.delete_layer("color"),
    "dataset name": lambda ds: setattr(ds, "name", "other"),
    "default_view_configuration": lambda ds: setattr(
        ds, "default_view_configuration", wk.DatasetViewConfiguration(zoom=2.0)
    ),
    "layer name": lambda ds: setattr(ds.get_layer("color"), "name", "renamed"),
    "bounding_box": lambda ds: setattr(ds.get_layer("color"), "bounding_box", wk.BoundingBox((0, 0, 0), (8, 8, 8))),
    "layer default_view_configuration": lambda ds: setattr(
        ds.get_layer("color"), "default_view_configuration", wk.LayerViewConfiguration(alpha=50)
    ),
    "add_mag": lambda ds: ds.get_layer("color").add_mag(4),
    "get_or_add_mag (new)": lambda ds: ds.get_layer("color").get_or_add_mag(4),
    "delete_mag": lambda ds: ds.get_layer("color").delete_mag("2-2-1"),
    "mag write": lambda ds: (
        ds.get_layer("color").get_mag(1).write(np.zeros((64, 64, 32), np.uint8), absolute_offset=(0, 0, 0))
    ),
    "mag write_cxyz": lambda ds: (
        ds.get_layer("color").get_mag(1).write_cxyz(np.zeros((1, 64, 64, 32), np.uint8), absolute_offset=(0, 0, 0))
    ),
    "view write": lambda ds: (
        ds.get_layer("color").get_mag(1).get_view(size=(32, 32, 32)).write(np.zeros((32, 32, 32), np.uint8))
    ),
    "writable view": lambda ds: ds.get_layer("color").get_mag(1).get_view(size=(32, 32, 32), read_only=False),
    "slice writer": lambda ds: ds.get_layer("color").get_mag(1).get_buffered_slice_writer(),
    "largest_segment_id": lambda ds: setattr(ds.get_segmentation_layer("seg"), "largest_segment_id", 9),
    "refresh_largest_segment_id": lambda ds: ds.get_segmentation_layer("seg").refresh_largest_segment_id(),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_read_only_dataset_refuses_change(read_only_dataset, change):
    with pytest.raises(RuntimeError):
        change(read_only_dataset)


def test_read_only_state_survives_refused_changes(read_only_dataset):
    ds = read_only_dataset
    for change in CHANGES.values():
        with pytest.raises(RuntimeError):
            change(ds)
    assert sorted(ds.layers) == ["color", "seg"]
    assert ds.name == "ds"
    assert ds.get_layer("color").bounding_box == wk.BoundingBox((0, 0, 0), (64, 64, 32))
    assert sorted(ds.get_layer("color").mags) == [wk.Mag(1), wk.Mag("2-2-1")]
    assert ds.get_segmentation_layer("seg").largest_segment_id == 5
