"""MagView/View reads and writes: positions in Mag(1) coordinates, padding, resizing, alignment and errors."""

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

RNG = np.random.default_rng(7)
BBOX = wk.BoundingBox((0, 0, 0), (128, 96, 64))


@pytest.fixture
def ds(tmp_path):
    return wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))


@pytest.fixture
def layer(ds):
    layer = ds.add_layer("color", "color", bounding_box=BBOX)
    layer.add_mag(1, shard_shape=32)
    layer.add_mag("2-2-1", shard_shape=32)
    return layer


@pytest.fixture
def volume(layer):
    """The layer's Mag(1) filled with random data, returned as an (x, y, z) array."""
    data = RNG.integers(1, 255, (128, 96, 64), dtype=np.uint8)
    layer.get_mag(1).write(data, absolute_offset=(0, 0, 0))
    layer.get_mag("2-2-1").write(data[::2, ::2, :], absolute_offset=(0, 0, 0))
    return data


def _reopen(layer: wk.Layer) -> wk.Layer:
    return wk.Dataset.open(layer.dataset.path).get_layer(layer.name)


# ---------------------------------------------------------------------------- positions


def test_read_whole_mag_and_with_offsets(layer, volume):
    mag = layer.get_mag(1)
    assert mag.read().shape == (1, 128, 96, 64)
    np.testing.assert_array_equal(mag.read()[0], volume)
    np.testing.assert_array_equal(mag.read(size=(10, 20, 30))[0], volume[:10, :20, :30])
    np.testing.assert_array_equal(mag.read(absolute_offset=(5, 6, 7), size=(10, 20, 30))[0], volume[5:15, 6:26, 7:37])
    np.testing.assert_array_equal(mag.read(relative_offset=(5, 6, 7), size=(10, 20, 30))[0], volume[5:15, 6:26, 7:37])
    box = wk.BoundingBox((5, 6, 7), (10, 20, 30))
    np.testing.assert_array_equal(mag.read(absolute_bounding_box=box)[0], volume[5:15, 6:26, 7:37])
    np.testing.assert_array_equal(mag.read(relative_bounding_box=box)[0], volume[5:15, 6:26, 7:37])


def test_relative_positions_are_relative_to_the_layer_box(ds):
    layer = ds.add_layer("shifted", "color", bounding_box=wk.BoundingBox((32, 64, 16), (64, 32, 32)))
    mag = layer.add_mag(1, shard_shape=32)
    data = RNG.integers(1, 255, (64, 32, 32), dtype=np.uint8)
    mag.write(data, absolute_offset=(32, 64, 16))
    np.testing.assert_array_equal(mag.read()[0], data)
    np.testing.assert_array_equal(mag.read(relative_offset=(4, 2, 1), size=(8, 8, 8))[0], data[4:12, 2:10, 1:9])
    np.testing.assert_array_equal(mag.read(absolute_offset=(36, 66, 17), size=(8, 8, 8))[0], data[4:12, 2:10, 1:9])
    rel_box = wk.BoundingBox((4, 2, 1), (8, 8, 8))
    np.testing.assert_array_equal(mag.read(relative_bounding_box=rel_box)[0], data[4:12, 2:10, 1:9])
    np.testing.assert_array_equal(
        mag.read(absolute_bounding_box=rel_box.offset((32, 64, 16)))[0], data[4:12, 2:10, 1:9]
    )
    # writes with relative offsets land relative to the layer box, too
    mag.write(np.zeros((32, 32, 32), np.uint8), relative_offset=(32, 0, 0))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read(absolute_offset=(64, 64, 16), size=(32, 32, 32)), 0)
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read(size=(32, 32, 32))[0], data[:32])


def test_coarser_mag_takes_mag1_coordinates(layer, volume):
    mag = layer.get_mag("2-2-1")
    coarse = volume[::2, ::2, :]
    assert mag.read().shape == (1, 64, 48, 64)
    np.testing.assert_array_equal(mag.read()[0], coarse)
    np.testing.assert_array_equal(mag.read(absolute_offset=(10, 20, 3), size=(40, 20, 8))[0], coarse[5:25, 10:20, 3:11])
    np.testing.assert_array_equal(mag.read(relative_offset=(10, 20, 3), size=(40, 20, 8))[0], coarse[5:25, 10:20, 3:11])
    box = wk.BoundingBox((10, 20, 3), (40, 20, 8))
    np.testing.assert_array_equal(mag.read(absolute_bounding_box=box)[0], coarse[5:25, 10:20, 3:11])
    np.testing.assert_array_equal(mag.read(relative_bounding_box=box)[0], coarse[5:25, 10:20, 3:11])


def test_write_at_coarser_mag_takes_mag1_coordinates(layer):
    mag = layer.get_mag("2-2-1")
    block = RNG.integers(1, 255, (32, 32, 32), dtype=np.uint8)  # one shard, covers Mag(1) (64, 64, 32)
    mag.write(block, absolute_offset=(64, 0, 32))
    full = _reopen(layer).get_mag("2-2-1").read()[0]
    np.testing.assert_array_equal(full[32:64, 0:32, 32:64], block)
    full[32:64, 0:32, 32:64] = 0
    assert not full.any()
    mag.write(block + 1, relative_bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 32)))
    np.testing.assert_array_equal(_reopen(layer).get_mag("2-2-1").read(size=(64, 64, 32))[0], block + 1)
    small = np.full((4, 4, 4), 7, np.uint8)
    mag.write(small, absolute_offset=(10, 20, 3), allow_unaligned=True)
    np.testing.assert_array_equal(_reopen(layer).get_mag("2-2-1").read(absolute_offset=(10, 20, 3), size=(8, 8, 4)), 7)
    with pytest.raises(ValueError):  # (32, 32, 32) voxels of mag 2-2-1 do not fit a (32, 32, 32) Mag(1) box
        mag.write(block, absolute_bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32)))


def test_reads_outside_the_data_are_zero_padded(layer, volume):
    mag = layer.get_mag(1)
    data = mag.read(absolute_offset=(100, 80, 50), size=(60, 40, 30))
    assert data.shape == (1, 60, 40, 30)
    np.testing.assert_array_equal(data[0, :28, :16, :14], volume[100:, 80:, 50:])
    data[0, :28, :16, :14] = 0
    assert not data.any()
    far = mag.read(absolute_offset=(5000, 5000, 5000), size=(8, 8, 8))
    assert far.shape == (1, 8, 8, 8) and not far.any()


def test_cxyz_and_xyz_variants(layer, volume):
    mag = layer.get_mag(1)
    cxyz = mag.read_cxyz(absolute_offset=(0, 0, 0), size=(32, 32, 32))
    assert cxyz.shape == (1, 32, 32, 32)
    np.testing.assert_array_equal(cxyz[0], volume[:32, :32, :32])
    with pytest.warns(DeprecationWarning, match="read_xyz"):  # like the reference: a deprecated read_cxyz
        xyz = mag.read_xyz(absolute_bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32)))
    assert xyz.shape == (1, 32, 32, 32)
    np.testing.assert_array_equal(xyz[0], volume[:32, :32, :32])
    mag.write_cxyz(np.full((1, 32, 32, 32), 3, np.uint8), absolute_offset=(32, 32, 32))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read(absolute_offset=(32, 32, 32), size=(32, 32, 32)), 3)


# ---------------------------------------------------------------------------- resizing, alignment


def test_write_outside_the_layer_needs_allow_resize(layer, volume):
    mag = layer.get_mag(1)
    block = np.full((32, 32, 32), 11, np.uint8)
    with pytest.raises(ValueError, match="allow_resize"):
        mag.write(block, absolute_offset=(128, 0, 0))
    assert layer.bounding_box == BBOX
    mag.write(block, absolute_offset=(128, 0, 0), allow_resize=True)
    grown = wk.BoundingBox((0, 0, 0), (160, 96, 64))
    assert layer.bounding_box == grown
    reopened = _reopen(layer)
    assert reopened.bounding_box == grown
    np.testing.assert_array_equal(reopened.get_mag(1).read(absolute_offset=(128, 0, 0), size=(32, 32, 32))[0], block)
    np.testing.assert_array_equal(reopened.get_mag(1).read(size=(128, 96, 64))[0], volume)


def test_refused_resizing_write_leaves_the_bounding_box_alone(layer, volume):
    mag = layer.get_mag(1)
    with pytest.raises(ValueError, match="allow_unaligned"):
        mag.write(np.ones((8, 8, 8), np.uint8), absolute_offset=(140, 4, 4), allow_resize=True)
    with pytest.raises(ValueError):
        mag.write(np.ones((8, 8, 8), np.float32), absolute_offset=(140, 4, 4), allow_resize=True)
    assert layer.bounding_box == BBOX
    assert _reopen(layer).bounding_box == BBOX
    # the same write ending on the grown border is aligned and accepted
    mag.write(np.ones((12, 32, 32), np.uint8), absolute_offset=(128, 0, 0), allow_resize=True)
    assert _reopen(layer).bounding_box == wk.BoundingBox((0, 0, 0), (140, 96, 64))


def test_allow_resize_on_an_empty_layer(ds):
    layer = ds.add_layer("empty", "color")
    mag = layer.add_mag(1, shard_shape=32)
    mag.write(np.ones((32, 32, 32), np.uint8), absolute_offset=(64, 32, 0), allow_resize=True)
    assert _reopen(layer).bounding_box == wk.BoundingBox((64, 32, 0), (32, 32, 32))
    assert (_reopen(layer).get_mag(1).read() == 1).all()


def test_unaligned_write_to_compressed_shards_needs_allow_unaligned(layer, volume):
    mag = layer.get_mag(1)
    assert mag.info.compression_mode
    block = np.full((16, 16, 16), 200, np.uint8)
    with pytest.raises(ValueError, match="allow_unaligned"):
        mag.write(block, absolute_offset=(8, 8, 8))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], volume)
    mag.write(block, absolute_offset=(8, 8, 8), allow_unaligned=True)
    expected = volume.copy()
    expected[8:24, 8:24, 8:24] = 200
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], expected)


def test_writes_ending_at_the_layer_border_count_as_aligned(ds):
    layer = ds.add_layer("odd", "color", bounding_box=wk.BoundingBox((0, 0, 0), (40, 36, 20)))
    mag = layer.add_mag(1, shard_shape=32)
    data = RNG.integers(1, 255, (40, 36, 20), dtype=np.uint8)
    mag.write(data, absolute_offset=(0, 0, 0))
    mag.write(data[32:, 32:, :], absolute_offset=(32, 32, 0))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], data)


def test_unaligned_write_to_uncompressed_data_needs_allow_unaligned(ds):
    # like the reference: partial shards are refused for uncompressed zarr too (only uncompressed WKW warns)
    layer = ds.add_layer("raw", "color", bounding_box=BBOX)
    mag = layer.add_mag(1, shard_shape=32, compress=False)
    with pytest.raises(ValueError, match="allow_unaligned"):
        mag.write(np.full((5, 6, 7), 9, np.uint8), absolute_offset=(3, 4, 5))
    mag.write(np.full((5, 6, 7), 9, np.uint8), absolute_offset=(3, 4, 5), allow_unaligned=True)
    data = _reopen(layer).get_mag(1).read()[0]
    assert (data[3:8, 4:10, 5:12] == 9).all()
    assert data.sum() == 9 * 5 * 6 * 7


# ---------------------------------------------------------------------------- errors


def test_wrong_dtype_is_refused_naming_path_and_dtype(layer):
    mag = layer.get_mag(1)
    with pytest.raises(ValueError) as error:
        mag.write(np.ones((32, 32, 32), np.float64), absolute_offset=(0, 0, 0))
    assert "float64" in str(error.value) and str(mag.path) in str(error.value)
    assert not _reopen(layer).get_mag(1).read().any()


def test_wrong_shape_is_refused_naming_path_and_shape(layer):
    mag = layer.get_mag(1)
    with pytest.raises(ValueError) as error:
        mag.write(np.ones((2, 32, 32, 32), np.uint8), absolute_offset=(0, 0, 0))
    assert str(mag.path) in str(error.value) and "(2, 32, 32, 32)" in str(error.value)
    with pytest.raises(ValueError) as error:
        mag.write(np.ones((1, 1, 32, 32, 32), np.uint8), absolute_offset=(0, 0, 0))
    assert str(mag.path) in str(error.value)
    with pytest.raises(ValueError) as error:
        mag.write(np.ones((32, 32), np.uint8), absolute_offset=(0, 0, 0))
    assert str(mag.path) in str(error.value)
    with pytest.raises(ValueError) as error:
        mag.write(np.ones((32, 32, 32), np.uint8), absolute_bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 16)))
    assert str(mag.path) in str(error.value)
    assert not _reopen(layer).get_mag(1).read().any()


def test_write_outside_a_view_is_refused_naming_the_view(layer):
    view = layer.get_mag(1).get_view(absolute_offset=(32, 32, 0), size=(32, 32, 32))
    with pytest.raises(ValueError) as error:
        view.write(np.ones((32, 32, 32), np.uint8), relative_offset=(16, 0, 0))
    assert str(view.bounding_box) in str(error.value)
    with pytest.raises(ValueError):
        view.write(np.ones((32, 32, 32), np.uint8), absolute_offset=(0, 0, 0))
    assert not _reopen(layer).get_mag(1).read().any()


def test_read_with_conflicting_positions_raises(layer):
    mag = layer.get_mag(1)
    with pytest.raises((ValueError, AssertionError)):
        mag.read(relative_offset=(0, 0, 0), absolute_offset=(0, 0, 0), size=(1, 1, 1))
    with pytest.raises((ValueError, AssertionError)):
        mag.read(size=(4, 4, 4), absolute_bounding_box=wk.BoundingBox((0, 0, 0), (4, 4, 4)))
    with pytest.raises((ValueError, AssertionError)):
        mag.read(absolute_offset=(0, 0, 0))


# ---------------------------------------------------------------------------- channels and n-d


def test_multi_channel_layer(ds):
    layer = ds.add_layer("rgb", "color", num_channels=3, bounding_box=wk.BoundingBox((0, 0, 0), (64, 32, 32)))
    mag = layer.add_mag(1, shard_shape=32)
    assert mag.num_channels == 3 and mag.info.num_channels == 3
    data = RNG.integers(0, 255, (3, 64, 32, 32), dtype=np.uint8)
    mag.write(data, absolute_offset=(0, 0, 0))
    reopened = _reopen(layer).get_mag(1)
    assert reopened.read().shape == (3, 64, 32, 32)
    np.testing.assert_array_equal(reopened.read(), data)
    np.testing.assert_array_equal(reopened.read(absolute_offset=(10, 5, 1), size=(4, 3, 2)), data[:, 10:14, 5:8, 1:3])
    np.testing.assert_array_equal(reopened.read_cxyz(), data)
    for wrong in (np.ones((64, 32, 32), np.uint8), np.ones((2, 64, 32, 32), np.uint8)):
        with pytest.raises(ValueError, match="channel") as error:
            mag.write(wrong, absolute_offset=(0, 0, 0))
        assert str(mag.path) in str(error.value) and str(wrong.shape) in str(error.value)
    mag.write_cxyz(data[::-1].copy(), absolute_offset=(0, 0, 0))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read(), data[::-1])
    with pytest.raises(ValueError):
        reopened.read_xyz()


def _t_layer(ds: wk.Dataset) -> wk.Layer:
    bbox = wk.NDBoundingBox(topleft=(0, 0, 0, 0), size=(3, 64, 32, 32), axes=("t", "x", "y", "z"), index=(1, 2, 3, 4))
    layer = ds.add_layer("timeseries", "color", bounding_box=bbox)
    layer.add_mag(1, shard_shape=32)
    return layer


def test_nd_layer_with_t_axis_write_and_read(ds):
    layer = _t_layer(ds)
    mag = layer.get_mag(1)
    data = RNG.integers(0, 255, (3, 64, 32, 32), dtype=np.uint8)
    mag.write(data, absolute_bounding_box=layer.bounding_box)
    reopened = _reopen(layer)
    assert reopened.bounding_box.get_bounds("t") == (0, 3)
    read = reopened.get_mag(1).read()
    assert read.shape in (data.shape, (1, *data.shape))
    np.testing.assert_array_equal(read.reshape(data.shape), data)
    for t in range(3):
        one = reopened.get_mag(1).read_cxyz(absolute_bounding_box=reopened.bounding_box.with_bounds("t", t, 1))
        np.testing.assert_array_equal(one[0], data[t])
    # overwrite one time point only
    box_t1 = layer.bounding_box.with_bounds("t", 1, 1)
    mag.write(np.zeros((1, 64, 32, 32), np.uint8), absolute_bounding_box=box_t1)
    read = _reopen(layer).get_mag(1).read().reshape(data.shape)
    np.testing.assert_array_equal(read[0], data[0])
    assert not read[1].any()
    np.testing.assert_array_equal(read[2], data[2])
    # a 3-d offset and size select the x/y/z part for every t; a 3-d box (like the reference) only t = 0
    part = _reopen(layer).get_mag(1).read(absolute_offset=(8, 0, 0), size=(8, 4, 2))
    np.testing.assert_array_equal(part.reshape(3, 8, 4, 2), read[:, 8:16, 0:4, 0:2])
    part = _reopen(layer).get_mag(1).read(absolute_bounding_box=wk.BoundingBox((8, 0, 0), (8, 4, 2)))
    np.testing.assert_array_equal(part.reshape(1, 8, 4, 2), read[:1, 8:16, 0:4, 0:2])


def test_nd_layer_write_with_wrong_t_extent_is_refused(ds):
    layer = _t_layer(ds)
    with pytest.raises(ValueError):
        layer.get_mag(1).write(
            np.zeros((2, 64, 32, 32), np.uint8), absolute_bounding_box=layer.bounding_box.with_bounds("t", 0, 1)
        )
    assert Path(str(layer.get_mag(1).path)).is_dir()
    assert not _reopen(layer).get_mag(1).read().any()
