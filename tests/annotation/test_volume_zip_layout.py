"""Volume data in saved annotation zips uses WEBKNOSSOS's own layout; older daedalus zips still load."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.annotation.safe_zip import zip_directory

import daedalus as wk

ANNOTATIONS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "wk-testdata" / "annotations"
WK_ZARR3_ZIP = ANNOTATIONS / "l4_sample__explorational__suser__94b271.zip"
WK_WKW_ZIP = ANNOTATIONS / "multi_volume_example_CREMI.zip"
needs_fixtures = pytest.mark.skipif(not ANNOTATIONS.is_dir(), reason=f"shared fixtures absent at {ANNOTATIONS}")

OFFSET = (10, 20, 30)


def _data() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 5, size=(1, 64, 64, 32), dtype=np.uint32)


def _annotation_with_volume(data: np.ndarray, downsample: bool = True) -> wk.Annotation:
    annotation = wk.Annotation(name="layout", dataset_name="ds", voxel_size=(11.24, 11.24, 28.0))
    annotation.add_volume_layer("seg", dtype=np.uint32)
    with annotation.temporary_volume_layer_copy(read_only=False) as layer:
        layer.add_mag(1).write(data, absolute_offset=OFFSET, allow_resize=True)
        if downsample:
            layer.downsample(coarsest_mag=wk.Mag("4-4-2"))
    return annotation


def _data_zip(annotation_zip: Path, member: str) -> zipfile.ZipFile:
    with zipfile.ZipFile(annotation_zip) as outer:
        return zipfile.ZipFile(io.BytesIO(outer.read(member)))


def _wk_fixture_zarr_json() -> dict:
    with zipfile.ZipFile(WK_ZARR3_ZIP) as outer:
        inner = zipfile.ZipFile(io.BytesIO(outer.read("data_Volume.zip")))
        return json.loads(inner.read("volumeAnnotationData/1/zarr.json"))


def test_saved_volume_uses_unsharded_32_chunks_blosc_lz4_and_dot_keys(tmp_path: Path) -> None:
    _annotation_with_volume(_data()).save(tmp_path / "a.zip")
    inner = _data_zip(tmp_path / "a.zip", "data_0_seg.zip")
    names = inner.namelist()
    properties = json.loads(inner.read("datasource-properties.json"))
    (layer,) = properties["dataLayers"]
    assert layer["name"] == "volumeAnnotationData" and layer["dataFormat"] == "zarr3"
    assert layer["category"] == "segmentation" and layer["elementClass"] == "uint32"
    assert [m["mag"] for m in layer["mags"]] == [[1, 1, 1], [2, 2, 1], [4, 4, 2]]
    assert layer["boundingBox"] == {"topLeft": list(OFFSET), "width": 64, "height": 64, "depth": 32}
    for mag in ("1", "2-2-1", "4-4-2"):
        meta = json.loads(inner.read(f"volumeAnnotationData/{mag}/zarr.json"))
        assert meta["chunk_grid"]["configuration"]["chunk_shape"] == [1, 32, 32, 32]
        assert [c["name"] for c in meta["codecs"]] == ["transpose", "bytes", "blosc"]  # no sharding_indexed
        assert meta["codecs"][2]["configuration"]["cname"] == "lz4"
        assert meta["chunk_key_encoding"] == {"name": "default", "configuration": {"separator": "."}}
        chunks = [n for n in names if n.startswith(f"volumeAnnotationData/{mag}/c.")]
        assert chunks and all(n.count("/") == 2 and len(n.split("/")[-1].split(".")) == 5 for n in chunks)
    # mag 1 holds 64×64×32 voxels at (10, 20, 30): chunks x 0..2, y 0..2, z 0..1 (empty ones are not stored)
    assert "volumeAnnotationData/1/c.0.0.0.0" in names and "volumeAnnotationData/1/c.0.2.2.1" in names


@needs_fixtures
def test_saved_metadata_equals_what_webknossos_writes(tmp_path: Path) -> None:
    _annotation_with_volume(_data(), downsample=False).save(tmp_path / "a.zip")
    ours = json.loads(_data_zip(tmp_path / "a.zip", "data_0_seg.zip").read("volumeAnnotationData/1/zarr.json"))
    theirs = _wk_fixture_zarr_json()
    assert ours["shape"] == [1, 74, 84, 62]  # the layer's box end, where WEBKNOSSOS writes its dataset's
    assert theirs["codecs"][0] == {"name": "transpose", "configuration": {"order": "F"}}
    theirs["codecs"][0]["configuration"]["order"] = [3, 2, 1, 0]  # the same order, as the final zarr v3 spec spells it
    assert {k: v for k, v in ours.items() if k != "shape"} == {k: v for k, v in theirs.items() if k != "shape"}


def test_saved_volume_round_trips_every_mag(tmp_path: Path) -> None:
    data = _data()
    original = _annotation_with_volume(data)
    with original.temporary_volume_layer_copy() as layer:
        expected = {mag: view.read() for mag, view in layer.mags.items()}
    original.save(tmp_path / "a.zip")
    loaded = wk.Annotation.load(tmp_path / "a.zip")
    with loaded.temporary_volume_layer_copy() as layer:
        assert layer.bounding_box == wk.BoundingBox(OFFSET, (64, 64, 32))
        np.testing.assert_array_equal(layer.get_mag(1).read(absolute_offset=OFFSET, size=(64, 64, 32)), data)
        assert set(layer.mags) == set(expected)
        for mag, values in expected.items():
            np.testing.assert_array_equal(layer.get_mag(mag).read(), values)
    loaded.save(tmp_path / "b.zip")  # already in the layout: the data zip is copied unchanged
    with zipfile.ZipFile(tmp_path / "a.zip") as a, zipfile.ZipFile(tmp_path / "b.zip") as b:
        assert a.read("data_0_seg.zip") == b.read("data_0_seg.zip")


def _old_daedalus_zip(tmp_path: Path, data: np.ndarray) -> Path:
    """An annotation zip as daedalus wrote it before: the data zip holds a default (1024³ zstd shards) dataset."""
    _annotation_with_volume(data, downsample=False).save(tmp_path / "new.zip")
    dataset = wk.Dataset(tmp_path / "old_volume", voxel_size=(11.24, 11.24, 28.0))
    layer = dataset.add_layer("volumeAnnotationData", wk.SEGMENTATION_CATEGORY, dtype=np.uint32)
    mag = layer.add_mag(1)
    mag.write(data, absolute_offset=OFFSET, allow_resize=True)
    assert mag.info.shard_shape == (1024, 1024, 1024)
    old_data = io.BytesIO()
    zip_directory(Path(dataset.path), old_data)
    target = tmp_path / "old.zip"
    with zipfile.ZipFile(tmp_path / "new.zip") as new, zipfile.ZipFile(target, "w") as old:
        for info in new.infolist():
            old.writestr(info, old_data.getvalue() if info.filename == "data_0_seg.zip" else new.read(info))
    return target


def test_old_daedalus_zip_loads_and_is_recoded_on_save(tmp_path: Path) -> None:
    data = _data()
    old = wk.Annotation.load(_old_daedalus_zip(tmp_path, data))
    with old.temporary_volume_layer_copy() as layer:
        np.testing.assert_array_equal(layer.get_mag(1).read(absolute_offset=OFFSET, size=(64, 64, 32)), data)
    old.save(tmp_path / "resaved.zip")
    meta = json.loads(_data_zip(tmp_path / "resaved.zip", "data_0_seg.zip").read("volumeAnnotationData/1/zarr.json"))
    assert meta["chunk_grid"]["configuration"]["chunk_shape"] == [1, 32, 32, 32]
    assert "sharding_indexed" not in [c["name"] for c in meta["codecs"]]
    with wk.Annotation.load(tmp_path / "resaved.zip").temporary_volume_layer_copy() as layer:
        np.testing.assert_array_equal(layer.get_mag(1).read(absolute_offset=OFFSET, size=(64, 64, 32)), data)


@needs_fixtures
def test_webknossos_zarr3_zip_is_saved_unchanged(tmp_path: Path) -> None:
    wk.Annotation.load(WK_ZARR3_ZIP).save(tmp_path / "a.zip")
    with zipfile.ZipFile(WK_ZARR3_ZIP) as theirs, zipfile.ZipFile(tmp_path / "a.zip") as ours:
        assert ours.read("data_Volume.zip") == theirs.read("data_Volume.zip")


@needs_fixtures
def test_edited_webknossos_wkw_volume_keeps_the_wkw_layout(tmp_path: Path) -> None:
    annotation = wk.Annotation.load(WK_WKW_ZIP)
    with annotation.temporary_volume_layer_copy("Volume", read_only=False) as layer:
        box = layer.bounding_box
        mag1 = layer.get_mag(1)
        mag1.write(np.full((1, 32, 32, 32), 77, dtype=mag1.info.voxel_type), absolute_offset=box.topleft)
        expected = mag1.read()
        coarse = layer.add_mag("2-2-1")  # a new mag in daedalus' default WKW layout (files of 32³ blocks)
        values = np.full((1, 48, 96, 32), 5, dtype=mag1.info.voxel_type)
        coarse.write(values, absolute_offset=box.topleft, allow_unaligned=True)
        expected_coarse = coarse.read()
    annotation.save(tmp_path / "a.zip")
    inner = _data_zip(tmp_path / "a.zip", "data_1_Volume.zip")
    headers = [n for n in inner.namelist() if n.endswith("header.wkw")]
    assert "datasource-properties.json" not in inner.namelist() and "1/header.wkw" in headers
    for name in headers:
        header = inner.read(name)
        assert header[:3] == b"WKW" and header[4] == 0x05  # 32³ blocks, one block per file
    loaded = wk.Annotation.load(tmp_path / "a.zip")
    with loaded.temporary_volume_layer_copy("Volume") as layer:
        np.testing.assert_array_equal(layer.get_mag(1).read(), expected)
        assert (layer.get_mag(1).read(absolute_offset=box.topleft, size=(32, 32, 32)) == 77).all()
        np.testing.assert_array_equal(layer.get_mag("2-2-1").read(), expected_coarse)
