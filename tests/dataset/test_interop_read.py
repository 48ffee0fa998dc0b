"""Datasets written by WEBKNOSSOS and its Python library open with ``wk.Dataset.open`` and read back exactly."""

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURES = SHARED / "fixtures"
GENERATED = FIXTURES / "generated"
TESTDATA = FIXTURES / "wk-testdata"
SKIP_REASON = f"shared fixtures not found at {FIXTURES} (the repository's parent must hold shared/fixtures)"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=SKIP_REASON)

FORMATS = ["zarr3_sharded", "zarr3_unsharded", "zarr2", "zarr3_4d"]
ELEMENT_CLASS = {"uint24": ("uint8", 3), "float": ("float32", 1), "double": ("float64", 1)}


def _expected(layer_name: str, mag: wk.Mag) -> np.ndarray:
    return np.load(GENERATED / "expected" / f"{layer_name}__{mag.to_layer_name()}.npy")


def _properties(dataset_name: str) -> dict:
    return json.loads((GENERATED / "datasets" / dataset_name / "datasource-properties.json").read_text())


@pytest.mark.parametrize("dataset_name", FORMATS)
def test_generated_dataset_reads_equal_reference(dataset_name):
    ds = wk.Dataset.open(GENERATED / "datasets" / dataset_name)
    json_layers = _properties(dataset_name)["dataLayers"]
    assert sorted(ds.layers) == sorted(entry["name"] for entry in json_layers)
    checked = 0
    for entry in json_layers:
        layer = ds.get_layer(entry["name"])
        assert sorted(m.to_list() for m in layer.mags) == sorted(m["mag"] for m in entry["mags"])
        for mag in layer.mags:
            data = layer.get_mag(mag).read()
            expected = _expected(entry["name"], mag)
            assert data.dtype == expected.dtype
            assert data.shape == expected.shape, (entry["name"], mag)
            np.testing.assert_array_equal(data, expected)
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("dataset_name", FORMATS)
def test_generated_dataset_properties_match_json(dataset_name):
    ds = wk.Dataset.open(GENERATED / "datasets" / dataset_name)
    doc = _properties(dataset_name)
    assert ds.voxel_size == pytest.approx(tuple(doc["scale"]["factor"]))
    assert ds.voxel_size_with_unit.unit == wk.LengthUnit.NANOMETER
    assert ds.name == doc["id"]["name"]
    for entry in doc["dataLayers"]:
        layer = ds.get_layer(entry["name"])
        box = entry["boundingBox"]
        assert layer.bounding_box.topleft_xyz == wk.Vec3Int(box["topLeft"])
        assert layer.bounding_box.size_xyz == wk.Vec3Int(box["width"], box["height"], box["depth"])
        for axis in entry.get("additionalAxes", []):
            lo, hi = axis["bounds"]
            assert layer.bounding_box.get_bounds(axis["name"]) == (lo, hi)
        dtype, channels = ELEMENT_CLASS.get(entry["elementClass"], (entry["elementClass"], 1))
        assert layer.dtype == np.dtype(dtype)
        assert layer.num_channels == entry["numChannels"] == channels
        assert layer.category == entry["category"]
        assert layer.data_format == wk.DataFormat(entry["dataFormat"])
        if entry["category"] == "segmentation":
            assert isinstance(layer, wk.SegmentationLayer)
            assert layer.largest_segment_id == entry.get("largestSegmentId")
        else:
            assert not isinstance(layer, wk.SegmentationLayer)


def test_generated_sub_region_read_at_coarser_mag_uses_mag1_coordinates():
    layer = wk.Dataset.open(GENERATED / "datasets" / "zarr3_sharded").get_layer("color")
    expected = _expected("color", wk.Mag("2-2-1"))
    # Mag(1) box starting 20/10/6 voxels into the layer (32, 64, 16), 40×30×10 in Mag(1) = 20×15×10 in mag 2-2-1
    data = layer.get_mag("2-2-1").read(absolute_offset=(52, 74, 22), size=(40, 30, 10))
    np.testing.assert_array_equal(data, expected[:, 10:30, 5:20, 6:16])
    data = layer.get_mag("2-2-1").read(relative_offset=(20, 10, 6), size=(40, 30, 10))
    np.testing.assert_array_equal(data, expected[:, 10:30, 5:20, 6:16])


def test_mag_view_bounding_box_is_aligned_with_its_mag():
    layer = wk.Dataset.open(GENERATED / "datasets" / "zarr3_sharded").get_layer("color")
    mag = layer.get_mag("4-4-2")
    # the layer ends at y = 214, which is no multiple of 4: the mag's box grows to 216
    assert layer.bounding_box == wk.BoundingBox((32, 64, 16), (200, 150, 60))
    assert mag.bounding_box == wk.BoundingBox((32, 64, 16), (200, 152, 60))
    in_mag = mag.bounding_box.in_mag(mag.mag)
    assert mag.read().shape == (1, *in_mag.size_xyz)
    assert layer.get_mag(1).bounding_box == layer.bounding_box


def test_generated_read_outside_data_is_zero_padded():
    layer = wk.Dataset.open(GENERATED / "datasets" / "zarr3_unsharded").get_layer("color")
    expected = _expected("color", wk.Mag(1))
    assert expected.any()
    # From the origin (before the layer's top-left (32, 64, 16)) to beyond the array's stored shape.
    data = layer.get_mag(1).read(absolute_offset=(0, 0, 0), size=(300, 250, 100))
    assert data.shape == (1, 300, 250, 100)
    assert not data[:, :32].any() and not data[:, :, :64].any() and not data[:, :, :, :16].any()
    assert not data[:, 232:].any() and not data[:, :, 214:].any() and not data[:, :, :, 76:].any()
    np.testing.assert_array_equal(data[:, 32:232, 64:214, 16:76], expected)


def test_generated_4d_layer_reads_with_t_axis():
    layer = wk.Dataset.open(GENERATED / "datasets" / "zarr3_4d").get_layer("timeseries")
    expected = _expected("timeseries", wk.Mag(1))
    assert "t" in layer.bounding_box.axes
    mag = layer.get_mag(1)
    np.testing.assert_array_equal(mag.read(), expected)
    one_t = mag.read(absolute_bounding_box=layer.bounding_box.with_bounds("t", 1, 1))
    np.testing.assert_array_equal(one_t, expected[1:2])
    xyz = mag.read_cxyz(absolute_bounding_box=layer.bounding_box.with_bounds("t", 2, 1))
    np.testing.assert_array_equal(xyz[0], expected[2])


# ---------------------------------------------------------------------------- wk-testdata


@pytest.mark.parametrize("name", ["simple_zarr_dataset", "simple_zarr3_dataset"])
def test_simple_zarr_datasets_open_and_read(name):
    zarr = pytest.importorskip("zarr")
    ds = wk.Dataset.open(TESTDATA / name)
    layer = ds.get_layer("color")
    assert layer.num_channels == 3 and layer.dtype == np.uint8
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (24, 24, 24))
    mag = layer.get_finest_mag()
    data = mag.read()
    assert data.shape == (3, 24, 24, 24)
    # An independent reader of the same array (the zarr library) sees the same voxels.
    reference = np.asarray(zarr.open_array(str(mag.path), mode="r")[:, :24, :24, :24])
    np.testing.assert_array_equal(data, reference)
    assert data.any()
    assert ds.default_view_configuration.position == (12, 12, 12)
    assert layer.default_view_configuration.color == (255, 0, 0)


def test_simple_zarr_and_zarr3_datasets_hold_the_same_data():
    a = wk.Dataset.open(TESTDATA / "simple_zarr_dataset").get_layer("color").get_mag(1).read()
    b = wk.Dataset.open(TESTDATA / "simple_zarr3_dataset").get_layer("color").get_mag(1).read()
    np.testing.assert_array_equal(a, b)


def _extract_zarr3_volume(tmp_path: Path) -> Path:
    """Extract every annotation zip (and its inner volume zips); return the folder holding a zarr3 volume."""
    zips = sorted((TESTDATA / "annotations").glob("*.zip"))
    assert zips, "no annotation zips in wk-testdata/annotations"
    for outer in zips:
        target = tmp_path / outer.stem
        with zipfile.ZipFile(outer) as archive:
            archive.extractall(target)
        for inner in sorted(target.glob("*.zip")):
            volume = target / (inner.stem + "_extracted")
            try:
                with zipfile.ZipFile(inner) as archive:
                    archive.extractall(volume)
            except zipfile.BadZipFile:
                continue
            for marker in volume.rglob("zarr.json"):
                if json.loads(marker.read_text()).get("zarr_format") == 3:
                    return volume
    pytest.fail("none of the annotation zips holds a zarr3 volume")


def _open_volume_layer(volume: Path, tmp_path: Path) -> wk.Layer:
    if (volume / "datasource-properties.json").exists():
        ds = wk.Dataset.open(volume)
        (layer,) = ds.layers.values()
        return layer
    layer_dir = next(p.parent.parent for p in volume.rglob("zarr.json") if p.parent.name == "1")
    ds = wk.Dataset(tmp_path / "wrapper", voxel_size=(1, 1, 1))
    shutil.copytree(layer_dir, ds.path / layer_dir.name)
    return ds.add_layer_for_existing_files(layer_dir.name, "segmentation")


def _assert_volume_matches_chunk_files(layer: wk.Layer) -> None:
    """Compare reads with chunk files decoded by hand (blosc, "F" transpose, "." separated keys)."""
    numcodecs = pytest.importorskip("numcodecs")
    mag = layer.get_mag(1)
    meta = json.loads((Path(str(mag.path)) / "zarr.json").read_text())
    chunk = meta["chunk_grid"]["configuration"]["chunk_shape"]
    assert [c["name"] for c in meta["codecs"]] == ["transpose", "bytes", "blosc"]
    chunk_files = sorted(p for p in Path(str(mag.path)).iterdir() if p.name.startswith("c."))
    assert chunk_files, "the annotation volume has no chunks on disk"
    assert len(list(mag.get_bounding_boxes_on_disk())) == len(chunk_files)
    nonzero = 0
    for path in chunk_files[:8]:
        c, x, y, z = (int(v) for v in path.name.split(".")[1:])
        raw = numcodecs.Blosc().decode(path.read_bytes())
        expected = np.frombuffer(raw, dtype="<u4").reshape(chunk, order="F")[c : c + 1]
        data = mag.read(absolute_offset=(x * chunk[1], y * chunk[2], z * chunk[3]), size=chunk[1:])
        np.testing.assert_array_equal(data, expected)
        nonzero += int(np.count_nonzero(data))
    assert nonzero > 0


def test_annotation_zarr3_volume_reads(tmp_path):
    volume = _extract_zarr3_volume(tmp_path)
    layer = _open_volume_layer(volume, tmp_path)
    assert layer.category == "segmentation"
    assert layer.dtype == np.uint32
    assert Path(str(layer.get_mag(1).path)).is_dir()
    _assert_volume_matches_chunk_files(layer)


def test_annotation_zarr3_volume_registers_as_existing_files(tmp_path):
    volume = _extract_zarr3_volume(tmp_path)
    layer_dir = next(p.parent.parent for p in volume.rglob("zarr.json") if p.parent.name == "1")
    ds = wk.Dataset(tmp_path / "wrapper", voxel_size=(11.24, 11.24, 28))
    shutil.copytree(layer_dir, ds.path / "volume")
    layer = ds.add_layer_for_existing_files("volume", "segmentation")
    # the discovered box encloses the stored chunks of the finest mag (not its 4096² × 1536 array shape)
    corners = [[int(v) * 32 for v in p.name.split(".")[2:]] for p in (layer_dir / "1").glob("c.*")]
    lower = np.min(corners, axis=0)
    upper = np.max(corners, axis=0) + 32
    assert layer.bounding_box == wk.BoundingBox(tuple(lower), tuple(upper - lower))
    on_disk = sorted(p.name for p in layer_dir.iterdir() if (p / "zarr.json").exists())
    assert sorted(m.to_layer_name() for m in layer.mags) == on_disk
    assert layer.dtype == np.uint32 and layer.num_channels == 1
    _assert_volume_matches_chunk_files(layer)
    reopened = wk.Dataset.open(ds.path).get_layer("volume")
    assert sorted(reopened.mags) == sorted(layer.mags)
    _assert_volume_matches_chunk_files(reopened)


def test_4d_layer_registers_as_existing_files(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(10, 10, 20))
    shutil.copytree(GENERATED / "datasets" / "zarr3_4d" / "timeseries", tmp_path / "ds" / "timeseries")
    layer = ds.add_layer_for_existing_files("timeseries", "color")
    assert layer.bounding_box.get_bounds("t") == (0, 3)
    (axis,) = json.loads((tmp_path / "ds" / "datasource-properties.json").read_text())["dataLayers"][0][
        "additionalAxes"
    ]
    assert axis == _properties("zarr3_4d")["dataLayers"][0]["additionalAxes"][0]
    # the reference's box: x/y/z cannot be told from the single 1024³ shard, so set it like WEBKNOSSOS has it
    layer.bounding_box = layer.bounding_box.with_size_xyz((64, 48, 20))
    data = wk.Dataset.open(ds.path).get_layer("timeseries").get_mag(1).read()
    np.testing.assert_array_equal(data, _expected("timeseries", wk.Mag(1)))
