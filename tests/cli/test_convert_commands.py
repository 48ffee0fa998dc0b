"""``daedalus convert``, ``convert-raw``, ``convert-zarr`` and ``convert-knossos`` end to end on small data.

Each command is run through click's runner (standalone mode: exit codes and one-line errors) and its dataset is
read back and compared voxel by voxel with the source (TIFF pages read with tifffile, the raw file, the zarr array,
the KNOSSOS cubes). The executors run for real: processes, and the local SLURM cluster (skipped when it cannot be
started); ``convert --upload`` talks to a replay server on 127.0.0.1 answering the reference CLI's recorded upload.
"""

from __future__ import annotations

import email
import email.policy
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

import daedalus as wk
from daedalus.cli import cli

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TESTDATA = SHARED / "fixtures" / "wk-testdata"
requires_fixtures = pytest.mark.skipif(not TESTDATA.is_dir(), reason=f"shared fixtures not found at {TESTDATA}")
SHAPE = (40, 30, 20)
EDGE = 128  # KNOSSOS cube edge


def run(*args: str) -> Result:
    """``daedalus ARGS...`` through click's runner."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_error_line(result: Result, *named: str, exit_code: int = 2) -> str:
    """The command exited with ``exit_code`` after printing exactly one ``Error:`` line naming each of ``named``."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    for text in named:
        assert text in errors[0], errors[0]
    return errors[0]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def finest(path: Path, layer: str = "color") -> np.ndarray:
    layer_ = wk.Dataset.open(path).get_layer(layer)
    return layer_.get_finest_mag().read(absolute_bounding_box=layer_.bounding_box)


# --------------------------------------------------------------------------- sources


def tiff_stack(tmp_path: Path) -> Path:
    """The fixture's z-stack as a folder of real files (its slices 1..256 are stored as git-symlink text files)."""
    folder = tmp_path / "tiff"
    folder.mkdir()
    for source in sorted((TESTDATA / "tiff").glob("*.tiff")):
        target = source if source.read_bytes()[:2] in (b"II", b"MM") else source.parent / source.read_text().strip()
        os.symlink(target, folder / source.name)
    return folder


def raw_volume(tmp_path: Path, order: str = "F", dtype=np.uint16) -> tuple[Path, np.ndarray]:
    volume = (np.arange(np.prod(SHAPE)) * 7 % 50000).astype(dtype).reshape(SHAPE)
    path = tmp_path / "volume.raw"
    volume.ravel(order=order).tofile(path)
    return path, volume


def knossos_mag(tmp_path: Path, cubes: dict[tuple[int, int, int], np.ndarray]) -> Path:
    """A KNOSSOS magnification folder ``mag1`` holding ``cubes`` (x fastest, 128³ each)."""
    mag1 = tmp_path / "knossos" / "mag1"
    for (x, y, z), cube in cubes.items():
        folder = mag1 / f"x{x:04d}" / f"y{y:04d}" / f"z{z:04d}"
        folder.mkdir(parents=True)
        cube.ravel(order="F").tofile(folder / f"sample_mag1_x{x:04d}_y{y:04d}_z{z:04d}.raw")
    return mag1


def cube(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 255, (EDGE, EDGE, EDGE), dtype=np.uint8)


# --------------------------------------------------------------------------- convert


@requires_fixtures
def test_convert_a_tiff_stack_with_processes_and_downsampling(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    folder = tiff_stack(tmp_path)

    result = ok(
        run(
            "convert",
            folder,
            tmp_path / "ds",
            "--voxel-size",
            "11.24,11.24,25",
            "--jobs",
            "2",
            "--distribution-strategy",
            "multiprocessing",
        )  # fmt: skip
    )

    ds = wk.Dataset.open(tmp_path / "ds")
    assert ds.voxel_size == (11.24, 11.24, 25.0) and ds.name == "ds"
    layer = ds.get_layer("tiff")
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (265, 265, 257)) and layer.dtype == np.uint8
    assert set(layer.mags) == {wk.Mag(1), wk.Mag((2, 2, 1)), wk.Mag((4, 4, 2))}
    pages = np.stack([tifffile.imread(p) for p in sorted(folder.glob("*.tiff"))])  # z, y, x
    np.testing.assert_array_equal(finest(tmp_path / "ds", "tiff")[0], pages.transpose(2, 1, 0))
    assert "tiff: color uint8" in result.output and "mags 1, 2-2-1, 4-4-2" in result.output


def test_convert_names_layer_category_dataset_and_format(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    stack = (np.arange(6 * 20 * 24) % 200).astype(np.uint16).reshape(6, 20, 24)  # z, y, x
    (tmp_path / "images").mkdir()
    for z, page in enumerate(stack):
        tifffile.imwrite(tmp_path / "images" / f"slice_{z}.tif", page)

    ok(
        run(
            "convert",
            tmp_path / "images",
            tmp_path / "out",
            "--voxel-size",
            "1,1,1",
            "--unit",
            "micrometer",
            "--layer-name",
            "labels",
            "--category",
            "segmentation",
            "--name",
            "my dataset",
            "--data-format",
            "zarr",
            "--no-downsample",
            "--distribution-strategy",
            "sequential",
        )  # fmt: skip
    )

    ds = wk.Dataset.open(tmp_path / "out")
    assert ds.name == "my dataset" and ds.voxel_size_with_unit.unit.value == "micrometer"
    layer = ds.get_layer("labels")
    assert layer.category == "segmentation" and layer.data_format == wk.DataFormat.Zarr
    assert set(layer.mags) == {wk.Mag(1)}
    np.testing.assert_array_equal(finest(tmp_path / "out", "labels")[0], stack.transpose(2, 1, 0))


def test_convert_refuses_a_target_in_the_way_unless_overwrite_existing(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    (tmp_path / "images").mkdir()
    tifffile.imwrite(tmp_path / "images" / "a.tif", np.ones((8, 8), dtype=np.uint8))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("old")
    args = ["convert", tmp_path / "images", tmp_path / "out", "--voxel-size", "1,1,1", "--no-downsample"]

    one_error_line(run(*args), "'TARGET'", "not empty", "--overwrite-existing")
    ok(run(*args, "--overwrite-existing"))
    assert not (tmp_path / "out" / "old.txt").exists() and "images" in wk.Dataset.open(tmp_path / "out").layers
    one_error_line(
        run("convert", tmp_path / "images", tmp_path, "--voxel-size", "1,1,1", "--overwrite-existing"),
        "'TARGET'",
        "holds the source",
    )
    assert (tmp_path / "images" / "a.tif").exists()


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ([], "'TARGET'"),  # neither TARGET nor --upload
        (["TARGET", "--upload", "--token", "x"], "'TARGET'"),
        (["--upload"], "'--token'"),
        (["--upload", "--token", "x", "--transfer-mode", "copy"], "'--transfer-mode'"),
    ],
)
def test_convert_checks_target_and_upload_options(tmp_path: Path, monkeypatch, extra: list[str], named: str) -> None:
    monkeypatch.delenv("WK_TOKEN", raising=False)
    (tmp_path / "images").mkdir()
    extra = [str(tmp_path / "target") if e == "TARGET" else e for e in extra]
    one_error_line(run("convert", tmp_path / "images", *extra, "--voxel-size", "1,1,1"), named)
    assert not (tmp_path / "target").exists()


def _server_modules():
    for folder in (Path(__file__).resolve().parents[1] / "server", Path(__file__).resolve().parents[1] / "remote"):
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
    import wk_replay

    return wk_replay


def _form(request) -> dict[str, bytes]:
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


def test_convert_upload_sends_the_converted_dataset(tmp_path: Path, monkeypatch) -> None:
    tifffile = pytest.importorskip("tifffile")
    wk_replay = _server_modules()
    if not wk_replay.RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({wk_replay.RECORDINGS})")
    from daedalus.core.client.context import clear_context_caches

    for name in ("WK_URL", "WK_TOKEN", "WK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    clear_context_caches()
    (tmp_path / "images").mkdir()
    stack = (np.arange(4 * 16 * 16) % 250).astype(np.uint8).reshape(4, 16, 16)
    for z, page in enumerate(stack):
        tifffile.imwrite(tmp_path / "images" / f"{z}.tif", page)
    server = wk_replay.ReplayServer("test_cli/test_upload.yml", match_body=False)
    chunk_reply = next(i for i in server.interactions if i.method == "POST" and i.path == "/data/datasets")
    server.interactions.extend(wk_replay.Interaction(**{**vars(chunk_reply), "used": False}) for _ in range(20))
    with server:
        result = run(
            "convert", tmp_path / "images", "--voxel-size", "1,1,1", "--upload", "--name", "test_upload_cli",
            "--webknossos-url", server.url, "--token", "secrettoken-for-cli-tests", "--no-downsample",
        )  # fmt: skip
        clear_context_caches()
    ok(result)
    server.assert_no_unmatched()
    assert "dataset id: 69aed5416eb20671afef7730" in result.output.splitlines()
    forms = [_form(r) for r in server.received if r.method == "POST" and r.path == "/data/datasets"]
    files = {form["resumableRelativePath"].decode(): form["file"] for form in forms}
    assert "images/1/zarr.json" in files and "images/1/c/0/0/0/0" in files
    properties = json.loads(files["datasource-properties.json"])
    (layer,) = properties["dataLayers"]
    assert layer["name"] == "images" and layer["boundingBox"] == {
        "topLeft": [0, 0, 0],
        "width": 16,
        "height": 16,
        "depth": 4,
    }
    assert not list(Path(tmp_path).glob("test_upload_cli*"))  # written to a temporary folder, not here


# --------------------------------------------------------------------------- convert-raw


def test_convert_raw_with_dtype_order_and_flips(tmp_path: Path) -> None:
    source, volume = raw_volume(tmp_path, order="C")

    result = ok(
        run(
            "convert-raw",
            source,
            tmp_path / "ds",
            "--shape",
            "40,30,20",
            "--voxel-size",
            "2,2,4",
            "--order",
            "C",
            "--source-dtype",
            "uint16",
            "--dtype",
            "uint32",
            "--flip-axes",
            "1,3",
            "--layer-name",
            "em",
            "--distribution-strategy",
            "sequential",
        )  # fmt: skip
    )

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("em")
    assert layer.dtype == np.uint32 and layer.bounding_box == wk.BoundingBox((0, 0, 0), SHAPE)
    assert set(layer.mags) == {wk.Mag(1), wk.Mag((2, 2, 1)), wk.Mag((4, 4, 2))}
    np.testing.assert_array_equal(finest(tmp_path / "ds", "em")[0], volume[::-1, :, ::-1].astype(np.uint32))
    assert "em: color uint32" in result.output


def test_convert_raw_rescales_and_maps_the_deprecated_chunks_per_shard(tmp_path: Path) -> None:
    source, volume = raw_volume(tmp_path)

    result = ok(
        run(
            "convert-raw",
            source,
            tmp_path / "ds",
            "--shape",
            "40,30,20",
            "--voxel-size",
            "1,1,1",
            "--source-dtype",
            "uint16",
            "--rescale-min-max",
            "0,50000",
            "--chunk-shape",
            "8",
            "--chunks-per-shard",
            "2",
            "--no-downsample",
            "--no-compress",
            "--jobs",
            "2",
        )  # fmt: skip
    )

    mag = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)
    assert tuple(mag.info.shard_shape) == (16, 16, 16) and not mag.info.compression_mode
    assert "--chunks-per-shard is deprecated; use --shard-shape 16,16,16" in result.output
    np.testing.assert_array_equal(finest(tmp_path / "ds")[0], (volume / 50000 * 255).astype(np.uint8))


def test_convert_raw_adds_a_layer_to_an_existing_dataset_and_refuses_a_taken_name(tmp_path: Path) -> None:
    source, volume = raw_volume(tmp_path, dtype=np.uint8)
    args = ["convert-raw", source, tmp_path / "ds", "--shape", "40,30,20", "--voxel-size", "1,1,2", "--no-downsample"]
    ok(run(*args))
    ok(run(*args, "--layer-name", "again"))
    assert sorted(wk.Dataset.open(tmp_path / "ds").layers) == ["again", "color"]
    one_error_line(run(*args), "'TARGET'", "'color'", "--overwrite-existing")
    ok(run(*args, "--overwrite-existing"))
    assert list(wk.Dataset.open(tmp_path / "ds").layers) == ["color"]
    np.testing.assert_array_equal(finest(tmp_path / "ds")[0], volume)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--shape", "40,30,21"], ["'SOURCE'", "24000 bytes", "needs 25200"]),
        (["--shape", "40,30"], ["'--shape'", "'40,30'"]),
        (["--voxel-size", "1,1"], ["'--voxel-size'", "'1,1'"]),
        (["--voxel-size", "1,0,1"], ["'--voxel-size'", "not positive"]),
        (["--flip-axes", "1,1"], ["'--flip-axes'", "'1,1'"]),
        (["--flip-axes", "4"], ["'--flip-axes'", "'4'"]),
        (["--dtype", "text"], ["'--dtype'", "'text'"]),
        (["--order", "X"], ["'--order'"]),
        (["--rescale-min-max", "5,1"], ["'--rescale-min-max'", "'5,1'"]),
        (["--shard-shape", "60"], ["'--shard-shape'", "60,60,60"]),
        (["--shard-shape", "64", "--chunks-per-shard", "2"], ["'--chunks-per-shard'", "not both"]),
        (["--max-mag", "two"], ["'--max-mag'", "'two'"]),
        (["--job-resources", "mem"], ["'--job-resources'"]),
    ],
)
def test_convert_raw_mistakes_are_one_line_and_exit_2(tmp_path: Path, options: list[str], named: list[str]) -> None:
    source, _ = raw_volume(tmp_path, dtype=np.uint8)
    defaults = {"--shape": "40,30,20", "--voxel-size": "1,1,1"}
    given = {k: v for k, v in defaults.items() if k not in options}
    args = [a for pair in given.items() for a in pair]
    one_error_line(run("convert-raw", source, tmp_path / "ds", *args, *options), *named)
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize("command", ["convert", "convert-raw", "convert-zarr", "convert-knossos"])
def test_a_missing_source_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    extra = ["--shape", "4,4,4"] if command == "convert-raw" else []
    result = run(command, tmp_path / "missing", tmp_path / "ds", "--voxel-size", "1,1,1", *extra)
    one_error_line(result, "'SOURCE'", "missing", "does not exist")
    assert not (tmp_path / "ds").exists()


# --------------------------------------------------------------------------- convert-zarr


def test_convert_zarr_segmentation_with_mode_downsampling(tmp_path: Path) -> None:
    zarr = pytest.importorskip("zarr")
    volume = (np.arange(np.prod(SHAPE)) // 97 % 13).astype(np.uint32).reshape(SHAPE)
    zarr.create_array(str(tmp_path / "seg.zarr"), shape=SHAPE, chunks=(16, 16, 16), dtype="uint32", zarr_format=2)[
        :
    ] = volume

    ok(
        run(
            "convert-zarr",
            tmp_path / "seg.zarr",
            tmp_path / "ds",
            "--voxel-size",
            "1,1,1",
            "--layer-name",
            "seg",
            "--is-segmentation-layer",
            "--max-mag",
            "2",
            "--interpolation-mode",
            "mode",
            "--flip-axes",
            "2",
        )  # fmt: skip
    )

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("seg")
    assert layer.category == "segmentation" and layer.largest_segment_id == 12
    assert set(layer.mags) == {wk.Mag(1), wk.Mag(2)}
    np.testing.assert_array_equal(finest(tmp_path / "ds", "seg")[0], volume[:, ::-1])
    coarse = layer.get_mag(2).read(absolute_bounding_box=layer.bounding_box)[0]
    assert coarse.shape == (20, 15, 10) and set(np.unique(coarse)) <= set(np.unique(volume))


def test_convert_zarr_of_a_group_names_its_arrays(tmp_path: Path) -> None:
    zarr = pytest.importorskip("zarr")
    group = zarr.open_group(str(tmp_path / "group.zarr"), mode="w")
    group.create_array("raw", shape=SHAPE, dtype="uint8")
    one_error_line(
        run("convert-zarr", tmp_path / "group.zarr", tmp_path / "ds", "--voxel-size", "1,1,1"),
        "'SOURCE'",
        "group.zarr/raw",
    )


# --------------------------------------------------------------------------- convert-knossos


@requires_fixtures
def test_convert_knossos_into_a_copy_of_the_fixture_dataset(tmp_path: Path) -> None:
    """The cubes become a new layer of (a copy of) the fixture e2006_knossos, which has the same voxel size."""
    target = Path(shutil.copytree(TESTDATA / "e2006_knossos", tmp_path / "e2006", copy_function=shutil.copy))
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    cubes = {(0, 0, 0): cube(1), (1, 0, 1): cube(2)}
    mag1 = knossos_mag(tmp_path, cubes)

    result = ok(
        run(
            "convert-knossos",
            mag1,
            target,
            "--voxel-size",
            "1.1,1.1,1.1",
            "--layer-name",
            "knossos",
            "--shard-shape",
            "128",
            "--distribution-strategy",
            "multiprocessing",
            "--jobs",
            "2",
        )  # fmt: skip
    )

    ds = wk.Dataset.open(target)
    assert sorted(ds.layers) == ["color", "knossos"]
    layer = ds.get_layer("knossos")
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (2 * EDGE, EDGE, 2 * EDGE))
    data = finest(target, "knossos")[0]
    np.testing.assert_array_equal(data[:EDGE, :, :EDGE], cubes[(0, 0, 0)])
    np.testing.assert_array_equal(data[EDGE:, :, EDGE:], cubes[(1, 0, 1)])
    assert not data[EDGE:, :, :EDGE].any() and not data[:EDGE, :, EDGE:].any()
    assert "knossos: color uint8" in result.output and "mags 1" in result.output
    one_error_line(
        run("convert-knossos", mag1, target, "--voxel-size", "2,2,2", "--layer-name", "other"),
        "'TARGET'",
        "voxel size",
    )


def test_convert_knossos_with_a_coarser_mag_and_a_wrong_dtype(tmp_path: Path) -> None:
    mag1 = knossos_mag(tmp_path, {(0, 0, 0): cube(3)})
    ok(run("convert-knossos", mag1, tmp_path / "ds", "--voxel-size", "1,1,1", "--mag", "2-2-1"))
    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert set(layer.mags) == {wk.Mag((2, 2, 1))} and layer.bounding_box.size == wk.Vec3Int(256, 256, 128)
    one_error_line(
        run("convert-knossos", mag1, tmp_path / "ds16", "--voxel-size", "1,1,1", "--dtype", "uint16"),
        "'SOURCE'",
        "check the dtype",
    )
    one_error_line(run("convert-knossos", mag1.parent, tmp_path / "ds2", "--voxel-size", "1,1,1"), "'SOURCE'", "mag1")


# --------------------------------------------------------------------------- SLURM


def _slurm_reason() -> str | None:
    name = "daedalus_contract_tests_slurm_cluster"
    module = sys.modules.get(name)
    if module is None:
        path = Path(__file__).resolve().parents[2] / "contract_tests" / "slurm_cluster.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.slurm_unavailable_reason()


def test_convert_raw_on_slurm_with_job_resources(tmp_path: Path, monkeypatch) -> None:
    reason = _slurm_reason()
    if reason is not None:
        pytest.skip(reason)
    monkeypatch.setenv("DAEDALUS_SLURM_JOB_DIR", str(tmp_path / "jobs"))
    source, volume = raw_volume(tmp_path)

    ok(
        run(
            "convert-raw",
            source,
            tmp_path / "ds",
            "--shape",
            "40,30,20",
            "--voxel-size",
            "1,1,1",
            "--dtype",
            "uint16",
            "--chunk-shape",
            "8",
            "--shard-shape",
            "16",
            "--max-mag",
            "2",
            "--distribution-strategy",
            "slurm",
            "--jobs",
            "2",
            "--job-resources",
            "mem=300M",
        )  # fmt: skip
    )

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert set(layer.mags) == {wk.Mag(1), wk.Mag(2)}
    np.testing.assert_array_equal(finest(tmp_path / "ds")[0], volume)
    scripts = list((tmp_path / "jobs").glob("*/job.sh"))
    assert scripts and all("--mem=300M" in s.read_text() for s in scripts)
