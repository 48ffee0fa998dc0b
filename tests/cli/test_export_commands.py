"""``daedalus export-as-tiff`` / ``export-wkw-as-tiff`` end to end: TIFFs read back with tifffile equal the layer.

Covers the reference's options (layer, box, mag, name, downsample, mapping, tiles, batch size, executors) and the
mistakes that must end in one line with exit code 2 and no file written.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

import daedalus as wk
from daedalus.cli import cli

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")

OFFSET = (10, 20, 5)
SIZE = (70, 50, 20)
SEQUENTIAL = ["--distribution-strategy", "sequential"]


@pytest.fixture(scope="module")
def dataset_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Layers color (mags 1 and 2-2-1) and segmentation (with agglomerate "agg": segment s -> s // 2 + 1)."""
    path = tmp_path_factory.mktemp("cli-export") / "ds"
    rng = np.random.default_rng(3)
    ds = wk.Dataset(path, voxel_size=(11, 11, 25))
    box = wk.BoundingBox(OFFSET, SIZE)
    color = ds.add_layer("color", "color", dtype="uint8", bounding_box=box)
    color.add_mag(1, chunk_shape=32, shard_shape=32).write(
        rng.integers(1, 255, SIZE, dtype=np.uint8), absolute_offset=OFFSET, allow_unaligned=True
    )
    color.add_mag("2-2-1", chunk_shape=32, shard_shape=32).write(
        rng.integers(1, 255, (35, 25, 20), dtype=np.uint8), absolute_offset=OFFSET, allow_unaligned=True
    )
    segmentation = ds.add_layer("segmentation", "segmentation", dtype="uint32", bounding_box=box, largest_segment_id=9)
    segmentation.add_mag(1, chunk_shape=32, shard_shape=32).write(
        rng.integers(0, 10, SIZE, dtype=np.uint32), absolute_offset=OFFSET, allow_unaligned=True
    )
    graph = wk.AgglomerateGraph()
    for segment in range(1, 10):
        graph.add_segment(segment, position=wk.Vec3Int(segment, segment, segment))
    for segment in (2, 4, 6, 8):
        graph.add_affinity_edge(segment, segment + 1, affinity=1.0)
    wk.AgglomerateAttachment.create_and_add_to(segmentation, "agg", graph)
    return path


def export(*args: str) -> Result:
    """Run ``daedalus export-as-tiff ARGS`` in this process."""
    return CliRunner().invoke(cli, ["export-as-tiff", *map(str, args)])


def tiffs(folder: Path) -> list[str]:
    """The TIFF files below ``folder``, relative and sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.tiff"))


def image(path: Path) -> np.ndarray:
    """The one page of the TIFF at ``path`` (rows y, columns x)."""
    with tifffile.TiffFile(path) as tif:
        assert len(tif.pages) == 1
        return tif.pages[0].asarray()


def layer_data(dataset_path: Path, layer: str, mag: str = "1") -> np.ndarray:
    """The layer's voxels as (x, y, z)."""
    return wk.Dataset.open(dataset_path).get_layer(layer).get_mag(mag).read()[0]


def test_export_as_tiff_writes_every_slice_of_the_layer(dataset_path: Path, tmp_path: Path) -> None:
    result = export(dataset_path, tmp_path / "out", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    assert f"Wrote 20 TIFF files (70x50 pixels, uint8) to {tmp_path / 'out'}" in result.output
    data = layer_data(dataset_path, "color")
    assert tiffs(tmp_path / "out") == [f"{z:06d}.tiff" for z in range(20)]
    for z in range(20):
        np.testing.assert_array_equal(image(tmp_path / "out" / f"{z:06d}.tiff"), data[:, :, z].T)


def test_box_mag_and_name(dataset_path: Path, tmp_path: Path) -> None:
    result = export(
        dataset_path, tmp_path, "--mag", "2-2-1", "--bbox", "11,21,5,20,10,3", "--name", "part", *SEQUENTIAL
    )
    assert result.exit_code == 0, result.output
    # shrunk to whole mag-2-2-1 voxels: x 12..30 -> 6..15, y 22..30 -> 11..15
    whole = (
        wk.Dataset.open(dataset_path)
        .get_layer("color")
        .get_mag("2-2-1")
        .read(absolute_offset=(0, 0, 0), size=(90, 80, 30))[0]
    )
    assert tiffs(tmp_path) == ["part_000000.tiff", "part_000001.tiff", "part_000002.tiff"]
    for z in range(3):
        np.testing.assert_array_equal(image(tmp_path / f"part_{z:06d}.tiff"), whole[6:15, 11:15, 5 + z].T)


def test_a_box_larger_than_the_data_is_padded(dataset_path: Path, tmp_path: Path) -> None:
    assert export(dataset_path, tmp_path, "--bbox", "0,0,4,100,80,2", *SEQUENTIAL).exit_code == 0
    data = layer_data(dataset_path, "color")
    expected = np.zeros((100, 80), dtype=np.uint8)
    expected[10:80, 20:70] = data[:, :, 0]
    np.testing.assert_array_equal(image(tmp_path / "000000.tiff"), np.zeros((80, 100), dtype=np.uint8))  # z 4
    np.testing.assert_array_equal(image(tmp_path / "000001.tiff"), expected.T)  # z 5, the first slice of data


def test_tiles_per_dimension_and_tile_size(dataset_path: Path, tmp_path: Path) -> None:
    data = layer_data(dataset_path, "color")
    assert export(dataset_path, tmp_path / "a", "--tiles-per-dimension", "2,3", *SEQUENTIAL).exit_code == 0
    assert tiffs(tmp_path / "a") == sorted(f"{z}/{r}/{c}.tiff" for z in range(20) for r in (1, 2, 3) for c in (1, 2))
    padded = np.zeros((70, 51, 20), dtype=np.uint8)  # tiles of 35 x 17
    padded[:, :50] = data
    np.testing.assert_array_equal(image(tmp_path / "a" / "7" / "3" / "2.tiff"), padded[35:70, 34:51, 7].T)
    assert export(dataset_path, tmp_path / "b", "--tile-size", "64,64", *SEQUENTIAL).exit_code == 0
    assert tiffs(tmp_path / "b") == sorted(f"{z}/1/{c}.tiff" for z in range(20) for c in (1, 2))
    second = np.zeros((64, 64), dtype=np.uint8)
    second[:6, :50] = data[64:70, :, 19]
    np.testing.assert_array_equal(image(tmp_path / "b" / "19" / "1" / "2.tiff"), second.T)


def test_downsample_shrinks_the_images(dataset_path: Path, tmp_path: Path) -> None:
    from daedalus.export import downsample_image

    result = export(dataset_path, tmp_path, "--downsample", "2", "--batch-size", "8", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    assert "(35x25 pixels, uint8)" in result.output
    data = layer_data(dataset_path, "color")
    np.testing.assert_array_equal(image(tmp_path / "000013.tiff"), downsample_image(data[:, :, 13].T, 2))


def test_apply_mapping_writes_agglomerate_ids(dataset_path: Path, tmp_path: Path) -> None:
    args = ["--layer-name", "segmentation", "--apply-mapping", "agg", *SEQUENTIAL]
    result = export(dataset_path, tmp_path, *args)
    assert result.exit_code == 0, result.output
    segments = layer_data(dataset_path, "segmentation")
    agglomerate_of = np.array([0, 1, 2, 2, 3, 3, 4, 4, 5, 5], dtype=np.uint64)  # {1}, {2, 3}, {4, 5}, ...
    for z in (0, 19):
        mapped = image(tmp_path / f"{z:06d}.tiff")
        assert mapped.dtype == np.uint64
        np.testing.assert_array_equal(mapped, agglomerate_of[segments[:, :, z]].T)


def test_export_wkw_as_tiff_is_the_same_command(dataset_path: Path, tmp_path: Path) -> None:
    assert export(dataset_path, tmp_path / "a", "--bbox", "10,20,5,30,30,3", *SEQUENTIAL).exit_code == 0
    args = ["export-wkw-as-tiff", dataset_path, tmp_path / "b", "--bbox", "10,20,5,30,30,3", *SEQUENTIAL]
    result = CliRunner().invoke(cli, list(map(str, args)))
    assert result.exit_code == 0, result.output
    assert tiffs(tmp_path / "a") == tiffs(tmp_path / "b") == ["000000.tiff", "000001.tiff", "000002.tiff"]
    for name in tiffs(tmp_path / "a"):
        np.testing.assert_array_equal(image(tmp_path / "a" / name), image(tmp_path / "b" / name))


def test_the_console_script_with_default_options_uses_worker_processes(dataset_path: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "daedalus", "export-as-tiff", str(dataset_path), str(tmp_path), "--jobs", "2"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "Wrote 20 TIFF files" in completed.stdout
    data = layer_data(dataset_path, "color")
    for z in (0, 10, 19):
        np.testing.assert_array_equal(image(tmp_path / f"{z:06d}.tiff"), data[:, :, z].T)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--layer-name", "nope"], ["--layer-name", "'nope'", "color, segmentation"]),
        (["--bbox", "1,2,3"], ["--bbox", "x,y,z,width,height,depth"]),
        (["--bbox", "0,0,0,0,10,10"], ["--bbox", "at least one voxel"]),
        (["--mag", "4"], ["--mag", "no mag 4", "1, 2-2-1"]),
        (["--mag", "2-2-1", "--bbox", "11,21,5,1,1,1"], ["no whole voxel of mag 2-2-1"]),
        (["--apply-mapping", "agg"], ["--apply-mapping", "'color' is a 'color' layer"]),
        (["--layer-name", "segmentation", "--apply-mapping", "nope"], ["--apply-mapping", "'nope'", "(it has agg)"]),
        (["--tile-size", "0,4"], ["--tile-size", "below 1"]),
        (["--tiles-per-dimension", "2"], ["--tiles-per-dimension", "two integers"]),
        (["--downsample", "0"], ["--downsample"]),
        (["--batch-size", "0"], ["--batch-size"]),
        (["--distribution-strategy", "magic"], ["--distribution-strategy", "magic"]),
        (["--job-resources", "mem"], ["--job-resources", "key=value"]),
    ],
)
def test_mistakes_are_one_line_with_exit_code_2(dataset_path: Path, tmp_path: Path, args: list, named: list) -> None:
    result = export(dataset_path, tmp_path / "out", *SEQUENTIAL, *args)  # the last of a repeated option wins
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for text in named:
        assert text in lines[0], lines[0]
    assert not (tmp_path / "out").exists() or tiffs(tmp_path / "out") == []


def test_a_source_that_is_not_a_dataset_is_a_usage_error(tmp_path: Path) -> None:
    result = export(tmp_path / "missing", tmp_path / "out")
    assert result.exit_code == 2 and "missing does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _slurm_unavailable_reason() -> str | None:
    path = Path(__file__).resolve().parents[2] / "contract_tests" / "slurm_cluster.py"
    name = "daedalus_contract_tests_slurm_cluster"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.slurm_unavailable_reason()


def test_export_on_slurm(dataset_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reason = _slurm_unavailable_reason()
    if reason is not None:
        pytest.skip(f"SLURM is not available: {reason}")
    monkeypatch.setenv("DAEDALUS_SLURM_JOB_DIR", str(tmp_path / "jobs"))
    options = ["--distribution-strategy", "slurm", "--jobs", "2", "--job-resources", "mem=300M", "--batch-size", "8"]
    result = export(dataset_path, tmp_path / "out", "--layer-name", "segmentation", *options)
    assert result.exit_code == 0, result.output
    segments = layer_data(dataset_path, "segmentation")
    assert tiffs(tmp_path / "out") == [f"{z:06d}.tiff" for z in range(20)]
    for z in (0, 8, 19):
        np.testing.assert_array_equal(image(tmp_path / "out" / f"{z:06d}.tiff"), segments[:, :, z].T)
    scripts = list((tmp_path / "jobs").glob("*/job.sh"))
    assert scripts and all("--mem=300M" in script.read_text() for script in scripts)


@pytest.fixture
def http_url(dataset_path: Path) -> Iterator[str]:
    """The dataset folder served read-only over HTTP on 127.0.0.1 (stopped after the test)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(dataset_path.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{dataset_path.name}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_dataset_url_is_exported_like_the_folder(dataset_path: Path, http_url: str, tmp_path: Path) -> None:
    box = ["--bbox", "10,20,5,40,30,4", "--tile-size", "32,32"]
    remote = export(http_url, tmp_path / "remote", *box, *SEQUENTIAL)
    assert remote.exit_code == 0, remote.output
    assert export(dataset_path, tmp_path / "local", *box, *SEQUENTIAL).exit_code == 0
    assert tiffs(tmp_path / "remote") == tiffs(tmp_path / "local") != []
    for name in tiffs(tmp_path / "local"):
        np.testing.assert_array_equal(image(tmp_path / "remote" / name), image(tmp_path / "local" / name))
