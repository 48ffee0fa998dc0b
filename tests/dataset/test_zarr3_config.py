"""compress=Zarr3Config(...): the configured codecs and chunk key encoding land in zarr.json, with both engines."""

from __future__ import annotations

import json

import numpy as np
import pytest

import daedalus as wk
from daedalus.dataset.layer import Zarr3ArrayInfo, Zarr3Config

BYTES_LE = {"configuration": {"endian": "little"}, "name": "bytes"}
INDEX_CODECS = [BYTES_LE, {"name": "crc32c"}]


@pytest.fixture(params=["tensorstore", "zarr-python"])
def engine(request):
    """Serve zarr3 with each engine in turn (``None`` restores the default, tensorstore)."""
    wk.set_engine("zarr3", None if request.param == "tensorstore" else request.param)
    yield request.param
    wk.set_engine("zarr3", None)


def _layer(tmp_path, dtype="uint16"):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    return ds.add_layer(
        "color", "color", data_format="zarr3", dtype=dtype, bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 64))
    )


def _data(dtype="uint16"):
    return (np.arange(64**3) % 5003).astype(dtype).reshape(64, 64, 64)


def _zarr_json(mag_view):
    return json.loads((mag_view.path / "zarr.json").read_text())


def _inner_codecs(meta):
    (sharding,) = meta["codecs"]
    assert sharding["name"] == "sharding_indexed" and sharding["configuration"]["index_codecs"] == INDEX_CODECS
    return sharding["configuration"]["codecs"]


CASES = {
    "zstd level 3 gets a bytes codec": (
        [{"name": "zstd", "configuration": {"level": 3}}],
        [BYTES_LE, {"configuration": {"checksum": False, "level": 3}, "name": "zstd"}],
        True,
    ),
    "blosc with defaults filled in": (
        [{"name": "bytes"}, {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 9}}],
        [
            BYTES_LE,
            {
                "configuration": {"blocksize": 0, "clevel": 9, "cname": "zstd", "shuffle": "shuffle", "typesize": 2},
                "name": "blosc",
            },
        ],
        True,
    ),
    "transpose, gzip and crc32c": (
        [
            {"name": "transpose", "configuration": {"order": [3, 2, 1, 0]}},
            {"name": "bytes"},
            {"name": "gzip", "configuration": {"level": 1}},
            {"name": "crc32c"},
        ],
        [
            {"configuration": {"order": [3, 2, 1, 0]}, "name": "transpose"},
            BYTES_LE,
            {"configuration": {"level": 1}, "name": "gzip"},
            {"name": "crc32c"},
        ],
        True,
    ),
    "raw bytes only": ([{"name": "bytes"}], [BYTES_LE], False),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_add_mag_writes_the_configured_codecs_and_the_data_round_trips(tmp_path, engine, case):
    given, stored, compressed = CASES[case]
    layer = _layer(tmp_path)
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=64, compress=Zarr3Config(codecs=given))
    mag.write(_data(), absolute_offset=(0, 0, 0))
    meta = _zarr_json(mag)
    assert _inner_codecs(meta) == stored
    assert meta["chunk_key_encoding"] == {"name": "default"}
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)
    info = reopened.info
    assert isinstance(info, Zarr3ArrayInfo) and list(info.codecs) == stored
    assert info.compression_mode is compressed
    assert info.zarr3_config.codecs == tuple(stored)
    np.testing.assert_array_equal(reopened.read()[0], _data())


def test_a_dot_separator_names_chunk_files_with_dots(tmp_path, engine):
    layer = _layer(tmp_path, "uint8")
    encoding = {"name": "default", "configuration": {"separator": "."}}
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=32, compress=Zarr3Config(chunk_key_encoding=encoding))
    mag.write(_data("uint8"), absolute_offset=(0, 0, 0))
    meta = _zarr_json(mag)
    assert meta["chunk_key_encoding"] == {"configuration": {"separator": "."}, "name": "default"}
    # unsharded: the default codecs (transpose, bytes, zstd) sit at the top level
    assert meta["codecs"] == [
        {"configuration": {"order": [3, 2, 1, 0]}, "name": "transpose"},
        {"name": "bytes"},
        {"configuration": {"checksum": True, "level": 5}, "name": "zstd"},
    ]
    assert sorted(p.name for p in mag.path.iterdir() if p.name != "zarr.json") == [
        f"c.0.{x}.{y}.{z}" for x in (0, 1) for y in (0, 1) for z in (0, 1)
    ]
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)
    assert reopened.info.chunk_key_separator == "."
    assert reopened.info.chunk_key_encoding == encoding
    np.testing.assert_array_equal(reopened.read()[0], _data("uint8"))


def test_downsample_rechunk_and_copy_take_a_zarr3_config(tmp_path, engine):
    config = Zarr3Config(
        codecs=[{"name": "bytes"}, {"name": "gzip", "configuration": {"level": 2}}],
        chunk_key_encoding={"name": "default", "configuration": {"separator": "."}},
    )
    gzip2 = [BYTES_LE, {"configuration": {"level": 2}, "name": "gzip"}]
    layer = _layer(tmp_path)
    mag1 = layer.add_mag(1, chunk_shape=32, shard_shape=64)
    mag1.write(_data(), absolute_offset=(0, 0, 0))
    layer.downsample(coarsest_mag=2, compress=config)
    assert _inner_codecs(_zarr_json(layer.get_mag(2))) == gzip2
    assert _zarr_json(layer.get_mag(2))["chunk_key_encoding"]["configuration"] == {"separator": "."}
    mag1.rechunk(compress=config)
    assert _inner_codecs(_zarr_json(layer.get_mag(1))) == gzip2
    np.testing.assert_array_equal(layer.get_mag(1).read()[0], _data())
    other = layer.dataset.add_layer(
        "copy", "color", data_format="zarr3", dtype="uint16", bounding_box=layer.bounding_box
    )
    copied = other.add_mag_as_copy(layer.get_mag(1), compress=Zarr3Config(codecs=[{"name": "zstd"}]))
    assert _inner_codecs(_zarr_json(copied)) == [
        BYTES_LE,
        {"configuration": {"checksum": False, "level": 3}, "name": "zstd"},
    ]
    np.testing.assert_array_equal(copied.read()[0], _data())


def test_with_defaults_fills_in_what_is_not_configured():
    compressed = (
        {"name": "transpose", "configuration": {"order": [3, 2, 1, 0]}},
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "zstd", "configuration": {"checksum": True, "level": 5}},
    )
    slash = {"name": "default", "configuration": {"separator": "/"}}
    assert Zarr3Config.with_defaults(True, 4) == Zarr3Config(codecs=compressed, chunk_key_encoding=slash)
    assert Zarr3Config.with_defaults(None, 4).codecs == compressed
    assert Zarr3Config.with_defaults(False, 4).codecs == compressed[:2]
    assert Zarr3Config.with_defaults(True, 3).codecs[0]["configuration"]["order"] == [2, 1, 0]
    own = Zarr3Config(codecs=[{"name": "gzip"}])
    assert Zarr3Config.with_defaults(own, 4) == Zarr3Config(codecs=[{"name": "gzip"}], chunk_key_encoding=slash)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"codecs": [{"name": "lzma"}]}, "'lzma'"),
        ({"codecs": [{"configuration": {}}]}, "'name'"),
        ({"codecs": {"name": "zstd"}}, "list of codec dicts"),
        ({"chunk_key_encoding": {"name": "default", "configuration": {"separator": "_"}}}, "separator"),
        ({"chunk_key_encoding": {"name": "v2"}}, "'v2'"),
    ],
)
def test_a_bad_config_is_refused_naming_the_value(kwargs, named):
    with pytest.raises(ValueError, match=named):
        Zarr3Config(**kwargs)


def test_a_zarr3_config_for_another_format_or_a_wrong_transpose_is_refused_before_writing(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    wkw = ds.add_layer("wkw", "color", data_format="wkw")
    with pytest.raises(ValueError, match="only for zarr3 arrays, not data format 'wkw'"):
        wkw.add_mag(1, compress=Zarr3Config(codecs=[{"name": "zstd"}]))
    assert not wkw.mags and not (wkw.path / "1").exists()
    zarr = ds.add_layer("zarr", "color", data_format="zarr3")
    with pytest.raises(ValueError, match=r"transpose order \[2, 1, 0\] must be a permutation of 0..3"):
        zarr.add_mag(1, compress=Zarr3Config(codecs=[{"name": "transpose", "configuration": {"order": [2, 1, 0]}}]))
    assert not zarr.mags and not (zarr.path / "1" / "zarr.json").exists()
