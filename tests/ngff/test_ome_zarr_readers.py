"""OME-Zarr tools open daedalus layers: zarr-python, ome-zarr-py (``parse_url`` + ``Reader``) and ome-zarr-models.

zarr layers carry NGFF 0.4 (``.zgroup`` + ``.zattrs``), zarr3 layers NGFF 0.5 (``zarr.json`` ``attributes.ome``).
The readers must see every mag as one level, scales of voxel size × mag, the data ``read()`` returns, and
arrays whose shape is the layer's extent rounded up to whole chunks (not to the 1024³ shards).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import zarr

import daedalus as wk

from .conftest import COLOR_BOX, MAGS, NGFF_VERSION, VOXEL_SIZE

# zarr-python warns that datasource-properties.json is not a zarr node when it lists a dataset folder
pytestmark = pytest.mark.filterwarnings("ignore:Object at .* is not recognized as a component:UserWarning")
ome_zarr_io = pytest.importorskip("ome_zarr.io", reason="ome-zarr is in the test extra (Python 3.11+)")
ome_zarr_reader = pytest.importorskip("ome_zarr.reader")
ome_zarr_models = pytest.importorskip("ome_zarr_models", reason="ome-zarr-models is in the test extra (Python 3.11+)")


def _format(ds: wk.Dataset) -> str:
    return ds.get_layer("color").data_format.value


def _read_node(path):
    location = ome_zarr_io.parse_url(str(path))
    assert location is not None, f"ome-zarr does not recognise {path} as a zarr group"
    nodes = list(ome_zarr_reader.Reader(location)())
    return location, nodes[0]


def test_zarr_groups_open_with_zarr_python(ngff_dataset):
    fmt = _format(ngff_dataset)
    root = zarr.open_group(str(ngff_dataset.path), mode="r")
    assert sorted(root.group_keys()) == ["color", "rgb"]
    assert sorted(root["color"].array_keys()) == sorted(MAGS)
    if fmt == "zarr":  # the zarr v2 spec: zarr_format is the integer 2
        for marker in (ngff_dataset.path / ".zgroup", ngff_dataset.path / "color" / ".zgroup"):
            assert json.loads(marker.read_text()) == {"zarr_format": 2}


def test_ome_zarr_reader_sees_every_mag_with_voxel_size_scales(ngff_dataset):
    fmt = _format(ngff_dataset)
    location, node = _read_node(ngff_dataset.path / "color")
    assert location.version == NGFF_VERSION[fmt]
    layer = ngff_dataset.get_layer("color")
    assert len(node.data) == len(MAGS)
    assert [axis["name"] for axis in node.metadata["axes"]] == ["c", "x", "y", "z"]
    for level, name, transforms in zip(node.data, MAGS, node.metadata["coordinateTransformations"]):
        mag = wk.Mag(name)
        assert transforms == [{"type": "scale", "scale": [1.0, *(v * m for v, m in zip(VOXEL_SIZE, mag.to_list()))]}]
        mag_view = layer.get_mag(mag)
        start, stop = mag_view.bounding_box.in_mag(mag).topleft, mag_view.bounding_box.in_mag(mag).bottomright
        region = np.asarray(level[:, start.x : stop.x, start.y : stop.y, start.z : stop.z])
        np.testing.assert_array_equal(region, mag_view.read())


def test_array_shapes_are_the_layer_extent_rounded_to_chunks(ngff_dataset):
    """Every level's shape is the layer's end in that mag rounded up to the 32³ chunks, not to 1024³ shards."""
    _, node = _read_node(ngff_dataset.path / "color")
    for level, name in zip(node.data, MAGS):
        end = COLOR_BOX.align_with_mag(wk.Mag(name), ceil=True).in_mag(wk.Mag(name)).bottomright
        assert level.shape == (1, *(-(-e // 32) * 32 for e in end)), name
    _, rgb = _read_node(ngff_dataset.path / "rgb")
    assert rgb.data[0].shape == (3, 64, 32, 32)
    np.testing.assert_array_equal(
        np.asarray(rgb.data[0][:, :40, :30, :20]), ngff_dataset.get_layer("rgb").get_mag(1).read()
    )


@pytest.mark.parametrize("layer_name", ["color", "rgb"])
def test_ome_zarr_models_validates_the_layer(ngff_dataset, layer_name):
    fmt = _format(ngff_dataset)
    image = ome_zarr_models.open_ome_zarr(zarr.open_group(str(ngff_dataset.path / layer_name), mode="r"))
    expected = ome_zarr_models.v04.Image if fmt == "zarr" else ome_zarr_models.v05.Image
    assert isinstance(image, expected)
    mags = [m.to_layer_name() for m in sorted(ngff_dataset.get_layer(layer_name).mags)]
    multiscale = image.attributes.multiscales[0] if fmt == "zarr" else image.attributes.ome.multiscales[0]
    assert [dataset.path for dataset in multiscale.datasets] == mags


def test_nd_layer_axes_are_valid_ngff(tmp_path):
    """A (t, x, y, z) layer: t is a time axis, x/y/z space axes; other extra axes carry no type (like the reference)."""
    for fmt in ("zarr", "zarr3"):
        ds = wk.Dataset(tmp_path / fmt, voxel_size=VOXEL_SIZE)
        for axis in ("t", "a"):
            box = wk.NDBoundingBox(
                topleft=(0, 0, 0, 0), size=(3, 40, 30, 20), axes=(axis, "x", "y", "z"), index=(0, 1, 2, 3)
            )
            layer = ds.add_layer(f"nd_{axis}", wk.COLOR_CATEGORY, data_format=fmt, bounding_box=box)
            layer.add_mag(1).write(np.ones((3, 40, 30, 20), "uint8"), absolute_bounding_box=box)
            group = zarr.open_group(str(ds.path / f"nd_{axis}"), mode="r")
            image = ome_zarr_models.open_ome_zarr(group)
            attributes = image.attributes if fmt == "zarr" else image.attributes.ome
            axes = [(a.name, a.type) for a in attributes.multiscales[0].axes]
            assert axes == [(axis, "time" if axis == "t" else None), ("x", "space"), ("y", "space"), ("z", "space")]


def test_reference_written_zgroup_string_is_repaired_on_add_layer(tmp_path):
    """The reference writes ``{"zarr_format": "2"}``; adding a layer with daedalus rewrites it as the integer."""
    ds = wk.Dataset(tmp_path / "ds", voxel_size=VOXEL_SIZE)
    ds.add_layer("first", wk.COLOR_CATEGORY, data_format="zarr").add_mag(1)
    (ds.path / ".zgroup").write_text(json.dumps({"zarr_format": "2"}))
    wk.Dataset.open(ds.path).add_layer("second", wk.COLOR_CATEGORY, data_format="zarr").add_mag(1)
    assert json.loads((ds.path / ".zgroup").read_text()) == {"zarr_format": 2}
    assert sorted(zarr.open_group(str(ds.path), mode="r").group_keys()) == ["first", "second"]
