"""WKW, N5 and Neuroglancer precomputed fixtures open through ``wk.Dataset.open`` and read the expected data."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from daedalus.adapters.wkw_storage import WkwStorage

import daedalus as wk

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
TESTDATA = FIXTURES / "wk-testdata"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")


@pytest.mark.parametrize("name", ["wkw_compressed", "wkw_uncompressed"])
def test_generated_wkw_datasets_read_as_expected(name):
    dataset = wk.Dataset.open(FIXTURES / "generated" / "datasets" / name)
    checked = 0
    for layer in dataset.layers.values():
        assert layer.data_format == "wkw"
        for mag in layer.mags.values():
            expected = np.load(FIXTURES / "generated" / "expected" / f"{layer.name}__{mag.name}.npy")
            np.testing.assert_array_equal(mag.read(), expected)
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("name", ["simple_wkw_dataset", "e2006_knossos"])
def test_legacy_wkw_datasets_read(name):
    layer = wk.Dataset.open(TESTDATA / name).get_layer("color")
    assert layer.num_channels == 3 and layer.data_format == "wkw"
    data = layer.get_mag(1).read()
    assert data.shape == (3, 24, 24, 24) and data.dtype == np.uint8
    assert layer.get_mag(1).info.shard_shape == wk.Vec3Int(32, 32, 32)  # block_len 8, file_len 4


def test_old_wkw_dataset_with_wkw_resolutions():
    dataset = wk.Dataset.open(TESTDATA / "old_wkw_dataset")
    layer = dataset.get_layer("color")
    assert sorted(m.to_layer_name() for m in layer.mags) == ["1", "2"]
    for mag in layer.mags.values():
        if not any(Path(mag.path).glob("z*/y*/x*.wkw")):
            # the fixture's data folders are placeholders (header.wkw only): the read must be all zeros
            assert not mag.read(absolute_offset=(0, 0, 0), size=(64, 64, 32)).any()
        edge = 1024 if mag.name == "1" else 512  # the headers' file edges, as the cubeLength entries say
        assert mag.info.shard_shape == wk.Vec3Int(edge, edge, edge)


def test_simple_n5_dataset_reads():
    layer = wk.Dataset.open(TESTDATA / "simple_n5_dataset").get_layer("color")
    data = layer.get_mag(1).read()
    assert data.shape == (3, 24, 24, 24)
    assert int(data.max()) == 255 and abs(float(data.mean()) - 127.5) < 1


def _ng_dataset_at(tmp_path: Path, layer_root: Path, channels: int) -> Path:
    """A dataset folder whose only mag points at a precomputed scale elsewhere (for volumes without properties)."""
    properties = {
        "id": {"name": "ng", "team": ""},
        "scale": {"factor": [1.0, 1.0, 1.0], "unit": "nanometer"},
        "version": 1,
        "dataLayers": [
            {
                "name": "color",
                "category": "color",
                "boundingBox": {"topLeft": [0, 0, 0], "width": 24, "height": 24, "depth": 24},
                "elementClass": "uint8" if channels == 1 else "uint24",
                "numChannels": channels,
                "dataFormat": "neuroglancerPrecomputed",
                "mags": [{"mag": [1, 1, 1], "path": str(layer_root / "1")}],
            }
        ],
    }
    (tmp_path / "datasource-properties.json").write_text(json.dumps(properties))
    return tmp_path


@pytest.mark.parametrize("name,channels", [("simple_ng_dataset", 3), ("simple_ng_dataset2", 1)])
def test_neuroglancer_datasets_read(tmp_path, name, channels):
    root = TESTDATA / name
    if not (root / "datasource-properties.json").exists():
        root = _ng_dataset_at(tmp_path, root / "color", channels)
    layer = wk.Dataset.open(root).get_layer("color")
    data = layer.get_mag(1).read()
    assert data.shape == (channels, 24, 24, 24) and data.dtype == np.uint8
    assert int(data.max()) == 255 and abs(float(data.mean()) - 127.5) < 1
    inner = layer.get_mag(1).read(absolute_offset=(3, 4, 5), size=(6, 7, 8))
    np.testing.assert_array_equal(inner, data[:, 3:9, 4:11, 5:13])


def _wkw_volume_dirs(tmp_path: Path) -> list[Path]:
    found = []
    for outer in sorted((TESTDATA / "annotations").glob("*.zip")):
        with zipfile.ZipFile(outer) as archive:
            for inner in archive.namelist():
                if not inner.endswith(".zip"):
                    continue
                target = tmp_path / outer.stem / Path(inner).stem
                target.mkdir(parents=True)
                (target.parent / inner).write_bytes(archive.read(inner))
                with zipfile.ZipFile(target.parent / inner) as volume:
                    volume.extractall(target)
                found.extend(header.parent for header in target.rglob("header.wkw"))
    return found


def test_annotation_wkw_volumes_open_and_read(tmp_path):
    storage = WkwStorage()
    volumes = _wkw_volume_dirs(tmp_path)
    assert len(volumes) >= 3
    labelled = 0
    for folder in volumes:
        array = storage.open(folder)
        assert array.info.data_format == "wkw" and array.info.num_channels == 1
        boxes = list(array.list_bounding_boxes())
        for offset, shape in boxes[:4]:
            data = array.read(offset, shape)
            assert data.shape == tuple(shape)
            labelled += int(np.count_nonzero(data))
    assert labelled > 0
