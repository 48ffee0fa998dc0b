"""Plain zarr arrays written by zarr-python (v2 and v3) become one-mag layers with the voxel size given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import zarr

import daedalus as wk
from daedalus.conversion import ForeignVolumeError, import_volume

from .conftest import noisy_volume, properties_of


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_named_zyx_array_is_referenced(zarr_format: int, tmp_path: Path) -> None:
    data = noisy_volume((20, 30, 40), "uint16")  # z, y, x
    path = tmp_path / "plain.zarr"
    if zarr_format == 3:
        array = zarr.create_array(
            path, shape=data.shape, chunks=(8, 16, 16), dtype=data.dtype, zarr_format=3, dimension_names=["z", "y", "x"]
        )
    else:
        array = zarr.create_array(path, shape=data.shape, chunks=(8, 16, 16), dtype=data.dtype, zarr_format=2)
        array.attrs["_ARRAY_DIMENSIONS"] = ["z", "y", "x"]  # the xarray convention for zarr v2
    array[...] = data

    layer = import_volume(path, tmp_path / "ds", voxel_size=(2, 3, 4))
    assert layer.dataset.voxel_size == (2.0, 3.0, 4.0)
    assert layer.data_format == wk.DataFormat("zarr3" if zarr_format == 3 else "zarr")
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (40, 30, 20)) and list(layer.mags) == [wk.Mag(1)]
    assert np.array_equal(layer.get_finest_mag().read(), data.T)
    assert properties_of(tmp_path / "ds")["dataLayers"][0]["mags"][0]["axisOrder"] == {"z": 0, "y": 1, "x": 2}


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_an_unnamed_array_is_read_by_position_and_can_be_copied(zarr_format: int, tmp_path: Path) -> None:
    data = noisy_volume((3, 24, 16, 8), "uint8")  # c, x, y, z by position
    path = tmp_path / "cxyz.zarr"
    zarr.create_array(path, shape=data.shape, chunks=(3, 8, 8, 8), dtype=data.dtype, zarr_format=zarr_format)[...] = (
        data
    )

    layer = import_volume(
        path,
        tmp_path / "ds",
        voxel_size_with_unit=wk.VoxelSize((1, 1, 1), "micrometer"),
        copy=True,
        layer_name="rgb",
        chunk_shape=8,
        shard_shape=16,
    )
    assert layer.num_channels == 3 and layer.data_format == wk.DataFormat.Zarr3
    assert layer.get_finest_mag().info.shard_shape == wk.Vec3Int(16, 16, 16)
    assert np.array_equal(layer.get_finest_mag().read(), data)


def test_a_plain_array_needs_a_voxel_size(tmp_path: Path) -> None:
    path = tmp_path / "plain.zarr"
    zarr.create_array(path, shape=(8, 8, 8), dtype="uint8", zarr_format=3)
    with pytest.raises(ForeignVolumeError, match=r"voxel size.*voxel_size="):
        import_volume(path, tmp_path / "ds")
    assert not (tmp_path / "ds").exists()


def test_a_time_axis_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "tzyx.zarr"
    zarr.create_array(path, shape=(2, 8, 8, 8), dtype="uint8", zarr_format=3, dimension_names=["t", "z", "y", "x"])
    with pytest.raises(ForeignVolumeError, match=r"\['t'\] are not supported"):
        import_volume(path, tmp_path / "ds", voxel_size=(1, 1, 1))


def test_a_group_without_multiscales_asks_for_an_array(tmp_path: Path) -> None:
    group = zarr.open_group(tmp_path / "group.zarr", mode="w", zarr_format=3)
    group.create_array("raw", shape=(8, 8, 8), dtype="uint8")
    with pytest.raises(ForeignVolumeError, match=r"group.zarr/zarr.json is a zarr group without OME-NGFF"):
        import_volume(tmp_path / "group.zarr", tmp_path / "ds", voxel_size=(1, 1, 1))


def test_copy_options_without_copy_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.zarr"
    zarr.create_array(path, shape=(8, 8, 8), dtype="uint8", zarr_format=3)
    with pytest.raises(ValueError, match="copy=True"):
        import_volume(path, tmp_path / "ds", voxel_size=(1, 1, 1), data_format="wkw")
