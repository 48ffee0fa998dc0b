"""Fixtures for the OME-NGFF and dask tests: small daedalus datasets in zarr (NGFF 0.4) and zarr3 (NGFF 0.5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import daedalus as wk

VOXEL_SIZE = (11.0, 12.0, 13.0)
# not aligned to chunks or shards, so that shapes and block edges have to be computed, not assumed
COLOR_BOX = wk.BoundingBox((10, 20, 30), (100, 70, 50))
MAGS = ["1", "2-2-1", "4-4-2"]
NGFF_VERSION = {"zarr": "0.4", "zarr3": "0.5"}


def build_dataset(path: Path, data_format: str, **mag_options: Any) -> wk.Dataset:
    """A dataset with a ``color`` layer (uint8, random data, mags 1, 2-2-1, 4-4-2) and an ``rgb`` layer (3 channels)."""
    rng = np.random.default_rng(17)
    ds = wk.Dataset(path, voxel_size=VOXEL_SIZE)
    color = ds.add_layer("color", wk.COLOR_CATEGORY, data_format=data_format, dtype="uint8")
    color.add_mag(1, **mag_options).write(
        rng.integers(1, 255, COLOR_BOX.size.to_tuple(), dtype="uint8"),
        absolute_offset=COLOR_BOX.topleft,
        allow_resize=True,
        allow_unaligned=True,
    )
    color.downsample_mag(wk.Mag(1), wk.Mag("2-2-1"))
    color.downsample_mag(wk.Mag("2-2-1"), wk.Mag("4-4-2"))
    rgb = ds.add_layer("rgb", wk.COLOR_CATEGORY, data_format=data_format, dtype="uint8", num_channels=3)
    rgb.add_mag(1, **mag_options).write(
        rng.integers(0, 255, (3, 40, 30, 20), dtype="uint8"),
        absolute_offset=(0, 0, 0),
        allow_resize=True,
        allow_unaligned=True,
    )
    return ds


@pytest.fixture(scope="module", params=["zarr", "zarr3"])
def ngff_dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> wk.Dataset:
    """The dataset of ``build_dataset`` in zarr (NGFF 0.4) and in zarr3 with the default 1024³ shards (NGFF 0.5)."""
    return build_dataset(tmp_path_factory.mktemp(request.param) / "ds", request.param)
