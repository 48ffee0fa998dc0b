"""N5 volumes written by tensorstore, with the n5-viewer / BigDataViewer multiscale attributes, become layers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts

import daedalus as wk
from daedalus.conversion import ForeignVolumeError, import_volume

from .conftest import noisy_volume

FINEST = (64, 48, 20)  # x, y, z: N5 lists dimensions fastest first


def write_n5_level(path: Path, data: np.ndarray, resolution: tuple[float, ...] | None = None) -> None:
    """Write ``data`` (x, y, z) as an N5 array with tensorstore (its ``resolution``/``units`` when given)."""
    spec: dict = {
        "driver": "n5",
        "kvstore": {"driver": "file", "path": str(path)},
        "metadata": {
            "dimensions": list(data.shape),
            "blockSize": [16, 16, 8],
            "dataType": str(data.dtype),
            "compression": {"type": "gzip"},
        },
    }
    if resolution is not None:
        spec["schema"] = {"dimension_units": [[r, "nm"] for r in resolution]}
    ts.open(spec, create=True).result().write(data).result()


def add_attributes(path: Path, **attributes: object) -> None:
    """Merge ``attributes`` into the N5 node's attributes.json (created if absent), as n5-viewer writers do."""
    file = path / "attributes.json"
    document = json.loads(file.read_text()) if file.exists() else {"n5": "2.5.1"}
    document.update(attributes)
    path.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(document))


@pytest.fixture
def levels() -> list[np.ndarray]:
    finest = noisy_volume(FINEST, "uint16")
    return [finest, finest[::2, ::2, :], finest[::4, ::4, ::2]]


def test_an_n5_viewer_multiscale_group(levels: list[np.ndarray], tmp_path: Path) -> None:
    root = tmp_path / "volume.n5"
    for index, level in enumerate(levels):
        write_n5_level(root / f"s{index}", level)
    add_attributes(
        root,
        scales=[[1, 1, 1], [2, 2, 1], [4, 4, 2]],
        pixelResolution={"dimensions": [0.008, 0.008, 0.04], "unit": "um"},
    )
    add_attributes(root / "s1", downsamplingFactors=[2, 2, 1])

    layer = import_volume(root, tmp_path / "ds")
    assert layer.dataset.voxel_size_with_unit == wk.VoxelSize((0.008, 0.008, 0.04), wk.LengthUnit.MICROMETER)
    assert layer.data_format == wk.DataFormat.N5 and layer.dtype == np.dtype("uint16")
    assert sorted(layer.mags) == [wk.Mag(1), wk.Mag("2-2-1"), wk.Mag("4-4-2")]
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), FINEST)
    for mag, level in zip(sorted(layer.mags), levels):
        assert np.array_equal(layer.get_mag(mag).read(), level), mag


def test_levels_with_tensorstore_resolutions(levels: list[np.ndarray], tmp_path: Path) -> None:
    root = tmp_path / "volume.n5"
    for index, (level, factors) in enumerate(zip(levels, [(1, 1, 1), (2, 2, 1), (4, 4, 2)])):
        write_n5_level(root / f"s{index}", level, tuple(r * f for r, f in zip((4.0, 4.0, 30.0), factors)))

    layer = import_volume(root, tmp_path / "ds", copy=True)
    assert layer.dataset.voxel_size == (4.0, 4.0, 30.0)
    assert sorted(layer.mags) == [wk.Mag(1), wk.Mag("2-2-1"), wk.Mag("4-4-2")]
    assert layer.data_format == wk.DataFormat.Zarr3
    assert np.array_equal(layer.get_mag("4-4-2").read(), levels[2])


def test_a_single_n5_array(levels: list[np.ndarray], tmp_path: Path) -> None:
    write_n5_level(tmp_path / "raw", levels[0])
    layer = import_volume(tmp_path / "raw", tmp_path / "ds", voxel_size=(5, 5, 5))
    assert list(layer.mags) == [wk.Mag(1)] and np.array_equal(layer.get_finest_mag().read(), levels[0])


def test_an_unknown_unit_is_refused_naming_the_file(levels: list[np.ndarray], tmp_path: Path) -> None:
    root = tmp_path / "volume.n5"
    write_n5_level(root / "s0", levels[0])
    add_attributes(root, pixelResolution={"dimensions": [1, 1, 1], "unit": "furlong"})
    with pytest.raises(ForeignVolumeError, match=r"volume.n5/attributes.json.*'furlong'"):
        import_volume(root, tmp_path / "ds")


def test_a_folder_without_n5_levels_is_refused(tmp_path: Path) -> None:
    add_attributes(tmp_path / "empty.n5")
    with pytest.raises(ForeignVolumeError, match=r"empty.n5 holds neither an N5 array"):
        import_volume(tmp_path / "empty.n5", tmp_path / "ds", voxel_size=(1, 1, 1))
