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


def test_wkw_on_remote_storage_writes_reads_and_copies(memory_path, tmp_path):
    """WKW on memory:// (as on s3://, like the reference): partial writes of compressed files, reopen, copies."""
    if "wkw" not in wk.get_plugin_manager().data_formats():
        pytest.skip("no wkw storage adapter registered")
    data = np.random.default_rng(2).integers(1, 255, (40, 20, 10), dtype="uint8")
    ds = wk.Dataset(memory_path / "ds", voxel_size=(1, 1, 1))
    mag = ds.add_layer("color", "color", data_format="wkw").add_mag(1, chunk_shape=8, shard_shape=16, compress=True)
    mag.write(data, absolute_offset=(3, 5, 7), allow_resize=True, allow_unaligned=True)
    mag.write(np.full((4, 4, 4), 9, "uint8"), absolute_offset=(10, 10, 10), allow_unaligned=True)
    data[7:11, 5:9, 3:7] = 9
    assert (memory_path / "ds" / "color" / "1" / "header.wkw").exists()
    assert (memory_path / "ds" / "color" / "1" / "z0" / "y0" / "x0.wkw").exists()
    reopened = wk.Dataset.open(memory_path / "ds").get_layer("color").get_mag(1)
    read = reopened.read(absolute_offset=(3, 5, 7), size=(40, 20, 10))[0]
    np.testing.assert_array_equal(read, data)
    local = wk.Dataset.open(memory_path / "ds").copy_dataset(tmp_path / "local", data_format="wkw")
    np.testing.assert_array_equal(
        local.get_layer("color").get_mag(1).read(absolute_offset=(3, 5, 7), size=(40, 20, 10))[0], data
    )
    back = local.copy_dataset(memory_path / "back", data_format="wkw")
    np.testing.assert_array_equal(
        back.get_layer("color").get_mag(1).read(absolute_offset=(3, 5, 7), size=(40, 20, 10))[0], data
    )


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
