"""``daedalus.conversion.convert_zarr``: a plain zarr array (written by zarr-python) becomes a layer exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.conversion import ConversionInputError, SourceNotFoundError, convert_zarr

zarr = pytest.importorskip("zarr", reason="zarr-python writes the source arrays of these tests")

SHAPE = (40, 30, 20)


def _volume(dtype=np.uint8) -> np.ndarray:
    return (np.arange(np.prod(SHAPE)) * 7 % 251).astype(dtype).reshape(SHAPE)


def _array(path: Path, data: np.ndarray, **kwargs) -> Path:
    array = zarr.create_array(str(path), shape=data.shape, dtype=data.dtype, **kwargs)
    array[:] = data
    return path


def _read(mag_view) -> np.ndarray:
    return mag_view.read(absolute_bounding_box=mag_view.layer.bounding_box)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"zarr_format": 2, "chunks": (16, 16, 16)},
        {"zarr_format": 2, "chunks": (16, 16, 16), "order": "F"},
        {"zarr_format": 3, "chunks": (16, 16, 16)},
        {"zarr_format": 3, "chunks": (8, 8, 8), "shards": (16, 16, 16)},
    ],
    ids=["v2", "v2-fortran", "v3", "v3-sharded"],
)
def test_3d_arrays_import_exactly(tmp_path: Path, kwargs) -> None:
    volume = _volume()
    source = _array(tmp_path / "source.zarr", volume, **kwargs)

    mag_view = convert_zarr(source, tmp_path / "ds", voxel_size_with_unit=(2, 2, 5), chunk_shape=8, shard_shape=16)

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert layer.category == "color" and layer.dtype == np.uint8 and layer.num_channels == 1
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), SHAPE)
    np.testing.assert_array_equal(_read(mag_view)[0], volume)


def test_a_4d_array_gives_one_channel_per_first_index(tmp_path: Path) -> None:
    volume = np.stack([_volume(), 255 - _volume()])
    source = _array(tmp_path / "source.zarr", volume, zarr_format=3, chunks=(2, 16, 16, 16))
    mag_view = convert_zarr(source, tmp_path / "ds")
    assert mag_view.layer.num_channels == 2
    np.testing.assert_array_equal(_read(mag_view), volume)


def test_dimension_names_say_which_axis_is_which(tmp_path: Path) -> None:
    volume = _volume()
    zyx = np.ascontiguousarray(volume.transpose(2, 1, 0))
    source = _array(tmp_path / "zyx.zarr", zyx, zarr_format=3, chunks=(16, 16, 16), dimension_names=["z", "y", "x"])
    mag_view = convert_zarr(source, tmp_path / "ds")
    assert mag_view.layer.bounding_box == wk.BoundingBox((0, 0, 0), SHAPE)
    np.testing.assert_array_equal(_read(mag_view)[0], volume)


def test_a_segmentation_layer_gets_its_largest_segment_id(tmp_path: Path) -> None:
    volume = _volume(np.uint32) * 1000
    source = _array(tmp_path / "seg.zarr", volume, zarr_format=3, chunks=(16, 16, 16))
    with wk.get_executor("threads", max_workers=2) as executor:
        mag_view = convert_zarr(
            source,
            tmp_path / "ds",
            layer_name="segmentation",
            is_segmentation_layer=True,
            chunk_shape=8,
            shard_shape=16,
            executor=executor,
        )
    layer = wk.Dataset.open(tmp_path / "ds").get_layer("segmentation")
    assert layer.category == "segmentation" and layer.dtype == np.uint32
    assert layer.largest_segment_id == int(volume.max())
    np.testing.assert_array_equal(_read(mag_view)[0], volume)


def test_flip_axes_reverse_the_whole_array(tmp_path: Path) -> None:
    volume = _volume()
    source = _array(tmp_path / "source.zarr", volume, zarr_format=2, chunks=(16, 16, 16))
    mag_view = convert_zarr(source, tmp_path / "ds", flip_axes=(2, 3), chunk_shape=8, shard_shape=16)
    np.testing.assert_array_equal(_read(mag_view)[0], volume[:, ::-1, ::-1])


def test_a_group_is_refused_naming_its_arrays(tmp_path: Path) -> None:
    group = zarr.open_group(str(tmp_path / "group.zarr"), mode="w")
    group.create_array("raw", shape=SHAPE, dtype="uint8")[:] = _volume()
    with pytest.raises(ConversionInputError, match=r"zarr group.*\(raw\).*group.zarr/raw"):
        convert_zarr(tmp_path / "group.zarr", tmp_path / "ds")
    assert not (tmp_path / "ds").exists()


def test_a_missing_or_foreign_source_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="nope.zarr does not exist"):
        convert_zarr(tmp_path / "nope.zarr", tmp_path / "ds")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "data.bin").write_bytes(b"123")
    with pytest.raises(ConversionInputError, match="holds no zarr array"):
        convert_zarr(tmp_path / "plain", tmp_path / "ds")
    assert not (tmp_path / "ds").exists()


def test_extra_axes_longer_than_one_are_refused(tmp_path: Path) -> None:
    data = np.zeros((1, 3, 8, 8, 8), dtype=np.uint8)
    source = _array(tmp_path / "tczyx.zarr", data, zarr_format=3, dimension_names=["c", "t", "x", "y", "z"])
    with pytest.raises(ConversionInputError, match=r"\('c', 't', 'x', 'y', 'z'\)"):
        convert_zarr(source, tmp_path / "ds")
