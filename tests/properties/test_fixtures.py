"""Reads every datasource-properties.json of ../shared/fixtures and rewrites it as WEBKNOSSOS does."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from daedalus.core.geometry import BoundingBox, Mag, NDBoundingBox
from daedalus.core.properties import (
    AttachmentDataFormat,
    DataFormat,
    LayerProperties,
    LengthUnit,
    SegmentationLayerProperties,
    VoxelSize,
    dataset_properties_from_json,
    dataset_properties_to_json,
    dataset_properties_to_text,
    read_dataset_properties,
)

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
SKIP_REASON = f"shared fixtures not found at {FIXTURES} (the repository's parent must hold shared/)"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=SKIP_REASON)
GENERATED = FIXTURES / "generated" / "datasets"
TESTDATA = FIXTURES / "wk-testdata"


def _params(paths):
    paths = sorted(paths)
    return [pytest.param(p, id=p.parent.name) for p in paths] or [
        pytest.param(None, marks=pytest.mark.skip(SKIP_REASON))
    ]


GENERATED_FILES = _params(GENERATED.glob("*/datasource-properties.json"))
TESTDATA_FILES = _params(TESTDATA.rglob("datasource-properties.json"))


def _key_order(value):
    """The nested key order of a JSON value, to compare layouts exactly."""
    if isinstance(value, dict):
        return [(k, _key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return None


@pytest.mark.parametrize("path", GENERATED_FILES)
def test_generated_round_trip_is_exact(path):
    text = path.read_text()
    original = json.loads(text)
    props = read_dataset_properties(path.parent)
    written = dataset_properties_to_json(props)
    assert written == original
    assert _key_order(written) == _key_order(original)
    assert dataset_properties_to_text(props) == text


@pytest.mark.parametrize("path", TESTDATA_FILES)
def test_wk_testdata_reads_and_rewrites_stably(path):
    original = json.loads(path.read_text())
    props = read_dataset_properties(path)
    written = dataset_properties_to_json(props)
    assert dataset_properties_from_json(written) == props
    assert dataset_properties_to_json(dataset_properties_from_json(written)) == written
    assert [layer["name"] for layer in written["dataLayers"]] == [layer["name"] for layer in original["dataLayers"]]
    for old, new in zip(original["dataLayers"], written["dataLayers"]):
        assert new["boundingBox"] == {k: old["boundingBox"][k] for k in ("topLeft", "width", "height", "depth")}
        if "mags" in old:
            assert [m["mag"] for m in new["mags"]] == [m["mag"] for m in old["mags"]]


def test_generated_zarr3_sharded_content():
    props = read_dataset_properties(GENERATED / "zarr3_sharded" / "datasource-properties.json")
    assert props.id == {"name": "zarr3_sharded", "team": ""}
    assert props.scale == VoxelSize((11.24, 11.24, 28.0), LengthUnit.NANOMETER)
    color, rgb, seg = props.data_layers
    box = BoundingBox((32, 64, 16), (200, 150, 60))
    assert all(layer.bounding_box == box for layer in props.data_layers)
    assert type(color) is LayerProperties and color.category == "color"
    assert color.data_format is DataFormat.Zarr3
    assert [m.mag for m in color.mags] == [Mag(1), Mag(2, 2, 1), Mag(4, 4, 2)]
    assert color.mags[1].path == "./color/2-2-1"
    assert color.mags[0].axis_order == {"c": 0, "x": 1, "y": 2, "z": 3}
    assert color.mags[0].cube_length is None
    assert (rgb.dtype, rgb.num_channels, rgb.element_class) == ("uint8", 3, "uint24")
    assert isinstance(seg, SegmentationLayerProperties)
    assert (seg.dtype, seg.largest_segment_id, seg.mappings) == ("uint32", 39039, [])
    (agglomerate,) = seg.attachments.agglomerates
    assert agglomerate.name == "agglomerate_view_5"
    assert agglomerate.path == "./segmentation/agglomerates/agglomerate_view_5"
    assert agglomerate.data_format is AttachmentDataFormat.Zarr3
    assert seg.attachments.meshes is None and seg.attachments.segment_index is None


def test_generated_wkw_has_cube_length():
    props = read_dataset_properties(GENERATED / "wkw_compressed")
    assert props.data_layers[0].data_format is DataFormat.WKW
    assert {m.cube_length for layer in props.data_layers for m in layer.mags} == {64}


def test_generated_4d_layer():
    props = read_dataset_properties(GENERATED / "zarr3_4d")
    (layer,) = props.data_layers
    box = layer.bounding_box
    assert isinstance(box, NDBoundingBox) and not isinstance(box, BoundingBox)
    assert set(box.axes) == {"x", "y", "z", "t"}
    assert box.get_bounds("t") == (0, 3)
    assert box.topleft_xyz == (0, 0, 0) and box.size_xyz == (64, 48, 20)
    assert dict(zip(box.axes, box.index))["t"] == 0
    assert layer.mags[0].axis_order == {"x": 1, "y": 2, "z": 3}


def test_old_wkw_dataset():
    props = read_dataset_properties(TESTDATA / "old_wkw_dataset")
    assert props.scale.factor == pytest.approx((11.24, 11.24, 28.0))
    assert props.scale.unit is LengthUnit.NANOMETER
    assert props.id["team"] == "Connectomics department"
    (layer,) = props.data_layers
    assert layer.data_format is DataFormat.WKW
    assert [(m.mag, m.cube_length, m.path) for m in layer.mags] == [(Mag(1), 1024, None), (Mag(2), 512, None)]
    assert (layer.dtype, layer.num_channels) == ("uint8", 1)


def test_complex_property_ds_keeps_transformations_and_mappings():
    path = TESTDATA / "complex_property_ds" / "datasource-properties.json"
    original = json.loads(path.read_text())
    props = read_dataset_properties(path)
    color, seg = props.data_layers
    assert [m.mag for m in color.mags][:3] == [Mag(1), Mag(16), Mag(2)]
    assert seg.largest_segment_id == 1_000_000_000
    assert seg.mappings[0] == "larger5um1" and len(seg.mappings) == 6
    written = dataset_properties_to_json(props)
    for old, new in zip(original["dataLayers"], written["dataLayers"]):
        assert new["coordinateTransformations"] == old["coordinateTransformations"]
    assert written["dataLayers"][1]["mappings"] == original["dataLayers"][1]["mappings"]


@pytest.mark.parametrize("name", ["simple_wkw_dataset", "e2006_knossos", "simple_zarr3_dataset", "simple_n5_dataset"])
def test_view_configurations_and_rgb(name):
    props = read_dataset_properties(TESTDATA / name)
    assert props.default_view_configuration.position == (12, 12, 12)
    (layer,) = props.data_layers
    assert layer.default_view_configuration.color == (255, 0, 0)
    assert (layer.dtype, layer.num_channels, layer.element_class) == ("uint8", 3, "uint24")
    written = dataset_properties_to_json(props)
    assert written["defaultViewConfiguration"] == {"position": [12, 12, 12]}
    assert written["dataLayers"][0]["defaultViewConfiguration"] == {"color": [255, 0, 0]}


def _properties_in_zip(data, where):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith("datasource-properties.json"):
                yield f"{where}!{name}", archive.read(name)
            elif name.endswith(".zip"):
                yield from _properties_in_zip(archive.read(name), f"{where}!{name}")


def test_properties_inside_annotation_zips():
    found = [
        item
        for path in sorted((TESTDATA / "annotations").glob("*.zip"))
        for item in _properties_in_zip(path.read_bytes(), str(path))
    ]
    assert found, "expected at least one datasource-properties.json inside the annotation zips"
    for where, data in found:
        props = dataset_properties_from_json(data, where)
        written = dataset_properties_to_json(props)
        assert dataset_properties_from_json(written) == props
    l4 = [dataset_properties_from_json(d, w) for w, d in found if "l4_sample__explorational" in w]
    (layer,) = l4[0].data_layers
    assert isinstance(layer, SegmentationLayerProperties)
    assert layer.data_format is DataFormat.Zarr3 and layer.dtype == "uint32"
    assert layer.bounding_box == BoundingBox((3072, 3072, 512), (1024, 1024, 1024))
    assert [m.mag for m in layer.mags][-1] == Mag(16, 16, 4)
    assert layer.mags[0].path is None
