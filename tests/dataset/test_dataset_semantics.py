"""Dataset: creating and opening, layers (add, get, delete, rename, like, existing files), write_layer.

Every change is checked again after reopening the dataset from disk.
"""

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

RNG = np.random.default_rng(42)


def _json(ds_path) -> dict:
    return json.loads((Path(str(ds_path)) / "datasource-properties.json").read_text())


def _layer_json(ds_path, name: str) -> dict:
    (entry,) = [layer for layer in _json(ds_path)["dataLayers"] if layer["name"] == name]
    return entry


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def _reopen(ds: wk.Dataset) -> wk.Dataset:
    return wk.Dataset.open(ds.path)


# ---------------------------------------------------------------------------- create and open


def test_create_writes_properties_and_open_reads_them(tmp_path):
    path = tmp_path / "my_dataset"
    ds = wk.Dataset(path, voxel_size=(11.2, 11.2, 25))
    assert (path / "datasource-properties.json").is_file()
    assert Path(str(ds.path)) == path
    assert ds.name == "my_dataset"
    assert ds.voxel_size == (11.2, 11.2, 25.0)
    assert dict(ds.layers) == {}
    assert not ds.read_only
    doc = _json(path)
    assert doc["scale"] == {"factor": [11.2, 11.2, 25.0], "unit": "nanometer"}
    assert doc["dataLayers"] == []
    assert doc["id"]["name"] == "my_dataset"
    for opened in (wk.Dataset.open(path), wk.Dataset.open(str(path))):
        assert opened.voxel_size == (11.2, 11.2, 25.0)
        assert opened.name == "my_dataset"


def test_open_missing_dataset_raises_naming_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing_here"):
        wk.Dataset.open(tmp_path / "nothing_here")
    assert not (tmp_path / "nothing_here").exists()


def test_create_without_voxel_size_raises_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="voxel"):
        wk.Dataset(tmp_path / "no_size")
    assert not (tmp_path / "no_size").exists()


def test_second_create_without_exist_ok_raises(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("color", "color")
    before = _snapshot(tmp_path)
    with pytest.raises(RuntimeError):
        wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    assert _snapshot(tmp_path) == before


def test_exist_ok_opens_the_existing_dataset(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3))
    ds.add_layer("color", "color", dtype="uint16")
    again = wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3), exist_ok=True)
    assert list(again.layers) == ["color"]
    assert again.get_layer("color").dtype == np.uint16
    assert wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3), name="ds", exist_ok=True).name == "ds"


def test_exist_ok_with_other_voxel_size_or_name_raises(tmp_path):
    wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3))
    with pytest.raises((AssertionError, ValueError)):
        wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 4), exist_ok=True)
    with pytest.raises((AssertionError, ValueError)):
        wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3), name="other", exist_ok=True)
    assert _json(tmp_path / "ds")["scale"]["factor"] == [1.0, 2.0, 3.0]


def test_exist_ok_creates_when_absent(tmp_path):
    ds = wk.Dataset(tmp_path / "fresh", voxel_size=(4, 4, 4), exist_ok=True)
    assert ds.voxel_size == (4.0, 4.0, 4.0)
    assert (tmp_path / "fresh" / "datasource-properties.json").is_file()


def test_voxel_size_with_unit_is_persisted(tmp_path):
    size = wk.VoxelSize((1, 2, 3), unit=wk.LengthUnit.MICROMETER)
    ds = wk.Dataset(tmp_path / "ds", voxel_size_with_unit=size)
    assert ds.voxel_size_with_unit == size
    assert ds.voxel_size == pytest.approx((1000.0, 2000.0, 3000.0))
    assert _json(ds.path)["scale"] == {"factor": [1.0, 2.0, 3.0], "unit": "micrometer"}
    reopened = _reopen(ds)
    assert reopened.voxel_size_with_unit == size
    assert reopened.voxel_size == pytest.approx((1000.0, 2000.0, 3000.0))


def test_exist_ok_accepts_the_same_voxel_size_in_another_unit(tmp_path):
    size = wk.VoxelSize((1, 2, 3), unit=wk.LengthUnit.MICROMETER)
    wk.Dataset(tmp_path / "ds", voxel_size_with_unit=size)
    again = wk.Dataset(tmp_path / "ds", voxel_size=(1000, 2000, 3000), exist_ok=True)
    assert again.voxel_size_with_unit == size
    assert wk.Dataset(tmp_path / "ds", voxel_size_with_unit=size, exist_ok=True).voxel_size_with_unit == size
    with pytest.raises((AssertionError, ValueError)):
        wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3), exist_ok=True)


def test_name_is_persisted(tmp_path):
    ds = wk.Dataset(tmp_path / "folder", voxel_size=(1, 1, 1), name="custom name")
    assert ds.name == "custom name"
    assert _json(ds.path)["id"]["name"] == "custom name"
    assert _reopen(ds).name == "custom name"
    ds.name = "renamed"
    assert ds.name == "renamed"
    assert _reopen(ds).name == "renamed"
    assert (tmp_path / "folder").is_dir()  # renaming the dataset does not move its folder


# ---------------------------------------------------------------------------- add_layer


def test_add_layer_defaults(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY)
    assert isinstance(layer, wk.Layer) and not isinstance(layer, wk.SegmentationLayer)
    assert layer.name == "color" and layer.category == "color"
    assert layer.dtype == np.uint8 and layer.num_channels == 1
    assert layer.data_format == wk.DataFormat.Zarr3
    assert layer.dataset is ds
    assert Path(str(layer.path)) == tmp_path / "ds" / "color"
    assert dict(layer.mags) == {}
    assert list(ds.layers) == ["color"]
    entry = _layer_json(ds.path, "color")
    assert entry["category"] == "color" and entry["elementClass"] == "uint8"
    assert entry["dataFormat"] == "zarr3" and entry["numChannels"] == 1 and entry["mags"] == []
    reopened = _reopen(ds).get_layer("color")
    assert reopened.dtype == np.uint8 and reopened.data_format == wk.DataFormat.Zarr3


@pytest.mark.parametrize("data_format", ["zarr", "zarr3", wk.DataFormat.Zarr3])
def test_add_layer_with_options_round_trips(tmp_path, data_format):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    bbox = wk.BoundingBox((8, 16, 4), (40, 30, 20))
    rgb = ds.add_layer("rgb", "color", dtype=np.uint8, num_channels=3, data_format=data_format, bounding_box=bbox)
    deep = ds.add_layer("deep", "color", dtype_per_channel="uint16", data_format=data_format)
    assert rgb.num_channels == 3 and rgb.bounding_box == bbox
    assert deep.dtype == np.uint16
    assert _layer_json(ds.path, "rgb")["elementClass"] == "uint24"
    assert _layer_json(ds.path, "deep")["elementClass"] == "uint16"
    data = RNG.integers(0, 255, (3, 40, 30, 20), dtype=np.uint8)
    rgb.add_mag(1).write(data, absolute_offset=(8, 16, 4), allow_unaligned=True)
    marker = "zarr.json" if wk.DataFormat(data_format) == wk.DataFormat.Zarr3 else ".zarray"
    assert (tmp_path / "ds" / "rgb" / "1" / marker).is_file()
    reopened = _reopen(ds)
    layer = reopened.get_layer("rgb")
    assert layer.data_format == wk.DataFormat(data_format)
    assert layer.num_channels == 3 and layer.dtype == np.uint8 and layer.bounding_box == bbox
    assert reopened.get_layer("deep").dtype == np.uint16
    np.testing.assert_array_equal(layer.get_mag(1).read(), data)


def test_add_segmentation_layer_with_largest_segment_id_and_mappings(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    seg = ds.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=42, mappings=["agglo"])
    assert isinstance(seg, wk.SegmentationLayer)
    assert seg.largest_segment_id == 42
    entry = _layer_json(ds.path, "seg")
    assert entry["largestSegmentId"] == 42
    assert entry["mappings"] == ["agglo"]
    assert entry["elementClass"] == "uint32"
    reopened = _reopen(ds).get_layer("seg")
    assert isinstance(reopened, wk.SegmentationLayer)
    assert reopened.largest_segment_id == 42 and reopened.dtype == np.uint32


def test_add_duplicate_layer_raises_index_error(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("color", "color", dtype="uint16")
    before = _snapshot(tmp_path)
    with pytest.raises(IndexError, match="color"):
        ds.add_layer("color", "color")
    assert _snapshot(tmp_path) == before
    assert ds.get_layer("color").dtype == np.uint16


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"data_format": "no_such_format"}, "no_such_format"),
        ({"dtype": "complex128"}, "complex128"),
        ({"dtype": "no_such_dtype"}, "no_such_dtype"),
        ({"category": "no_such_category"}, "no_such_category"),
    ],
    ids=["data_format", "unsupported dtype", "unknown dtype", "category"],
)
def test_add_layer_with_bad_argument_fails_clearly_and_writes_nothing(tmp_path, kwargs, bad):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    before = _snapshot(tmp_path)
    kwargs = {"category": "color", **kwargs}
    with pytest.raises((ValueError, TypeError, RuntimeError)) as error:
        ds.add_layer("layer", **kwargs)
    assert bad in str(error.value)
    assert _snapshot(tmp_path) == before
    assert dict(ds.layers) == {}
    assert dict(_reopen(ds).layers) == {}


def test_get_layer_missing_raises_listing_layers(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("color", "color")
    ds.add_layer("seg", "segmentation", dtype="uint32")
    with pytest.raises(IndexError) as error:
        ds.get_layer("missing")
    assert "missing" in str(error.value)
    assert "color" in str(error.value) and "seg" in str(error.value)


def test_get_or_add_layer(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    created = ds.get_or_add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=3)
    assert isinstance(created, wk.SegmentationLayer) and created.largest_segment_id == 3
    again = ds.get_or_add_layer("seg", "segmentation", dtype="uint32")
    assert again.name == "seg" and again.largest_segment_id == 3
    assert list(ds.layers) == ["seg"]
    with pytest.raises((AssertionError, ValueError)):
        ds.get_or_add_layer("seg", "segmentation", dtype="uint64")
    with pytest.raises((AssertionError, ValueError)):
        ds.get_or_add_layer("seg", "color", dtype="uint32")
    assert list(_reopen(ds).layers) == ["seg"]
    assert _reopen(ds).get_layer("seg").dtype == np.uint32


def test_delete_layer_removes_folder_and_properties_entry(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    keep = ds.write_layer("keep", "color", np.full((8, 8, 8), 3, np.uint8), downsample=False)
    gone = ds.write_layer("gone", "color", np.full((8, 8, 8), 4, np.uint8), downsample=False)
    assert Path(str(gone.path)).is_dir()
    ds.delete_layer("gone")
    assert not (tmp_path / "ds" / "gone").exists()
    assert list(ds.layers) == ["keep"]
    assert [entry["name"] for entry in _json(ds.path)["dataLayers"]] == ["keep"]
    with pytest.raises(IndexError):
        ds.get_layer("gone")
    with pytest.raises(IndexError):
        ds.delete_layer("gone")
    reopened = _reopen(ds)
    assert list(reopened.layers) == ["keep"]
    assert (reopened.get_layer("keep").get_mag(1).read() == 3).all()
    assert keep.name == "keep"
    # The name is free again.
    ds.add_layer("gone", "color")
    assert sorted(_reopen(ds).layers) == ["gone", "keep"]


def test_color_and_segmentation_layer_getters(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("c1", "color")
    ds.add_layer("s1", "segmentation", dtype="uint32")
    ds.add_layer("c2", "color", num_channels=3)
    ds.add_layer("s2", "segmentation", dtype="uint64")
    for opened in (ds, _reopen(ds)):
        assert [layer.name for layer in opened.get_color_layers()] == ["c1", "c2"]
        assert [layer.name for layer in opened.get_segmentation_layers()] == ["s1", "s2"]
        assert all(isinstance(layer, wk.SegmentationLayer) for layer in opened.get_segmentation_layers())
        seg = opened.get_segmentation_layer("s2")
        assert isinstance(seg, wk.SegmentationLayer) and seg.dtype == np.uint64
        with pytest.raises((TypeError, AssertionError, ValueError)):
            opened.get_segmentation_layer("c1")
        with pytest.raises(IndexError):
            opened.get_segmentation_layer("nope")


def test_calculate_bounding_box_encloses_all_layers(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("a", "color", bounding_box=wk.BoundingBox((10, 10, 10), (20, 20, 20)))
    ds.add_layer("b", "segmentation", dtype="uint32", bounding_box=wk.BoundingBox((0, 5, 15), (5, 50, 5)))
    expected = wk.BoundingBox((0, 5, 10), (30, 50, 20))
    assert ds.calculate_bounding_box() == expected
    assert _reopen(ds).calculate_bounding_box() == expected


# ---------------------------------------------------------------------------- write_layer


def test_write_layer_3d(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 255, (40, 30, 20), dtype=np.uint8)
    layer = ds.write_layer("color", "color", data, downsample=False)
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (40, 30, 20))
    assert list(layer.mags) == [wk.Mag(1)]
    assert layer.dtype == np.uint8 and layer.num_channels == 1
    np.testing.assert_array_equal(layer.get_mag(1).read()[0], data)
    reopened = _reopen(ds).get_layer("color")
    assert reopened.bounding_box == wk.BoundingBox((0, 0, 0), (40, 30, 20))
    np.testing.assert_array_equal(reopened.get_mag(1).read()[0], data)


def test_write_layer_segmentation_with_offset(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 1000, (20, 10, 12), dtype=np.uint32)
    layer = ds.write_layer("seg", "segmentation", data, absolute_offset=(64, 32, 16), downsample=False)
    assert isinstance(layer, wk.SegmentationLayer)
    assert layer.bounding_box == wk.BoundingBox((64, 32, 16), (20, 10, 12))
    reopened = _reopen(ds).get_layer("seg")
    assert reopened.bounding_box == wk.BoundingBox((64, 32, 16), (20, 10, 12))
    np.testing.assert_array_equal(reopened.get_mag(1).read(absolute_offset=(64, 32, 16), size=(20, 10, 12))[0], data)
    np.testing.assert_array_equal(reopened.get_mag(1).read()[0], data)


def test_write_layer_4d_cxyz_sets_channels(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 255, (3, 24, 16, 8), dtype=np.uint8)
    layer = ds.write_layer("rgb", "color", data, data_format="zarr", downsample=False)
    assert layer.num_channels == 3
    assert layer.data_format == wk.DataFormat.Zarr
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (24, 16, 8))
    assert _layer_json(ds.path, "rgb")["elementClass"] == "uint24"
    np.testing.assert_array_equal(_reopen(ds).get_layer("rgb").get_mag(1).read(), data)


def test_write_layer_with_t_axis(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 255, (3, 20, 16, 8), dtype=np.uint8)
    layer = ds.write_layer("timeseries", "color", data, axes=("t", "x", "y", "z"), downsample=False)
    bbox = layer.bounding_box
    assert "t" in bbox.axes
    assert bbox.get_bounds("t") == (0, 3)
    assert bbox.topleft_xyz == wk.Vec3Int(0, 0, 0) and bbox.size_xyz == wk.Vec3Int(20, 16, 8)
    (axis,) = _layer_json(ds.path, "timeseries")["additionalAxes"]
    assert axis["name"] == "t" and axis["bounds"] == [0, 3]
    for opened in (layer, _reopen(ds).get_layer("timeseries")):
        read = opened.get_mag(1).read()
        assert read.shape in (data.shape, (1, *data.shape))
        np.testing.assert_array_equal(read.reshape(data.shape), data)
        one_t = opened.get_mag(1).read_cxyz(absolute_bounding_box=opened.bounding_box.with_bounds("t", 2, 1))
        np.testing.assert_array_equal(one_t[0], data[2])


def test_write_layer_with_xyzt_axes_order(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 255, (12, 10, 8, 2), dtype=np.uint8)
    layer = ds.write_layer("xyzt", "color", data, axes=("x", "y", "z", "t"), downsample=False)
    assert layer.bounding_box.get_bounds("t") == (0, 2)
    assert layer.bounding_box.size_xyz == wk.Vec3Int(12, 10, 8)
    for t in range(2):
        xyz = layer.get_mag(1).read_cxyz(absolute_bounding_box=layer.bounding_box.with_bounds("t", t, 1))
        np.testing.assert_array_equal(xyz[0], data[..., t])


def test_write_layer_storage_settings(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 255, (40, 30, 20), dtype=np.uint8)
    layer = ds.write_layer("color", "color", data, chunk_shape=16, shard_shape=64, downsample=False)
    info = _reopen(ds).get_layer("color").get_mag(1).info
    assert info.chunk_shape == wk.Vec3Int(16, 16, 16) and info.shard_shape == wk.Vec3Int(64, 64, 64)
    layer = ds.write_layer("other", "color", data, chunk_shape=16, chunks_per_shard=2, downsample=False)
    assert layer.get_mag(1).info.shard_shape == wk.Vec3Int(32, 32, 32)
    np.testing.assert_array_equal(_reopen(ds).get_layer("other").get_mag(1).read()[0], data)


def test_write_layer_at_mag_2(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 255, (20, 16, 8), dtype=np.uint8)
    layer = ds.write_layer("color", "color", data, mag=2, absolute_offset=(64, 32, 16), downsample=False)
    assert list(layer.mags) == [wk.Mag(2)]
    assert layer.bounding_box == wk.BoundingBox((64, 32, 16), (40, 32, 16))
    reopened = _reopen(ds).get_layer("color")
    np.testing.assert_array_equal(reopened.get_mag(2).read()[0], data)
    part = reopened.get_mag(2).read(absolute_offset=(68, 32, 16), size=(8, 4, 2))[0]
    np.testing.assert_array_equal(part, data[2:6, 0:2, 0:1])


def test_changes_are_saved_when_a_listed_mag_has_no_array(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.write_layer("intact", "color", np.ones((8, 8, 8), np.uint8), downsample=False)
    ds.write_layer("broken", "color", np.ones((8, 8, 8), np.uint8), downsample=False)
    shutil.rmtree(tmp_path / "ds" / "broken" / "1")  # e.g. a partial copy of a dataset
    reopened = _reopen(ds)
    reopened.name = "still works"
    reopened.get_layer("intact").bounding_box = wk.BoundingBox((0, 0, 0), (4, 4, 4))
    again = _reopen(ds)
    assert again.name == "still works"
    assert again.get_layer("intact").bounding_box == wk.BoundingBox((0, 0, 0), (4, 4, 4))
    assert (again.get_layer("intact").get_mag(1).read() == 1).all()


# ---------------------------------------------------------------------------- view configuration


def test_default_view_configurations_are_persisted(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color")
    ds.default_view_configuration = wk.DatasetViewConfiguration(zoom=1.5, position=(100, 200, 300))
    layer.default_view_configuration = wk.LayerViewConfiguration(color=(255, 0, 0), alpha=50.0)
    doc = _json(ds.path)
    assert doc["defaultViewConfiguration"]["zoom"] == 1.5
    assert doc["defaultViewConfiguration"]["position"] == [100, 200, 300]
    assert _layer_json(ds.path, "color")["defaultViewConfiguration"]["color"] == [255, 0, 0]
    reopened = _reopen(ds)
    assert reopened.default_view_configuration.zoom == 1.5
    assert reopened.default_view_configuration.position == (100, 200, 300)
    assert reopened.get_layer("color").default_view_configuration.color == (255, 0, 0)
    assert reopened.get_layer("color").default_view_configuration.alpha == 50.0


# ---------------------------------------------------------------------------- renaming


def _layer_with_two_mags(ds: wk.Dataset, name: str) -> tuple[wk.Layer, np.ndarray]:
    data = RNG.integers(1, 255, (64, 64, 32), dtype=np.uint8)
    layer = ds.add_layer(name, "color", bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 32)))
    layer.add_mag(1, shard_shape=32).write(data, absolute_offset=(0, 0, 0))
    layer.add_mag("2-2-1", shard_shape=32).write(data[::2, ::2, :], absolute_offset=(0, 0, 0))
    return layer, data


def test_renaming_a_layer_moves_its_folder_and_mag_paths(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer, data = _layer_with_two_mags(ds, "color")
    held = layer.get_mag(1)
    held_view = held.get_view(size=(32, 32, 32))
    np.testing.assert_array_equal(held_view.read()[0], data[:32, :32, :32])
    layer.name = "renamed"
    assert layer.name == "renamed"
    assert not (tmp_path / "ds" / "color").exists()
    assert (tmp_path / "ds" / "renamed" / "1").is_dir()
    assert list(ds.layers) == ["renamed"]
    assert ds.get_layer("renamed") is layer
    with pytest.raises(IndexError):
        ds.get_layer("color")
    for mag in layer.mags.values():
        assert Path(str(mag.path)).parent == tmp_path / "ds" / "renamed"
    np.testing.assert_array_equal(layer.get_mag(1).read()[0], data)
    entry = _layer_json(ds.path, "renamed")
    assert sorted(m["path"] for m in entry["mags"]) == ["./renamed/1", "./renamed/2-2-1"]
    reopened = _reopen(ds).get_layer("renamed")
    np.testing.assert_array_equal(reopened.get_mag(1).read()[0], data)
    np.testing.assert_array_equal(reopened.get_mag("2-2-1").read()[0], data[::2, ::2, :])
    # a MagView obtained before the rename reads and writes the moved data, not the old folder
    assert Path(str(held.path)) == tmp_path / "ds" / "renamed" / "1"
    np.testing.assert_array_equal(held.read()[0], data)
    held.write(np.zeros((32, 32, 32), np.uint8), absolute_offset=(0, 0, 0))
    assert not (tmp_path / "ds" / "color").exists()
    assert not _reopen(ds).get_layer("renamed").get_mag(1).read(size=(32, 32, 32)).any()
    np.testing.assert_array_equal(_reopen(ds).get_layer("renamed").get_mag(1).read()[0, 32:], data[32:])


def test_renaming_a_layer_to_an_existing_name_fails_without_changes(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer, _ = _layer_with_two_mags(ds, "a")
    ds.add_layer("b", "color")
    before = _snapshot(tmp_path)
    with pytest.raises((IndexError, ValueError, AssertionError)):
        layer.name = "b"
    assert layer.name == "a"
    assert _snapshot(tmp_path) == before


# ---------------------------------------------------------------------------- add_layer_like, existing files


def test_add_layer_like_copies_the_layer_settings(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    bbox = wk.BoundingBox((1, 2, 3), (30, 20, 10))
    source = ds.add_layer(
        "seg", "segmentation", dtype="uint64", data_format="zarr", bounding_box=bbox, largest_segment_id=7
    )
    source.add_mag(1)
    like = ds.add_layer_like(source, "seg_like")
    for layer in (like, _reopen(ds).get_layer("seg_like")):
        assert isinstance(layer, wk.SegmentationLayer)
        assert layer.dtype == np.uint64 and layer.num_channels == 1
        assert layer.data_format == wk.DataFormat.Zarr
        assert layer.bounding_box == bbox
        assert dict(layer.mags) == {}
    rgb = ds.add_layer("rgb", "color", num_channels=3)
    rgb_like = ds.add_layer_like(rgb, "rgb_like")
    assert rgb_like.num_channels == 3 and rgb_like.category == "color"
    with pytest.raises(IndexError):
        ds.add_layer_like(rgb, "seg")


@pytest.mark.parametrize("data_format", ["zarr3", "zarr"])
def test_add_layer_for_existing_files_discovers_mags_dtype_and_channels(tmp_path, data_format):
    source = wk.Dataset(tmp_path / "source", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 60000, (2, 64, 64, 32), dtype=np.uint16)
    layer = source.add_layer(
        "color",
        "color",
        dtype="uint16",
        num_channels=2,
        data_format=data_format,
        bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 32)),
    )
    layer.add_mag(1, shard_shape=32).write(data, absolute_offset=(0, 0, 0))
    layer.add_mag("2-2-1", shard_shape=32).write(data[:, ::2, ::2, :], absolute_offset=(0, 0, 0))
    layer.add_mag("4-4-2", shard_shape=32)  # a mag without data is discovered as well

    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    shutil.copytree(tmp_path / "source" / "color", tmp_path / "target" / "found")
    assert dict(wk.Dataset.open(target.path).layers) == {}  # folders alone are not layers
    found = target.add_layer_for_existing_files("found", "color")
    for opened in (found, _reopen(target).get_layer("found")):
        assert sorted(opened.mags) == [wk.Mag(1), wk.Mag("2-2-1"), wk.Mag("4-4-2")]
        assert opened.dtype == np.uint16 and opened.num_channels == 2
        assert opened.data_format == wk.DataFormat(data_format)
        # the box encloses the data stored in the finest mag (not the array's whole-shard shape)
        assert opened.bounding_box == wk.BoundingBox((0, 0, 0), (64, 64, 32))
        np.testing.assert_array_equal(opened.get_mag(1).read(), data)
        np.testing.assert_array_equal(opened.get_mag("2-2-1").read(), data[:, ::2, ::2, :])


def test_add_layer_for_existing_files_with_bounding_box_and_segmentation(tmp_path):
    source = wk.Dataset(tmp_path / "source", voxel_size=(1, 1, 1))
    data = RNG.integers(0, 9, (32, 32, 32), dtype=np.uint32)
    source.write_layer("seg", "segmentation", data, downsample=False)
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    shutil.copytree(tmp_path / "source" / "seg", tmp_path / "target" / "seg")
    bbox = wk.BoundingBox((0, 0, 0), (32, 32, 32))
    found = target.add_layer_for_existing_files("seg", "segmentation", bounding_box=bbox, largest_segment_id=8)
    reopened = _reopen(target).get_segmentation_layer("seg")
    assert reopened.bounding_box == bbox
    assert reopened.largest_segment_id == 8
    assert found.dtype == np.uint32
    np.testing.assert_array_equal(reopened.get_mag(1).read()[0], data)


def test_add_layer_for_missing_files_fails_without_registering(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    with pytest.raises((FileNotFoundError, ValueError, AssertionError)):
        ds.add_layer_for_existing_files("absent", "color")
    (tmp_path / "ds" / "empty").mkdir()
    with pytest.raises((ValueError, AssertionError)):
        ds.add_layer_for_existing_files("empty", "color")
    assert dict(_reopen(ds).layers) == {}


def test_add_layer_for_existing_files_bounding_box_encloses_the_stored_shards(tmp_path):
    source = wk.Dataset(tmp_path / "source", voxel_size=(1, 1, 1))
    layer = source.add_layer("sparse", "color", bounding_box=wk.BoundingBox((0, 0, 0), (256, 256, 128)))
    mag = layer.add_mag(1, shard_shape=32)
    mag.write(np.ones((32, 32, 32), np.uint8), absolute_offset=(64, 32, 0))
    mag.write(np.ones((32, 32, 32), np.uint8), absolute_offset=(128, 96, 64))
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    shutil.copytree(tmp_path / "source" / "sparse", tmp_path / "target" / "sparse")
    found = target.add_layer_for_existing_files("sparse", "color", dtype_per_channel="uint8")
    assert found.bounding_box == wk.BoundingBox((64, 32, 0), (96, 96, 96))
    assert int(found.get_mag(1).read().sum()) == 2 * 32**3


def test_conversion_layer_mapping_is_reachable_from_dataset():
    """Scripts write ``Dataset.ConversionLayerMapping.X`` as well as ``wk.ConversionLayerMapping.X``."""
    assert wk.Dataset.ConversionLayerMapping is wk.ConversionLayerMapping
    assert wk.Dataset.ConversionLayerMapping("enforce_single_layer") is wk.ConversionLayerMapping.ENFORCE_SINGLE_LAYER
