"""Copies, conversions and references made by daedalus open and read identically in the reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

pytestmark = pytest.mark.interop

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "generated"

# argv: dataset path, output folder; saves every layer's mags as <layer>__<mag>.npy and prints the formats.
READ_ALL_SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
import webknossos as wk

ds = wk.Dataset.open(sys.argv[1])
out = Path(sys.argv[2])
formats = {}
for name, layer in ds.layers.items():
    formats[name] = str(layer.data_format)
    for mag in layer.mags.values():
        np.save(out / f"{name}__{mag.mag.to_layer_name()}.npy", mag.read())
print(json.dumps(formats))
"""


@pytest.fixture
def source():
    path = FIXTURES / "datasets" / "zarr3_sharded"
    if not path.exists():
        pytest.skip(f"fixture {path} is absent")
    return wk.Dataset.open(path)


def _compare(out: Path, names: list[str]) -> None:
    for name in names:
        np.testing.assert_array_equal(np.load(out / f"{name}.npy"), np.load(FIXTURES / "expected" / f"{name}.npy"))


@pytest.mark.parametrize("data_format", ["zarr", "wkw"])
def test_reference_reads_converted_copy(source, tmp_path, run_reference_json, data_format):
    if data_format not in wk.get_plugin_manager().data_formats():
        pytest.skip(f"no {data_format} storage adapter registered")
    extra = {"shard_shape": 32} if data_format == "zarr" else {}
    source.copy_dataset(tmp_path / "copy", data_format=data_format, layers_to_ignore=["rgb"], **extra)
    out = tmp_path / "out"
    out.mkdir()
    formats = run_reference_json(READ_ALL_SCRIPT, tmp_path / "copy", out)
    assert formats == {"color": data_format, "segmentation": data_format}
    _compare(out, ["color__1", "color__4-4-2", "segmentation__2-2-1"])


def test_reference_reads_shallow_copy(source, tmp_path, run_reference_json):
    source.shallow_copy_dataset(tmp_path / "shallow", layers_to_ignore=["rgb", "segmentation"])
    out = tmp_path / "out"
    out.mkdir()
    assert run_reference_json(READ_ALL_SCRIPT, tmp_path / "shallow", out) == {"color": "zarr3"}
    _compare(out, ["color__1", "color__2-2-1", "color__4-4-2"])
