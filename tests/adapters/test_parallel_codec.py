"""Large zarr3 reads and writes with every core busy: files byte-identical to tensorstore's, reads equal, and the
overlapped block pipeline of downsampling and copies (order, failures, blocks in flight)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts
from daedalus.adapters.tensorstore_zarr import Zarr3Storage
from daedalus.adapters.tensorstore_zarr import array as zarr_array
from daedalus.core.array_info import ArrayInfo
from daedalus.core.dataset import array_copy
from daedalus.core.sampling import block_pipeline
from daedalus.core.sampling.block_pipeline import run_overlapped

import daedalus as wk

SHAPE = (1, 160, 128, 96)  # not a multiple of the 32³ chunks on x: boundary chunks are padded
CHUNK, SHARD = (32, 32, 32), (128, 128, 128)


def _volume(shape=SHAPE[1:], seed=7) -> np.ndarray:
    """Blobs of noise on zeros: some chunks are all zero (not stored), others compress."""
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 200, size=shape, dtype=np.uint8)
    data[:, :, 64:] = 0
    data[40:90, 20:70] = 17
    return data


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _chunk_files(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in _files(root).items() if not k.endswith(".json") and not k.endswith(".lock")}


@pytest.fixture
def small_direct_reads(monkeypatch):
    """Padded reads of this test's small arrays take the direct path (into the zero-filled result)."""
    monkeypatch.setattr(zarr_array, "_DIRECT_READ_BYTES", 1)


def _raw_tensorstore_write(path: Path, meta: dict, data: np.ndarray) -> None:
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path) + "/"}, "metadata": meta}
    store = ts.open(spec, create=True).result()
    with ts.Transaction() as transaction:
        store.with_transaction(transaction).write(data).result()


# ------------------------------------------------------------------ the adapter: files and reads


def test_whole_volume_write_is_byte_identical_to_tensorstores_own(tmp_path):
    data = _volume()
    info = ArrayInfo("zarr3", 1, np.uint8, CHUNK, SHARD, True, shape=SHAPE)
    ours = Zarr3Storage().create(tmp_path / "ours", info)
    ours.write((0, 0, 0, 0), data[np.newaxis])
    meta = ours._meta
    _raw_tensorstore_write(tmp_path / "raw", meta, data[np.newaxis])
    written = _chunk_files(tmp_path / "ours")
    assert len(written) == 2  # two shards along x (160 > 128)
    assert written == _chunk_files(tmp_path / "raw")


def test_large_read_equals_tensorstores(tmp_path, small_direct_reads):
    data = _volume()
    info = ArrayInfo("zarr3", 1, np.uint8, CHUNK, SHARD, True, shape=SHAPE)
    array = Zarr3Storage().create(tmp_path / "a", info)
    array.write((0, 0, 0, 0), data[np.newaxis])
    out = Zarr3Storage().open(tmp_path / "a").read((0, 0, 0, 0), SHAPE)
    assert out.flags.f_contiguous and out.dtype == np.uint8
    raw = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp_path / "a") + "/"}}).result()
    np.testing.assert_array_equal(out, raw.read().result())
    np.testing.assert_array_equal(out[0], data)


def test_large_read_past_the_array_pads_with_zeros(tmp_path, small_direct_reads):
    data = _volume()
    info = ArrayInfo("zarr3", 1, np.uint8, CHUNK, SHARD, True, shape=SHAPE)
    array = Zarr3Storage().create(tmp_path / "a", info)
    array.write((0, 0, 0, 0), data[np.newaxis])
    out = array.read((0, 100, -10, 50), (1, 100, 40, 60))
    expected = np.zeros((1, 100, 40, 60), np.uint8)
    expected[0, :60, 10:, :46] = data[100:160, 0:30, 50:96]
    np.testing.assert_array_equal(out, expected)


def test_large_reads_of_other_dtypes_channels_and_axis_orders(tmp_path, small_direct_reads):
    rng = np.random.default_rng(3)
    data = rng.integers(0, 2**16, size=(3, 64, 48, 40), dtype=np.uint16)
    info = ArrayInfo("zarr3", 3, np.uint16, CHUNK, (64, 64, 64), True, shape=data.shape)
    array = Zarr3Storage().create(tmp_path / "multi", info)
    array.write((0, 0, 0, 0), data)
    reopened = Zarr3Storage().open(tmp_path / "multi")
    np.testing.assert_array_equal(reopened.read((0, 0, 0, 0), data.shape), data)
    padded = reopened.read((0, -8, 0, 20), (3, 80, 48, 30))  # past the array on x (both ends) and z
    expected = np.zeros((3, 80, 48, 30), np.uint16)
    expected[:, 8:72, :, :20] = data[:, :, :, 20:]
    np.testing.assert_array_equal(padded, expected)
    # an array stored (z, y, x) without a channel axis: presented (c, x, y, z) with a virtual channel
    stored = rng.integers(0, 255, size=(40, 48, 64), dtype=np.uint8)
    meta = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": list(stored.shape),
        "data_type": "uint8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [32, 32, 32]}},
        "chunk_key_encoding": {"name": "default"},
        "fill_value": 0,
        "codecs": [{"name": "bytes"}, {"name": "zstd", "configuration": {"level": 3, "checksum": False}}],
        "dimension_names": ["z", "y", "x"],
    }
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp_path / "zyx") + "/"}, "metadata": meta}
    ts.open(spec, create=True).result().write(stored).result()
    out = Zarr3Storage().open(tmp_path / "zyx").read((0, 0, 0, 0), (1, 64, 48, 40))
    np.testing.assert_array_equal(out[0], stored.transpose(2, 1, 0))
    padded = Zarr3Storage().open(tmp_path / "zyx").read((0, 32, 40, 0), (1, 64, 16, 40))
    assert padded.shape == (1, 64, 16, 40) and not padded[0, 32:].any() and not padded[0, :, 8:].any()
    np.testing.assert_array_equal(padded[0, :32, :8], stored.transpose(2, 1, 0)[32:, 40:])


def test_large_read_of_a_corrupt_shard_names_the_array(tmp_path, small_direct_reads):
    info = ArrayInfo("zarr3", 1, np.uint8, CHUNK, SHARD, True, shape=SHAPE)
    array = Zarr3Storage().create(tmp_path / "a", info)
    array.write((0, 0, 0, 0), _volume()[np.newaxis])
    shard = tmp_path / "a" / "c" / "0" / "0" / "0" / "0"
    shard.write_bytes(shard.read_bytes()[:-7] + b"garbage")  # breaks the index checksum
    for offset in ((0, 0, 0, 0), (0, -16, 0, 0)):  # inside the array, and padded (read into the result)
        with pytest.raises(ValueError, match=r"Cannot read .*a.*corrupt"):
            Zarr3Storage().open(tmp_path / "a").read(offset, SHAPE)


def test_partial_shard_writes_after_a_whole_write_stay_correct(tmp_path, small_direct_reads):
    data = _volume()
    info = ArrayInfo("zarr3", 1, np.uint8, CHUNK, SHARD, True, shape=SHAPE)
    array = Zarr3Storage().create(tmp_path / "a", info)
    array.write((0, 0, 0, 0), data[np.newaxis])
    patch = np.full((1, 32, 64, 32), 99, np.uint8)
    array.write((0, 96, 32, 32), patch)  # crosses the boundary of the two shards on x
    expected = data.copy()
    expected[96:128, 32:96, 32:64] = 99
    np.testing.assert_array_equal(array.read((0, 0, 0, 0), SHAPE)[0], expected)
    np.testing.assert_array_equal(Zarr3Storage().open(tmp_path / "a").read((0, 0, 0, 0), SHAPE)[0], expected)


# ------------------------------------------------------------------ the block pipeline


def test_run_overlapped_consumes_in_order_with_bounded_blocks_in_flight():
    lock = threading.Lock()
    alive = {"now": 0, "most": 0}
    consumed = []

    def produce(item):
        with lock:
            alive["now"] += 1
            alive["most"] = max(alive["most"], alive["now"])
        return item * 10

    def consume(item, product):
        consumed.append((item, product))
        with lock:
            alive["now"] -= 1

    assert run_overlapped(range(50), produce, consume, depth=2) == 50
    assert consumed == [(i, i * 10) for i in range(50)]
    assert 1 <= alive["most"] <= 3  # the one being consumed plus at most ``depth`` ahead


def test_run_overlapped_depth_zero_runs_in_turn_on_this_thread():
    threads = set()
    consumed = []
    run_overlapped(
        range(5), lambda i: threads.add(threading.get_ident()) or i, lambda i, p: consumed.append(p), depth=0
    )
    assert threads == {threading.get_ident()} and consumed == list(range(5))


def test_run_overlapped_stops_at_the_first_failure_and_keeps_what_was_consumed():
    consumed = []

    def produce(item):
        if item == 6:
            raise OSError("disk on fire at block 6")
        return item

    with pytest.raises(OSError, match="block 6"):
        run_overlapped(range(100), produce, lambda i, p: consumed.append(p), depth=2)
    assert consumed == list(range(6))
    with pytest.raises(ValueError, match="depth"):
        run_overlapped(range(3), produce, lambda i, p: None, depth=-1)


def _layer_with_data(path: Path, data: np.ndarray):
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), data.shape)
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", data_format="zarr3", bounding_box=box)
    layer.add_mag(1, chunk_shape=32, shard_shape=64, compress=True).write(data, absolute_offset=(0, 0, 0))
    return layer


def test_overlapped_downsampling_writes_the_same_files_as_in_turn(tmp_path, monkeypatch):
    data = _volume((192, 160, 96))
    overlapped = _layer_with_data(tmp_path / "overlapped", data)
    overlapped.downsample(coarsest_mag=4, sampling_mode="isotropic", buffer_shape=(32, 32, 32))
    monkeypatch.setattr(block_pipeline, "default_depth", lambda: 0)
    in_turn = _layer_with_data(tmp_path / "in_turn", data)
    in_turn.downsample(coarsest_mag=4, sampling_mode="isotropic", buffer_shape=(32, 32, 32))
    for mag in ("2", "4"):
        ours = _chunk_files(tmp_path / "overlapped" / "color" / mag)
        assert ours and ours == _chunk_files(tmp_path / "in_turn" / "color" / mag)
        np.testing.assert_array_equal(overlapped.get_mag(mag).read(), in_turn.get_mag(mag).read())


@pytest.mark.parametrize("default_executor", ["sequential", "threads"])
def test_downsampling_failure_mid_unit_leaves_the_written_blocks(tmp_path, monkeypatch, default_executor):
    # Both default modes gather the unit's 16 blocks into two half-shard slabs of 8: the kernel fails on the 13th
    # block, in the second slab, which is never written. Sequentially the first slab was written before; with
    # threads it may still be in flight. Either way what is on disk is exact.
    monkeypatch.setenv("DAEDALUS_DEFAULT_EXECUTOR", default_executor)
    data = _volume((256, 256, 64))  # mag 2: 4 x 4 x 1 blocks of 32³ in one unit
    layer = _layer_with_data(tmp_path / "ds", data)
    from daedalus.core.dataset import downsampling

    real = downsampling.downsample_cube
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 13:
            raise MemoryError("kernel failed on block 13")
        return real(*args, **kwargs)

    monkeypatch.setattr(downsampling, "downsample_cube", failing)
    monkeypatch.setattr(block_pipeline, "default_depth", lambda: 1)
    with pytest.raises(MemoryError, match="block 13"):
        layer.downsample_mag(1, 2, buffer_shape=(32, 32, 32))
    mag2 = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(2).read()[0]
    monkeypatch.setattr(downsampling, "downsample_cube", real)
    reference = _layer_with_data(tmp_path / "ref", data)
    reference.downsample_mag(1, 2, buffer_shape=(32, 32, 32))
    full = reference.get_mag(2).read()[0]
    written = np.argwhere(mag2.reshape(4, 32, 4, 32, 1, 32).any(axis=(1, 3, 5)))  # 32³ target blocks with data
    assert len(written) < 16
    if default_executor == "sequential":
        assert len(written) == 8  # the first slab was written ...
    for bx, by, _ in written:  # ... and hold exactly the full run's values
        box = (slice(bx * 32, bx * 32 + 32), slice(by * 32, by * 32 + 32))
        np.testing.assert_array_equal(mag2[box], full[box])


def test_overlapped_copy_matches_a_copy_in_turn_and_prefetches_one_task(tmp_path, monkeypatch):
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 1)  # one task per target shard
    data = _volume((256, 128, 64))
    source = _layer_with_data(tmp_path / "src", data).dataset
    reads = []
    real_read = zarr_array.TensorstoreZarrArray.read

    def counting_read(self, offset, shape):
        reads.append(threading.get_ident())
        return real_read(self, offset, shape)

    monkeypatch.setattr(zarr_array.TensorstoreZarrArray, "read", counting_read)
    source.copy_dataset(tmp_path / "overlapped", shard_shape=128, chunk_shape=32)
    assert any(t != threading.get_ident() for t in reads)  # the boxes were read ahead on a worker thread
    monkeypatch.setattr(array_copy, "_PREFETCH_BYTES", -1)
    source.copy_dataset(tmp_path / "in_turn", shard_shape=128, chunk_shape=32)
    ours = _chunk_files(tmp_path / "overlapped" / "color" / "1")
    assert len(ours) == 2 and ours == _chunk_files(tmp_path / "in_turn" / "color" / "1")
    copied = wk.Dataset.open(tmp_path / "overlapped").get_layer("color").get_mag(1).read()[0]
    np.testing.assert_array_equal(copied, data)


def test_copy_failure_mid_way_keeps_the_tasks_written_before(tmp_path, monkeypatch):
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 1)  # one task per target shard
    data = _volume((384, 128, 64))
    source = _layer_with_data(tmp_path / "src", data).get_mag(1)
    real_write = zarr_array.TensorstoreZarrArray.write
    writes = {"n": 0}

    def failing_write(self, offset, values):  # only the copy writes from here on
        writes["n"] += 1
        if writes["n"] == 2:
            raise OSError("no space left for task 2")
        return real_write(self, offset, values)

    monkeypatch.setattr(zarr_array.TensorstoreZarrArray, "write", failing_write)
    with pytest.raises(OSError, match="task 2"):
        array_copy.copy_mag_array(
            source,
            tmp_path / "target",
            data_format="zarr3",
            target_bbox=source.layer.bounding_box,
            chunk=wk.Vec3Int(32, 32, 32),
            shard=wk.Vec3Int(128, 128, 128),
            compression=True,
        )
    stored = Zarr3Storage().open(tmp_path / "target")
    np.testing.assert_array_equal(stored.read((0, 0, 0, 0), (1, 128, 128, 64))[0], data[:128])  # task 1 complete
    assert len(_chunk_files(tmp_path / "target")) == 1  # task 3 never ran after the failure
