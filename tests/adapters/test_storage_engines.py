"""zarr3/zarr written by one engine read identically through the other; corrupt files give errors naming them;
precomputed scales can be written; WKW refuses remote paths and merges unaligned compressed writes."""

from __future__ import annotations

import numpy as np
import pytest
from daedalus.adapters.tensorstore_precomputed import PrecomputedStorage
from daedalus.adapters.tensorstore_zarr import Zarr3Storage, ZarrStorage
from daedalus.adapters.wkw_storage import WkwStorage
from daedalus.adapters.zarrpython_zarr import ZarrPythonZarr3Storage, ZarrPythonZarrStorage
from daedalus.core.array_info import ArrayInfo
from upath import UPath

import daedalus as wk

CASES = [
    pytest.param("zarr3", 8, 16, 1, id="zarr3-sharded"),
    pytest.param("zarr3", 8, 8, 1, id="zarr3-unsharded"),
    pytest.param("zarr", 8, 8, 1, id="zarr2"),
    pytest.param("zarr3", 8, 16, 3, id="zarr3-multichannel"),
    pytest.param("zarr", 8, 8, 2, id="zarr2-multichannel"),
]
ENGINES = {"zarr3": (Zarr3Storage(), ZarrPythonZarr3Storage()), "zarr": (ZarrStorage(), ZarrPythonZarrStorage())}


def _info(data_format, chunk, shard, channels, dtype="uint16", compressed=True):
    return ArrayInfo(
        data_format=data_format,
        num_channels=channels,
        voxel_type=dtype,
        chunk_shape=(chunk,) * 3,
        shard_shape=(shard,) * 3,
        compression_mode=compressed,
        shape=(channels, 2 * shard, shard, 3 * shard),
    )


@pytest.mark.parametrize("direction", ["tensorstore->zarr-python", "zarr-python->tensorstore"])
@pytest.mark.parametrize("data_format,chunk,shard,channels", CASES)
def test_engines_read_each_others_arrays(tmp_path, direction, data_format, chunk, shard, channels):
    tensorstore, zarr_python = ENGINES[data_format]
    writer, reader = (tensorstore, zarr_python) if direction.startswith("tensorstore") else (zarr_python, tensorstore)
    info = _info(data_format, chunk, shard, channels)
    array = writer.create(UPath(tmp_path / "a"), info)
    data = np.random.default_rng(1).integers(0, 60000, size=info.shape, dtype="uint16")
    array.write((0, 0, 0, 0), data)
    array.write((0, 3, 2, 5), np.full((channels, 5, 4, 7), 9, dtype="uint16"))
    data[:, 3:8, 2:6, 5:12] = 9
    opened = reader.open(UPath(tmp_path / "a"))
    assert opened.info == array.info
    np.testing.assert_array_equal(opened.read((0, 0, 0, 0), info.shape), data)
    assert sorted(opened.list_bounding_boxes()) == sorted(array.list_bounding_boxes())


def test_set_engine_chooses_zarr_python(tmp_path):
    wk.set_engine("zarr3", "zarr-python")
    try:
        ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
        layer = ds.add_layer(
            "color", "color", data_format="zarr3", bounding_box=wk.BoundingBox((0, 0, 0), (40, 30, 20))
        )
        mag = layer.add_mag(1, chunk_shape=16, shard_shape=32)
        data = np.arange(40 * 30 * 20, dtype="uint8").reshape(40, 30, 20)
        mag.write(data, absolute_offset=(0, 0, 0))
        assert isinstance(mag.info, ArrayInfo) and "ZarrPython" in type(mag._array).__name__
    finally:
        wk.set_engine("zarr3", None)
    np.testing.assert_array_equal(wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1).read()[0], data)


def test_corrupt_zarr3_shard_names_the_array(tmp_path):
    array = Zarr3Storage().create(UPath(tmp_path / "a"), _info("zarr3", 8, 16, 1))
    array.write((0, 0, 0, 0), np.ones(array.info.shape, dtype="uint16"))
    shard = tmp_path / "a" / "c" / "0" / "1" / "0" / "0"
    assert shard.is_file()
    shard.write_bytes(b"not a shard" * 10)
    fresh = Zarr3Storage().open(UPath(tmp_path / "a"))
    with pytest.raises(ValueError, match=r"(?s)a.*c/0/1/0/0.*corrupt"):
        fresh.read((0, 16, 0, 0), (1, 8, 8, 8))


@pytest.mark.parametrize("compressed", [True, False])
def test_corrupt_wkw_file_names_the_file(tmp_path, compressed):
    array = WkwStorage().create(tmp_path / "w", _info("wkw", 8, 16, 1, compressed=compressed))
    array.write((0, 0, 0, 0), np.ones(array.info.shape, dtype="uint16"))
    broken = tmp_path / "w" / "z1" / "y0" / "x1.wkw"
    broken.write_bytes(broken.read_bytes()[:100])
    with pytest.raises(ValueError, match="z1/y0/x1.wkw"):
        WkwStorage().open(tmp_path / "w").read((0, 16, 0, 16), (1, 4, 4, 4))
    assert WkwStorage().open(tmp_path / "w").read((0, 0, 0, 0), (1, 4, 4, 4)).min() == 1


def test_wkw_unaligned_writes_to_compressed_files_merge(tmp_path):
    array = WkwStorage().create(tmp_path / "w", _info("wkw", 8, 16, 2, dtype="uint8"))
    model = np.zeros(array.info.shape, dtype="uint8")
    for seed, (offset, shape) in enumerate([((0, 3, 5, 7), (2, 20, 9, 30)), ((1, 15, 0, 1), (1, 3, 16, 2))]):
        data = np.random.default_rng(seed).integers(1, 255, size=shape, dtype="uint8")
        array.write(offset, data)
        model[tuple(slice(o, o + s) for o, s in zip(offset, shape))] = data
    np.testing.assert_array_equal(WkwStorage().open(tmp_path / "w").read((0, 0, 0, 0), model.shape), model)


def test_wkw_on_remote_paths_goes_through_staged_files(tmp_path):
    """A remote WKW array: whole .wkw files are uploaded per write; reopening lists the files on the remote."""
    remote = UPath(f"memory://wkw-{tmp_path.name}/w")
    assert not WkwStorage().exists(remote)
    array = WkwStorage().create(remote, _info("wkw", 8, 16, 1))
    assert WkwStorage().exists(remote) and str(array.path) == str(remote)
    data = np.random.default_rng(4).integers(0, 999, size=(1, 20, 16, 16), dtype="uint16")
    array.write((0, 3, 0, 0), data)
    assert sorted(p.name for p in (remote / "z0" / "y0").iterdir()) == ["x0.wkw", "x1.wkw"]
    reopened = WkwStorage().open(remote)
    np.testing.assert_array_equal(reopened.read((0, 3, 0, 0), data.shape), data)
    assert [box for box, _ in reopened.list_bounding_boxes()] == [(0, 0, 0, 0), (0, 16, 0, 0)]
    with pytest.raises(FileNotFoundError, match="No WKW array"):
        WkwStorage().open(remote.parent / "absent")


def test_precomputed_scales_are_written_and_resized(tmp_path):
    storage = PrecomputedStorage()
    info = _info("neuroglancerPrecomputed", 8, 8, 2, compressed=False)
    first = storage.create(tmp_path / "layer" / "1", info)
    data = np.random.default_rng(3).integers(0, 999, size=info.shape, dtype="uint16")
    first.write((0, 0, 0, 0), data)
    half = ArrayInfo(
        **{
            **{f: getattr(info, f) for f in ("data_format", "num_channels", "voxel_type")},
            "chunk_shape": (8, 8, 8),
            "shard_shape": (8, 8, 8),
            "compression_mode": False,
            "shape": (2, 8, 4, 12),
        }
    )
    storage.create(tmp_path / "layer" / "2-2-1", half).write((0, 1, 1, 1), np.full((2, 2, 2, 2), 5, "uint16"))
    assert storage.exists(tmp_path / "layer" / "2-2-1") and not storage.exists(tmp_path / "layer" / "4")
    reopened = storage.open(tmp_path / "layer" / "1")
    np.testing.assert_array_equal(reopened.read((0, 0, 0, 0), info.shape), data)
    assert len(list(reopened.list_bounding_boxes())) == 2 * 1 * 3
    reopened.resize((2, 32, 16, 48))
    assert storage.open(tmp_path / "layer" / "1").info.shape == (2, 32, 16, 48)
    assert storage.open(tmp_path / "layer" / "2-2-1").read((0, 1, 1, 1), (2, 2, 2, 2)).min() == 5
    # compress=True works; uint16 data of no known category has no lossless precomputed encoding: raw
    assert storage.create(tmp_path / "layer" / "4", _info("neuroglancerPrecomputed", 8, 8, 2)).encoding == "raw"
