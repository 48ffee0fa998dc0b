"""Tests of the datasource-properties.json codec on hand-written documents: layout, legacy forms, errors."""

import copy
import json

import pytest
from daedalus.core.geometry import BoundingBox, Mag, NDBoundingBox
from daedalus.core.properties import (
    AttachmentDataFormat,
    AttachmentProperties,
    AttachmentsProperties,
    DataFormat,
    DatasetProperties,
    DatasetPropertiesError,
    DatasetViewConfiguration,
    LayerProperties,
    LayerViewConfiguration,
    LengthUnit,
    MagViewProperties,
    SegmentationLayerProperties,
    VoxelSize,
    dataset_properties_from_json,
    dataset_properties_to_json,
)

AXES = {"c": 0, "x": 1, "y": 2, "z": 3}


def layer_json(**overrides):
    layer = {
        "name": "color",
        "category": "color",
        "boundingBox": {"topLeft": [1, 2, 3], "width": 10, "height": 20, "depth": 30},
        "dataFormat": "zarr3",
        "mags": [{"mag": [1, 1, 1], "path": "./color/1", "axisOrder": dict(AXES)}],
        "numChannels": 1,
        "elementClass": "uint8",
    }
    layer.update(overrides)
    return layer


def document(*layers, **overrides):
    doc = {
        "id": {"name": "ds", "team": ""},
        "scale": {"factor": [1.0, 2.0, 3.0], "unit": "nanometer"},
        "dataLayers": list(layers) or [layer_json()],
        "version": 1,
    }
    doc.update(overrides)
    return doc


def error_for(doc, path="/data/ds/datasource-properties.json"):
    with pytest.raises(DatasetPropertiesError) as info:
        dataset_properties_from_json(doc, path)
    assert isinstance(info.value, ValueError)
    assert path in str(info.value)
    return info.value


def test_written_layout_for_properties_built_in_code():
    seg = SegmentationLayerProperties(
        "segmentation",
        "segmentation",
        BoundingBox((0, 0, 0), (64, 64, 32)),
        DataFormat.WKW,
        [MagViewProperties(Mag(1), "./segmentation/1", 32, dict(AXES))],
        dtype="uint64",
        largest_segment_id=7,
        mappings=["agg"],
        attachments=AttachmentsProperties(
            segment_index=AttachmentProperties("si", "./segmentation/segmentIndex/si.hdf5", "hdf5")
        ),
    )
    props = DatasetProperties({"name": "ds", "team": ""}, VoxelSize((4, 4, 40), "nm"), [seg])
    assert dataset_properties_to_json(props) == {
        "id": {"name": "ds", "team": ""},
        "scale": {"factor": [4.0, 4.0, 40.0], "unit": "nanometer"},
        "dataLayers": [
            {
                "name": "segmentation",
                "category": "segmentation",
                "boundingBox": {"topLeft": [0, 0, 0], "width": 64, "height": 64, "depth": 32},
                "dataFormat": "wkw",
                "mags": [{"mag": [1, 1, 1], "path": "./segmentation/1", "cubeLength": 32, "axisOrder": AXES}],
                "largestSegmentId": 7,
                "mappings": ["agg"],
                "attachments": {
                    "segmentIndex": {
                        "name": "si",
                        "path": "./segmentation/segmentIndex/si.hdf5",
                        "dataFormat": "hdf5",
                    }
                },
                "numChannels": 1,
                "elementClass": "uint64",
            }
        ],
        "version": 1,
    }
    layer = dataset_properties_to_json(props)["dataLayers"][0]
    assert list(layer) == [
        "name", "category", "boundingBox", "dataFormat", "mags", "largestSegmentId", "mappings",
        "attachments", "numChannels", "elementClass",
    ]  # fmt: skip


def test_empty_segmentation_extras_are_left_out():
    seg = layer_json(name="segmentation", category="segmentation", elementClass="uint32", largestSegmentId=None)
    out = dataset_properties_to_json(dataset_properties_from_json(document(seg)))["dataLayers"][0]
    assert "largestSegmentId" not in out and "mappings" not in out and "attachments" not in out
    seg_empty = layer_json(category="segmentation", mappings=[], attachments={"meshes": []})
    out = dataset_properties_to_json(dataset_properties_from_json(document(seg_empty)))["dataLayers"][0]
    assert "mappings" not in out and "attachments" not in out


def test_float_and_double_layers():
    doc = document(layer_json(elementClass="float"), layer_json(name="d", elementClass="double", numChannels=2))
    props = dataset_properties_from_json(doc)
    assert [(layer.dtype, layer.num_channels) for layer in props.data_layers] == [
        ("float32", 1),
        ("float32", 2),  # "double" is the 64 bits of a whole voxel: 2 × float32 (the reference's reading)
    ]
    assert dataset_properties_to_json(props) == doc


def test_unknown_keys_are_kept_at_every_level():
    seg = layer_json(
        category="segmentation",
        largestSegmentId=5,
        attachments={
            "agglomerates": [{"name": "a", "path": "./x", "dataFormat": "zarr3", "note": 1}],
            "futureKind": {"x": 1},
        },
        futureLayerSetting=[{"type": "new", "values": [[1, 0, 0, 0]]}],
        defaultViewConfiguration={"color": [255, 0, 0], "alpha": 50, "someNewSetting": True},
    )
    seg["mags"][0]["compressed"] = True
    seg["boundingBox"] = dict(seg["boundingBox"])
    doc = document(
        seg,
        defaultViewConfiguration={
            "position": [1, 2, 3],
            "zoom": 1.5,
            "layers": {"color": {"isDisabled": True, "weird": "yes"}},
            "unknownDatasetSetting": [1],
        },
        somethingNew={"a": [1, 2]},
    )
    props = dataset_properties_from_json(copy.deepcopy(doc))
    assert props.extra == {"somethingNew": {"a": [1, 2]}}
    layer = props.data_layers[0]
    assert layer.extra == {"futureLayerSetting": [{"type": "new", "values": [[1, 0, 0, 0]]}]}
    assert layer.mags[0].extra == {"compressed": True}
    assert layer.default_view_configuration == LayerViewConfiguration(
        alpha=50, color=(255, 0, 0), extra={"someNewSetting": True}
    )
    view = props.default_view_configuration
    assert isinstance(view, DatasetViewConfiguration)
    assert view.position == (1, 2, 3) and view.zoom == 1.5
    assert view.layers["color"].is_disabled is True
    assert layer.attachments.agglomerates[0].data_format is AttachmentDataFormat.Zarr3
    assert dataset_properties_to_json(props) == doc


def test_text_and_bytes_input():
    text = json.dumps(document())
    assert dataset_properties_from_json(text) == dataset_properties_from_json(text.encode())


def test_legacy_forms():
    legacy_layer = {
        "name": "segmentation",
        "boundingBox": {"topLeft": [0, 0, 0], "width": 8, "height": 8, "depth": 8},
        "wkwResolutions": [
            {"resolution": 1, "cubeLength": 1024},
            {"resolution": [2, 2, 1], "cubeLength": 512},
        ],
        "elementClass": "uint16",
    }
    doc = {"id": {"name": "old", "team": "t"}, "dataLayers": [legacy_layer], "scale": [11.24, 11.24, 28]}
    props = dataset_properties_from_json(doc)
    assert props.scale == VoxelSize((11.24, 11.24, 28.0), LengthUnit.NANOMETER)
    assert props.version == 1
    layer = props.data_layers[0]
    assert isinstance(layer, SegmentationLayerProperties)
    assert layer.category == "segmentation"
    assert layer.data_format is DataFormat.WKW
    assert [(m.mag, m.path, m.cube_length) for m in layer.mags] == [
        (Mag(1), None, 1024),
        (Mag(2, 2, 1), None, 512),
    ]
    out = dataset_properties_to_json(props)
    assert out["scale"] == {"factor": [11.24, 11.24, 28.0], "unit": "nanometer"}
    assert "wkwResolutions" not in out["dataLayers"][0]
    assert out["dataLayers"][0]["mags"] == [
        {"mag": [1, 1, 1], "cubeLength": 1024},
        {"mag": [2, 2, 1], "cubeLength": 512},
    ]
    resolutions = dict(legacy_layer, name="color", dataFormat="wkw")
    resolutions["resolutions"] = resolutions.pop("wkwResolutions")
    color = dataset_properties_from_json(dict(doc, dataLayers=[resolutions])).data_layers[0]
    assert type(color) is LayerProperties and color.category == "color"
    assert color.mags[1].mag == Mag(2, 2, 1)


def test_additional_axes_make_an_nd_bounding_box():
    layer = layer_json(
        mags=[{"mag": [1, 1, 1], "path": "./color/1", "axisOrder": {"x": 1, "y": 2, "z": 3}}],
        additionalAxes=[{"name": "t", "bounds": [2, 7], "index": 0}],
    )
    props = dataset_properties_from_json(document(layer))
    box = props.data_layers[0].bounding_box
    assert isinstance(box, NDBoundingBox) and not isinstance(box, BoundingBox)
    assert box.get_bounds("t") == (2, 7)
    assert box.topleft_xyz == (1, 2, 3) and box.size_xyz == (10, 20, 30)
    out = dataset_properties_to_json(props)["dataLayers"][0]
    assert out["additionalAxes"] == [{"name": "t", "bounds": [2, 7], "index": 0}]
    assert out["boundingBox"] == {"topLeft": [1, 2, 3], "width": 10, "height": 20, "depth": 30}
    inside = layer_json(boundingBox=dict(layer["boundingBox"], additionalAxes=layer["additionalAxes"]))
    inside["mags"] = layer["mags"]
    box_inside = dataset_properties_from_json(document(inside)).data_layers[0].bounding_box
    assert box_inside == box


def test_plain_box_is_a_bounding_box():
    box = dataset_properties_from_json(document()).data_layers[0].bounding_box
    assert isinstance(box, BoundingBox)
    assert box == BoundingBox((1, 2, 3), (10, 20, 30))


def test_malformed_json_names_the_file():
    err = error_for('{"id": ', "/data/broken/datasource-properties.json")
    assert "not valid JSON" in str(err)
    error_for("[1, 2]")


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda d: d.pop("dataLayers"), "dataLayers"),
        (lambda d: d.pop("scale"), "scale"),
        (lambda d: d["scale"].pop("factor"), "scale.factor"),
        (lambda d: d["dataLayers"][0].pop("name"), "dataLayers[0].name"),
        (lambda d: d["dataLayers"][0].pop("boundingBox"), "dataLayers[0].boundingBox"),
        (lambda d: d["dataLayers"][0]["boundingBox"].pop("width"), "dataLayers[0].boundingBox.width"),
        (lambda d: d["dataLayers"][0].pop("elementClass"), "dataLayers[0].elementClass"),
        (lambda d: d["dataLayers"][0].pop("dataFormat"), "dataLayers[0].dataFormat"),
        (lambda d: d["dataLayers"][0].pop("mags"), "dataLayers[0].mags"),
        (lambda d: d["dataLayers"][0]["mags"][0].pop("mag"), "dataLayers[0].mags[0].mag"),
    ],
)
def test_missing_required_key_is_named(mutate, key):
    doc = document()
    mutate(doc)
    err = error_for(doc)
    assert err.key == key
    assert repr(key) in str(err) and "missing" in str(err)


@pytest.mark.parametrize(
    "mutate, key, value",
    [
        (lambda d: d["dataLayers"][0].update(elementClass="uint12"), "dataLayers[0].elementClass", "uint12"),
        (lambda d: d["dataLayers"][0].update(dataFormat="tiff"), "dataLayers[0].dataFormat", "tiff"),
        (lambda d: d["dataLayers"][0].update(category="mesh"), "dataLayers[0].category", "mesh"),
        (lambda d: d["scale"].update(unit="furlong"), "scale.unit", "furlong"),
        (
            lambda d: d["dataLayers"][0]["boundingBox"].update(depth="x"),
            "dataLayers[0].boundingBox.depth",
            "x",
        ),
        (lambda d: d["dataLayers"][0]["mags"][0].update(mag=[1, 1]), "dataLayers[0].mags[0].mag", "[1, 1]"),
        (lambda d: d["dataLayers"].append(layer_json()), "dataLayers", "color"),
        (
            lambda d: d["dataLayers"][0].update(
                category="segmentation",
                attachments={"meshes": [{"name": "m", "path": "p", "dataFormat": "ply"}]},
            ),
            "dataLayers[0].attachments.meshes[0].dataFormat",
            "ply",
        ),
    ],
)
def test_bad_values_are_named(mutate, key, value):
    doc = document()
    mutate(doc)
    err = error_for(doc)
    assert err.key == key
    assert value in str(err)
