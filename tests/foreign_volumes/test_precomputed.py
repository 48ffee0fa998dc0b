"""Neuroglancer precomputed volumes written by cloud-volume become layers: locally and over http."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.conversion import ForeignVolumeError, import_volume

from .conftest import noisy_volume, properties_of

cloudvolume = pytest.importorskip("cloudvolume", reason="cloud-volume is in the test extra")

OFFSET = (10, 20, 5)
SIZE = (100, 70, 30)


def write_cloud_volume(path: Path, data: np.ndarray, layer_type: str, encoding: str, **options: object) -> list:
    """Write ``data`` (x, y, z, c) with cloud-volume at ``OFFSET`` (mips 0 and 1 = 2-2-1); returns what it reads."""
    info = cloudvolume.CloudVolume.create_new_info(
        num_channels=data.shape[3],
        layer_type=layer_type,
        data_type=str(data.dtype),
        encoding=encoding,
        resolution=[4, 4, 40],
        voxel_offset=list(OFFSET),
        chunk_size=[32, 32, 16],
        volume_size=list(SIZE),
        **options,
    )
    url = f"file://{path}"
    volume = cloudvolume.CloudVolume(url, info=info, compress=False, progress=False)
    volume.add_scale((2, 2, 1), chunk_size=[32, 32, 16])
    volume.commit_info()
    volume[volume.bounds] = data
    coarse = cloudvolume.CloudVolume(url, mip=1, compress=False, progress=False)
    coarse[coarse.bounds] = data[::2, ::2]
    return [np.asarray(cloudvolume.CloudVolume(url, mip=mip, progress=False)[:, :, :]) for mip in (0, 1)]


def as_cxyz(data: np.ndarray) -> np.ndarray:
    return np.moveaxis(data, 3, 0)


def test_a_segmentation_with_voxel_offset(tmp_path: Path) -> None:
    data = noisy_volume((*SIZE, 1), "uint32") % 1000
    written = write_cloud_volume(
        tmp_path / "seg", data, "segmentation", "compressed_segmentation", compressed_segmentation_block_size=[8, 8, 8]
    )
    layer = import_volume(tmp_path / "seg", tmp_path / "ds")

    assert isinstance(layer, wk.SegmentationLayer) and layer.name == "segmentation"
    assert layer.dataset.voxel_size_with_unit == wk.VoxelSize((4.0, 4.0, 40.0), wk.LengthUnit.NANOMETER)
    assert layer.bounding_box == wk.BoundingBox(OFFSET, SIZE)
    assert sorted(layer.mags) == [wk.Mag(1), wk.Mag("2-2-1")]
    assert layer.data_format == wk.DataFormat.NeuroglancerPrecomputed and layer.dtype == np.dtype("uint32")
    assert np.array_equal(layer.get_mag(1).read(), as_cxyz(written[0]))
    assert np.array_equal(layer.get_mag("2-2-1").read(), as_cxyz(written[1]))
    box = wk.BoundingBox((50, 40, 10), (20, 16, 8))  # a box inside, in Mag(1) voxels
    assert np.array_equal(layer.get_mag(1).read(absolute_bounding_box=box), as_cxyz(written[0])[:, 40:60, 20:36, 5:13])


def test_a_jpeg_image_reads_as_cloud_volume_reads_it(tmp_path: Path) -> None:
    data = noisy_volume((*SIZE, 1), "uint8")
    written = write_cloud_volume(tmp_path / "img", data, "image", "jpeg")
    layer = import_volume(tmp_path / "img", tmp_path / "ds", layer_name="em")
    assert layer.category == wk.COLOR_CATEGORY and layer.name == "em"
    assert np.array_equal(layer.get_mag(1).read(), as_cxyz(written[0]))


def test_a_copy_keeps_the_offset(tmp_path: Path) -> None:
    data = noisy_volume((*SIZE, 1), "uint16")
    written = write_cloud_volume(tmp_path / "img", data, "image", "raw")
    layer = import_volume(tmp_path / "img", tmp_path / "ds", copy=True)
    assert layer.data_format == wk.DataFormat.Zarr3 and layer.bounding_box == wk.BoundingBox(OFFSET, SIZE)
    assert np.array_equal(layer.get_mag("2-2-1").read(), as_cxyz(written[1]))


def test_over_http(tmp_path: Path, serve) -> None:
    data = noisy_volume((*SIZE, 1), "uint8")
    written = write_cloud_volume(tmp_path / "served" / "img", data, "image", "raw")
    server = serve(tmp_path / "served")

    layer = import_volume(f"{server.url}/img", tmp_path / "ds")
    assert [m["path"] for m in properties_of(tmp_path / "ds")["dataLayers"][0]["mags"]] == [
        f"{server.url}/img/4_4_40",
        f"{server.url}/img/8_8_40",
    ]
    assert layer.bounding_box == wk.BoundingBox(OFFSET, SIZE) and layer.dataset.voxel_size == (4.0, 4.0, 40.0)
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert np.array_equal(reopened.get_mag(1).read(), as_cxyz(written[0]))
    assert np.array_equal(reopened.get_mag("2-2-1").read(), as_cxyz(written[1]))


def write_gzipped_volume(path: Path, data: np.ndarray) -> np.ndarray:
    """Write ``data`` (x, y, z, c) with cloud-volume's defaults: on a local disk its chunks become ``<chunk>.gz``."""
    info = cloudvolume.CloudVolume.create_new_info(
        num_channels=1,
        layer_type="segmentation",
        data_type=str(data.dtype),
        encoding="compressed_segmentation",
        resolution=[4, 4, 40],
        voxel_offset=list(OFFSET),
        chunk_size=[32, 32, 16],
        volume_size=list(SIZE),
    )
    volume = cloudvolume.CloudVolume(f"file://{path}", info=info, progress=False)  # compresses by default
    volume.commit_info()
    volume[volume.bounds] = data
    assert all(name.endswith(".gz") for name in (p.name for p in (path / "4_4_40").iterdir()))
    return np.asarray(cloudvolume.CloudVolume(f"file://{path}", progress=False)[:, :, :])


def test_gzip_suffixed_chunks_cannot_be_referenced_but_copied(tmp_path: Path) -> None:
    written = write_gzipped_volume(tmp_path / "seg", noisy_volume((*SIZE, 1), "uint32") % 100)
    with pytest.raises(ForeignVolumeError, match=r"seg/info.*'4_4_40'.*<chunk>\.gz.*copy=True.*compress=False"):
        import_volume(tmp_path / "seg", tmp_path / "ds")

    layer = import_volume(tmp_path / "seg", tmp_path / "ds", copy=True)
    assert layer.bounding_box == wk.BoundingBox(OFFSET, SIZE) and isinstance(layer, wk.SegmentationLayer)
    assert np.array_equal(layer.get_mag(1).read(), as_cxyz(written))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".daedalus-import-")]  # staging removed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda scales: scales[1].update(resolution=[6, 6, 40]), r"scales\[1\]: the x scale is 1\.5 times"),
        (lambda scales: scales[1].update(voxel_offset=[0, 0, 0]), r"scales\[1\]: voxel_offset \[0, 0, 0\] does not"),
        (lambda scales: scales[1].update(key="../elsewhere"), r"scales\[1\] key: '\.\./elsewhere' is not a relative"),
        (lambda scales: scales[0].update(size=[0, 70, 30]), r"scales\[0\] size must be 3 integers of at least 1"),
        (lambda scales: scales[1].update(resolution=[4, 4, 40], voxel_offset=list(OFFSET)), r"both have mag 1"),
    ],
)
def test_bad_info_files_are_refused_naming_the_scale(tmp_path: Path, change, message: str) -> None:
    write_cloud_volume(tmp_path / "img", noisy_volume((*SIZE, 1), "uint8"), "image", "raw")
    info = json.loads((tmp_path / "img" / "info").read_text())
    change(info["scales"])
    (tmp_path / "img" / "info").write_text(json.dumps(info))
    with pytest.raises(ForeignVolumeError, match=message):
        import_volume(tmp_path / "img", tmp_path / "ds")


@pytest.mark.interop
def test_the_reference_reads_the_referenced_volume(tmp_path: Path, run_reference_json) -> None:
    data = noisy_volume((*SIZE, 1), "uint32") % 1000
    written = write_cloud_volume(
        tmp_path / "seg", data, "segmentation", "compressed_segmentation", compressed_segmentation_block_size=[8, 8, 8]
    )
    import_volume(tmp_path / "seg", tmp_path / "ds")
    np.save(tmp_path / "mip0.npy", as_cxyz(written[0]))
    np.save(tmp_path / "mip1.npy", as_cxyz(written[1]))
    script = """
import json, sys, numpy as np, webknossos as wk
layer = wk.Dataset.open(sys.argv[1]).get_segmentation_layer("segmentation")
box = layer.bounding_box
print(json.dumps({"box": [list(box.topleft), list(box.size)], "voxel_size": list(layer.dataset.voxel_size),
                  "mip0": bool(np.array_equal(layer.get_mag(1).read(), np.load(sys.argv[2]))),
                  "mip1": bool(np.array_equal(layer.get_mag("2-2-1").read(), np.load(sys.argv[3])))}))
"""
    seen = run_reference_json(script, tmp_path / "ds", tmp_path / "mip0.npy", tmp_path / "mip1.npy")
    assert seen == {"box": [list(OFFSET), list(SIZE)], "voxel_size": [4.0, 4.0, 40.0], "mip0": True, "mip1": True}
