"""``layer.export``: TIFF stacks, OME-TIFF files and .ozx archives, read back (tifffile, zipfile + zarr)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.errors import InvalidArgumentError

import daedalus as wk
import daedalus.dataset.layer

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")
zarr = pytest.importorskip("zarr")

OFFSET = (10, 20, 5)
SIZE = (70, 50, 20)
VOXEL_SIZE = (11.0, 12.0, 25.0)


@pytest.fixture(scope="module")
def layers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[wk.Layer, np.ndarray]]:
    """color (mags 1 and 2-2-1, uint8), segmentation (uint32) and rgb layers with their mag-1 data (c, x, y, z)."""
    rng = np.random.default_rng(7)
    ds = wk.Dataset(tmp_path_factory.mktemp("layer-export") / "ds", voxel_size=VOXEL_SIZE)
    result = {}
    for name, category, dtype, channels in [
        ("color", "color", np.uint8, 1),
        ("segmentation", "segmentation", np.uint32, 1),
        ("rgb", "color", np.uint8, 3),
    ]:
        kwargs = {"largest_segment_id": 1000} if category == "segmentation" else {}
        layer = ds.add_layer(
            name,
            category,
            dtype=dtype,
            num_channels=channels,
            bounding_box=wk.BoundingBox(OFFSET, SIZE),
            **kwargs,
        )
        data = rng.integers(0, 1000 if dtype == np.uint32 else 255, (channels, *SIZE)).astype(dtype)
        layer.add_mag(1).write(data, absolute_offset=OFFSET)
        result[name] = (layer, data)
    result["color"][0].downsample_mag(wk.Mag(1), wk.Mag("2-2-1"))
    return result


def test_layer_export_is_the_public_layer_export_class(layers) -> None:
    layer, _ = layers["color"]
    assert isinstance(layer.export, wk.LayerExport)
    assert daedalus.dataset.layer.LayerExport is wk.LayerExport


def test_tiff_stack_names_slices_by_absolute_z_padded_to_the_layers_largest_z(layers, tmp_path: Path) -> None:
    layer, data = layers["color"]
    layer.export.as_tiff_stack(output_path=tmp_path / "out")
    z_range = range(OFFSET[2], OFFSET[2] + SIZE[2])  # 5 .. 24: two digits
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{z:02d}.tiff" for z in z_range]
    for k, z in enumerate(z_range):
        with tifffile.TiffFile(tmp_path / "out" / f"{z:02d}.tiff") as tiff:
            assert len(tiff.pages) == 1
            assert tiff.pages[0].compression == tifffile.COMPRESSION.NONE
            np.testing.assert_array_equal(tiff.asarray(), data[0, :, :, k].T)


def test_tiff_stack_with_prefix_mag_and_box(layers, tmp_path: Path) -> None:
    layer, _ = layers["color"]
    box = wk.BoundingBox((13, 21, 7), (30, 20, 3))
    layer.export.as_tiff_stack(
        output_path=tmp_path / "out", mag=wk.Mag("2-2-1"), bounding_box=box, filename_prefix="img"
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["img_07.tiff", "img_08.tiff", "img_09.tiff"]
    aligned = box.align_with_mag(wk.Mag("2-2-1"), ceil=True)
    expected = layer.get_mag("2-2-1").read(absolute_bounding_box=aligned)
    for k, z in enumerate((7, 8, 9)):
        np.testing.assert_array_equal(tifffile.imread(tmp_path / "out" / f"img_{z:02d}.tiff"), expected[0, :, :, k].T)


def test_tiff_stack_of_a_segmentation_layer_is_deflate_compressed(layers, tmp_path: Path) -> None:
    layer, data = layers["segmentation"]
    layer.export.as_tiff_stack(output_path=tmp_path / "out", bounding_box=wk.BoundingBox(OFFSET, (70, 50, 1)))
    with tifffile.TiffFile(tmp_path / "out" / "05.tiff") as tiff:
        assert tiff.pages[0].compression == tifffile.COMPRESSION.ADOBE_DEFLATE
        assert tiff.pages[0].dtype == np.uint32
        np.testing.assert_array_equal(tiff.asarray(), data[0, :, :, 0].T)


def _physical_sizes(tiff) -> dict[str, str]:
    pixels = tiff.ome_metadata.split("<Pixels ", 1)[1].split(">", 1)[0]
    return {key: value.strip('"') for key, value in (item.split("=", 1) for item in pixels.split() if "=" in item)}


def test_ome_tiff_is_one_zyx_series_with_physical_sizes_and_a_halving_pyramid(layers, tmp_path: Path) -> None:
    layer, data = layers["segmentation"]
    layer.export.as_ome_tiff(output_path=tmp_path / "a.ome.tiff")
    with tifffile.TiffFile(tmp_path / "a.ome.tiff") as tiff:
        assert tiff.is_ome and len(tiff.series) == 1
        series = tiff.series[0]
        assert series.axes == "ZYX"
        image = data[0].transpose(2, 1, 0)
        # 50 x 70 -> 25 x 35 (the smaller side drops below 32 pixels, so the pyramid stops)
        assert [level.shape for level in series.levels] == [(20, 50, 70), (20, 25, 35)]
        np.testing.assert_array_equal(series.levels[0].asarray(), image)
        np.testing.assert_array_equal(series.levels[1].asarray(), image[:, ::2, ::2])
        sizes = _physical_sizes(tiff)
        assert [float(sizes[f"PhysicalSize{a}"]) for a in "XYZ"] == list(VOXEL_SIZE)
        assert {sizes[f"PhysicalSize{a}Unit"] for a in "XYZ"} == {"nm"}


def test_ome_tiff_of_a_coarser_mag_without_pyramid(layers, tmp_path: Path) -> None:
    layer, _ = layers["color"]
    layer.export.as_ome_tiff(output_path=tmp_path / "b.ome.tiff", mag=wk.Mag("2-2-1"), downsample=False)
    expected = layer.get_mag("2-2-1").read()[0].transpose(2, 1, 0)
    with tifffile.TiffFile(tmp_path / "b.ome.tiff") as tiff:
        assert len(tiff.series[0].levels) == 1
        np.testing.assert_array_equal(tiff.series[0].asarray(), expected)
        sizes = _physical_sizes(tiff)
        assert [float(sizes[f"PhysicalSize{a}"]) for a in "XYZ"] == [22.0, 24.0, 25.0]


def test_ome_tiff_of_several_channels_has_a_channel_axis(layers, tmp_path: Path) -> None:
    layer, data = layers["rgb"]
    layer.export.as_ome_tiff(output_path=tmp_path / "rgb.ome.tiff", downsample=False)
    with tifffile.TiffFile(tmp_path / "rgb.ome.tiff") as tiff:
        assert tiff.series[0].axes == "CZYX"
        np.testing.assert_array_equal(tiff.series[0].asarray(), data.transpose(0, 3, 2, 1))


def test_ozx_is_a_stored_zip_of_ome_zarr_with_json_first_translated_to_the_origin(layers, tmp_path: Path) -> None:
    layer, data = layers["color"]
    box = wk.BoundingBox((12, 24, 6), (40, 20, 10))
    layer.export.as_ozx(output_path=tmp_path / "a.ozx", bounding_box=box)
    with zipfile.ZipFile(tmp_path / "a.ozx") as archive:
        assert json.loads(archive.comment) == {"ome": {"version": "0.5"}, "jsonFirst": True}
        names = archive.namelist()
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        json_names = [n for n in names if n.endswith("zarr.json")]
        assert names[: len(json_names)] == json_names and names[0] == "zarr.json"
        multiscale = json.loads(archive.read("zarr.json"))["attributes"]["ome"]["multiscales"][0]
    paths = [d["path"] for d in multiscale["datasets"]]
    assert paths[0] == "1" and len(paths) > 1  # mag 1 and the pyramid computed from it
    assert multiscale["datasets"][0]["coordinateTransformations"][0]["scale"] == [1.0, *VOXEL_SIZE]
    group = zarr.open_group(zarr.storage.ZipStore(tmp_path / "a.ozx", mode="r"), mode="r")
    exported = np.asarray(group["1"][:, :40, :20, :10])
    start = [b - a for a, b in zip(OFFSET, box.topleft)]
    expected = data[:, start[0] : start[0] + 40, start[1] : start[1] + 20, start[2] : start[2] + 10]
    np.testing.assert_array_equal(exported, expected)
    coarse = np.asarray(group[paths[1]])
    assert coarse.shape[1] >= 20  # the 40 voxels of x halved at least once


def test_ozx_without_downsampling_has_only_the_exported_mag(layers, tmp_path: Path) -> None:
    layer, _ = layers["color"]
    layer.export.as_ozx(output_path=tmp_path / "b.ozx", mag=wk.Mag("2-2-1"), downsample=False)
    with zipfile.ZipFile(tmp_path / "b.ozx") as archive:
        assert sorted({n.split("/")[0] for n in archive.namelist()}) == ["2-2-1", "zarr.json"]
    group = zarr.open_group(zarr.storage.ZipStore(tmp_path / "b.ozx", mode="r"), mode="r")
    expected = layer.get_mag("2-2-1").read()
    np.testing.assert_array_equal(np.asarray(group["2-2-1"][:, :35, :25, :20]), expected)


def test_ozx_with_a_fixed_shard_shape(layers, tmp_path: Path) -> None:
    layer, _ = layers["segmentation"]
    layer.export.as_ozx(output_path=tmp_path / "c.ozx", shard_shape=(64, 64, 32), downsample=False)
    with zipfile.ZipFile(tmp_path / "c.ozx") as archive:
        meta = json.loads(archive.read("1/zarr.json"))
    assert meta["chunk_grid"]["configuration"]["chunk_shape"] == [1, 64, 64, 32]
    assert meta["data_type"] == "uint32"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e, p: e.as_tiff_stack(output_path=p, access_mode="direct"), "access_mode"),
        (lambda e, p: e.as_ome_tiff(output_path=p, mag=wk.Mag(4)), "no mag 4"),
        (lambda e, p: e.as_ozx(output_path=p, bounding_box=wk.BoundingBox((0, 0, 0), (5, 5, 5))), "does not overlap"),
    ],
    ids=["access-mode-local", "missing-mag", "box-outside"],
)
def test_bad_arguments_are_refused_with_a_clear_error(layers, tmp_path: Path, call, message: str) -> None:
    layer, _ = layers["color"]
    with pytest.raises(InvalidArgumentError, match=message):
        call(layer.export, tmp_path / "out")
