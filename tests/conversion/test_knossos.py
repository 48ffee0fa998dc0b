"""``daedalus.conversion.convert_knossos``: KNOSSOS cubes (128³ raw files in x*/y*/z* folders) become one layer.

The cubes are written here the way KNOSSOS stores them: ``mag1/x0001/y0000/z0002/<name>_mag1_x0001_y0000_z0002.raw``
holding 128³ voxels with x varying fastest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.conversion import (
    KNOSSOS_CUBE_EDGE,
    ConversionInputError,
    SourceNotFoundError,
    convert_knossos,
    find_knossos_cubes,
)

EDGE = KNOSSOS_CUBE_EDGE


def _cube(seed: int, dtype=np.uint8) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 250, (EDGE, EDGE, EDGE)).astype(dtype)


def write_cube(mag_folder: Path, index: tuple[int, int, int], cube: np.ndarray, name: str = "e2006") -> Path:
    """Store ``cube`` (x, y, z) as the KNOSSOS cube ``index`` of ``mag_folder``."""
    x, y, z = index
    folder = mag_folder / f"x{x:04d}" / f"y{y:04d}" / f"z{z:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}_{mag_folder.name}_x{x:04d}_y{y:04d}_z{z:04d}.raw"
    cube.ravel(order="F").tofile(path)
    return path


def _read(mag_view, offset, size) -> np.ndarray:
    return mag_view.read(absolute_offset=offset, size=size)[0]


def test_cubes_are_placed_by_their_folder_indices_and_gaps_read_as_zeros(tmp_path: Path) -> None:
    mag1 = tmp_path / "knossos" / "mag1"
    first, second = _cube(1), _cube(2)
    write_cube(mag1, (0, 0, 0), first)
    write_cube(mag1, (1, 1, 0), second)

    mag_view = convert_knossos(mag1, tmp_path / "ds", voxel_size_with_unit=(11.24, 11.24, 25))

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (2 * EDGE, 2 * EDGE, EDGE))
    assert layer.dtype == np.uint8 and layer.category == "color" and set(layer.mags) == {wk.Mag(1)}
    np.testing.assert_array_equal(_read(mag_view, (0, 0, 0), (EDGE,) * 3), first)
    np.testing.assert_array_equal(_read(mag_view, (EDGE, EDGE, 0), (EDGE,) * 3), second)
    assert not _read(mag_view, (EDGE, 0, 0), (EDGE,) * 3).any()
    assert not _read(mag_view, (0, EDGE, 0), (EDGE,) * 3).any()


def test_the_box_starts_at_the_first_cube_and_shard_tasks_run_on_an_executor(tmp_path: Path) -> None:
    mag1 = tmp_path / "mag1"
    cubes = {(1, 0, 2): _cube(3), (2, 0, 2): _cube(4), (1, 1, 3): _cube(5)}
    for index, cube in cubes.items():
        write_cube(mag1, index, cube)

    with wk.get_executor("multiprocessing", max_workers=2) as executor:
        mag_view = convert_knossos(mag1, tmp_path / "ds", chunk_shape=32, shard_shape=128, executor=executor)

    assert mag_view.layer.bounding_box == wk.BoundingBox((EDGE, 0, 2 * EDGE), (2 * EDGE, 2 * EDGE, 2 * EDGE))
    for index, cube in cubes.items():
        np.testing.assert_array_equal(_read(mag_view, tuple(i * EDGE for i in index), (EDGE,) * 3), cube)


def test_cubes_of_a_coarser_mag_become_that_mag(tmp_path: Path) -> None:
    mag2 = tmp_path / "mag2"
    cube = _cube(6, np.uint16) * 200
    write_cube(mag2, (0, 1, 0), cube)

    mag_view = convert_knossos(mag2, tmp_path / "ds", dtype="uint16", mag=2)

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert set(layer.mags) == {wk.Mag(2)} and layer.dtype == np.uint16
    assert layer.bounding_box == wk.BoundingBox((0, 2 * EDGE, 0), (2 * EDGE, 2 * EDGE, 2 * EDGE))
    np.testing.assert_array_equal(mag_view.read(absolute_bounding_box=layer.bounding_box)[0], cube)


def test_find_knossos_cubes_lists_every_cube_file(tmp_path: Path) -> None:
    paths = {index: write_cube(tmp_path / "mag1", index, _cube(7)) for index in [(0, 0, 0), (3, 2, 1)]}
    (tmp_path / "mag1" / "x0000" / "y0000" / "z0000" / "notes.txt").write_text("not a cube")
    found = find_knossos_cubes(tmp_path / "mag1")
    assert {index: Path(str(path)) for index, path in found.items()} == paths


def test_a_wrong_dtype_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    write_cube(tmp_path / "mag1", (0, 0, 0), _cube(8))
    with pytest.raises(ConversionInputError, match=r"holds 2097152 bytes.*uint16 voxels has 4194304"):
        convert_knossos(tmp_path / "mag1", tmp_path / "ds", dtype="uint16")
    assert not (tmp_path / "ds").exists()


def test_the_dataset_folder_instead_of_a_mag_folder_is_refused_naming_the_mag(tmp_path: Path) -> None:
    write_cube(tmp_path / "knossos" / "mag1", (0, 0, 0), _cube(9))
    with pytest.raises(ConversionInputError, match=r"No KNOSSOS cubes .* mag1: give one of them"):
        convert_knossos(tmp_path / "knossos", tmp_path / "ds")
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        convert_knossos(tmp_path / "missing", tmp_path / "ds")


def test_two_cube_files_in_one_folder_are_refused(tmp_path: Path) -> None:
    write_cube(tmp_path / "mag1", (0, 0, 0), _cube(10), name="first")
    write_cube(tmp_path / "mag1", (0, 0, 0), _cube(11), name="second")
    with pytest.raises(ConversionInputError, match="holds 2 .raw files"):
        convert_knossos(tmp_path / "mag1", tmp_path / "ds")
