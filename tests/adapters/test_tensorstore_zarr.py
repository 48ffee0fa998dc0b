"""Tests of the tensorstore zarr3 / zarr adapters, used directly: fixture interop, round trips, metadata layout."""

from __future__ import annotations

import json
import math
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts
from daedalus.adapters.tensorstore_zarr import TensorstoreZarrArray, Zarr3Storage, ZarrStorage
from daedalus.core.array_info import ArrayInfo
from daedalus.core.ports import ArrayStorage, StoredArray
from daedalus.core.zarr3_config import Zarr3ArrayInfo
from upath import UPath

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURES = SHARED / "fixtures"
GENERATED = FIXTURES / "generated"
WK_TESTDATA = FIXTURES / "wk-testdata"
needs_fixtures = pytest.mark.skipif(
    not GENERATED.is_dir(), reason=f"shared fixtures not found at {FIXTURES} (../shared is absent)"
)

LAYER_TOPLEFT = (32, 64, 16)
LAYER_SIZE = (200, 150, 60)
LAYER_MAGS = [
    ("color", "1"),
    ("color", "2-2-1"),
    ("color", "4-4-2"),
    ("rgb", "1"),
    ("segmentation", "1"),
    ("segmentation", "2-2-1"),
]
DATASETS = [("zarr3_sharded", Zarr3Storage), ("zarr3_unsharded", Zarr3Storage), ("zarr2", ZarrStorage)]


def mag_factors(mag: str) -> tuple[int, int, int]:
    parts = [int(p) for p in mag.split("-")]
    return tuple(parts * 3 if len(parts) == 1 else parts)  # type: ignore[return-value]


def layer_box_in_mag(mag: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The layer bounding box at ``mag``: floor(topleft / mag) .. ceil(bottomright / mag)."""
    factors = mag_factors(mag)
    lo = [t // f for t, f in zip(LAYER_TOPLEFT, factors)]
    hi = [math.ceil((t + s) / f) for t, s, f in zip(LAYER_TOPLEFT, LAYER_SIZE, factors)]
    return tuple(lo), tuple(h - low for low, h in zip(lo, hi))


def info_for(
    storage,
    *,
    dtype="uint8",
    channels=1,
    chunk=(32, 32, 32),
    shard=(64, 64, 64),
    shape=None,
    compressed=True,
    names=("c", "x", "y", "z"),
    separator="/",
    has_channel_axis=True,
) -> ArrayInfo:
    if shape is None:
        shape = (channels, 128, 128, 128)
    return ArrayInfo(
        data_format=storage.data_format,
        num_channels=channels,
        voxel_type=dtype,
        chunk_shape=chunk,
        shard_shape=shard,
        compression_mode=compressed,
        shape=shape,
        dimension_names=names,
        chunk_key_separator=separator,
        has_channel_axis=has_channel_axis,
    )


def noisy(shape, dtype="uint8", seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(1, 200, size=shape).astype(dtype)


# --------------------------------------------------------------------------- fixtures written by the reference


@needs_fixtures
@pytest.mark.parametrize("layer, mag", LAYER_MAGS)
@pytest.mark.parametrize("dataset, storage_class", DATASETS, ids=[d for d, _ in DATASETS])
def test_fixture_layer_box_matches_expected(dataset, storage_class, layer, mag):
    array = storage_class().open(GENERATED / "datasets" / dataset / layer / mag)
    expected = np.load(GENERATED / "expected" / f"{layer}__{mag}.npy")
    offset, size = layer_box_in_mag(mag)
    assert expected.shape[1:] == size
    info = array.info
    assert info.data_format == storage_class.data_format
    assert info.num_channels == expected.shape[0] == info.shape[0]
    assert info.voxel_type == expected.dtype
    assert info.dimension_names == ("c", "x", "y", "z") and info.has_channel_axis
    assert info.chunk_shape == (32, 32, 32)
    assert info.shard_shape == ((64, 64, 64) if dataset == "zarr3_sharded" else (32, 32, 32))
    assert info.compression_mode is True
    result = array.read((0, *offset), expected.shape)
    assert result.shape == expected.shape and result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


@needs_fixtures
@pytest.mark.parametrize("dataset, storage_class", DATASETS, ids=[d for d, _ in DATASETS])
def test_fixture_bounding_boxes_cover_the_data(dataset, storage_class):
    array = storage_class().open(GENERATED / "datasets" / dataset / "color" / "1")
    boxes = list(array.list_bounding_boxes())
    unit = array.info.shard_shape
    assert boxes and len(boxes) == len(set(boxes))
    covered = np.zeros(array.info.shape, dtype=bool)
    for offset, shape in boxes:
        assert offset[0] == 0 and shape[0] == 1
        assert all(o % u == 0 for o, u in zip(offset[1:], unit))
        covered[tuple(slice(o, o + s) for o, s in zip(offset, shape))] = True
    data = array.read((0, 0, 0, 0), array.info.shape)
    assert covered[data != 0].all()  # every non-zero voxel lies in a listed box


@needs_fixtures
def test_fixture_timeseries_without_channel_axis():
    array = Zarr3Storage().open(GENERATED / "datasets" / "zarr3_4d" / "timeseries" / "1")
    info = array.info
    assert info.dimension_names == ("c", "t", "x", "y", "z")
    assert info.has_channel_axis is False and info.num_channels == 1
    assert info.shape == (1, 3, 1024, 1024, 1024)
    assert info.shard_shape == (1024, 1024, 1024) and info.chunk_shape == (32, 32, 32)
    expected = np.load(GENERATED / "expected" / "timeseries__1.npy")
    result = array.read((0, 0, 0, 0, 0), (1, *expected.shape))
    assert result.shape == (1, *expected.shape)
    np.testing.assert_array_equal(result[0], expected)
    boxes = sorted(array.list_bounding_boxes())
    assert boxes == [((0, t, 0, 0, 0), (1, 1, 1024, 1024, 1024)) for t in range(3)]


@needs_fixtures
@pytest.mark.parametrize(
    "storage_class, relative",
    [(ZarrStorage, "simple_zarr_dataset/color/1-1-1"), (Zarr3Storage, "simple_zarr3_dataset/color/1")],
)
def test_wk_testdata_simple_datasets(storage_class, relative):
    array = storage_class().open(WK_TESTDATA / relative)
    info = array.info
    assert info.shape == (3, 24, 24, 24) and info.num_channels == 3
    assert info.voxel_type == np.uint8 and info.compression_mode is False
    data = array.read((0, 0, 0, 0), info.shape)
    assert data.shape == (3, 24, 24, 24) and data.dtype == np.uint8 and data.any()
    assert list(array.list_bounding_boxes()) == [((0, 0, 0, 0), (3, 24, 24, 24))]


@needs_fixtures
def test_wk_testdata_simple_zarr_and_zarr3_hold_the_same_data():
    zarr2 = ZarrStorage().open(WK_TESTDATA / "simple_zarr_dataset/color/1-1-1")
    zarr3 = Zarr3Storage().open(WK_TESTDATA / "simple_zarr3_dataset/color/1")
    np.testing.assert_array_equal(zarr2.read((0, 0, 0, 0), (3, 24, 24, 24)), zarr3.read((0, 0, 0, 0), (3, 24, 24, 24)))


def extract_zarr3_volume(tmp_path: Path) -> Path | None:
    """Extract the annotation zips (and their inner volume zips); the first zarr3 array found, if any."""
    for archive in sorted((WK_TESTDATA / "annotations").glob("*.zip")):
        target = tmp_path / archive.stem
        with zipfile.ZipFile(archive) as outer:
            outer.extractall(target)
        for inner in sorted(target.glob("*.zip")):
            with zipfile.ZipFile(inner) as volume:
                volume.extractall(target / inner.stem)
        for metadata in sorted(target.rglob("zarr.json")):
            if json.loads(metadata.read_text()).get("node_type") == "array":
                return metadata.parent
    return None


@needs_fixtures
def test_wk_annotation_zarr3_volume(tmp_path):
    path = extract_zarr3_volume(tmp_path)
    if path is None:
        pytest.skip("no annotation zip in wk-testdata holds a zarr3 volume")
    storage = Zarr3Storage()
    assert storage.exists(path)
    array = storage.open(path)
    info = array.info
    assert info.dimension_names == ("c", "x", "y", "z") and info.num_channels == 1
    assert info.chunk_key_separator == "."  # WEBKNOSSOS volume annotations use "c.0.1.2.3" keys
    assert info.voxel_type == np.uint32 and info.compression_mode is True
    boxes = list(array.list_bounding_boxes())
    assert boxes
    total = 0
    for offset, shape in boxes[:10]:
        assert shape == (1, *info.chunk_shape)
        total += int(np.count_nonzero(array.read(offset, shape)))
    assert total > 0
    assert not array.read((0, -64, -64, -64), (1, 32, 32, 32)).any()


# --------------------------------------------------------------------------- metadata layout


def fixture_metadata(relative: str) -> dict:
    return json.loads((GENERATED / "datasets" / relative).read_text())


@needs_fixtures
@pytest.mark.parametrize(
    "storage_class, kwargs, fixture",
    [
        (Zarr3Storage, {"shape": (1, 256, 256, 128)}, "zarr3_sharded/color/1/zarr.json"),
        (Zarr3Storage, {"channels": 3, "shape": (3, 256, 256, 128)}, "zarr3_sharded/rgb/1/zarr.json"),
        (Zarr3Storage, {"dtype": "uint32", "shape": (1, 256, 256, 128)}, "zarr3_sharded/segmentation/1/zarr.json"),
        (Zarr3Storage, {"shard": (32, 32, 32), "shape": (1, 256, 224, 96)}, "zarr3_unsharded/color/1/zarr.json"),
        (
            Zarr3Storage,
            {"dtype": "uint32", "shard": (32, 32, 32), "shape": (1, 256, 224, 96)},
            "zarr3_unsharded/segmentation/1/zarr.json",
        ),
        (ZarrStorage, {"shard": (32, 32, 32), "shape": (1, 256, 224, 96)}, "zarr2/color/1/.zarray"),
        (
            ZarrStorage,
            {"dtype": "uint32", "shard": (32, 32, 32), "shape": (1, 256, 224, 96)},
            "zarr2/segmentation/1/.zarray",
        ),
        (ZarrStorage, {"channels": 3, "shard": (32, 32, 32), "shape": (3, 256, 224, 96)}, "zarr2/rgb/1/.zarray"),
        (
            Zarr3Storage,
            {
                "shard": (1024, 1024, 1024),
                "shape": (1, 3, 1024, 1024, 1024),
                "names": ("c", "t", "x", "y", "z"),
                "has_channel_axis": False,
            },
            "zarr3_4d/timeseries/1/zarr.json",
        ),
    ],
)
def test_written_metadata_matches_the_reference(tmp_path, storage_class, kwargs, fixture):
    storage = storage_class()
    storage.create(tmp_path / "array", info_for(storage, **kwargs))
    written = (tmp_path / "array" / Path(fixture).name).read_text()
    assert json.loads(written) == fixture_metadata(fixture)
    assert written == (GENERATED / "datasets" / fixture).read_text()  # same key order and separators


def test_uncompressed_metadata_has_no_zstd(tmp_path):
    storage = Zarr3Storage()
    storage.create(tmp_path / "a", info_for(storage, compressed=False))
    meta = json.loads((tmp_path / "a" / "zarr.json").read_text())
    inner = meta["codecs"][0]["configuration"]["codecs"]
    assert [c["name"] for c in inner] == ["transpose", "bytes"]
    zarr2 = ZarrStorage()
    zarr2.create(tmp_path / "b", info_for(zarr2, compressed=False))
    assert json.loads((tmp_path / "b" / ".zarray").read_text())["compressor"] is None


# --------------------------------------------------------------------------- round trips

ROUND_TRIP_LAYOUTS = [
    pytest.param(Zarr3Storage, (64, 64, 64), True, id="zarr3-sharded-compressed"),
    pytest.param(Zarr3Storage, (64, 64, 64), False, id="zarr3-sharded-uncompressed"),
    pytest.param(Zarr3Storage, (32, 32, 32), True, id="zarr3-unsharded"),
    pytest.param(ZarrStorage, (32, 32, 32), True, id="zarr2"),
]


@pytest.mark.parametrize("storage_class, shard, compressed", ROUND_TRIP_LAYOUTS)
def test_create_write_read(tmp_path, storage_class, shard, compressed):
    storage = storage_class()
    info = info_for(storage, shard=shard, compressed=compressed, dtype="uint16")
    array = storage.create(tmp_path / "array", info)
    assert isinstance(storage, ArrayStorage) and isinstance(array, StoredArray)
    assert array.info == storage.open(tmp_path / "array").info
    data = noisy((1, 70, 50, 40), "uint16")
    array.write((0, 10, 20, 30), data)
    np.testing.assert_array_equal(array.read((0, 10, 20, 30), data.shape), data)
    reopened = storage.open(tmp_path / "array")
    np.testing.assert_array_equal(reopened.read((0, 10, 20, 30), data.shape), data)
    whole = reopened.read((0, 0, 0, 0), info.shape)
    assert whole.sum(dtype=np.int64) == data.sum(dtype=np.int64)


@pytest.mark.parametrize("storage_class, shard, compressed", ROUND_TRIP_LAYOUTS)
def test_multi_channel(tmp_path, storage_class, shard, compressed):
    storage = storage_class()
    array = storage.create(tmp_path / "array", info_for(storage, channels=3, shard=shard, compressed=compressed))
    data = noisy((3, 64, 40, 33))
    array.write((0, 5, 6, 7), data)
    np.testing.assert_array_equal(array.read((0, 5, 6, 7), data.shape), data)
    np.testing.assert_array_equal(array.read((2, 5, 6, 7), (1, 64, 40, 33)), data[2:3])


@pytest.mark.parametrize("has_channel_axis", [True, False])
def test_extra_axis_t(tmp_path, has_channel_axis):
    storage = Zarr3Storage()
    info = info_for(
        storage, names=("c", "t", "x", "y", "z"), shape=(1, 4, 64, 64, 64), has_channel_axis=has_channel_axis
    )
    array = storage.create(tmp_path / "array", info)
    stored = json.loads((tmp_path / "array" / "zarr.json").read_text())
    assert stored["dimension_names"] == (["c", "t", "x", "y", "z"] if has_channel_axis else ["t", "x", "y", "z"])
    assert array.info == Zarr3ArrayInfo.from_array_info(info)  # zarr3 arrays report their codecs
    data = noisy((1, 2, 30, 20, 10))
    array.write((0, 1, 3, 4, 5), data)
    reopened = storage.open(tmp_path / "array")
    assert reopened.info.has_channel_axis is has_channel_axis
    np.testing.assert_array_equal(reopened.read((0, 1, 3, 4, 5), data.shape), data)
    assert sorted(reopened.list_bounding_boxes()) == [((0, t, 0, 0, 0), (1, 1, 64, 64, 64)) for t in (1, 2)]
    with pytest.raises(ValueError):
        reopened.write((1, 0, 0, 0, 0), data) if not has_channel_axis else reopened.write((0, 3, 0, 0, 0), data)


def test_extra_axis_zarr2_keeps_dimension_names(tmp_path):
    storage = ZarrStorage()
    info = info_for(storage, names=("c", "t", "x", "y", "z"), shape=(1, 2, 32, 32, 32), shard=(32, 32, 32))
    storage.create(tmp_path / "array", info)
    assert storage.open(tmp_path / "array").info.dimension_names == ("c", "t", "x", "y", "z")


@pytest.mark.parametrize("storage_class, shard, compressed", ROUND_TRIP_LAYOUTS)
def test_reads_outside_the_shape_are_zero(tmp_path, storage_class, shard, compressed):
    storage = storage_class()
    info = info_for(storage, shard=shard, compressed=compressed)
    array = storage.create(tmp_path / "array", info)
    data = noisy(info.shape)
    array.write((0, 0, 0, 0), data)
    result = array.read((0, -3, -4, -5), (1, info.shape[1] + 10, info.shape[2] + 8, 20))
    expected = np.zeros(result.shape, np.uint8)
    expected[:, 3 : 3 + info.shape[1], 4 : 4 + info.shape[2], 5:] = data[:, :, :, :15]
    np.testing.assert_array_equal(result, expected)
    assert not array.read((0, 1000, 0, 0), (1, 5, 5, 5)).any()
    assert not array.read((1, 0, 0, 0), (1, 5, 5, 5)).any()  # beyond the channel axis


@pytest.mark.parametrize("storage_class, shard, compressed", ROUND_TRIP_LAYOUTS)
def test_list_bounding_boxes_two_distant_shards(tmp_path, storage_class, shard, compressed):
    storage = storage_class()
    array = storage.create(tmp_path / "array", info_for(storage, shard=shard, shape=(1, *(4 * s for s in shard))))
    assert list(array.list_bounding_boxes()) == []
    far = tuple(3 * s for s in shard)
    array.write((0, 2, 3, 4), np.ones((1, 5, 5, 5), np.uint8))
    array.write((0, *(f + 1 for f in far)), np.ones((1, 5, 5, 5), np.uint8))
    assert sorted(array.list_bounding_boxes()) == [((0, 0, 0, 0), (1, *shard)), ((0, *far), (1, *shard))]


def test_list_bounding_boxes_clips_to_a_shrunk_shape(tmp_path):
    storage = Zarr3Storage()
    array = storage.create(tmp_path / "array", info_for(storage, shape=(1, 128, 128, 128)))
    array.write((0, 64, 0, 0), np.ones((1, 64, 64, 64), np.uint8))
    array.resize((1, 96, 128, 128))
    assert list(array.list_bounding_boxes()) == [((0, 64, 0, 0), (1, 32, 64, 64))]
    array.resize((1, 64, 128, 128))
    assert list(array.list_bounding_boxes()) == []


@pytest.mark.parametrize("storage_class, shard, compressed", ROUND_TRIP_LAYOUTS)
def test_resize_grows_and_keeps_data(tmp_path, storage_class, shard, compressed):
    storage = storage_class()
    info = info_for(storage, shard=shard, compressed=compressed)
    array = storage.create(tmp_path / "array", info)
    data = noisy(info.shape)
    array.write((0, 0, 0, 0), data)
    with pytest.raises(ValueError):
        array.write((0, info.shape[1], 0, 0), data)
    bigger = (1, info.shape[1] * 2, info.shape[2], info.shape[3] * 3)
    array.resize(bigger)
    assert array.info.shape == bigger
    array.write((0, info.shape[1], 0, 0), data)
    reopened = storage.open(tmp_path / "array")
    assert reopened.info.shape == bigger
    np.testing.assert_array_equal(reopened.read((0, 0, 0, 0), info.shape), data)
    np.testing.assert_array_equal(reopened.read((0, info.shape[1], 0, 0), info.shape), data)


def test_chunk_key_separator_dot(tmp_path):
    storage = Zarr3Storage()
    array = storage.create(tmp_path / "array", info_for(storage, shard=(32, 32, 32), separator="."))
    array.write((0, 32, 0, 0), np.ones((1, 32, 32, 32), np.uint8))
    assert (tmp_path / "array" / "c.0.1.0.0").is_file()
    assert storage.open(tmp_path / "array").info.chunk_key_separator == "."
    assert list(array.list_bounding_boxes()) == [((0, 32, 0, 0), (1, 32, 32, 32))]


def test_memory_filesystem_round_trip():
    storage = Zarr3Storage()
    path = UPath("memory://daedalus-tests/tensorstore-zarr/array")
    if path.exists():
        path.fs.rm(path.path, recursive=True)
    assert not storage.exists(path)
    array = storage.create(path, info_for(storage))
    assert storage.exists(path) and (path / "zarr.json").exists()
    data = noisy((1, 70, 64, 5))
    array.write((0, 30, 0, 60), data)
    reopened = storage.open(UPath(str(path)))
    np.testing.assert_array_equal(reopened.read((0, 30, 0, 60), data.shape), data)
    assert (path / "c" / "0" / "0" / "0" / "0").exists()  # shards are visible through fsspec
    assert len(list(reopened.list_bounding_boxes())) == 4
    reopened.resize((1, 256, 128, 128))
    assert storage.open(path).info.shape == (1, 256, 128, 128)
    path.fs.rm(path.path, recursive=True)


def test_writing_whole_shards_does_not_read_them(tmp_path):
    storage = Zarr3Storage()
    array = storage.create(tmp_path / "array", info_for(storage))
    array.write((0, 0, 0, 0), np.ones((1, 64, 64, 64), np.uint8))
    shard_file = tmp_path / "array" / "c" / "0" / "0" / "0" / "0"
    shard_file.write_bytes(b"not a shard")  # reading it would fail
    array.write((0, 0, 0, 0), np.full((1, 64, 64, 64), 2, np.uint8))
    assert (array.read((0, 0, 0, 0), (1, 64, 64, 64)) == 2).all()
    shard_file.write_bytes(b"not a shard")
    with pytest.raises(Exception, match="shard|DATA_LOSS"):
        array.write((0, 1, 0, 0), np.ones((1, 8, 8, 8), np.uint8))  # a partial write must read


def test_write_casts_and_validates(tmp_path):
    storage = Zarr3Storage()
    array = storage.create(tmp_path / "array", info_for(storage, dtype="uint16"))
    array.write((0, 0, 0, 0), np.full((1, 4, 4, 4), 7, np.int64))
    assert array.read((0, 0, 0, 0), (1, 4, 4, 4)).dtype == np.uint16
    with pytest.raises(ValueError, match="4 entries"):
        array.write((0, 0, 0), np.ones((4, 4, 4), np.uint16))
    with pytest.raises(ValueError, match="outside"):
        array.write((0, -1, 0, 0), np.ones((1, 4, 4, 4), np.uint16))
    with pytest.raises(ValueError, match="4 entries"):
        array.read((0, 0, 0), (1, 1, 1))


# --------------------------------------------------------------------------- foreign layouts and errors


def test_array_without_dimension_names_gets_a_virtual_channel(tmp_path):
    data = noisy((40, 30, 20))
    for driver, storage in (("zarr3", Zarr3Storage()), ("zarr", ZarrStorage())):
        spec = {"driver": driver, "kvstore": {"driver": "file", "path": str(tmp_path / driver) + "/"}}
        store = ts.open(
            spec, create=True, dtype=ts.uint8, shape=data.shape, chunk_layout=ts.ChunkLayout(chunk_shape=[16, 16, 16])
        ).result()
        store.write(data).result()
        array = storage.open(tmp_path / driver)
        assert array.info.dimension_names == ("c", "x", "y", "z") and not array.info.has_channel_axis
        assert array.info.shape == (1, 40, 30, 20) and array.info.chunk_shape == (16, 16, 16)
        np.testing.assert_array_equal(array.read((0, 0, 0, 0), (1, 40, 30, 20)), data[np.newaxis])
        array.write((0, 1, 2, 3), np.full((1, 2, 2, 2), 255, np.uint8))
        assert store[1:3, 2:4, 3:5].read().result().min() == 255


def test_transposed_dimension_names_are_presented_in_cxyz_order(tmp_path):
    data = noisy((20, 30, 10, 2))  # stored as x, y, z, c
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp_path / "a") + "/"}}
    store = ts.open(
        spec,
        create=True,
        dtype=ts.uint8,
        shape=data.shape,
        domain=ts.IndexDomain(labels=["x", "y", "z", "c"], shape=data.shape),
    ).result()
    store.write(data).result()
    array = Zarr3Storage().open(tmp_path / "a")
    assert array.info.shape == (2, 20, 30, 10) and array.info.num_channels == 2
    np.testing.assert_array_equal(array.read((0, 0, 0, 0), (2, 20, 30, 10)), np.moveaxis(data, 3, 0))
    array.write((1, 0, 0, 0), np.zeros((1, 20, 30, 10), np.uint8))
    assert not store[..., 1].read().result().any()


def test_errors_name_the_path(tmp_path):
    storage = Zarr3Storage()
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError, match="missing"):
        storage.open(missing)
    with pytest.raises(FileNotFoundError, match="missing"):
        ZarrStorage().open(missing)
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "zarr.json").write_text("{not json")
    with pytest.raises(ValueError, match="corrupt/zarr.json"):
        storage.open(corrupt)
    (corrupt / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "array", "shape": [1]}))
    with pytest.raises(ValueError, match="corrupt/zarr.json"):
        storage.open(corrupt)
    group = tmp_path / "group"
    group.mkdir()
    (group / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group"}))
    assert not storage.exists(group)
    with pytest.raises(ValueError, match="group/zarr.json"):
        storage.open(group)
    storage.create(tmp_path / "array", info_for(storage))
    with pytest.raises(FileExistsError, match="array"):
        storage.create(tmp_path / "array", info_for(storage))
    with pytest.raises(ValueError, match="multiple"):
        storage.create(tmp_path / "bad", info_for(storage, chunk=(32, 32, 32), shard=(48, 48, 48)))


def test_exists_per_format(tmp_path):
    Zarr3Storage().create(tmp_path / "z3", info_for(Zarr3Storage()))
    ZarrStorage().create(tmp_path / "z2", info_for(ZarrStorage(), shard=(32, 32, 32)))
    assert Zarr3Storage().exists(tmp_path / "z3") and not ZarrStorage().exists(tmp_path / "z3")
    assert ZarrStorage().exists(tmp_path / "z2") and not Zarr3Storage().exists(tmp_path / "z2")
    assert Zarr3Storage().exists(str(tmp_path / "z3")) and Zarr3Storage().exists(UPath(tmp_path / "z3"))


def test_pickled_array_reads_and_writes(tmp_path):
    storage = Zarr3Storage()
    array = storage.create(tmp_path / "array", info_for(storage))
    array.write((0, 0, 0, 0), np.full((1, 8, 8, 8), 9, np.uint8))
    clone = pickle.loads(pickle.dumps(array))
    assert isinstance(clone, TensorstoreZarrArray) and clone.info == array.info
    assert (clone.read((0, 0, 0, 0), (1, 8, 8, 8)) == 9).all()
    assert isinstance(clone.native, ts.TensorStore)


@pytest.fixture
def small_cache(monkeypatch):
    """A 1 MiB decoded-chunk cache: reads of 64 KiB or more then bypass it."""
    from daedalus.adapters import tensorstore_zarr

    monkeypatch.setenv("DAEDALUS_TENSORSTORE_CACHE_BYTES", str(1024 * 1024))
    tensorstore_zarr.reset_tensorstore_context()
    yield
    monkeypatch.delenv("DAEDALUS_TENSORSTORE_CACHE_BYTES")
    tensorstore_zarr.reset_tensorstore_context()


def test_large_reads_bypass_the_cache_and_see_every_write(tmp_path, small_cache):
    storage = Zarr3Storage()
    array = storage.create(tmp_path / "array", info_for(storage))
    first = noisy((1, 128, 128, 128), seed=1)
    array.write((0, 0, 0, 0), first)
    assert np.array_equal(array.read((0, 10, 10, 10), (1, 16, 16, 16)), first[:, 10:26, 10:26, 10:26])
    assert array._uncached_handle is None  # small reads use the cached handle only
    assert np.array_equal(array.read((0, 0, 0, 0), (1, 128, 128, 128)), first)
    assert array._uncached_handle is not None  # 2 MiB >= 1 MiB / 16: decoded without the cache

    second = noisy((1, 128, 128, 128), seed=2)
    array.write((0, 0, 0, 0), second)
    assert np.array_equal(array.read((0, 0, 0, 0), (1, 128, 128, 128)), second)
    assert np.array_equal(array.read((0, 10, 10, 10), (1, 16, 16, 16)), second[:, 10:26, 10:26, 10:26])

    # a write through a handle with its own cache (as from another process) is seen by both paths
    from daedalus.adapters import tensorstore_zarr

    tensorstore_zarr.reset_tensorstore_context()
    other = pickle.loads(pickle.dumps(array))
    patch = np.full((1, 64, 64, 64), 250, np.uint8)
    other.write((0, 0, 0, 0), patch)
    second[:, :64, :64, :64] = 250
    assert np.array_equal(array.read((0, 10, 10, 10), (1, 16, 16, 16)), second[:, 10:26, 10:26, 10:26])
    assert np.array_equal(array.read((0, 0, 0, 0), (1, 128, 128, 128)), second)
