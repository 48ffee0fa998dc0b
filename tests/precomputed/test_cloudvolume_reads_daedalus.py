"""cloud-volume reads what daedalus writes as Neuroglancer precomputed: resolution in nm per mag, layer type,
encoding (raw, jpeg, compressed_segmentation), sharding and the data itself."""

from __future__ import annotations

import json

import numpy as np
import pytest
from precomputed_volumes import em_like, label_like, psnr

import daedalus as wk

SHAPE = (96, 80, 48)
PRECOMPUTED = "neuroglancerPrecomputed"


def _dataset(tmp_path, unit="nanometer", factor=(11, 11, 25)):
    return wk.Dataset(tmp_path / "ds", voxel_size_with_unit=wk.VoxelSize(factor, unit=unit))


def _open(cloudvolume, layer, mip=0):
    return cloudvolume.CloudVolume(f"file://{layer.path}", mip=mip, progress=False, fill_missing=False)


def _read_all(volume, shape):
    return np.asarray(volume[0 : shape[0], 0 : shape[1], 0 : shape[2]])


@pytest.mark.parametrize(
    "unit,factor", [("nanometer", (11, 11, 25)), ("µm", (0.011, 0.011, 0.025)), ("angstrom", (110, 110, 250))]
)
def test_raw_color_mags_carry_resolution_in_nm(tmp_path, cloudvolume, unit, factor):
    dataset = _dataset(tmp_path, unit, factor)
    layer = dataset.add_layer("color", "color", dtype="uint8", data_format=PRECOMPUTED)
    data = em_like(SHAPE)
    layer.add_mag(1, compress=False).write(data, absolute_offset=(0, 0, 0), allow_resize=True)
    layer.downsample(coarsest_mag=4, compress=False)
    info = json.loads((layer.path / "info").read_text())
    assert info["type"] == "image" and info["data_type"] == "uint8" and info["num_channels"] == 1
    volume = _open(cloudvolume, layer)
    assert volume.layer_type == "image" and volume.encoding == "raw"
    expected = {"1": (11, 11, 25), "2-2-1": (22, 22, 25), "4-4-2": (44, 44, 50)}
    assert [s["key"] for s in info["scales"]] == list(expected)
    for scale in info["scales"]:
        assert tuple(scale["resolution"]) == pytest.approx(expected[scale["key"]])
    for mip, (key, resolution) in enumerate(expected.items()):
        assert tuple(volume.meta.resolution(mip)) == pytest.approx(resolution)
        mag = layer.get_mag(key)
        coarse = _read_all(_open(cloudvolume, layer, mip), mag.bounding_box.in_mag(mag.mag).size)
        np.testing.assert_array_equal(coarse[..., 0], mag.read()[0])
    np.testing.assert_array_equal(_read_all(volume, SHAPE)[..., 0], data)


def test_compressed_uint8_color_is_jpeg_close_to_the_data(tmp_path, cloudvolume):
    layer = _dataset(tmp_path).add_layer("color", "color", dtype="uint8", data_format=PRECOMPUTED)
    data = em_like(SHAPE)
    mag = layer.add_mag(1)  # compress=True is the default
    mag.write(data, absolute_offset=(0, 0, 0), allow_resize=True)
    volume = _open(cloudvolume, layer)
    assert volume.encoding == "jpeg" and volume.layer_type == "image"
    seen = _read_all(volume, SHAPE)[..., 0]
    assert psnr(data, seen) > 35  # jpeg is lossy: close, not equal
    assert not np.array_equal(seen, data)
    assert psnr(mag.read()[0], seen) > 45  # daedalus (tensorstore) and cloud-volume decode the same files alike
    assert mag.info.compression_mode is True


def test_compressed_rgb_color_stays_raw_and_exact(tmp_path, cloudvolume):
    # tensorstore and cloud-volume disagree on the layout of 3-channel jpeg chunks: daedalus writes them raw
    layer = _dataset(tmp_path).add_layer(
        "color", "color", dtype_per_channel="uint8", num_channels=3, data_format=PRECOMPUTED
    )
    data = np.stack([em_like(SHAPE, seed=c) for c in range(3)])
    layer.add_mag(1).write(data, absolute_offset=(0, 0, 0), allow_resize=True)
    volume = _open(cloudvolume, layer)
    assert volume.encoding == "raw" and volume.num_channels == 3
    np.testing.assert_array_equal(np.moveaxis(_read_all(volume, SHAPE), 3, 0), data)


@pytest.mark.parametrize("dtype", ["uint32", "uint64"])
def test_compressed_segmentation_is_exact(tmp_path, cloudvolume, dtype):
    layer = _dataset(tmp_path).add_layer(
        "segmentation",
        "segmentation",
        dtype_per_channel=dtype,
        largest_segment_id=int(np.iinfo(dtype).max),
        data_format=PRECOMPUTED,
    )
    labels = label_like(SHAPE, dtype)
    layer.add_mag(1).write(labels, absolute_offset=(0, 0, 0), allow_resize=True)
    layer.downsample(coarsest_mag=2)
    volume = _open(cloudvolume, layer)
    assert volume.layer_type == "segmentation" and volume.encoding == "compressed_segmentation"
    assert volume.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(_read_all(volume, SHAPE)[..., 0], labels)
    coarse = layer.get_mag("2-2-1")  # the voxels are anisotropic (11, 11, 25): z is not halved
    assert tuple(_open(cloudvolume, layer, 1).meta.resolution(1)) == pytest.approx((22, 22, 25))
    size = coarse.bounding_box.in_mag(coarse.mag).size
    np.testing.assert_array_equal(_read_all(_open(cloudvolume, layer, 1), size)[..., 0], coarse.read()[0])


def test_other_types_stay_raw_when_compressed(tmp_path, cloudvolume):
    dataset = _dataset(tmp_path)
    color16 = dataset.add_layer("color16", "color", dtype="uint16", data_format=PRECOMPUTED)
    segmentation8 = dataset.add_layer(
        "segmentation8", "segmentation", dtype_per_channel="uint8", largest_segment_id=255, data_format=PRECOMPUTED
    )
    for layer, data in ((color16, label_like(SHAPE, "uint16")), (segmentation8, label_like(SHAPE, "uint8"))):
        layer.add_mag(1).write(data, absolute_offset=(0, 0, 0), allow_resize=True)
        volume = _open(cloudvolume, layer)
        assert volume.encoding == "raw"  # neither jpeg (uint8 colour only) nor compressed_segmentation applies
        np.testing.assert_array_equal(_read_all(volume, SHAPE)[..., 0], data)


def test_sharded_segmentation_scale(tmp_path, cloudvolume):
    layer = _dataset(tmp_path).add_layer(
        "segmentation",
        "segmentation",
        dtype_per_channel="uint64",
        largest_segment_id=2**64 - 1,
        data_format=PRECOMPUTED,
    )
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (128, 128, 64))
    mag = layer.add_mag(1, chunk_shape=16, shard_shape=32)
    labels = label_like((128, 128, 64), "uint64", seed=3)
    mag.write(labels, absolute_offset=(0, 0, 0))
    scale = json.loads((layer.path / "info").read_text())["scales"][0]
    assert scale["sharding"]["@type"] == "neuroglancer_uint64_sharded_v1"
    assert scale["sharding"]["data_encoding"] == "gzip" and scale["encoding"] == "compressed_segmentation"
    shards = sorted(p.name for p in (layer.path / "1").iterdir())
    assert len(shards) == 4 * 4 * 2 and all(name.endswith(".shard") for name in shards)  # one file per 32³ box
    assert mag.info.shard_shape == wk.Vec3Int(32, 32, 32) and mag.info.chunk_shape == wk.Vec3Int(16, 16, 16)
    volume = _open(cloudvolume, layer)
    assert volume.meta.sharding(0) is not None and volume.layer_type == "segmentation"
    np.testing.assert_array_equal(_read_all(volume, (128, 128, 64))[..., 0], labels)
    np.testing.assert_array_equal(
        wk.Dataset.open(tmp_path / "ds").get_layer("segmentation").get_mag(1).read()[0], labels
    )
