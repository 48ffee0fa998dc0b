"""Datasets on memory://: create, write, reopen and copy to and from the local file system."""

import uuid

import numpy as np
import pytest
from upath import UPath

import daedalus as wk


@pytest.fixture
def memory_path():
    path = UPath(f"memory:///daedalus-tests/{uuid.uuid4().hex}")
    yield path
    if path.exists():
        path.fs.rm(path.path, recursive=True)


def test_create_write_reopen(memory_path):
    ds = wk.Dataset(memory_path / "ds", voxel_size=(1, 1, 1))
    data = np.arange(32 * 32 * 16, dtype="uint16").reshape(32, 32, 16)
    ds.add_layer("color", "color", dtype="uint16").add_mag(1, chunk_shape=16, shard_shape=32).write(
        data, absolute_offset=(0, 0, 0), allow_resize=True
    )
    assert (memory_path / "ds" / "datasource-properties.json").exists()
    reopened = wk.Dataset.open(memory_path / "ds")
    np.testing.assert_array_equal(reopened.get_layer("color").get_mag(1).read()[0], data)


def test_copy_local_to_memory_and_back(memory_path, tmp_path):
    ds = wk.Dataset(tmp_path / "local", voxel_size=(1, 1, 1))
    data = np.random.default_rng(1).integers(0, 255, (40, 32, 32), dtype="uint8")
    ds.write_layer("color", "color", data, chunk_shape=16, shard_shape=32, downsample=False)
    remote = ds.copy_dataset(memory_path / "copy")
    assert (memory_path / "copy" / "color" / "1" / "zarr.json").exists()
    back = wk.Dataset.open(memory_path / "copy").copy_dataset(tmp_path / "back", data_format="zarr")
    np.testing.assert_array_equal(back.get_layer("color").get_mag(1).read()[0], data)
    np.testing.assert_array_equal(remote.get_layer("color").get_mag(1).read()[0], data)


def test_wkw_is_refused_before_anything_is_written(memory_path, tmp_path):
    if "wkw" not in wk.get_plugin_manager().data_formats():
        pytest.skip("no wkw storage adapter registered")
    ds = wk.Dataset(memory_path / "ds", voxel_size=(1, 1, 1))
    with pytest.raises(ValueError, match="WKW"):
        ds.add_layer("color", "color", data_format="wkw")
    assert not (memory_path / "ds" / "color").exists()
    local = wk.Dataset(tmp_path / "local", voxel_size=(1, 1, 1))
    local.add_layer("color", "color").add_mag(1).write(np.ones((8, 8, 8), "uint8"), allow_resize=True)
    with pytest.raises(ValueError, match="WKW"):
        local.copy_dataset(memory_path / "wkwcopy", data_format="wkw")
    assert not (memory_path / "wkwcopy").exists()


def test_large_reads_through_the_bridge_skip_the_cache_and_are_correct(monkeypatch):
    """Reads big enough to bypass the decoded-chunk cache still see the keys the fsspec bridge staged."""
    from daedalus.adapters import tensorstore_zarr

    monkeypatch.setenv("DAEDALUS_TENSORSTORE_CACHE_BYTES", str(1024 * 1024))
    tensorstore_zarr.reset_tensorstore_context()
    try:
        ds = wk.Dataset(UPath("memory://large-read/ds"), voxel_size=(1, 1, 1))
        layer = ds.add_layer("c", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (96,) * 3))
        mag = layer.add_mag(1, chunk_shape=16, shard_shape=32)
        data = np.random.default_rng(3).integers(0, 255, (96, 96, 96), dtype=np.uint8)
        mag.write(data, absolute_offset=(0, 0, 0))
        np.testing.assert_array_equal(mag.read()[0], data)  # 864 KiB >= 1 MiB / 16: no cache
        assert mag._array._uncached_handle is not None
        np.testing.assert_array_equal(mag.read(absolute_offset=(5, 6, 7), size=(8, 8, 8))[0], data[5:13, 6:14, 7:15])
    finally:
        monkeypatch.delenv("DAEDALUS_TENSORSTORE_CACHE_BYTES")
        tensorstore_zarr.reset_tensorstore_context()
