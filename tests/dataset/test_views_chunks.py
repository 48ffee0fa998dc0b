"""Views: sub-views, chunking, chunk-parallel processing (sequential, threads, processes), files on disk,
content comparison and buffered slice readers/writers.

Functions handed to executors are module-level (in dataset_chunk_functions.py) so that the multiprocessing
executor can pickle them.
"""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

# Worker processes import chunk functions by module name; see dataset_chunk_functions.py for why they live there.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))
fns = importlib.import_module("dataset_chunk_functions")

RNG = np.random.default_rng(3)
BBOX = wk.BoundingBox((0, 0, 0), (128, 64, 32))


@pytest.fixture(scope="module")
def process_executor():
    with wk.get_executor("multiprocessing", max_workers=2) as executor:
        yield executor


@pytest.fixture(params=["sequential", "threads", "multiprocessing"])
def executor(request, process_executor):
    if request.param == "sequential":
        yield None
    elif request.param == "threads":
        with wk.get_executor("threads", max_workers=2) as threads:
            yield threads
    else:
        yield process_executor


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
    data = RNG.integers(1, 255, (128, 64, 32), dtype=np.uint8)
    layer.get_mag(1).write(data, absolute_offset=(0, 0, 0))
    return data


def _reopen(layer: wk.Layer) -> wk.Layer:
    return wk.Dataset.open(layer.dataset.path).get_layer(layer.name)


# ---------------------------------------------------------------------------- get_view


def test_get_view_regions(layer, volume):
    mag = layer.get_mag(1)
    whole = mag.get_view()
    assert whole.bounding_box == BBOX
    view = mag.get_view(absolute_offset=(32, 16, 0), size=(64, 32, 32))
    assert view.bounding_box == wk.BoundingBox((32, 16, 0), (64, 32, 32))
    assert view.mag == wk.Mag(1) and not view.read_only
    np.testing.assert_array_equal(view.read()[0], volume[32:96, 16:48, :])
    assert mag.get_view(relative_offset=(32, 16, 0), size=(64, 32, 32)).bounding_box == view.bounding_box
    box = wk.BoundingBox((32, 16, 0), (64, 32, 32))
    assert mag.get_view(absolute_bounding_box=box).bounding_box == box
    assert mag.get_view(relative_bounding_box=box).bounding_box == box
    # sub-views of a view are relative to the view
    inner = view.get_view(relative_offset=(8, 4, 2), size=(16, 8, 4))
    assert inner.bounding_box == wk.BoundingBox((40, 20, 2), (16, 8, 4))
    np.testing.assert_array_equal(inner.read()[0], volume[40:56, 20:28, 2:6])
    np.testing.assert_array_equal(view.read(relative_offset=(8, 4, 2), size=(16, 8, 4))[0], volume[40:56, 20:28, 2:6])


def test_view_writes_are_relative_to_the_view(layer, volume):
    view = layer.get_mag(1).get_view(absolute_offset=(32, 32, 0), size=(64, 32, 32))
    view.write(np.zeros((32, 32, 32), np.uint8), relative_offset=(32, 0, 0))
    view.write(np.full((32, 32, 32), 5, np.uint8))
    expected = volume.copy()
    expected[64:96, 32:64, :] = 0
    expected[32:64, 32:64, :] = 5
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], expected)


def test_view_at_coarser_mag(layer, volume):
    mag2 = layer.get_mag("2-2-1")
    mag2.write(volume[::2, ::2, :], absolute_offset=(0, 0, 0))
    view = mag2.get_view(absolute_offset=(64, 0, 0), size=(64, 64, 32))
    assert view.mag == wk.Mag("2-2-1")
    assert view.read().shape == (1, 32, 32, 32)
    np.testing.assert_array_equal(view.read()[0], volume[64::2, ::2, :])


def test_writable_views_stay_inside_read_only_views_may_extend(layer, volume):
    mag = layer.get_mag(1)
    with pytest.raises(ValueError):
        mag.get_view(absolute_offset=(96, 0, 0), size=(64, 64, 32))
    view = mag.get_view(absolute_offset=(96, 0, 0), size=(64, 64, 32), read_only=True)
    assert view.read_only
    data = view.read()
    np.testing.assert_array_equal(data[0, :32], volume[96:])
    assert not data[0, 32:].any()
    small = mag.get_view(size=(32, 32, 32))
    with pytest.raises(ValueError):
        small.get_view(relative_offset=(16, 0, 0), size=(32, 32, 32))
    assert small.get_view(relative_offset=(16, 0, 0), size=(32, 32, 32), read_only=True).read().shape == (
        1,
        32,
        32,
        32,
    )


def test_read_only_views_refuse_writes(layer, volume):
    mag = layer.get_mag(1)
    view = mag.get_view(size=(32, 32, 32), read_only=True)
    with pytest.raises(RuntimeError):
        view.write(np.zeros((32, 32, 32), np.uint8))
    with pytest.raises(RuntimeError):
        view.get_view(size=(32, 32, 32), read_only=False)
    with pytest.raises(RuntimeError):
        view.get_buffered_slice_writer()
    for chunk in mag.chunk((64, 64, 32), read_only=True):
        assert chunk.read_only
        with pytest.raises(RuntimeError):
            chunk.write(np.zeros((64, 64, 32), np.uint8))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], volume)


# ---------------------------------------------------------------------------- chunking


def test_chunk_covers_the_view(layer):
    chunks = list(layer.get_mag(1).chunk((64, 32, 32)))
    corners = sorted(tuple(c.bounding_box.topleft_xyz) for c in chunks)
    assert corners == [(0, 0, 0), (0, 32, 0), (64, 0, 0), (64, 32, 0)]
    assert all(c.bounding_box.size_xyz == wk.Vec3Int(64, 32, 32) for c in chunks)
    assert all(c.mag == wk.Mag(1) and not c.read_only for c in chunks)


def test_chunk_with_border_alignment(layer):
    view = layer.get_mag(1).get_view(absolute_offset=(16, 0, 0), size=(80, 64, 32))
    chunks = list(view.chunk((32, 64, 32), chunk_border_alignments=(32, 32, 32)))
    boxes = sorted((tuple(c.bounding_box.topleft_xyz), tuple(c.bounding_box.size_xyz)) for c in chunks)
    assert boxes == [((16, 0, 0), (16, 64, 32)), ((32, 0, 0), (32, 64, 32)), ((64, 0, 0), (32, 64, 32))]
    total = sum(c.bounding_box.volume() for c in chunks)
    assert total == view.bounding_box.volume()


def test_for_each_chunk(layer, executor):
    mag = layer.get_mag(1)
    mag.for_each_chunk(fns.fill_with_index, chunk_shape=(32, 32, 32), executor=executor)
    data = _reopen(layer).get_mag(1).read()[0]
    chunks = list(mag.chunk((32, 32, 32), chunk_border_alignments=(32, 32, 32)))
    assert len(chunks) == 8
    seen = set()
    for chunk in chunks:
        lo, hi = chunk.bounding_box.topleft_xyz, chunk.bounding_box.bottomright_xyz
        block = data[lo.x : hi.x, lo.y : hi.y, lo.z : hi.z]
        values = np.unique(block)
        assert len(values) == 1 and values[0] != 0
        seen.add(int(values[0]))
    assert seen == set(range(1, 9))


def test_for_each_chunk_at_coarser_mag_with_unaligned_layer_box(ds):
    layer = ds.add_layer("odd", "color", bounding_box=wk.BoundingBox((0, 0, 0), (129, 65, 20)))
    mag = layer.add_mag("2-2-1", shard_shape=32)
    assert mag.bounding_box == wk.BoundingBox((0, 0, 0), (130, 66, 20))
    mag.for_each_chunk(fns.fill_with_index, chunk_shape=(64, 64, 32))
    data = _reopen(layer).get_mag("2-2-1").read()[0]
    assert data.shape == (65, 33, 20)
    assert data.all()
    assert len(np.unique(data)) == len(list(mag.chunk((64, 64, 32), chunk_border_alignments=(64, 64, 32))))


def test_for_each_chunk_default_chunks_are_shards(layer, volume, executor):
    layer.get_mag(1).for_each_chunk(fns.double_values, executor=executor)
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], volume * 2)


def test_map_chunk_returns_results_in_chunk_order(layer, volume, executor):
    mag = layer.get_mag(1)
    results = mag.map_chunk(fns.chunk_summary, chunk_shape=(64, 32, 32), executor=executor)
    order = [tuple(c.bounding_box.topleft_xyz) for c in mag.chunk((64, 32, 32), chunk_border_alignments=(64, 32, 32))]
    assert [topleft for topleft, _ in results] == order
    for (x, y, z), total in results:
        assert total == int(volume[x : x + 64, y : y + 32, z : z + 32].astype(np.int64).sum())


def test_for_zipped_chunks(layer, volume, executor):
    source = layer.get_mag(1)
    target = layer.get_mag("2-2-1")
    source.for_zipped_chunks(
        fns.halve_xy, target, source_chunk_shape=(64, 64, 32), target_chunk_shape=(64, 64, 32), executor=executor
    )
    np.testing.assert_array_equal(_reopen(layer).get_mag("2-2-1").read()[0], volume[::2, ::2, :])


def test_chunk_functions_that_raise_propagate(layer, executor):
    with pytest.raises(ValueError):
        layer.get_mag(1).for_each_chunk(fns.write_wrong_shape, chunk_shape=(32, 32, 32), executor=executor)


# ---------------------------------------------------------------------------- comparison, files on disk


def test_content_is_equal(ds, layer, volume, executor):
    other = ds.add_layer("other", "color", bounding_box=BBOX)
    other_mag = other.add_mag(1, shard_shape=64)
    other_mag.write(volume, absolute_offset=(0, 0, 0))
    mag = layer.get_mag(1)
    assert mag.content_is_equal(other_mag, executor=executor)
    assert mag.content_is_equal(other_mag, executor=executor, chunk_shape=(32, 32, 32))
    changed = volume[:32, :32, :32].copy()
    changed[3, 4, 5] ^= 1
    other_mag.write(changed, absolute_offset=(0, 0, 0), allow_unaligned=True)
    assert not mag.content_is_equal(other_mag, executor=executor)
    assert not mag.get_view(size=(64, 64, 32)).content_is_equal(other_mag.get_view(size=(32, 64, 32)))
    assert mag.get_view(absolute_offset=(64, 0, 0), size=(64, 64, 32)).content_is_equal(
        other_mag.get_view(absolute_offset=(64, 0, 0), size=(64, 64, 32))
    )


def test_bounding_boxes_and_views_on_disk(ds):
    layer = ds.add_layer("sparse", "color", bounding_box=wk.BoundingBox((0, 0, 0), (128, 128, 64)))
    mag = layer.add_mag(1, shard_shape=32)
    assert list(mag.get_bounding_boxes_on_disk()) == []
    mag.write(np.full((32, 32, 32), 1, np.uint8), absolute_offset=(0, 0, 0))
    mag.write(np.full((32, 32, 32), 2, np.uint8), absolute_offset=(96, 64, 32))
    boxes = sorted(mag.get_bounding_boxes_on_disk(), key=lambda b: tuple(b.topleft_xyz))
    assert boxes == [wk.BoundingBox((0, 0, 0), (32, 32, 32)), wk.BoundingBox((96, 64, 32), (32, 32, 32))]
    views = sorted(mag.get_views_on_disk(), key=lambda v: tuple(v.bounding_box.topleft_xyz))
    assert [v.bounding_box for v in views] == boxes
    assert [int(np.unique(v.read())[0]) for v in views] == [1, 2]

    mag2 = layer.add_mag("2-2-1", shard_shape=32)  # a shard covers Mag(1) (64, 64, 32)
    mag2.write(np.full((32, 32, 32), 3, np.uint8), absolute_offset=(64, 64, 0))
    assert list(mag2.get_bounding_boxes_on_disk()) == [wk.BoundingBox((64, 64, 0), (64, 64, 32))]


def test_views_on_disk_are_clipped_to_the_layer(ds):
    layer = ds.add_layer("clip", "color", bounding_box=wk.BoundingBox((0, 0, 0), (40, 32, 32)))
    mag = layer.add_mag(1, shard_shape=32)
    mag.write(np.full((40, 32, 32), 4, np.uint8), absolute_offset=(0, 0, 0))
    views = sorted(mag.get_views_on_disk(), key=lambda v: tuple(v.bounding_box.topleft_xyz))
    assert [v.bounding_box for v in views] == [
        wk.BoundingBox((0, 0, 0), (32, 32, 32)),
        wk.BoundingBox((32, 0, 0), (8, 32, 32)),
    ]
    assert all((v.read() == 4).all() for v in views)


# ---------------------------------------------------------------------------- buffered slices


def _as_plane(plane, shape):
    plane = np.asarray(plane)
    assert plane.shape[-2:] == shape[-2:]
    return plane.reshape(shape)


def test_buffered_slice_writer_and_reader_round_trip(ds):
    layer = ds.add_layer("slices", "color", bounding_box=wk.BoundingBox((0, 0, 0), (48, 40, 20)))
    mag = layer.add_mag(1, shard_shape=32)
    data = RNG.integers(1, 255, (48, 40, 20), dtype=np.uint8)
    with mag.get_buffered_slice_writer() as writer:
        for z in range(20):
            writer.send(data[:, :, z])
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], data)
    with mag.get_buffered_slice_reader(buffer_size=6) as reader:
        planes = [_as_plane(p, data[:, :, 0].shape) for p in reader]
    assert len(planes) == 20
    np.testing.assert_array_equal(np.stack(planes, axis=-1), data)
    with mag.get_buffered_slice_reader(dimension="y") as reader:
        planes = [_as_plane(p, data[:, 0, :].shape) for p in reader]
    assert len(planes) == 40
    np.testing.assert_array_equal(np.stack(planes, axis=1), data)
    box = wk.BoundingBox((8, 8, 4), (16, 8, 10))
    with mag.get_buffered_slice_reader(absolute_bounding_box=box) as reader:
        planes = [_as_plane(p, (16, 8)) for p in reader]
    np.testing.assert_array_equal(np.stack(planes, axis=-1), data[8:24, 8:16, 4:14])


def test_buffered_slice_writer_multi_channel_with_offset(ds):
    layer = ds.add_layer("rgb", "color", num_channels=3, bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 64)))
    mag = layer.add_mag(1, shard_shape=32, compress=False)
    data = RNG.integers(0, 255, (3, 32, 32, 24), dtype=np.uint8)
    # a start off the shard borders needs allow_unaligned, also for uncompressed data (as in the reference)
    with mag.get_buffered_slice_writer(buffer_size=5, absolute_offset=(0, 0, 8), allow_unaligned=True) as writer:
        for z in range(24):
            writer.send(data[..., z])
    stored = _reopen(layer).get_mag(1).read()
    np.testing.assert_array_equal(stored[..., 8:32], data)
    assert not stored[..., :8].any() and not stored[..., 32:].any()
    with mag.get_buffered_slice_reader(absolute_bounding_box=wk.BoundingBox((0, 0, 8), (32, 32, 24))) as reader:
        planes = [np.asarray(p) for p in reader]
    assert planes[0].shape == (3, 32, 32)
    np.testing.assert_array_equal(np.stack(planes, axis=-1), data)


def test_buffered_slice_writer_unaligned_compressed_needs_allow_unaligned(ds):
    layer = ds.add_layer("c", "color", bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 64)))
    mag = layer.add_mag(1, shard_shape=32)
    data = RNG.integers(1, 255, (32, 32, 64), dtype=np.uint8)
    with pytest.raises(ValueError, match="allow_unaligned"):
        with mag.get_buffered_slice_writer(buffer_size=5) as writer:
            for z in range(64):
                writer.send(data[:, :, z])
    with mag.get_buffered_slice_writer(buffer_size=5, allow_unaligned=True) as writer:
        for z in range(64):
            writer.send(data[:, :, z])
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], data)


def test_buffered_slice_writer_default_buffer_fills_whole_shards(ds, monkeypatch):
    """The default buffer is the shard depth: more slices than one shard holds are written shard by shard."""
    layer = ds.add_layer("deep", "color", bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 100)))
    mag = layer.add_mag(1, chunk_shape=8, shard_shape=32)  # compressed: unaligned blocks would be refused
    data = RNG.integers(1, 255, (32, 32, 100), dtype=np.uint8)
    blocks = []
    original = type(mag)._write_slab

    def record(self, block, offset, allow_unaligned):
        blocks.append((int(offset[2]), block.shape[-1]))
        return original(self, block, offset, allow_unaligned)

    monkeypatch.setattr(type(mag), "_write_slab", record)
    with mag.get_buffered_slice_writer() as writer:
        for z in range(100):
            writer.send(data[:, :, z])
    assert blocks == [(0, 32), (32, 32), (64, 32), (96, 4)]
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], data)


def test_buffered_slice_writer_blocks_end_on_buffer_multiples(ds, monkeypatch):
    layer = ds.add_layer("offset", "color", bounding_box=wk.BoundingBox((0, 0, 0), (16, 16, 64)))
    mag = layer.add_mag(1, shard_shape=32, compress=False)
    data = RNG.integers(1, 255, (16, 16, 40), dtype=np.uint8)
    blocks = []
    original = type(mag)._write_slab

    def record(self, block, offset, allow_unaligned):
        blocks.append((int(offset[2]), block.shape[-1]))
        return original(self, block, offset, allow_unaligned)

    monkeypatch.setattr(type(mag), "_write_slab", record)
    with mag.get_buffered_slice_writer(buffer_size=16, absolute_offset=(0, 0, 10), allow_unaligned=True) as writer:
        for z in range(40):
            writer.send(data[:, :, z])
    assert blocks == [(10, 6), (16, 16), (32, 16), (48, 2)]
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0][:, :, 10:50], data)


def test_buffered_slice_reader_default_buffer_is_bounded(ds):
    from daedalus.core.dataset import buffered_slice

    layer = ds.add_layer("wide", "color", bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 64)))
    mag = layer.add_mag(1, chunk_shape=8, shard_shape=64)
    assert buffered_slice.default_read_slices(mag, mag.bounding_box, 2) == 64  # the shard depth
    small = buffered_slice.READ_BUFFER_BYTES
    try:
        buffered_slice.READ_BUFFER_BYTES = 64 * 64 * 20  # room for 20 planes: rounded down to 16 (whole chunks)
        assert buffered_slice.default_read_slices(mag, mag.bounding_box, 2) == 16
        buffered_slice.READ_BUFFER_BYTES = 1  # never less than one chunk
        assert buffered_slice.default_read_slices(mag, mag.bounding_box, 2) == 8
    finally:
        buffered_slice.READ_BUFFER_BYTES = small


@pytest.mark.parametrize("buffer_size", [0, -3, 2.5])
def test_buffered_slice_buffer_size_must_be_positive(layer, buffer_size):
    with pytest.raises(ValueError, match="buffer_size"):
        layer.get_mag(1).get_buffered_slice_writer(buffer_size=buffer_size)
    with pytest.raises(ValueError, match="buffer_size"):
        layer.get_mag(1).get_buffered_slice_reader(buffer_size=buffer_size)


def test_content_is_equal_compares_views_at_different_positions(layer):
    mag = layer.get_mag(1)
    mag.write(np.tile(RNG.integers(0, 255, (32, 64, 32), dtype=np.uint8), (4, 1, 1)), absolute_offset=(0, 0, 0))
    first = mag.get_view(absolute_offset=(0, 0, 0), size=(32, 64, 32))
    third = mag.get_view(absolute_offset=(64, 0, 0), size=(32, 64, 32))
    assert first.content_is_equal(third)
    assert not first.content_is_equal(mag.get_view(absolute_offset=(16, 0, 0), size=(32, 64, 32), read_only=True))


@pytest.mark.parametrize("dimension", ["x", "y", 0, 1])
def test_buffered_slice_writer_along_x_and_y(ds, dimension):
    layer = ds.add_layer("xy", "color", bounding_box=wk.BoundingBox((0, 0, 0), (16, 20, 8)))
    mag = layer.add_mag(1, shard_shape=32)
    data = RNG.integers(1, 255, (16, 20, 8), dtype=np.uint8)
    axis = {"x": 0, "y": 1}.get(dimension, dimension)
    with mag.get_buffered_slice_writer(dimension=dimension, buffer_size=7, allow_unaligned=True) as writer:
        for index in range(data.shape[axis]):
            writer.send(np.take(data, index, axis=axis))
    np.testing.assert_array_equal(_reopen(layer).get_mag(1).read()[0], data)
    with mag.get_buffered_slice_reader(dimension=dimension, buffer_size=3) as reader:
        planes = [np.asarray(p).reshape(np.take(data, 0, axis=axis).shape) for p in reader]
    np.testing.assert_array_equal(np.stack(planes, axis=axis), data)


def test_buffered_slice_writer_of_a_view_stays_in_the_view(layer):
    view = layer.get_mag(1).get_view(absolute_offset=(0, 0, 8), size=(128, 64, 8))
    with view.get_buffered_slice_writer(allow_unaligned=True) as writer:
        for _ in range(8):
            writer.send(np.full((128, 64), 9, np.uint8))
    stored = _reopen(layer).get_mag(1).read()[0]
    assert (stored[:, :, 8:16] == 9).all()
    assert not stored[:, :, :8].any() and not stored[:, :, 16:].any()
    with pytest.raises(ValueError):
        with view.get_buffered_slice_writer(allow_unaligned=True) as writer:
            for _ in range(10):
                writer.send(np.full((128, 64), 9, np.uint8))
