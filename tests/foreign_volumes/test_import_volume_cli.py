"""``daedalus import-volume``: the Python import behind one command; bad sources are one-line usage errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zarr
from click.testing import CliRunner

import daedalus as wk
from daedalus.cli import cli

from .conftest import noisy_volume, write_ome_zarr


def test_an_ome_zarr_image_is_referenced_and_reported(tmp_path: Path) -> None:
    data = noisy_volume((8, 32, 48), "uint8")
    write_ome_zarr(
        tmp_path / "image.zarr", data, "0.5", "zyx", scale_factors=(2,), scale={"z": 2.0, "y": 1.0, "x": 1.0}
    )
    result = CliRunner().invoke(
        cli, ["import-volume", str(tmp_path / "image.zarr"), str(tmp_path / "ds"), "--layer-name", "em"]
    )
    assert result.exit_code == 0, result.output
    assert "Referenced" in result.output and "mags 1, 2-2-1" in result.output
    layer = wk.Dataset.open(tmp_path / "ds").get_layer("em")
    assert layer.dataset.voxel_size == (1.0, 1.0, 2.0)
    assert np.array_equal(layer.get_finest_mag().read(), data.T)


def test_a_plain_array_is_copied_with_the_voxel_size_given(tmp_path: Path) -> None:
    data = noisy_volume((16, 16, 16), "uint32")
    zarr.create_array(tmp_path / "seg.zarr", shape=data.shape, dtype=data.dtype, zarr_format=2)[...] = data
    result = CliRunner().invoke(
        cli,
        [
            "import-volume",
            str(tmp_path / "seg.zarr"),
            str(tmp_path / "ds"),
            "--category",
            "segmentation",
            "--voxel-size",
            "2,2,3",
            "--unit",
            "micrometer",
            "--copy",
            "--distribution-strategy",
            "sequential",
        ],
    )
    assert result.exit_code == 0, result.output
    layer = wk.Dataset.open(tmp_path / "ds").get_layer("segmentation")
    assert layer.dataset.voxel_size_with_unit == wk.VoxelSize((2, 2, 3), "micrometer")
    assert layer.data_format == wk.DataFormat.Zarr3 and np.array_equal(layer.get_finest_mag().read(), data)


def test_a_source_without_voxel_size_is_one_usage_error_line(tmp_path: Path) -> None:
    zarr.create_array(tmp_path / "plain.zarr", shape=(4, 4, 4), dtype="uint8", zarr_format=3)
    result = CliRunner().invoke(cli, ["import-volume", str(tmp_path / "plain.zarr"), str(tmp_path / "ds")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "plain.zarr" in lines[0] and "voxel_size" in lines[0]


def test_copy_options_without_copy_are_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import-volume", str(tmp_path / "x"), str(tmp_path / "ds"), "--chunk-shape", "32"]
    )
    assert result.exit_code == 2 and "--chunk-shape apply to --copy only" in result.output
