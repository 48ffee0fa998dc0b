"""Contract suite of the ArrayStorage port, run against every storage adapter the plugin manager knows.

A third-party adapter passes it by being registered (entry point ``daedalus.plugins``); the suite only uses
the port's methods. Chunk 8^3 / shard 16^3 is tried first, 32^3 / 64^3 for formats with fixed chunks.
Run it with ``python -m pytest --pyargs daedalus.testing.contract.test_array_storage -k <data_format>``.
"""

from __future__ import annotations

import numpy as np
import pytest
from upath import UPath

from daedalus.core.array_info import ArrayInfo
from daedalus.core.ports import ArrayStorage, StorageCapabilities, StoredArray

from .adapters import storage_params

DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64"]
LAYOUTS = (((8, 8, 8), (16, 16, 16)), ((32, 32, 32), (64, 64, 64)))


@pytest.fixture(params=storage_params())
def storage(request):
    return request.param


@pytest.fixture
def layout(storage, tmp_path):
    """The smallest (chunk, shard) edges the adapter accepts."""
    for chunk, shard in LAYOUTS:
        try:
            storage.create(array_path(tmp_path, f"probe-{chunk[0]}"), make_info(storage, chunk=chunk, shard=shard))
        except ValueError:
            continue
        return chunk, shard
    pytest.fail(f"{storage!r} accepts neither chunk 8^3 / shard 16^3 nor chunk 32^3 / shard 64^3.")


def array_path(root, name: str) -> UPath:
    """Each array of a test gets its own layer-like folder (``<name>/1``), as mags do in a dataset."""
    return UPath(root / name / "1")


def capability(storage, name: str):
    """A capability the adapter declares in ``storage.capabilities`` (``stores_shape``, ``voxel_types``, ...)."""
    return getattr(storage.capabilities, name)


def require(storage, name: str, reason: str) -> None:
    """Skip the current case for adapters that declare they lack capability ``name``."""
    if not capability(storage, name):
        pytest.skip(f"{storage!r} declares {name}=False: {reason}")


def make_info(
    storage,
    *,
    chunk,
    shard,
    dtype="uint8",
    channels=1,
    shards=(2, 2, 1),
    compressed=True,
    extra=(),
) -> ArrayInfo:
    """An ArrayInfo of ``shards`` whole shards in x/y/z (plus extra axes as ``(name, length)``)."""
    return ArrayInfo(
        data_format=storage.data_format,
        num_channels=channels,
        voxel_type=dtype,
        chunk_shape=chunk,
        shard_shape=shard,
        compression_mode=compressed and capability(storage, "supports_compression"),
        shape=(channels, *(n for _, n in extra), *(s * n for s, n in zip(shard, shards))),
        dimension_names=("c", *(name for name, _ in extra), "x", "y", "z"),
    )


def create(storage, tmp_path, layout, name="array", **kwargs):
    chunk, shard = layout
    array = storage.create(array_path(tmp_path, name), make_info(storage, chunk=chunk, shard=shard, **kwargs))
    assert isinstance(array, StoredArray)
    return array


def random_data(shape, dtype, seed=0) -> np.ndarray:
    """Values over the dtype's whole range (extremes included; NaN and infinities for floats)."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        data = rng.standard_normal(shape).astype(dtype) * dtype.type(1e6)
        specials = np.array([np.nan, np.inf, -np.inf, np.finfo(dtype).max], dtype=dtype)
        data.reshape(-1)[: specials.size] = specials[: data.size]
        return data
    info = np.iinfo(dtype)
    data = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    extremes = np.array([info.min, info.max], dtype=dtype)
    data.reshape(-1)[: extremes.size] = extremes[: data.size]
    return data


def box(offset, shape):
    return tuple(slice(o, o + s) for o, s in zip(offset, shape))


# --------------------------------------------------------------------------- tests


def test_adapter_implements_the_port(storage):
    assert isinstance(storage, ArrayStorage)
    assert isinstance(storage.data_format, str) and storage.data_format
    assert isinstance(storage.engine, str) and storage.engine
    assert isinstance(storage.capabilities, StorageCapabilities)


def test_opened_arrays_implement_the_port(storage, layout, tmp_path):
    """Every StoredArray member, the optional ones (``native``, ``read_into``) included, is there to call."""
    array = create(storage, tmp_path, layout, dtype="uint8")
    assert isinstance(array, StoredArray)
    assert isinstance(storage.open(array_path(tmp_path, "array")), StoredArray)


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype(storage, layout, tmp_path, dtype):
    voxel_types = capability(storage, "voxel_types")
    if voxel_types is not None and np.dtype(dtype) not in [np.dtype(t) for t in voxel_types]:
        pytest.skip(f"{storage!r} declares voxel_types without {dtype}: the format cannot store it")
    array = create(storage, tmp_path, layout, dtype=dtype)
    assert array.info.voxel_type == np.dtype(dtype)
    data = random_data(array.info.shape, dtype)
    array.write((0,) * len(data.shape), data)
    np.testing.assert_array_equal(array.read((0, 0, 0, 0), data.shape), data)
    reopened = storage.open(array_path(tmp_path, "array"))
    result = reopened.read((0, 0, 0, 0), data.shape)
    assert result.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(result, data)


@pytest.mark.parametrize("dtype", ["uint8", "uint32", "float32"])
def test_round_trip_uncompressed(storage, layout, tmp_path, dtype):
    array = create(storage, tmp_path, layout, dtype=dtype, compressed=False)
    assert array.info.compression_mode is False
    data = random_data(array.info.shape, dtype, seed=1)
    array.write((0, 0, 0, 0), data)
    np.testing.assert_array_equal(storage.open(array_path(tmp_path, "array")).read((0, 0, 0, 0), data.shape), data)


@pytest.mark.parametrize("dtype", ["uint8", "uint16"])
def test_multi_channel(storage, layout, tmp_path, dtype):
    array = create(storage, tmp_path, layout, dtype=dtype, channels=3)
    assert array.info.num_channels == 3 and array.info.shape[0] == 3
    data = random_data(array.info.shape, dtype, seed=2)
    array.write((0, 0, 0, 0), data)
    np.testing.assert_array_equal(array.read((0, 0, 0, 0), data.shape), data)
    shard = layout[1][0]
    offset, shape = (1, 3, shard - 2, 1), (2, shard, 4, 5)
    np.testing.assert_array_equal(array.read(offset, shape), data[box(offset, shape)])


def test_extra_axis(storage, layout, tmp_path):
    require(storage, "supports_extra_axes", "the format stores only (c, x, y, z) arrays")
    array = create(storage, tmp_path, layout, dtype="uint16", extra=(("t", 3),))
    assert array.info.dimension_names == ("c", "t", "x", "y", "z")
    data = random_data(array.info.shape, "uint16", seed=3)
    array.write((0,) * 5, data)
    reopened = storage.open(array_path(tmp_path, "array"))
    assert reopened.info.dimension_names == ("c", "t", "x", "y", "z")
    np.testing.assert_array_equal(reopened.read((0,) * 5, data.shape), data)
    np.testing.assert_array_equal(reopened.read((0, 1, 2, 3, 4), (1, 1, 5, 6, 7)), data[:, 1:2, 2:7, 3:9, 4:11])


def test_unaligned_writes_spanning_shards(storage, layout, tmp_path):
    chunk, shard = layout[0][0], layout[1][0]
    array = create(storage, tmp_path, layout, dtype="uint16", shards=(3, 3, 2))
    model = np.zeros(array.info.shape, dtype="uint16")
    writes = [
        ((0, 0, 0, 0), tuple(array.info.shape)),  # whole shards first, then partial overwrites
        ((0, shard // 2 + 1, shard - 3, 5), (1, shard + 7, shard // 2 + 5, shard)),
        ((0, chunk - 1, 1, shard - 1), (1, 2 * shard - chunk + 2, 2 * shard, 3)),
        ((0, 3 * shard - 1, 3 * shard - 1, 2 * shard - 1), (1, 1, 1, 1)),
    ]
    for seed, (offset, shape) in enumerate(writes):
        data = random_data(shape, "uint16", seed=10 + seed)
        array.write(offset, data)
        model[box(offset, shape)] = data
        np.testing.assert_array_equal(array.read((0, 0, 0, 0), model.shape), model)
    np.testing.assert_array_equal(storage.open(array_path(tmp_path, "array")).read((0, 0, 0, 0), model.shape), model)


def test_reads_outside_the_written_region_are_zero(storage, layout, tmp_path):
    shard = layout[1][0]
    array = create(storage, tmp_path, layout, dtype="uint32")
    np.testing.assert_array_equal(array.read((0, 0, 0, 0), array.info.shape), 0)
    data = np.full((1, 3, 4, 5), 7, dtype="uint32")
    array.write((0, shard + 1, 2, 3), data)
    result = array.read((0, 0, 0, 0), array.info.shape)
    assert result[box((0, shard + 1, 2, 3), data.shape)].min() == 7
    assert int(result.astype(np.int64).sum()) == 7 * data.size


def test_reads_beyond_the_shape_are_zero(storage, layout, tmp_path):
    array = create(storage, tmp_path, layout, dtype="int16")
    data = random_data(array.info.shape, "int16", seed=4)
    data[data == 0] = 1
    array.write((0, 0, 0, 0), data)
    shape = tuple(array.info.shape)
    padded = np.zeros((1, shape[1] + 10, shape[2] + 3, shape[3] + 9), dtype="int16")
    padded[:, 5 : 5 + shape[1], 1 : 1 + shape[2], 4 : 4 + shape[3]] = data
    result = array.read((0, -5, -1, -4), padded.shape)
    assert result.shape == padded.shape and result.dtype == np.dtype("int16")
    np.testing.assert_array_equal(result, padded)
    far = array.read((0, 10 * shape[1], 0, 0), (1, 4, 4, 4))
    assert far.shape == (1, 4, 4, 4) and not far.any()
    assert array.read((0, -8, -8, -8), (1, 4, 4, 4)).shape == (1, 4, 4, 4)


def test_read_into_fills_a_given_buffer_like_read(storage, layout, tmp_path):
    """``read_into`` (the port's optional member, defaulting to read + copy) leaves the same voxels in ``out``."""
    array = create(storage, tmp_path, layout, dtype="uint16")
    data = random_data(array.info.shape, "uint16", seed=5)
    array.write((0, 0, 0, 0), data)
    shape = tuple(array.info.shape)
    for offset, size in (
        ((0, 0, 0, 0), shape),  # all of it
        ((0, 3, 1, 2), (1, shape[1] - 5, 4, shape[3] - 2)),  # inside
        ((0, -5, -1, -4), (1, shape[1] + 10, shape[2] + 3, shape[3] + 9)),  # reaching past every side
        ((0, 10 * shape[1], 0, 0), (1, 4, 4, 4)),  # wholly outside
    ):
        for order in ("F", "C"):
            out = np.full(size, 999, dtype="uint16", order=order)  # stale contents: every voxel is written
            array.read_into(offset, out)
            np.testing.assert_array_equal(out, array.read(offset, size))


def test_write_outside_the_shape_is_rejected(storage, layout, tmp_path):
    array = create(storage, tmp_path, layout)
    shape = array.info.shape
    with pytest.raises(ValueError):
        array.write((0, shape[1] - 2, 0, 0), np.ones((1, 4, 4, 4), dtype="uint8"))
    with pytest.raises(ValueError):
        array.write((0, -1, 0, 0), np.ones((1, 4, 4, 4), dtype="uint8"))


def test_resize_grows_and_keeps_data(storage, layout, tmp_path):
    shard = layout[1][0]
    array = create(storage, tmp_path, layout, dtype="uint8")
    data = random_data(array.info.shape, "uint8", seed=5)
    array.write((0, 0, 0, 0), data)
    old = tuple(array.info.shape)
    new = (1, old[1] + 2 * shard, old[2], old[3] + shard)
    array.resize(new)
    assert tuple(array.info.shape) == new
    np.testing.assert_array_equal(array.read((0, 0, 0, 0), old), data)
    extra = random_data((1, shard, 5, shard), "uint8", seed=6)
    array.write((0, old[1] + shard, 0, old[3]), extra)
    reopened = storage.open(array_path(tmp_path, "array"))
    assert tuple(reopened.info.shape) == new
    np.testing.assert_array_equal(reopened.read((0, 0, 0, 0), old), data)
    np.testing.assert_array_equal(reopened.read((0, old[1] + shard, 0, old[3]), extra.shape), extra)


def test_list_bounding_boxes(storage, layout, tmp_path):
    array = create(storage, tmp_path, layout, dtype="uint8", shards=(4, 4, 2))
    assert list(array.list_bounding_boxes()) == []
    shard = tuple(array.info.shard_shape)  # the unit of storage (== chunk shape for unsharded formats)
    far = (0, 3 * shard[0], 3 * shard[1], shard[2])
    array.write((0, 1, 1, 1), np.full((1, 2, 2, 2), 3, dtype="uint8"))
    array.write((0, far[1] + 1, far[2] + 1, far[3] + 1), np.full((1, 2, 2, 2), 4, dtype="uint8"))
    boxes = sorted((tuple(o), tuple(s)) for o, s in array.list_bounding_boxes())
    assert boxes == [((0, 0, 0, 0), (1, *shard)), (far, (1, *shard))]
    reopened = sorted(
        (tuple(o), tuple(s)) for o, s in storage.open(array_path(tmp_path, "array")).list_bounding_boxes()
    )
    assert reopened == boxes


def test_exists_open_and_create_twice(storage, layout, tmp_path):
    chunk, shard = layout
    path = array_path(tmp_path, "array")
    assert not storage.exists(path)
    with pytest.raises(FileNotFoundError):
        storage.open(path)
    requested = make_info(storage, chunk=chunk, shard=shard, dtype="uint16", channels=3, compressed=False)
    created = storage.create(path, requested)
    assert storage.exists(path)
    opened = storage.open(path)
    for field in ("data_format", "num_channels", "voxel_type", "chunk_shape", "compression_mode"):
        assert getattr(opened.info, field) == getattr(requested, field), field
    assert tuple(opened.info.dimension_names) == tuple(requested.dimension_names)
    assert tuple(opened.info.shard_shape) in (tuple(requested.shard_shape), tuple(requested.chunk_shape))
    with pytest.raises((FileExistsError, ValueError)):
        storage.create(path, requested)
    assert created.info.shape == requested.shape


def test_open_reports_the_created_shape(storage, layout, tmp_path):
    require(storage, "stores_shape", "the format keeps no shape; an array presents the files on disk")
    chunk, shard = layout
    requested = make_info(storage, chunk=chunk, shard=shard, dtype="uint16", channels=3, compressed=False)
    created = storage.create(array_path(tmp_path, "array"), requested)
    opened = storage.open(array_path(tmp_path, "array"))
    assert opened.info == created.info
    assert opened.info.shape == requested.shape


def test_compressed_flag_round_trips(storage, layout, tmp_path):
    require(storage, "supports_compression", "the format writes only raw chunks")
    compressed = create(storage, tmp_path, layout, name="compressed", compressed=True)
    raw = create(storage, tmp_path, layout, name="raw", compressed=False)
    assert compressed.info.compression_mode is True
    assert storage.open(array_path(tmp_path, "compressed")).info.compression_mode is True
    assert storage.open(array_path(tmp_path, "raw")).info.compression_mode is False
    assert raw.info.compression_mode is False
