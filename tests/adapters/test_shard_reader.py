"""Large reads of local sharded zarr3 arrays decoded by daedalus' own shard reader: the same values as
tensorstore's read for every layout it takes (dtypes, channels, transposes, index at either end, absent chunks
and shards, fill values, boxes cut anywhere), other layouts left to tensorstore, and clear errors for
corrupt or hostile shard files."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import google_crc32c
import numpy as np
import pytest
import tensorstore as ts
from daedalus.adapters.tensorstore_zarr import array as zarr_array
from daedalus.adapters.tensorstore_zarr.shard_format import shard_format, zstd_content_size
from daedalus.adapters.tensorstore_zarr.shard_reader import ShardReader
from numcodecs import Zstd

import daedalus as wk


def _meta(shape, dtype="uint8", *, chunk=(8, 8, 8), shard=(32, 32, 32), order=None, zstd=True, fill=0, at="end"):
    codecs = []
    if order is not None:
        codecs.append({"name": "transpose", "configuration": {"order": list(order)}})
    codecs.append({"name": "bytes", "configuration": {"endian": "little"}})
    if zstd:
        codecs.append({"name": "zstd", "configuration": {"level": 3, "checksum": True}})
    return {
        "zarr_format": 3,
        "node_type": "array",
        "shape": list(shape),
        "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(shard)}},
        "chunk_key_encoding": {"name": "default"},
        "fill_value": fill,
        "codecs": [
            {
                "name": "sharding_indexed",
                "configuration": {
                    "chunk_shape": list(chunk),
                    "codecs": codecs,
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                    "index_location": at,
                },
            }
        ],
    }


def _volume(shape, dtype="uint8", seed=3) -> np.ndarray:
    """Noise with an all-zero half (chunks tensorstore does not store) and a constant block."""
    rng = np.random.default_rng(seed)
    data = (rng.random(shape) * 200).astype(dtype)
    data[..., shape[-1] // 2 :] = 0
    data[tuple(slice(0, s // 3) for s in shape)] = 9
    return data


def _write(path: Path, meta: dict, data: np.ndarray) -> ts.TensorStore:
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path) + "/"}, "metadata": meta}
    store = ts.open(spec, create=True).result()
    store.write(data).result()
    return store


def _reader(path: Path) -> ShardReader:
    meta = json.loads((path / "zarr.json").read_text())
    fmt = shard_format(meta)
    assert fmt is not None
    return ShardReader(fmt, lambda shard: str(path / "c" / "/".join(str(i) for i in shard)))


def _read(reader: ShardReader, lo, hi, dtype, order="F") -> np.ndarray:
    out = np.full([b - a for a, b in zip(lo, hi)], 111, dtype=dtype, order=order)
    reader.read_into(lo, hi, out)
    return out


BOXES = [
    ((0, 0, 0), (70, 45, 52)),  # everything
    ((3, 9, 17), (61, 40, 50)),  # cut inside chunks on every side
    ((8, 8, 8), (16, 16, 16)),  # one whole chunk
    ((33, 0, 30), (34, 45, 31)),  # one voxel thick
    ((0, 0, 26), (70, 45, 52)),  # only the all-zero half: absent chunks
]


@pytest.mark.parametrize(
    "dtype, order, zstd, fill, at",
    [
        ("uint8", (2, 1, 0), True, 0, "end"),  # WEBKNOSSOS' layout (x fastest)
        ("uint16", None, True, 5, "end"),  # no transpose, a fill value
        ("uint32", (1, 2, 0), False, 0, "start"),  # another permutation, uncompressed, index first
        ("float32", (2, 1, 0), True, 0.5, "start"),
        ("int64", (2, 1, 0), True, -1, "end"),
    ],
)
def test_reads_equal_tensorstores_for_every_layout(tmp_path, dtype, order, zstd, fill, at):
    shape = (70, 45, 52)  # boundary shards and chunks cut by the array's end
    data = _volume(shape, dtype)
    meta = _meta(shape, dtype, order=order, zstd=zstd, fill=fill, at=at)
    store = _write(tmp_path / "a", meta, data)
    reader = _reader(tmp_path / "a")
    for lo, hi in BOXES:
        expected = store[tuple(slice(a, b) for a, b in zip(lo, hi))].read().result()
        for out_order in ("F", "C"):
            assert np.array_equal(_read(reader, lo, hi, dtype, out_order), expected), (lo, hi, out_order)


def test_absent_shards_read_as_the_fill_value(tmp_path):
    shape = (64, 64, 64)
    data = np.full(shape, 7, np.uint16)
    data[:32, :32, :32] = 3  # only shard (0, 0, 0) holds other values than the fill value
    store = _write(tmp_path / "a", _meta(shape, "uint16", fill=7), data)
    assert sorted(p.name for p in (tmp_path / "a" / "c").rglob("*") if p.is_file()) == ["0"]
    reader = _reader(tmp_path / "a")
    assert np.array_equal(_read(reader, (0, 0, 0), shape, np.uint16), store.read().result())
    assert (_read(reader, (32, 32, 32), shape, np.uint16) == 7).all()
    zeroed = np.zeros((32, 32, 32), np.uint16)
    reader.read_into((32, 32, 32), shape, zeroed, zeroed=True)
    assert (zeroed == 7).all()  # "zeroed" only skips absent chunks whose fill value is 0


def test_layouts_it_does_not_know_are_left_to_tensorstore():
    meta = _meta((8, 8, 8))
    assert shard_format(meta) is not None
    blosc = json.loads(json.dumps(meta))
    blosc["codecs"][0]["configuration"]["codecs"][-1] = {"name": "blosc", "configuration": {"cname": "lz4"}}
    unsharded = {**meta, "codecs": meta["codecs"][0]["configuration"]["codecs"]}
    no_crc = json.loads(json.dumps(meta))
    no_crc["codecs"][0]["configuration"]["index_codecs"] = [{"name": "bytes", "configuration": {"endian": "little"}}]
    for other in (blosc, unsharded, no_crc, {**meta, "fill_value": "NaN", "data_type": "float32"}, {"zarr_format": 2}):
        assert shard_format(other) is None


def test_zstd_content_size_reads_the_frame_header():
    for size in (0, 200, 300, 70000, 1 << 20):
        assert zstd_content_size(memoryview(Zstd(level=1).encode(bytes(size)))) == size
    assert zstd_content_size(memoryview(b"not a zstd frame")) is None


# ------------------------------------------------------------------ through the dataset API


BOX = wk.BoundingBox((0, 0, 0), (100, 80, 70))


@pytest.fixture
def rgb_mag(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer(
        "color", wk.COLOR_CATEGORY, dtype="uint8", num_channels=3, data_format="zarr3", bounding_box=BOX
    )
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=64)
    data = np.stack([_volume((100, 80, 70), "uint8", seed) for seed in (1, 2, 3)])
    mag.write(data, absolute_offset=(0, 0, 0))
    return mag, data


def test_large_dataset_reads_decode_shards_and_equal_tensorstores(rgb_mag, monkeypatch):
    mag, data = rgb_mag
    calls = []
    original = ShardReader.read_into
    monkeypatch.setattr(ShardReader, "read_into", lambda self, *a, **k: calls.append(a[:2]) or original(self, *a, **k))
    monkeypatch.setattr(zarr_array, "_OWN_DECODE_BYTES", 1)
    ours = mag.read()
    padded = mag.read(absolute_offset=(5, 7, 9), size=(120, 60, 70))  # reaches past the layer's end
    assert len(calls) == 2
    monkeypatch.setattr(zarr_array, "_OWN_DECODE_BYTES", 1 << 62)
    assert np.array_equal(ours, mag.read())
    assert np.array_equal(ours, data)
    assert np.array_equal(padded, mag.read(absolute_offset=(5, 7, 9), size=(120, 60, 70)))
    assert ours.shape == (3, 100, 80, 70) and ours.flags.f_contiguous and ours.flags.writeable
    expected = np.zeros((3, 120, 60, 70), np.uint8)
    expected[:, :95, :, :61] = data[:, 5:, 7:67, 9:]
    assert np.array_equal(padded, expected)


def test_small_reads_stay_with_tensorstores_cache(rgb_mag, monkeypatch):
    mag, _ = rgb_mag
    monkeypatch.setattr(ShardReader, "read_into", lambda *a, **k: pytest.fail("small read decoded by hand"))
    assert mag.read(absolute_offset=(0, 0, 0), size=(16, 16, 16)).shape == (3, 16, 16, 16)


# ------------------------------------------------------------------ untrusted files


def _shard_file(tmp_path: Path) -> tuple[ShardReader, Path]:
    shape = (32, 32, 32)
    _write(tmp_path / "a", _meta(shape), _volume(shape))
    return _reader(tmp_path / "a"), tmp_path / "a" / "c" / "0" / "0" / "0"


def _read_all(reader: ShardReader) -> np.ndarray:
    return _read(reader, (0, 0, 0), (32, 32, 32), np.uint8)


def _rewrite_index(path: Path, change) -> None:
    blob = bytearray(path.read_bytes())
    size = 16 * 64 + 4
    index = np.frombuffer(bytes(blob[-size:-4]), "<u8").reshape(64, 2).copy()
    change(index)
    raw = index.tobytes()
    blob[-size:] = raw + google_crc32c.value(raw).to_bytes(4, "little")
    path.write_bytes(bytes(blob))


def test_a_corrupt_index_checksum_is_named(tmp_path):
    reader, path = _shard_file(tmp_path)
    blob = bytearray(path.read_bytes())
    blob[-10] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match=rf"Shard file {path}: the checksum of its chunk index does not match"):
        _read_all(reader)


def test_an_index_pointing_outside_the_file_is_refused(tmp_path):
    reader, path = _shard_file(tmp_path)
    _rewrite_index(path, lambda index: index.__setitem__((0, 0), path.stat().st_size))
    with pytest.raises(ValueError, match=r"points outside the file's data"):
        _read_all(reader)


def test_an_oversized_chunk_entry_is_refused(tmp_path):
    reader, path = _shard_file(tmp_path)

    def grow(index):
        index[0] = (0, 1 << 40)

    _rewrite_index(path, grow)
    with pytest.raises(ValueError, match=r"points outside the file's data .* or names a chunk larger than"):
        _read_all(reader)


def test_a_damaged_chunk_names_the_file_and_chunk(tmp_path):
    reader, path = _shard_file(tmp_path)
    offset = int(np.frombuffer(path.read_bytes()[-(16 * 64 + 4) : -4], "<u8")[0])
    blob = bytearray(path.read_bytes())
    blob[offset + 20] ^= 0x55
    path.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match=rf"Shard file {path}: chunk \[0, 0, 0\] cannot be decoded"):
        _read_all(reader)


def test_a_frame_declaring_another_size_is_refused(tmp_path):
    reader, path = _shard_file(tmp_path)
    blob = path.read_bytes()
    index = np.frombuffer(blob[-(16 * 64 + 4) : -4], "<u8").reshape(64, 2)
    offset, size = (int(v) for v in index[0])
    small = Zstd(level=1).encode(bytes(100))  # a valid frame of 100 bytes where 512 belong
    padded = small + bytes(size - len(small)) if len(small) <= size else small[:size]
    path.write_bytes(blob[:offset] + padded + blob[offset + size :])
    with pytest.raises(ValueError, match=r"chunk \[0, 0, 0\] cannot be decoded \(its zstd frame declares 100"):
        _read_all(reader)


def test_a_truncated_shard_file_is_refused(tmp_path):
    reader, path = _shard_file(tmp_path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=rf"Shard file {path} is 100 bytes, smaller than its index"):
        _read_all(reader)


def test_many_shards_are_read_with_few_files_open_and_all_closed(tmp_path):
    shape = (256, 256, 48)
    data = _volume(shape)
    store = _write(tmp_path / "a", _meta(shape, chunk=(8, 8, 8), shard=(16, 16, 16)), data)  # 768 shards
    reader = _reader(tmp_path / "a")
    opened, original = [], os.open

    def counting_open(path, *args, **kwargs):
        fd = original(path, *args, **kwargs)
        opened.append(fd)
        return fd

    fds_before = len(list(Path("/proc/self/fd").iterdir()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("daedalus.adapters.tensorstore_zarr.shard_reader.os.open", counting_open)
        result = _read(reader, (0, 0, 0), shape, np.uint8)
    assert np.array_equal(result, store.read().result())
    assert len(opened) == 16 * 16 * 2  # the shards holding data (those of the all-zero last third have no file)
    assert len(set(opened)) <= 4  # each closed when its rows are done: descriptors are reused
    assert len(list(Path("/proc/self/fd").iterdir())) == fds_before


def test_a_result_of_the_shard_reader_pickles_like_any_array(rgb_mag, monkeypatch):
    mag, data = rgb_mag
    monkeypatch.setattr(zarr_array, "_OWN_DECODE_BYTES", 1)
    ours = mag.read()
    again = pickle.loads(pickle.dumps(ours))
    assert np.array_equal(again, data) and again.dtype == ours.dtype
    ours[0, 0, 0, 0] = 201  # writable, and the copy is its own
    assert again[0, 0, 0, 0] == data[0, 0, 0, 0]


@pytest.mark.parametrize("own", [True, False])
def test_read_into_a_stale_buffer_writes_every_voxel(rgb_mag, monkeypatch, own):
    """A reused buffer holds the last read's voxels: absent chunks and shards, padding and all, are overwritten."""
    mag, data = rgb_mag
    monkeypatch.setattr(zarr_array, "_OWN_DECODE_BYTES", 1 if own else 1 << 62)
    calls = []
    original = ShardReader.read_into
    monkeypatch.setattr(ShardReader, "read_into", lambda self, *a, **k: calls.append(k) or original(self, *a, **k))
    array = mag._array  # noqa: SLF001 - the adapter's array behind the mag
    for offset, size in (((0, 0, 0, 0), (3, 100, 80, 70)), ((0, 60, 50, 40), (3, 64, 64, 64))):
        out = np.full(size, 77, dtype=np.uint8, order="F")
        array.read_into(offset, out)
        np.testing.assert_array_equal(out, array.read(offset, size))
    into = [k for k in calls if k == {"zeroed": False}]  # (the comparison reads decode into fresh zeros)
    assert len(into) == (2 if own else 0)
