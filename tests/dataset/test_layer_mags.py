"""Layer: bounding box, adding/getting/deleting mags with storage settings, segmentation ids."""

import json
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

BBOX = wk.BoundingBox((0, 0, 0), (64, 64, 32))


def _json_layer(layer: wk.Layer) -> dict:
    doc = json.loads((Path(str(layer.dataset.path)) / "datasource-properties.json").read_text())
    (entry,) = [entry for entry in doc["dataLayers"] if entry["name"] == layer.name]
    return entry


def _reopen(layer: wk.Layer) -> wk.Layer:
    return wk.Dataset.open(layer.dataset.path).get_layer(layer.name)


@pytest.fixture
def ds(tmp_path):
    return wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))


@pytest.fixture
def layer(ds):
    return ds.add_layer("color", "color", bounding_box=BBOX)


# ---------------------------------------------------------------------------- bounding box


def test_bounding_box_set_is_persisted(layer):
    new = wk.BoundingBox((8, 16, 4), (100, 50, 20))
    layer.bounding_box = new
    assert layer.bounding_box == new
    box = _json_layer(layer)["boundingBox"]
    assert box == {"topLeft": [8, 16, 4], "width": 100, "height": 50, "depth": 20}
    assert _reopen(layer).bounding_box == new


def test_growing_the_bounding_box_allows_writing_there(layer):
    mag = layer.add_mag(1, shard_shape=32)
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (200, 64, 32))
    data = np.full((32, 32, 32), 9, np.uint8)
    mag.write(data, absolute_offset=(160, 32, 0))
    assert mag.bounding_box == layer.bounding_box
    reopened = _reopen(layer).get_mag(1)
    np.testing.assert_array_equal(reopened.read(absolute_offset=(160, 32, 0), size=(32, 32, 32))[0], data)


def test_shrinking_the_bounding_box_limits_full_reads(layer):
    mag = layer.add_mag(1, shard_shape=32)
    mag.write(np.full((64, 64, 32), 5, np.uint8), absolute_offset=(0, 0, 0))
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (16, 8, 4))
    assert _reopen(layer).get_mag(1).read().shape == (1, 16, 8, 4)


# ---------------------------------------------------------------------------- add_mag


def test_add_mag_defaults(layer):
    mag = layer.add_mag(1)
    info = mag.info
    assert mag.mag == wk.Mag(1)
    assert info.chunk_shape == wk.Vec3Int(32, 32, 32)
    assert info.shard_shape == wk.Vec3Int(1024, 1024, 1024)
    assert info.compression_mode is True
    assert info.voxel_type == np.uint8 and info.num_channels == 1
    assert Path(str(mag.path)) == Path(str(layer.path)) / "1"
    entry = _json_layer(layer)["mags"]
    assert entry == [{"mag": [1, 1, 1], "path": "./color/1", "axisOrder": {"c": 0, "x": 1, "y": 2, "z": 3}}]


@pytest.mark.parametrize(
    ("kwargs", "chunk", "shard", "compressed"),
    [
        ({"chunk_shape": 16, "shard_shape": 64}, 16, 64, True),
        ({"chunk_shape": (16, 16, 8), "shard_shape": (32, 32, 16)}, (16, 16, 8), (32, 32, 16), True),
        ({"chunk_shape": 32, "chunks_per_shard": 2}, 32, 64, True),
        ({"chunk_shape": 16, "shard_shape": 32, "compress": False}, 16, 32, False),
    ],
    ids=["int", "tuple", "chunks_per_shard", "uncompressed"],
)
def test_add_mag_storage_settings(layer, kwargs, chunk, shard, compressed):
    mag = layer.add_mag("2-2-1", **kwargs)
    for opened in (mag, _reopen(layer).get_mag("2-2-1")):
        info = opened.info
        assert info.chunk_shape == wk.Vec3Int.from_vec_or_int(chunk)
        assert info.shard_shape == wk.Vec3Int.from_vec_or_int(shard)
        assert info.compression_mode is compressed
    data = np.arange(32 * 32 * 32, dtype=np.uint32).reshape(32, 32, 32).astype(np.uint8)
    mag.write(data, absolute_offset=(0, 0, 0))
    np.testing.assert_array_equal(_reopen(layer).get_mag("2-2-1").read()[0], data)


@pytest.mark.parametrize("compress", [True, False])
def test_add_mag_zarr2(ds, compress):
    layer = ds.add_layer("z2", "color", data_format="zarr", bounding_box=BBOX)
    mag = layer.add_mag(1, chunk_shape=16, compress=compress)
    assert mag.info.chunk_shape == wk.Vec3Int(16, 16, 16)
    assert mag.info.shard_shape == wk.Vec3Int(16, 16, 16)
    assert mag.info.compression_mode is compress
    zarray = json.loads((Path(str(mag.path)) / ".zarray").read_text())
    assert zarray["order"] == "F"
    assert (zarray["compressor"] is not None) is compress
    data = np.random.default_rng(0).integers(0, 255, (64, 64, 32), dtype=np.uint8)
    mag.write(data, absolute_offset=(0, 0, 0))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], data)


def test_add_mag_bad_settings_raise(layer):
    with pytest.raises((ValueError, AssertionError)):
        layer.add_mag(1, chunk_shape=32, shard_shape=64, chunks_per_shard=2)
    with pytest.raises((ValueError, AssertionError)):
        layer.add_mag(1, chunk_shape=32, shard_shape=48)
    assert dict(layer.mags) == {}
    assert _json_layer(layer)["mags"] == []


def test_add_existing_mag_raises_index_error(layer):
    layer.add_mag(1)
    with pytest.raises(IndexError):
        layer.add_mag(1)
    with pytest.raises(IndexError):
        layer.add_mag("1-1-1")
    assert len(_json_layer(layer)["mags"]) == 1


def test_get_mag_accepts_every_mag_form(layer):
    mag = layer.add_mag("2-2-1")
    for key in ("2-2-1", (2, 2, 1), [2, 2, 1], wk.Mag("2-2-1"), wk.Mag((2, 2, 1))):
        assert layer.get_mag(key).mag == wk.Mag("2-2-1")
        assert layer.get_mag(key).path == mag.path
    one = layer.add_mag(1)
    for key in (1, "1", (1, 1, 1), wk.Mag(1)):
        assert layer.get_mag(key).path == one.path
    assert layer.get_mag("2-2-1").name == "2-2-1"
    assert layer.get_mag(1).layer is layer
    with pytest.raises(IndexError):
        layer.get_mag(4)


def test_get_or_add_mag(layer):
    created = layer.get_or_add_mag("2-2-1", chunk_shape=16, shard_shape=32)
    assert created.info.chunk_shape == wk.Vec3Int(16, 16, 16)
    again = layer.get_or_add_mag("2-2-1")
    assert again.path == created.path
    assert layer.get_or_add_mag((2, 2, 1), chunk_shape=16).path == created.path
    with pytest.raises((ValueError, AssertionError)):
        layer.get_or_add_mag("2-2-1", chunk_shape=32)
    assert list(_reopen(layer).mags) == [wk.Mag("2-2-1")]


def test_get_finest_mag(layer):
    with pytest.raises((IndexError, ValueError, AssertionError)):
        layer.get_finest_mag()
    layer.add_mag("4-4-2")
    layer.add_mag("2-2-1")
    assert layer.get_finest_mag().mag == wk.Mag("2-2-1")
    layer.add_mag(1)
    assert layer.get_finest_mag().mag == wk.Mag(1)
    reopened = _reopen(layer)
    assert reopened.get_finest_mag().mag == wk.Mag(1)
    assert [m["mag"] for m in _json_layer(layer)["mags"]] == [[1, 1, 1], [2, 2, 1], [4, 4, 2]]


def test_delete_mag_removes_data_and_entry(layer):
    one = layer.add_mag(1, shard_shape=32)
    one.write(np.full((64, 64, 32), 1, np.uint8), absolute_offset=(0, 0, 0))
    two = layer.add_mag("2-2-1", shard_shape=32)
    two.write(np.full((32, 32, 32), 2, np.uint8), absolute_offset=(0, 0, 0))
    layer.delete_mag("2-2-1")
    assert not Path(str(two.path)).exists()
    assert list(layer.mags) == [wk.Mag(1)]
    assert [m["mag"] for m in _json_layer(layer)["mags"]] == [[1, 1, 1]]
    with pytest.raises(IndexError):
        layer.get_mag("2-2-1")
    with pytest.raises(IndexError):
        layer.delete_mag("2-2-1")
    reopened = _reopen(layer)
    assert list(reopened.mags) == [wk.Mag(1)]
    assert (reopened.get_mag(1).read() == 1).all()
    # the mag can be added again and starts empty
    fresh = layer.add_mag("2-2-1", shard_shape=32)
    assert not fresh.read().any()


# ---------------------------------------------------------------------------- segmentation layers


def test_as_segmentation_layer(ds, layer):
    seg = ds.add_layer("seg", "segmentation", dtype="uint32")
    assert ds.get_layer("seg").as_segmentation_layer() is seg
    with pytest.raises((TypeError, AssertionError, ValueError)):
        layer.as_segmentation_layer()


def test_largest_segment_id_set_is_persisted(ds):
    seg = ds.add_layer("seg", "segmentation", dtype="uint32")
    assert seg.largest_segment_id is None
    seg.largest_segment_id = 1234
    assert seg.largest_segment_id == 1234
    assert _json_layer(seg)["largestSegmentId"] == 1234
    assert _reopen(seg).largest_segment_id == 1234
    seg.largest_segment_id = None
    assert _reopen(seg).largest_segment_id is None
    assert _json_layer(seg).get("largestSegmentId") is None


def test_refresh_largest_segment_id(ds):
    seg = ds.add_layer("seg", "segmentation", dtype="uint64", bounding_box=wk.BoundingBox((0, 0, 0), (96, 64, 32)))
    mag = seg.add_mag(1, shard_shape=32)
    data = np.zeros((96, 64, 32), np.uint64)
    data[70, 40, 3] = 2**40 + 17
    data[5, 5, 5] = 99
    mag.write(data, absolute_offset=(0, 0, 0))
    seg.refresh_largest_segment_id()
    assert seg.largest_segment_id == 2**40 + 17
    assert _reopen(seg).largest_segment_id == 2**40 + 17
    data[70, 40, 3] = 0
    mag.write(data, absolute_offset=(0, 0, 0))
    with wk.get_executor("threads", max_workers=2) as executor:
        seg.refresh_largest_segment_id(chunk_shape=(32, 32, 32), executor=executor)
    assert _reopen(seg).largest_segment_id == 99
    data[95, 63, 31] = 1000
    mag.write(data, absolute_offset=(0, 0, 0))
    with wk.get_executor("multiprocessing", max_workers=2) as executor:
        seg.refresh_largest_segment_id(executor=executor)
    assert _reopen(seg).largest_segment_id == 1000
