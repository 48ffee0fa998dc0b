"""Zarr3Config interop: for the same configs daedalus and the reference write the same zarr.json codecs and chunk
key encoding, and each reads the other's arrays (both daedalus engines)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.dataset.layer import Zarr3Config

pytestmark = pytest.mark.interop

# one layer (mag 1, 64³, chunk 32³, shard 64³) per config: (dtype, codecs, chunk_key_encoding)
CONFIGS = [
    ("uint16", [{"name": "zstd", "configuration": {"level": 3}}], None),
    ("uint16", [{"name": "bytes"}, {"name": "zstd", "configuration": {"level": 9, "checksum": True}}], None),
    ("uint16", [{"name": "bytes"}, {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 4}}], None),
    ("uint8", [{"name": "blosc"}], None),
    ("uint8", [{"name": "bytes"}, {"name": "gzip"}, {"name": "crc32c"}], None),
    ("uint16", None, {"name": "default", "configuration": {"separator": "."}}),
    ("uint8", [{"name": "bytes"}], {"name": "default", "configuration": {"separator": "/"}}),
]

# argv: dataset path, configs JSON; writes one layer per config with the data of data_for().
WRITE_SCRIPT = """
import json, sys
import numpy as np
import webknossos as wk
from webknossos.dataset.layer import Zarr3Config

def data_for(dtype):
    return (np.arange(64**3) * 7 % 65521).astype(dtype).reshape(64, 64, 64)

ds = wk.Dataset(sys.argv[1], voxel_size=(1, 1, 1))
for i, (dtype, codecs, encoding) in enumerate(json.loads(sys.argv[2])):
    layer = ds.add_layer(f"l{i}", "color", data_format="zarr3", dtype_per_channel=dtype,
                         bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 64)))
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=64,
                        compress=Zarr3Config(codecs=codecs, chunk_key_encoding=encoding))
    mag.write(data_for(dtype), absolute_offset=(0, 0, 0))
print(json.dumps("ok"))
"""

# argv: dataset path; per layer: whether the data is right, and the reference's view of the array's codecs
READ_SCRIPT = """
import json, sys
import numpy as np
import webknossos as wk

def data_for(dtype):
    return (np.arange(64**3) * 7 % 65521).astype(dtype).reshape(64, 64, 64)

ds = wk.Dataset.open(sys.argv[1])
result = {}
for name, layer in sorted(ds.layers.items()):
    mag = layer.get_mag(1)
    info = mag.info
    result[name] = {
        "data_ok": bool((mag.read()[0] == data_for(layer.dtype_per_channel)).all()),
        "codecs": [dict(c) for c in info.codecs],
        "separator": (info.chunk_key_encoding.get("configuration") or {}).get("separator", "/"),
        "compression_mode": info.compression_mode,
    }
print(json.dumps(result))
"""


def data_for(dtype: str) -> np.ndarray:
    """The voxels written for a layer of ``dtype`` (the scripts above compute the same)."""
    return (np.arange(64**3) * 7 % 65521).astype(dtype).reshape(64, 64, 64)


def _stored(path: Path) -> dict:
    """Per layer, the codecs and chunk key encoding of ``zarr.json`` of mag 1."""
    stored = {}
    for i in range(len(CONFIGS)):
        meta = json.loads((path / f"l{i}" / "1" / "zarr.json").read_text())
        stored[f"l{i}"] = {"codecs": meta["codecs"], "chunk_key_encoding": meta["chunk_key_encoding"]}
    return stored


@pytest.fixture(scope="module")
def reference_dataset(tmp_path_factory, run_reference_json) -> Path:
    """A dataset the reference wrote, one layer per config."""
    path = tmp_path_factory.mktemp("zarr3_config_reference") / "ds"
    assert run_reference_json(WRITE_SCRIPT, path, json.dumps(CONFIGS)) == "ok"
    return path


@pytest.fixture(params=["tensorstore", "zarr-python"])
def engine(request):
    """Serve zarr3 with each daedalus engine in turn."""
    wk.set_engine("zarr3", None if request.param == "tensorstore" else request.param)
    yield request.param
    wk.set_engine("zarr3", None)


def _write_with_daedalus(path: Path) -> None:
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    for i, (dtype, codecs, encoding) in enumerate(CONFIGS):
        layer = ds.add_layer(
            f"l{i}", "color", data_format="zarr3", dtype=dtype, bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 64))
        )
        mag = layer.add_mag(
            1, chunk_shape=32, shard_shape=64, compress=Zarr3Config(codecs=codecs, chunk_key_encoding=encoding)
        )
        mag.write(data_for(dtype), absolute_offset=(0, 0, 0))


def test_daedalus_writes_the_zarr_json_the_reference_writes_and_the_reference_reads_it(
    tmp_path, reference_dataset, run_reference_json, engine
):
    _write_with_daedalus(tmp_path / "ds")
    assert _stored(tmp_path / "ds") == _stored(reference_dataset)
    seen = run_reference_json(READ_SCRIPT, tmp_path / "ds")
    assert all(entry["data_ok"] for entry in seen.values()), seen
    assert seen == run_reference_json(READ_SCRIPT, reference_dataset)


def test_daedalus_reads_the_reference_arrays_and_reports_their_codecs(reference_dataset, engine):
    ds = wk.Dataset.open(reference_dataset)
    stored = _stored(reference_dataset)
    for i, (dtype, _, _) in enumerate(CONFIGS):
        mag = ds.get_layer(f"l{i}").get_mag(1)
        np.testing.assert_array_equal(mag.read()[0], data_for(dtype))
        (sharding,) = stored[f"l{i}"]["codecs"]
        assert list(mag.info.codecs) == sharding["configuration"]["codecs"]
        separator = (stored[f"l{i}"]["chunk_key_encoding"].get("configuration") or {}).get("separator", "/")
        assert mag.info.chunk_key_separator == separator
