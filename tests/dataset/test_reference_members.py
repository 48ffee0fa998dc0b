"""Dataset, layer, mag and view members added for parity with the reference (webknossos 4.3.3)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.dataset.buffered_slice import BufferedSliceReader, BufferedSliceWriter

import daedalus as wk
from daedalus.dataset.layer import AbstractLayer, AbstractSegmentationLayer, ArrayException


@pytest.fixture
def mag(tmp_path: Path) -> wk.MagView:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 40)))
    return layer.add_mag(1)


def test_reset_offset_writes_what_is_buffered_and_continues_elsewhere(mag: wk.MagView) -> None:
    with mag.get_buffered_slice_writer(buffer_size=4, allow_unaligned=True) as writer:
        for value in (1, 2, 3):
            writer.send(np.full((8, 8), value, np.uint8))
        writer.reset_offset(absolute_offset=(0, 0, 20))
        for value in (10, 11, 12):
            writer.send(value=np.full((8, 8), value, np.uint8))
        writer.reset_offset(relative_bounding_box=wk.BoundingBox((0, 0, 30), (4, 4, 2)))
        writer.send(np.full((4, 4), 50, np.uint8))
    column = mag.read()[0, 0, 0]
    assert column[:4].tolist() == [1, 2, 3, 0] and column[20:24].tolist() == [10, 11, 12, 0]
    assert column[30] == 50 and mag.read()[0, 5, 5, 30] == 0


def test_slice_readers_and_writers_take_the_references_constructor_arguments(mag: wk.MagView) -> None:
    writer = BufferedSliceWriter(mag, 2, "z", absolute_offset=(0, 0, 5), allow_unaligned=True)
    for value in (7, 8, 9):
        writer.send(np.full((8, 8), value, np.uint8))
    writer.close()
    assert mag.read()[0, 0, 0, 4:9].tolist() == [0, 7, 8, 9, 0]
    reader = BufferedSliceReader(mag, 5, "z", relative_bounding_box=wk.BoundingBox((0, 0, 5), (8, 8, 3)))
    with reader as slices:
        assert [int(s[0, 0, 0]) for s in slices] == [7, 8, 9]  # (c, x, y) slices, as the reference's
    assert list(inspect.signature(BufferedSliceWriter).parameters)[:3] == ["view", "buffer_size", "dimension"]


def test_views_report_their_data_format_and_array_infos_their_box(mag: wk.MagView) -> None:
    assert mag.data_format is wk.DataFormat.Zarr3 and mag.get_view(size=(4, 4, 4)).data_format is wk.DataFormat.Zarr3
    box = mag.info.bounding_box
    assert isinstance(box, wk.NormalizedBoundingBox)
    assert tuple(box.axes) == ("c", "x", "y", "z") and tuple(box.size) == tuple(mag.info.shape)
    assert wk.MagView(mag.layer, 1, mag.path, data_format="zarr3").data_format is wk.DataFormat.Zarr3


def test_layers_share_the_references_abstract_bases(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    color = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
    seg = ds.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=3)
    assert isinstance(color, AbstractLayer) and not isinstance(color, AbstractSegmentationLayer)
    assert isinstance(seg, AbstractSegmentationLayer) and seg.largest_segment_id == 3
    with pytest.raises(TypeError, match="color layer, not a segmentation layer"):
        color.as_segmentation_layer()
    assert issubclass(wk.RemoteSegmentationLayer, AbstractSegmentationLayer)
    assert issubclass(ArrayException, Exception)


def test_a_mag_copied_or_referenced_as_another_mag_scales_the_layer_box(tmp_path: Path) -> None:
    source = wk.Dataset(tmp_path / "a", voxel_size=(1, 1, 1)).add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
    data = (np.arange(8 * 8 * 8) % 200).astype(np.uint8).reshape(8, 8, 8)
    source.add_mag(1).write(data, absolute_offset=(0, 0, 0), allow_resize=True, allow_unaligned=True)
    target = wk.Dataset(tmp_path / "b", voxel_size=(1, 1, 1)).add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
    copied = target.add_mag_as_copy(source.get_mag(1), mag=2)
    assert copied.mag == wk.Mag(2) and list(target.mags) == [wk.Mag(2)]
    assert target.bounding_box == wk.BoundingBox((0, 0, 0), (16, 16, 16))
    np.testing.assert_array_equal(copied.read()[0], data)
    properties = json.loads((tmp_path / "b" / "datasource-properties.json").read_text())
    assert properties["dataLayers"][0]["mags"][0]["mag"] == [2, 2, 2]
    referenced = target.add_mag_as_ref(source.get_mag(1), mag=4)
    assert referenced.mag == wk.Mag(4) and target.bounding_box == wk.BoundingBox((0, 0, 0), (32, 32, 32))


def test_deprecated_copy_methods_take_the_references_keywords(tmp_path: Path) -> None:
    source = wk.Dataset(tmp_path / "a", voxel_size=(1, 1, 1)).add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
    source.add_mag(1).write(np.ones((4, 4, 4), np.uint8), absolute_offset=(0, 0, 0), allow_resize=True)
    target = wk.Dataset(tmp_path / "b", voxel_size=(1, 1, 1))
    with pytest.warns(DeprecationWarning, match="add_layer_as_copy"):
        layer = target.add_copy_layer(source, "copy", chunk_shape=16, shard_shape=64, compress=False)
    info = layer.get_mag(1).info
    assert (info.chunk_shape, info.shard_shape, info.compression_mode) == ((16, 16, 16), (64, 64, 64), False)
    with pytest.warns(DeprecationWarning, match="add_mag_as_copy"):
        mag = target.add_layer("other", wk.COLOR_CATEGORY, dtype="uint8").add_copy_mag(source.get_mag(1), chunk_shape=8)
    assert mag.info.chunk_shape == (8, 8, 8)


def test_defaults_and_constants_are_the_references_values() -> None:
    assert wk.DEFAULT_DATA_FORMAT is wk.DataFormat.Zarr3
    assert wk.DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES == wk.Vec3Int(128, 128, 1)
    assert (wk.C_AXIS, wk.T_AXIS, wk.XYZ_AXES, wk.TCXYZ_AXES) == ("c", "t", ("x", "y", "z"), ("t", "c", "x", "y", "z"))
    assert inspect.signature(wk.Dataset.add_layer).parameters["data_format"].default is wk.DataFormat.Zarr3
    assert inspect.signature(wk.Dataset.downsample).parameters["sampling_mode"].default is wk.SamplingModes.ANISOTROPIC
    assert wk.length_unit_from_str("µm") is wk.LengthUnit.MICROMETER
    assert wk.length_unit_from_str("nanometer") is wk.LengthUnit.NANOMETER
    with pytest.raises(ValueError, match="Unknown unit: NM"):
        wk.length_unit_from_str("NM")


def test_the_dataset_converter_turns_properties_into_their_json_and_back(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 2, 3))
    ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8").add_mag(1)
    converter = wk.get_dataset_converter()
    data = converter.unstructure(ds._properties)
    assert data == json.loads((ds.path / "datasource-properties.json").read_text())
    assert converter.structure(data, wk.DatasetProperties) == ds._properties
    assert converter.unstructure(wk.VoxelSize((1, 2, 3))) == {"factor": [1.0, 2.0, 3.0], "unit": "nanometer"}
    assert converter.structure([1, 2, 3], wk.Vec3Int) == wk.Vec3Int(1, 2, 3)
    assert wk.get_dataset_converter() is converter


def test_open_remote_and_image_imports_accept_every_keyword_of_the_reference() -> None:
    remote = inspect.signature(wk.Dataset.open_remote).parameters
    assert list(remote)[1:] == [
        "organization_id", "sharing_token", "webknossos_url", "dataset_id", "annotation_id", "access_mode",
        "read_only", "use_zarr_streaming",
    ]  # fmt: skip
    images = inspect.signature(wk.Dataset.add_layer_from_images).parameters
    assert images["topleft"].default == wk.Vec3Int(0, 0, 0) and images["scale"].default is None
    assert inspect.signature(wk.Dataset.from_images).parameters["max_layers"].default == 20
