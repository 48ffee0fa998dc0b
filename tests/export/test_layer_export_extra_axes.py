"""``layer.export`` of layers with extra axes (t, ...): a TIFF stack per time point, TZYX OME-TIFF, n-d .ozx arrays."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.errors import InvalidArgumentError

import daedalus as wk

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")
zarr = pytest.importorskip("zarr")

OFFSET = (3, 1, 2, 7)  # t, x, y, z
DATA = np.random.default_rng(2).integers(0, 200, (2, 20, 12, 6), dtype=np.uint8)  # t, x, y, z


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> wk.Layer:
    ds = wk.Dataset(tmp_path_factory.mktemp("extra-axes") / "ds", voxel_size=(2, 3, 4))
    return ds.write_layer("ts", "color", DATA, axes=("t", "x", "y", "z"), absolute_offset=OFFSET, downsample=False)


def test_tiff_stack_writes_a_stack_per_time_point(layer, tmp_path: Path) -> None:
    layer.export.as_tiff_stack(output_path=tmp_path / "out", filename_prefix="img")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"img_t{t}_z{z:02d}.tiff" for t in (3, 4) for z in range(7, 13)]
    for t in range(2):
        for k in range(6):
            page = tifffile.imread(tmp_path / "out" / f"img_t{t + 3}_z{k + 7:02d}.tiff")
            np.testing.assert_array_equal(page, DATA[t, :, :, k].T)


def test_tiff_stack_of_a_3d_box_keeps_every_time_point(layer, tmp_path: Path) -> None:
    layer.export.as_tiff_stack(output_path=tmp_path / "out", bounding_box=wk.BoundingBox((5, 4, 8), (4, 3, 2)))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "t3_z08.tiff",
        "t3_z09.tiff",
        "t4_z08.tiff",
        "t4_z09.tiff",
    ]
    page = tifffile.imread(tmp_path / "out" / "t4_z09.tiff")
    np.testing.assert_array_equal(page, DATA[1, 4:8, 2:5, 2].T)


def test_ome_tiff_is_tzyx_and_drops_axes_of_one_voxel(layer, tmp_path: Path) -> None:
    layer.export.as_ome_tiff(output_path=tmp_path / "all.ome.tiff")
    with tifffile.TiffFile(tmp_path / "all.ome.tiff") as tiff:
        assert tiff.series[0].axes == "TZYX"
        np.testing.assert_array_equal(tiff.series[0].asarray(), DATA.transpose(0, 3, 2, 1))
        assert 'DimensionOrder="XYCZT"' in tiff.ome_metadata
    one = wk.NDBoundingBox((4, 1, 2, 7), (1, 20, 12, 6), axes=("t", "x", "y", "z"), index=(0, 1, 2, 3))
    layer.export.as_ome_tiff(output_path=tmp_path / "one.ome.tiff", bounding_box=one)
    with tifffile.TiffFile(tmp_path / "one.ome.tiff") as tiff:
        assert tiff.series[0].axes == "ZYX"
        np.testing.assert_array_equal(tiff.series[0].asarray(), DATA[1].transpose(2, 1, 0))


def test_ome_tiff_refuses_axes_it_cannot_hold(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = np.zeros((2, 4, 4, 2), dtype=np.uint8)
    layer = ds.write_layer("s", "color", data, axes=("s", "x", "y", "z"), downsample=False)
    with pytest.raises(InvalidArgumentError, match=r"as_ome_tiff does not support axis/axes \['s'\]"):
        layer.export.as_ome_tiff(output_path=tmp_path / "s.ome.tiff")


def test_ozx_holds_the_extra_axes_at_the_origin(layer, tmp_path: Path) -> None:
    target = tmp_path / "out.ozx"
    layer.export.as_ozx(output_path=target)
    with zipfile.ZipFile(target) as archive:
        root = json.loads(archive.read("zarr.json"))["attributes"]["ome"]["multiscales"][0]
        first = json.loads(archive.read("1/zarr.json"))
    assert root["axes"][0] == {"name": "t", "type": "time"}
    assert root["datasets"][0]["coordinateTransformations"] == [{"type": "scale", "scale": [1.0, 2.0, 3.0, 4.0]}]
    assert first["dimension_names"] == ["t", "x", "y", "z"] and first["shape"][0] == 2
    group = zarr.open_group(zarr.storage.ZipStore(target, mode="r"), mode="r")
    np.testing.assert_array_equal(np.asarray(group["1"])[:, :20, :12, :6], DATA)
    assert sorted(group.array_keys()) == ["1", "2-1-1", "4-2-2"]
