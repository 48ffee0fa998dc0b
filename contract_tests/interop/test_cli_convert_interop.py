"""The same ``convert*`` command line, run with ``webknossos`` 4.3.3 and with ``daedalus``, gives equal datasets.

Each test runs the reference CLI in its own venv (``reference_env.run_reference``; skipped when the venv cannot be
built) and ``daedalus`` through click's runner on the same input, then compares both datasets twice: with the
reference's own ``webknossos check-equality`` and here (voxel size, layers, categories, dtypes, channels, bounding
boxes, mags, largest segment ids and the voxels of every mag).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import daedalus as wk
from daedalus.cli import cli

# Runs the reference's console script ``webknossos`` with the snippet's arguments (guarded: its multiprocessing
# executor spawns processes that import this file).
REFERENCE_CLI = """
import sys, warnings
from importlib.metadata import entry_points

if __name__ == "__main__":
    warnings.simplefilter("ignore")
    app = next(iter(entry_points(group="console_scripts", name="webknossos"))).load()
    sys.argv = ["webknossos", *sys.argv[1:]]
    app()
"""

# The reference computes its answer one task after another: the same output as its default process pool, without
# spawning a pool of interpreters per command. daedalus runs with its default executor.
REFERENCE_SEQUENTIAL = ["--distribution-strategy", "sequential"]
SHAPE = (40, 30, 20)
EDGE = 128


def _both(run_reference, tmp_path: Path, command: list[str]) -> tuple[Path, Path]:
    """Run ``command`` (with the target appended) with both CLIs; returns (reference dataset, daedalus dataset)."""
    reference, ours = tmp_path / "reference", tmp_path / "daedalus"
    run_reference(
        REFERENCE_CLI, *command[:2], reference, *command[2:], *REFERENCE_SEQUENTIAL, timeout=900, cwd=tmp_path
    )
    result = CliRunner().invoke(cli, [*command[:2], str(ours), *command[2:]], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return reference, ours


def assert_equal_datasets(run_reference, reference: Path, ours: Path) -> None:
    """Both datasets agree in everything a user sees: the reference's check-equality and every property here."""
    run_reference(REFERENCE_CLI, "check-equality", reference, ours, *REFERENCE_SEQUENTIAL, timeout=900)
    expected, actual = wk.Dataset.open(reference), wk.Dataset.open(ours)
    assert actual.voxel_size_with_unit == expected.voxel_size_with_unit
    assert sorted(actual.layers) == sorted(expected.layers)
    for name, layer in expected.layers.items():
        mine = actual.get_layer(name)
        described = ("category", "dtype", "num_channels", "bounding_box", "data_format")
        assert {k: getattr(mine, k) for k in described} == {k: getattr(layer, k) for k in described}, name
        assert sorted(mine.mags) == sorted(layer.mags), name
        if layer.category == "segmentation":
            assert mine.largest_segment_id == layer.largest_segment_id
        for mag in layer.mags:
            np.testing.assert_array_equal(
                mine.get_mag(mag).read(absolute_bounding_box=mine.bounding_box),
                layer.get_mag(mag).read(absolute_bounding_box=layer.bounding_box),
                err_msg=f"layer {name} mag {mag}",
            )


def _volume(dtype=np.uint8) -> np.ndarray:
    return (np.arange(np.prod(SHAPE)) * 7 % 251).astype(dtype).reshape(SHAPE)


# --------------------------------------------------------------------------- convert


def test_convert_of_the_tiff_fixture(run_reference, shared_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "stack"
    folder.mkdir()
    for source in sorted((shared_dir / "fixtures" / "wk-testdata" / "tiff").glob("*.tiff")):
        # slices 1..256 are git-symlink text files naming slice 0
        target = source if source.read_bytes()[:2] in (b"II", b"MM") else source.parent / source.read_text().strip()
        os.symlink(target, folder / source.name)

    reference, ours = _both(run_reference, tmp_path, ["convert", str(folder), "--voxel-size", "11.24,11.24,25"])

    assert_equal_datasets(run_reference, reference, ours)
    assert len(wk.Dataset.open(ours).get_layer("stack").mags) == 3


def test_convert_of_a_segmentation_stack_without_downsampling(run_reference, tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    folder = tmp_path / "labels"
    folder.mkdir()
    stack = (np.arange(12 * 50 * 70) // 31 % 9).astype(np.uint16).reshape(12, 50, 70)
    for z, page in enumerate(stack):
        tifffile.imwrite(folder / f"slice_{z:02d}.tif", page)

    command = ["convert", str(folder), "--voxel-size", "4,4,40", "--layer-name", "seg", "--category", "segmentation"]
    reference, ours = _both(run_reference, tmp_path, [*command, "--no-downsample"])

    assert_equal_datasets(run_reference, reference, ours)


# --------------------------------------------------------------------------- convert-raw


def test_convert_raw_in_fortran_order_with_downsampling(run_reference, tmp_path: Path) -> None:
    source = tmp_path / "volume.raw"
    _volume().ravel(order="F").tofile(source)

    reference, ours = _both(
        run_reference, tmp_path, ["convert-raw", str(source), "--shape", "40,30,20", "--voxel-size", "1,1,2"]
    )

    assert_equal_datasets(run_reference, reference, ours)


def test_convert_raw_in_c_order_with_flips_and_a_source_dtype(run_reference, tmp_path: Path) -> None:
    source = tmp_path / "volume.raw"
    (_volume(np.uint16) * 250).ravel(order="C").tofile(source)

    reference, ours = _both(
        run_reference,
        tmp_path,
        ["convert-raw", str(source), "--shape", "40,30,20", "--voxel-size", "1,1,1", "--order", "C",
         "--flip-axes", "1,2,3", "--source-dtype", "uint16", "--dtype", "uint32", "--layer-name", "em",
         "--chunk-shape", "8", "--shard-shape", "16", "--no-downsample"],
    )  # fmt: skip

    assert_equal_datasets(run_reference, reference, ours)


def test_convert_raw_rescaled_into_uint8(run_reference, tmp_path: Path) -> None:
    source = tmp_path / "volume.raw"
    (_volume(np.uint16) * 200 + 100).ravel(order="F").tofile(source)

    reference, ours = _both(
        run_reference,
        tmp_path,
        ["convert-raw", str(source), "--shape", "40,30,20", "--voxel-size", "1,1,1", "--source-dtype", "uint16",
         "--rescale-min-max", "100,50100", "--flip-axes", "0,1,3", "--no-downsample"],
    )  # fmt: skip

    assert_equal_datasets(run_reference, reference, ours)


# --------------------------------------------------------------------------- convert-zarr


@pytest.mark.parametrize(
    ("kwargs", "options"),
    [
        ({"zarr_format": 2, "chunks": (16, 16, 16)}, ["--flip-axes", "1,2,3"]),
        ({"zarr_format": 3, "chunks": (8, 8, 8), "shards": (16, 16, 16)}, ["--is-segmentation-layer"]),
    ],
    ids=["v2-flipped", "v3-sharded-segmentation"],
)
def test_convert_zarr(run_reference, tmp_path: Path, kwargs, options) -> None:
    zarr = pytest.importorskip("zarr")
    volume = _volume(np.uint32) // 20
    array = zarr.create_array(str(tmp_path / "source.zarr"), shape=SHAPE, dtype="uint32", **kwargs)
    array[:] = volume

    reference, ours = _both(
        run_reference,
        tmp_path,
        # 64³ shards: with its default shards the reference's convert-zarr peaks at 8.6 GB for this tiny uint32
        # volume (5.5 GB so), enough to run this machine out of memory beside the other test shard
        ["convert-zarr", str(tmp_path / "source.zarr"), "--voxel-size", "1,1,2", "--layer-name", "layer",
         "--chunk-shape", "32", "--shard-shape", "64", *options],
    )  # fmt: skip

    assert_equal_datasets(run_reference, reference, ours)


# --------------------------------------------------------------------------- convert-knossos


def test_convert_knossos(run_reference, tmp_path: Path) -> None:
    mag1 = tmp_path / "knossos" / "mag1"
    rng = np.random.default_rng(5)
    for x, y, z in [(0, 0, 0), (1, 0, 1), (1, 1, 1)]:
        folder = mag1 / f"x{x:04d}" / f"y{y:04d}" / f"z{z:04d}"
        folder.mkdir(parents=True)
        cube = rng.integers(0, 255, (EDGE, EDGE, EDGE), dtype=np.uint8)
        cube.ravel(order="F").tofile(folder / f"sample_mag1_x{x:04d}_y{y:04d}_z{z:04d}.raw")

    reference, ours = _both(
        run_reference, tmp_path, ["convert-knossos", str(mag1), "--voxel-size", "11,11,28", "--layer-name", "raw"]
    )

    assert_equal_datasets(run_reference, reference, ours)
