"""``export-as-tiff``: the same command line, run with ``webknossos`` (4.3.3) and ``daedalus`` on the same dataset,
writes TIFF stacks that compare equal (file names, page count, shapes, dtypes, photometric, compression, pixels).

Known, deliberate differences are not run here: a multi-channel layer with ``--downsample`` (the reference shrinks
the channel axis too and writes pages of two samples; daedalus keeps RGB) and boxes with negative corners (the
reference refuses them, daedalus pads). ``--apply-mapping`` needs ``fastremap`` in the reference venv and is
skipped without it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")

pytestmark = pytest.mark.interop

OFFSET = (10, 20, 5)
SIZE = (70, 50, 20)
SEQUENTIAL = ["--distribution-strategy", "sequential"]

CASES = {
    "default": [],
    "name-and-box": ["--name", "foo", "--bbox", "20,30,8,10,10,4"],
    "padded-box": ["--bbox", "0,0,0,100,80,10"],
    "mag-and-unaligned-box": ["--mag", "2-2-1", "--bbox", "11,21,5,20,10,3"],
    "mag-with-z": ["--layer-name", "iso", "--mag", "2", "--bbox", "9,17,5,20,20,7"],
    "downsample-2": ["--downsample", "2"],
    "downsample-3": ["--downsample", "3", "--bbox", "10,20,5,33,21,2"],
    "downsample-6": ["--downsample", "6", "--bbox", "10,20,5,33,21,2"],
    "tiles-per-dimension": ["--tiles-per-dimension", "2,3", "--bbox", "10,20,5,70,50,3"],
    "tile-size-and-name": ["--tile-size", "30,20", "--name", "foo", "--bbox", "10,20,5,70,50,3"],
    "tiles-downsampled": ["--tile-size", "20,20", "--downsample", "2", "--bbox", "10,20,5,70,50,3"],
    "both-tile-options-mag": ["--tile-size", "20,20", "--tiles-per-dimension", "2,2", "--mag", "2-2-1"],
    "rgb": ["--layer-name", "rgb", "--batch-size", "7"],
    "rgb-tiles": ["--layer-name", "rgb", "--tile-size", "30,30", "--bbox", "10,20,5,70,50,2"],
    "segmentation": ["--layer-name", "segmentation"],
    "segmentation-downsampled": ["--layer-name", "segmentation", "--downsample", "2"],
    "float-downsampled": ["--layer-name", "f32", "--downsample", "2"],
}


@pytest.fixture(scope="module")
def dataset_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset written by daedalus: color (mags 1, 2-2-1), rgb, f32, segmentation (agglomerate "agg"), iso (mag 2)."""
    path = tmp_path_factory.mktemp("export-interop") / "ds"
    rng = np.random.default_rng(11)
    ds = wk.Dataset(path, voxel_size=(11, 11, 25))
    box = wk.BoundingBox(OFFSET, SIZE)

    def add(name: str, category: str, data: np.ndarray, mag: str = "1", layer_box=box, **kwargs: object) -> wk.Layer:
        if name in ds.layers:
            layer = ds.get_layer(name)
        else:
            layer = ds.add_layer(
                name,
                category,
                dtype=data.dtype,
                num_channels=data.shape[0],
                bounding_box=layer_box,
                **kwargs,
            )
        layer.add_mag(mag, chunk_shape=32, shard_shape=32).write(
            data, absolute_offset=layer_box.topleft, allow_unaligned=True
        )
        return layer

    add("color", "color", rng.integers(1, 255, (1, *SIZE), dtype=np.uint8))
    add("color", "color", rng.integers(1, 255, (1, 35, 25, 20), dtype=np.uint8), mag="2-2-1")
    add("rgb", "color", rng.integers(0, 255, (3, *SIZE), dtype=np.uint8))
    add("f32", "color", rng.random((1, *SIZE), dtype=np.float32))
    segmentation = add(
        "segmentation", "segmentation", rng.integers(0, 100, (1, *SIZE), dtype=np.uint32), largest_segment_id=99
    )
    graph = wk.AgglomerateGraph()
    for segment in range(1, 100):
        graph.add_segment(segment, position=wk.Vec3Int(segment, segment, segment))
    for segment in range(2, 98, 2):
        graph.add_affinity_edge(segment, segment + 1, affinity=0.5)
    wk.AgglomerateAttachment.create_and_add_to(segmentation, "agg", graph)
    iso_box = wk.BoundingBox((8, 16, 4), (64, 48, 24))
    add("iso", "color", rng.integers(1, 60000, (1, 64, 48, 24), dtype=np.uint16), layer_box=iso_box)
    add("iso", "color", rng.integers(1, 60000, (1, 32, 24, 12), dtype=np.uint16), mag="2", layer_box=iso_box)
    return path


def webknossos_command(reference_python: Path) -> list[str]:
    """The reference's console script in its venv."""
    return [str(reference_python.parent / "webknossos")]


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command line; fail with its output when it does not exit 0."""
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert completed.returncode == 0, f"{' '.join(command)}\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}"
    return completed


def stack(folder: Path) -> dict[str, tuple]:
    """For every TIFF below ``folder``: (pages, shape, dtype, photometric, compression, pixels)."""
    found = {}
    for path in sorted(folder.rglob("*.tiff")):
        with tifffile.TiffFile(path) as tif:
            first = tif.pages[0]
            pixels = tif.asarray()
            found[str(path.relative_to(folder))] = (
                len(tif.pages),
                tuple(first.shape),
                str(first.dtype),
                int(first.photometric),
                int(first.compression),
                pixels,
            )
    return found


def assert_same_stacks(ours: Path, theirs: Path) -> None:
    """Both folders hold the same files with the same layout and pixels."""
    mine, reference = stack(ours), stack(theirs)
    assert sorted(mine) == sorted(reference) and mine, (sorted(mine)[:5], sorted(reference)[:5])
    for name, (*layout, pixels) in mine.items():
        *reference_layout, reference_pixels = reference[name]
        assert layout == reference_layout, name
        assert pixels.dtype == reference_pixels.dtype, name
        np.testing.assert_array_equal(pixels, reference_pixels, err_msg=name)


def export_both(command: str, args: list[str], dataset_path: Path, tmp_path: Path, reference_python: Path, env) -> None:
    """Run ``COMMAND SOURCE TARGET ARGS`` with both programs and compare what they wrote."""
    ours, theirs = tmp_path / "daedalus", tmp_path / "webknossos"
    run([sys.executable, "-m", "daedalus", command, str(dataset_path), str(ours), *args])
    run([*webknossos_command(reference_python), command, str(dataset_path), str(theirs), *args], env)
    assert_same_stacks(ours, theirs)


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_as_tiff_matches_the_reference(
    case: str, dataset_path: Path, tmp_path: Path, reference_python: Path, reference_env
) -> None:
    export_both(
        "export-as-tiff",
        [*CASES[case], *SEQUENTIAL],
        dataset_path,
        tmp_path,
        reference_python,
        reference_env._clean_env(),
    )


def test_default_executors_and_export_wkw_as_tiff_match(
    dataset_path: Path, tmp_path: Path, reference_python: Path, reference_env
) -> None:
    args = ["--bbox", "10,20,5,70,50,12", "--batch-size", "4", "--name", "w"]  # three batches on worker processes
    export_both("export-wkw-as-tiff", args, dataset_path, tmp_path, reference_python, reference_env._clean_env())


def test_apply_mapping_matches_the_reference(
    dataset_path: Path, tmp_path: Path, reference_python: Path, reference_env
) -> None:
    probe = subprocess.run([str(reference_python), "-c", "import fastremap"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the reference's --apply-mapping needs fastremap, which its venv lacks (webknossos[fastremap])")
    args = ["--layer-name", "segmentation", "--apply-mapping", "agg", "--bbox", "10,20,5,70,50,4", *SEQUENTIAL]
    export_both("export-as-tiff", args, dataset_path, tmp_path, reference_python, reference_env._clean_env())


@pytest.mark.parametrize("command", ["export-as-tiff", "export-wkw-as-tiff"])
def test_help_lists_the_reference_options(command: str, reference_python: Path, reference_env) -> None:
    env = {**reference_env._clean_env(), "COLUMNS": "200", "NO_COLOR": "1"}
    reference_help = run([*webknossos_command(reference_python), command, "--help"], env).stdout
    reference_options = set(re.findall(r"^\W+(--[a-z][a-z-]*)\s", reference_help, flags=re.MULTILINE))
    our_help = run([sys.executable, "-m", "daedalus", command, "--help"]).stdout
    our_options = set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", our_help, flags=re.MULTILINE))
    assert "--apply-mapping" in reference_options and "--help" in reference_options
    assert reference_options == our_options
