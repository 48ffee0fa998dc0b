"""OME-Zarr images written by ome-zarr-py (NGFF 0.4 on zarr v2, 0.5 on zarr v3) become daedalus layers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.conversion import ForeignVolumeError, import_volume

from .conftest import noisy_volume, ome_levels, properties_of, write_ome_zarr

VERSIONS = ["0.4", "0.5"]
DATA_FORMAT = {"0.4": "zarr", "0.5": "zarr3"}
# odd sizes: ome-zarr-py floors each halving and writes the scale of the shapes (60 / 7 = 8.57 at s3)
ZYX = (40, 50, 60)
MAGS = [wk.Mag(1), wk.Mag("2-2-1"), wk.Mag("4-4-1"), wk.Mag("8-8-1"), wk.Mag("16-16-1")]


@pytest.fixture(params=VERSIONS)
def ome_image(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """A zyx uint16 image with 5 levels and a voxel size of 4 x 4 x 40 nm, written by ome-zarr-py."""
    path = tmp_path / "image.ome.zarr"
    write_ome_zarr(
        path,
        noisy_volume(ZYX, "uint16"),
        request.param,
        "zyx",
        scale={"z": 40.0, "y": 4.0, "x": 4.0},
        axes_units={"z": "nanometer", "y": "nanometer", "x": "nanometer"},
    )
    return request.param, path


def test_an_image_is_referenced_with_its_voxel_size_mags_and_data(ome_image: tuple[str, Path], tmp_path: Path) -> None:
    version, source = ome_image
    layer = import_volume(source, tmp_path / "ds")

    assert layer.dataset.voxel_size_with_unit == wk.VoxelSize((4.0, 4.0, 40.0), wk.LengthUnit.NANOMETER)
    assert layer.category == wk.COLOR_CATEGORY and layer.name == "color"
    assert layer.data_format == wk.DataFormat(DATA_FORMAT[version])
    assert layer.dtype == np.dtype("uint16") and layer.num_channels == 1
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (60, 50, 40))
    assert sorted(layer.mags) == MAGS
    levels = ome_levels(source)
    for mag, level in zip(MAGS, levels):
        # a coarse mag covers the layer's box rounded up to its voxels: what lies beyond the level reads 0
        data = layer.get_mag(mag).read()
        assert np.array_equal(data[tuple(slice(0, s) for s in level.T.shape)], level.T), mag


def test_the_properties_name_the_foreign_arrays_in_their_stored_axis_order(
    ome_image: tuple[str, Path], tmp_path: Path
) -> None:
    _, source = ome_image
    import_volume(source, tmp_path / "ds")
    mags = properties_of(tmp_path / "ds")["dataLayers"][0]["mags"]
    assert [m["path"] for m in mags] == [str(source / f"s{i}") for i in range(5)]
    assert all(m["axisOrder"] == {"z": 0, "y": 1, "x": 2} for m in mags)
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("color")  # read back from the properties alone
    assert np.array_equal(reopened.get_finest_mag().read(), ome_levels(source)[0].T)


def test_referenced_data_is_read_only(ome_image: tuple[str, Path], tmp_path: Path) -> None:
    _, source = ome_image
    layer = import_volume(source, tmp_path / "ds")
    before = (source / "s0").stat().st_mtime_ns
    with pytest.raises(Exception, match="read-only"):
        layer.get_finest_mag().write(np.zeros((1, 8, 8, 8), "uint16"), absolute_offset=(0, 0, 0))
    assert ome_levels(source)[0].max() > 0 and (source / "s0").stat().st_mtime_ns == before


def test_a_copy_holds_the_data_in_the_dataset(ome_image: tuple[str, Path], tmp_path: Path) -> None:
    import shutil

    _, source = ome_image
    levels = ome_levels(source)
    layer = import_volume(source, tmp_path / "ds", copy=True, layer_name="em")
    shutil.rmtree(source)  # the copy must not need the source any more

    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("em")
    assert reopened.data_format == wk.DataFormat.Zarr3 and not reopened.read_only
    info = reopened.get_finest_mag().info  # recoded in daedalus' own layout, whatever the source's chunks
    assert (info.chunk_shape, info.shard_shape) == (wk.Vec3Int(32, 32, 32), wk.Vec3Int(1024, 1024, 1024))
    stored = json.loads((tmp_path / "ds" / "em" / "1" / "zarr.json").read_text())["dimension_names"]
    order = properties_of(tmp_path / "ds")["dataLayers"][0]["mags"][0]["axisOrder"]
    assert [name for name, _ in sorted(order.items(), key=lambda item: item[1])] == [n for n in stored if n in order]
    assert sorted(reopened.mags) == MAGS
    assert all(not m.is_foreign for m in reopened.mags.values())
    assert np.array_equal(reopened.get_finest_mag().read(), levels[0].T)
    coarse = reopened.get_mag("4-4-1")
    assert np.array_equal(coarse.read()[: levels[2].T.shape[0], : levels[2].T.shape[1]], levels[2].T)
    assert layer.name == "em"


def _shift_image(source: Path, version: str, translation: list[float]) -> None:
    """Add ``translation`` to every level's transformations (ome-zarr-py 0.18 writes only its own, of 0)."""
    file = source / (".zattrs" if version == "0.4" else "zarr.json")
    document = json.loads(file.read_text())
    scope = document if version == "0.4" else document["attributes"]["ome"]
    for dataset in scope["multiscales"][0]["datasets"]:
        dataset["coordinateTransformations"] = [
            t for t in dataset["coordinateTransformations"] if t["type"] == "scale"
        ] + [{"type": "translation", "translation": translation}]
    file.write_text(json.dumps(document))


@pytest.mark.parametrize("version", VERSIONS)
def test_channels_units_and_translation(version: str, tmp_path: Path) -> None:
    data = noisy_volume((2, 16, 32, 48), "uint8")
    source = tmp_path / "channels.zarr"
    write_ome_zarr(
        source,
        data,
        version,
        "czyx",
        scale_factors=(2,),
        scale={"z": 0.05, "y": 0.01, "x": 0.01},
        axes_units={"z": "micrometer", "y": "micrometer", "x": "micrometer"},
    )
    _shift_image(source, version, [0.0, 0.5, 0.2, 0.1])
    layer = import_volume(source, tmp_path / "ds")

    size = layer.dataset.voxel_size_with_unit
    assert size.unit == wk.LengthUnit.MICROMETER and np.allclose(size.factor, (0.01, 0.01, 0.05))
    assert layer.num_channels == 2 and sorted(layer.mags) == [wk.Mag(1), wk.Mag("2-2-1")]
    (transform,) = layer.coordinate_transformations
    assert np.allclose(transform.matrix[:3, 3], (10, 20, 10))  # the translation in Mag(1) voxels
    assert properties_of(tmp_path / "ds")["dataLayers"][0]["mags"][0]["axisOrder"] == {"c": 0, "z": 1, "y": 2, "x": 3}
    assert np.array_equal(layer.get_finest_mag().read(), data.transpose(0, 3, 2, 1))


def test_labels_become_a_segmentation_layer(tmp_path: Path) -> None:
    import zarr
    from ome_zarr.format import FormatV04
    from ome_zarr.io import parse_url
    from ome_zarr.writer import write_image, write_labels

    image = tmp_path / "image.zarr"
    root = zarr.group(store=parse_url(str(image), mode="w", fmt=FormatV04()).store, zarr_format=2)
    write_image(image=noisy_volume((16, 32, 32), "uint8"), group=root, axes="zyx", fmt=FormatV04())
    labels = noisy_volume((16, 32, 32), "uint32") % 7
    write_labels(labels, root, name="cells", axes="zyx", fmt=FormatV04())

    layer = import_volume(image / "labels" / "cells", tmp_path / "ds", voxel_size=(5, 5, 5))
    assert isinstance(layer, wk.SegmentationLayer) and layer.name == "segmentation"
    assert layer.dtype == np.dtype("uint32")
    assert np.array_equal(layer.get_finest_mag().read(), labels.T)


def test_a_second_image_extends_a_dataset_of_the_same_voxel_size(ome_image: tuple[str, Path], tmp_path: Path) -> None:
    _, source = ome_image
    import_volume(source, tmp_path / "ds", layer_name="first")
    import_volume(source, tmp_path / "ds", layer_name="second")
    assert sorted(wk.Dataset.open(tmp_path / "ds").layers) == ["first", "second"]
    with pytest.raises(IndexError, match="first"):
        import_volume(source, tmp_path / "ds", layer_name="first")
    with pytest.raises(Exception, match="voxel size"):
        import_volume(source, tmp_path / "ds", layer_name="third", voxel_size=(1, 1, 1))


@pytest.mark.interop
def test_the_reference_reads_the_referenced_image(
    ome_image: tuple[str, Path], tmp_path: Path, run_reference_json
) -> None:
    version, source = ome_image
    import_volume(source, tmp_path / "ds")
    levels = ome_levels(source)
    np.save(tmp_path / "s0.npy", levels[0])
    np.save(tmp_path / "s2.npy", levels[2])
    script = """
import json, sys, numpy as np, webknossos as wk
layer = wk.Dataset.open(sys.argv[1]).get_layer("color")
s0, s2 = np.load(sys.argv[2]), np.load(sys.argv[3])
finest = layer.get_mag(1).read()
coarse = layer.get_mag("4-4-1").read()[tuple(slice(0, n) for n in s2.shape)]
print(json.dumps({"voxel_size": list(layer.dataset.voxel_size), "mags": sorted(m.to_layer_name() for m in layer.mags),
                  "s0": bool(np.array_equal(finest, s0)), "s2": bool(np.array_equal(coarse, s2))}))
"""
    seen = run_reference_json(script, tmp_path / "ds", tmp_path / "s0.npy", tmp_path / "s2.npy")
    # the reference reads arrays in their stored (z, y, x) order, as the properties' axisOrder says
    assert seen == {
        "voxel_size": [4.0, 4.0, 40.0],
        "mags": sorted(m.to_layer_name() for m in MAGS),
        "s0": True,
        "s2": True,
    }


def test_a_level_that_is_no_whole_downsampling_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "image.zarr"
    write_ome_zarr(source, noisy_volume((8, 32, 32), "uint8"), "0.4", "zyx", scale_factors=(2,))
    attributes = json.loads((source / ".zattrs").read_text())
    attributes["multiscales"][0]["datasets"][1]["coordinateTransformations"][0]["scale"] = [1.0, 1.5, 1.5]
    (source / ".zattrs").write_text(json.dumps(attributes))
    with pytest.raises(ForeignVolumeError, match=r"s1 .*\.zattrs.*1\.5 times"):
        import_volume(source, tmp_path / "ds")
    assert (
        not (tmp_path / "ds" / "datasource-properties.json").exists()
        or not properties_of(tmp_path / "ds")["dataLayers"]
    )


def test_over_http_a_zarr3_image_is_referenced_and_an_unnamed_zarr2_one_refused(tmp_path: Path, serve) -> None:
    data = noisy_volume((8, 24, 40), "uint8")
    write_ome_zarr(tmp_path / "served" / "v05.zarr", data, "0.5", "zyx", scale_factors=(2,))
    write_ome_zarr(tmp_path / "served" / "v04.zarr", data, "0.4", "zyx", scale_factors=(2,))
    server = serve(tmp_path / "served")

    layer = import_volume(f"{server.url}/v05.zarr", tmp_path / "ds")  # zarr3 arrays carry dimension_names
    assert str(layer.get_finest_mag().path) == f"{server.url}/v05.zarr/s0"
    assert np.array_equal(layer.get_finest_mag().read(), data.T)
    # zarr v2 arrays name no axes; over http daedalus would read them by position (transposed): refused
    with pytest.raises(ForeignVolumeError, match=r"v04.zarr/s0: the zarr v2 array stores the axes \(z, y, x\)"):
        import_volume(f"{server.url}/v04.zarr", tmp_path / "ds2")
    assert not (tmp_path / "ds2").exists()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_zarr_python_engine_reads_the_referenced_image_too(version: str, tmp_path: Path) -> None:
    data = noisy_volume((8, 24, 40), "uint8")
    write_ome_zarr(tmp_path / "image.zarr", data, version, "zyx", scale_factors=(2,))
    import_volume(tmp_path / "image.zarr", tmp_path / "ds")
    data_format = DATA_FORMAT[version]
    wk.set_engine(data_format, "zarr-python")
    try:
        layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
        assert type(layer.get_finest_mag()._array).__name__ == "ZarrPythonArray"
        assert np.array_equal(layer.get_finest_mag().read(), data.T)
    finally:
        wk.set_engine(data_format, None)
