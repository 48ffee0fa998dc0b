"""Unit tests of the properties model: enums, length units, voxel size, element classes, layers."""

import numpy as np
import pytest
from daedalus.core.geometry import BoundingBox, Mag
from daedalus.core.properties import (
    COLOR_CATEGORY,
    SEGMENTATION_CATEGORY,
    AttachmentDataFormat,
    AttachmentProperties,
    AttachmentsProperties,
    DataFormat,
    DatasetProperties,
    LayerProperties,
    LengthUnit,
    MagViewProperties,
    SegmentationLayerProperties,
    VoxelSize,
    dtype_from_element_class,
    element_class_for,
)

BOX = BoundingBox((32, 64, 16), (200, 150, 60))


def make_layer(name="color", **kwargs):
    return LayerProperties(name, COLOR_CATEGORY, BOX, "zarr3", [MagViewProperties(Mag(1), "./color/1")], **kwargs)


def test_enums_compare_equal_to_their_json_strings():
    assert DataFormat.Zarr3 == "zarr3"
    assert DataFormat("neuroglancerPrecomputed") is DataFormat.NeuroglancerPrecomputed
    assert str(DataFormat.WKW) == "wkw"
    assert f"{DataFormat.Zarr}" == "zarr"
    assert {f.value for f in DataFormat} == {"wkw", "zarr", "zarr3", "n5", "neuroglancerPrecomputed"}
    assert AttachmentDataFormat.HDF5 == "hdf5"
    assert {f.value for f in AttachmentDataFormat} == {"hdf5", "json", "zarr3", "neuroglancerPrecomputed"}
    with pytest.raises(ValueError):
        DataFormat("tiff")


def test_categories():
    assert COLOR_CATEGORY == "color"
    assert SEGMENTATION_CATEGORY == "segmentation"
    with pytest.raises(ValueError, match="volume"):
        make_layer().category = "volume"


def test_length_units_are_complete_and_convert_to_nanometers():
    assert len(LengthUnit) == 26
    assert LengthUnit.NANOMETER.to_nanometer(3.0) == 3.0
    assert LengthUnit.MICROMETER.nanometers == 1e3
    assert LengthUnit.ANGSTROM.nanometers == pytest.approx(0.1)
    assert LengthUnit.METER.nanometers == pytest.approx(1e9)
    assert LengthUnit.YOCTOMETER.nanometers == pytest.approx(1e-15)
    assert LengthUnit.YOTTAMETER.nanometers == pytest.approx(1e33)
    assert LengthUnit.INCH.nanometers == pytest.approx(2.54e7)
    assert LengthUnit.FOOT.nanometers == pytest.approx(12 * 2.54e7)
    assert LengthUnit.YARD.nanometers == pytest.approx(36 * 2.54e7)
    assert LengthUnit.MILE.nanometers == pytest.approx(1609.344e9)
    assert LengthUnit.PARSEC.nanometers == pytest.approx(3.0857e25, rel=1e-4)
    assert all(unit.nanometers > 0 for unit in LengthUnit)


@pytest.mark.parametrize(
    "text, unit",
    [
        ("nanometer", LengthUnit.NANOMETER),
        ("nm", LengthUnit.NANOMETER),
        ("Nanometers", LengthUnit.NANOMETER),
        ("µm", LengthUnit.MICROMETER),
        ("um", LengthUnit.MICROMETER),
        ("mm", LengthUnit.MILLIMETER),
        ("Mm", LengthUnit.MEGAMETER),
        ("pm", LengthUnit.PICOMETER),
        ("Pm", LengthUnit.PETAMETER),
        ("Å", LengthUnit.ANGSTROM),
        ("in", LengthUnit.INCH),
        ("feet", LengthUnit.FOOT),
        ("metre", LengthUnit.METER),
    ],
)
def test_length_unit_parsing(text, unit):
    assert LengthUnit(text) is unit
    assert LengthUnit.parse(text) is unit


def test_length_unit_rejects_unknown_text():
    with pytest.raises(ValueError, match="furlong"):
        LengthUnit("furlong")


def test_voxel_size():
    size = VoxelSize((11, 11.24, 28))
    assert size.factor == (11.0, 11.24, 28.0)
    assert all(isinstance(v, float) for v in size.factor)
    assert size.unit is LengthUnit.NANOMETER
    assert size.to_nanometer() == (11.0, 11.24, 28.0)
    micro = VoxelSize((1, 2, 0.5), "µm")
    assert micro.unit is LengthUnit.MICROMETER
    assert micro.to_nanometer() == (1000.0, 2000.0, 500.0)
    assert VoxelSize((1, 1, 1)) == VoxelSize([1.0, 1.0, 1.0], "nanometer")
    with pytest.raises(ValueError):
        VoxelSize((1, 2))


@pytest.mark.parametrize(
    "element_class, channels, dtype, expected_channels",
    [
        ("uint8", None, "uint8", 1),
        ("uint24", None, "uint8", 3),
        ("uint24", 3, "uint8", 3),
        ("uint16", 2, "uint8", 2),  # elementClass is the type of a whole voxel (all channels), as the reference
        ("uint48", 3, "uint16", 3),
        ("double", 2, "float32", 2),
        ("uint8", 2, "uint8", 2),  # older daedalus files named the per-channel type; still read that way
        ("uint64", 1, "uint64", 1),
        ("int8", 1, "int8", 1),
        ("float", 1, "float32", 1),
        ("double", None, "float64", 1),
    ],
)
def test_element_class_to_dtype(element_class, channels, dtype, expected_channels):
    assert dtype_from_element_class(element_class, channels) == (dtype, expected_channels)


def test_element_class_for_dtype():
    assert element_class_for(np.uint8, 3) == "uint24"
    assert element_class_for("uint8", 1) == "uint8"
    assert element_class_for(np.dtype("uint16"), 3) == "uint48"
    assert element_class_for(np.uint8, 2) == "uint16"
    assert element_class_for(np.float32, 3) == "float96"
    assert element_class_for(np.float32, 1) == "float"
    assert element_class_for("float64", 1) == "double"
    with pytest.raises(ValueError, match="uint12"):
        dtype_from_element_class("uint12", 1)
    with pytest.raises(ValueError, match="complex64"):
        element_class_for(np.complex64, 1)


def test_layer_properties_dtype():
    layer = make_layer(num_channels=3, dtype=np.uint8)
    assert layer.dtype == "uint8"
    assert layer.dtype_np == np.dtype("uint8")
    assert layer.element_class == "uint24"
    assert layer.data_format is DataFormat.Zarr3
    assert layer.get_mag("1").path == "./color/1"
    with pytest.raises(KeyError, match="2"):
        layer.get_mag(2)
    layer.bounding_box = BOX.with_size((10, 10, 10))
    layer.mags.append(MagViewProperties(Mag(2), "./color/2"))
    assert layer.get_mag(Mag(2)).mag == Mag(2)


def test_segmentation_layer_defaults_are_not_shared():
    first = SegmentationLayerProperties("a", SEGMENTATION_CATEGORY, BOX, DataFormat.WKW, dtype="uint32")
    second = SegmentationLayerProperties("b", SEGMENTATION_CATEGORY, BOX, DataFormat.WKW, dtype="uint32")
    first.mappings.append("m")
    assert second.mappings == []
    assert first.largest_segment_id is None
    assert first.attachments.is_empty()
    first.attachments.meshes = [AttachmentProperties("m", "./a/meshes/m.hdf5", "hdf5")]
    assert not first.attachments.is_empty()
    assert second.attachments.is_empty()
    assert [a.name for a in first.attachments] == ["m"]
    assert isinstance(first, LayerProperties)


def test_attachments_iterate_over_every_kind():
    attachments = AttachmentsProperties(
        agglomerates=[AttachmentProperties("a", "p", AttachmentDataFormat.Zarr3)],
        segment_index=AttachmentProperties("s", "q", "hdf5"),
        connectomes=[],
    )
    assert [a.name for a in attachments] == ["a", "s"]
    assert attachments.segment_index.data_format is AttachmentDataFormat.HDF5


def test_update_for_layer_replaces_and_renames():
    props = DatasetProperties({"name": "ds", "team": ""}, VoxelSize((1, 1, 1)), [make_layer("a"), make_layer("b")])
    assert props.version == 1
    props.update_for_layer("a", make_layer("renamed"))
    assert [layer.name for layer in props.data_layers] == ["renamed", "b"]
    assert props.get_layer("b").name == "b"
    with pytest.raises(KeyError, match="missing"):
        props.update_for_layer("missing", make_layer("x"))
    with pytest.raises(KeyError):
        props.get_layer("a")
