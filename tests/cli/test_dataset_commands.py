"""The dataset commands end to end on small datasets: check-equality, compress, copy-dataset, merge-fallback, upsample,
downsample and info, plus what the CLI does around them (progress, log of unexpected failures, completion, plugins).

Expected voxels are computed independently of the command under test (numpy on the data written, files on disk).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

import daedalus as wk
from daedalus.cli import cli

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "wk-testdata" / "annotations"
FALLBACK_ANNOTATION = (
    FIXTURES / "l4dense_motta_et_al_demo_v2__explorational__4a6356.zip"
)  # fallbackLayer="segmentation"
TWO_VOLUMES_ANNOTATION = FIXTURES / "multi_volume_example_CREMI.zip"
SEQUENTIAL = ["--distribution-strategy", "sequential"]
BOX = wk.BoundingBox((0, 0, 0), (64, 64, 32))


def run(*args: str | Path) -> Result:
    """``daedalus ARGS...`` through click's runner in standalone mode (exit codes, one-line errors)."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def error_line(result: Result, exit_code: int, *named: str) -> str:
    """The one ``Error:`` line of a failed command; checks the exit code and that no traceback was printed."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


def color_data() -> np.ndarray:
    """64x64x32 uint8 voxels, constant on every 2x2x1 block (so any downsampling of 2-2-1 gives the block value)."""
    blocks = np.arange(32 * 32 * 32, dtype=np.uint32).reshape(32, 32, 32) % 251
    return np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1).astype(np.uint8)


def segmentation_data() -> np.ndarray:
    """64x64x32 uint32 segment ids, constant on every 2x2x1 block."""
    blocks = (np.arange(32 * 32 * 32, dtype=np.uint32).reshape(32, 32, 32) // 97) + 1
    return np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1)


def write_dataset(path: Path, color: np.ndarray | None = None, compress: bool = False) -> Path:
    """A dataset with a color (uint8) and a segmentation (uint32) layer holding mag 1, chunks 32, shards 64."""
    ds = wk.Dataset(path, voxel_size=(1, 1, 2))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BOX)
    layer.add_mag(1, chunk_shape=32, shard_shape=64, compress=compress).write(
        color_data() if color is None else color, absolute_offset=(0, 0, 0)
    )
    segmentation = ds.add_layer(
        "segmentation", wk.SEGMENTATION_CATEGORY, dtype="uint32", bounding_box=BOX, largest_segment_id=400
    )
    segmentation.add_mag(1, chunk_shape=32, shard_shape=64, compress=compress).write(
        segmentation_data(), absolute_offset=(0, 0, 0)
    )
    return path


def files_under(path: Path) -> dict[str, int]:
    """Relative path -> size of every file under ``path``."""
    return {str(p.relative_to(path)): p.stat().st_size for p in sorted(path.rglob("*")) if p.is_file()}


def voxels(path: Path, layer: str, mag: str = "1") -> np.ndarray:
    """The voxels of one mag (channel axis dropped)."""
    return wk.Dataset.open(path).get_layer(layer).get_mag(mag).read()[0]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A small uncompressed dataset (see ``write_dataset``)."""
    return write_dataset(tmp_path / "ds")


# --------------------------------------------------------------------------- check-equality


def test_check_equality_of_equal_datasets_says_so_and_exits_0(dataset: Path, tmp_path: Path) -> None:
    other = write_dataset(tmp_path / "other", compress=True)  # stored differently, same voxels
    result = run("check-equality", dataset, other, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    assert f"The datasets {dataset} and {other} are equal" in result.stdout
    assert "color, segmentation" in result.stdout


def test_check_equality_of_unequal_voxels_names_the_mag_and_exits_1(dataset: Path, tmp_path: Path) -> None:
    changed = color_data()
    changed[40, 3, 17] += 1
    other = write_dataset(tmp_path / "other", color=changed)
    result = run("check-equality", dataset, other, *SEQUENTIAL)
    assert result.exit_code == 1, result.output
    assert "The datasets are not equal" in result.stdout and "color/1" in result.stdout
    only_segmentation = run("check-equality", dataset, other, "--layer-name", "segmentation", *SEQUENTIAL)
    assert only_segmentation.exit_code == 0, only_segmentation.output
    assert "with regard to the layers: segmentation)" in only_segmentation.stdout


def test_check_equality_of_different_layers_or_mags_exits_1(dataset: Path, tmp_path: Path) -> None:
    other = write_dataset(tmp_path / "other")
    wk.Dataset.open(other).add_layer("extra", wk.COLOR_CATEGORY, dtype="uint8")
    result = run("check-equality", dataset, other, *SEQUENTIAL)
    assert result.exit_code == 1 and "extra" in result.stdout, result.output

    coarser = write_dataset(tmp_path / "coarser")
    wk.Dataset.open(coarser).get_layer("color").downsample(coarsest_mag=wk.Mag((2, 2, 1)))
    result = run("check-equality", dataset, coarser, *SEQUENTIAL)
    assert result.exit_code == 1 and "mags" in result.stdout and "2-2-1" in result.stdout, result.output


def test_check_equality_of_a_layer_neither_has_is_a_usage_error(dataset: Path, tmp_path: Path) -> None:
    other = write_dataset(tmp_path / "other")
    error_line(run("check-equality", dataset, other, "--layer-name", "colour"), 2, "--layer-name", "'colour'")
    error_line(run("check-equality", dataset, tmp_path / "missing"), 2, str(tmp_path / "missing"))


def test_check_equality_with_multiprocessing_workers(dataset: Path, tmp_path: Path) -> None:
    changed = color_data()
    changed[63, 63, 31] = 0 if changed[63, 63, 31] else 1
    other = write_dataset(tmp_path / "other", color=changed)
    args = ["--distribution-strategy", "multiprocessing", "--jobs", "2"]
    assert run("check-equality", dataset, write_dataset(tmp_path / "same"), *args).exit_code == 0
    assert run("check-equality", dataset, other, *args).exit_code == 1


# --------------------------------------------------------------------------- compress


def test_compress_keeps_the_voxels_and_compresses_the_files(dataset: Path) -> None:
    before_files = files_under(dataset)
    properties = json.loads((dataset / "datasource-properties.json").read_text())
    result = run("compress", dataset, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    after_files = files_under(dataset)
    for layer, expected in (("color", color_data()), ("segmentation", segmentation_data())):
        np.testing.assert_array_equal(voxels(dataset, layer), expected)
        assert wk.Dataset.open(dataset).get_layer(layer).get_mag(1).info.compression_mode
        shard = f"{layer}/1/c/0/0/0/0"
        assert after_files[shard] < before_files[shard] // 2, (before_files[shard], after_files[shard])
    assert json.loads((dataset / "datasource-properties.json").read_text())["dataLayers"] == properties["dataLayers"]
    assert "Compressed 2 mags" in result.stdout

    again = run("compress", dataset, *SEQUENTIAL)
    assert again.exit_code == 0 and again.stdout.count("compressed already") == 2, again.output
    assert files_under(dataset) == after_files


def test_compress_one_layer_and_mag(dataset: Path) -> None:
    result = run("compress", dataset, "--layer-name", "color", "--mag", "1", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(dataset)
    assert ds.get_layer("color").get_mag(1).info.compression_mode
    assert not ds.get_layer("segmentation").get_mag(1).info.compression_mode
    np.testing.assert_array_equal(voxels(dataset, "color"), color_data())


def test_compress_of_a_missing_mag_or_layer_changes_nothing(dataset: Path) -> None:
    before = files_under(dataset)
    error_line(run("compress", dataset, "--mag", "2-2-1"), 2, "--mag", "2-2-1", "its mags: 1")
    error_line(run("compress", dataset, "--layer-name", "nope"), 2, "--layer-name", "'nope'")
    error_line(run("compress", dataset, "--mag", "x"), 2, "--mag", "'x'")
    assert files_under(dataset) == before


# --------------------------------------------------------------------------- copy-dataset


def test_copy_dataset_keeps_format_layout_and_voxels(dataset: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy"
    result = run("copy-dataset", dataset, target, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    copy = wk.Dataset.open(target)
    for name, expected in (("color", color_data()), ("segmentation", segmentation_data())):
        info = copy.get_layer(name).get_mag(1).info
        assert (info.data_format, tuple(info.chunk_shape), tuple(info.shard_shape)) == ("zarr3", (32,) * 3, (64,) * 3)
        assert not info.compression_mode
        np.testing.assert_array_equal(voxels(target, name), expected)
    assert copy.get_segmentation_layer("segmentation").largest_segment_id == 400
    assert copy.voxel_size == (1, 1, 2)


def test_copy_dataset_to_wkw_with_chunk_and_shard_shape(dataset: Path, tmp_path: Path) -> None:
    if "wkw" not in wk.get_plugin_manager().data_formats():
        pytest.skip("no wkw storage adapter registered")
    target = tmp_path / "copy"
    args = ["--data-format", "wkw", "--chunk-shape", "16", "--shard-shape", "32,32,32"]
    result = run("copy-dataset", dataset, target, *args, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    layer = wk.Dataset.open(target).get_layer("color")
    info = layer.get_mag(1).info
    assert (str(layer.data_format), tuple(info.chunk_shape), tuple(info.shard_shape)) == ("wkw", (16,) * 3, (32,) * 3)
    assert len(list((target / "color" / "1").rglob("*.wkw"))) == 1 + 2 * 2 * 1  # header + 2x2x1 shard files
    np.testing.assert_array_equal(voxels(target, "color"), color_data())


def test_copy_dataset_into_an_existing_dataset_needs_exists_ok(dataset: Path, tmp_path: Path) -> None:
    target = write_dataset(tmp_path / "existing", color=np.zeros(BOX.size, dtype=np.uint8))
    error_line(run("copy-dataset", dataset, target), 2, str(target), "--exists-ok")
    assert not voxels(target, "color").any(), "a refused copy leaves the target as it was"
    result = run("copy-dataset", dataset, target, "--exists-ok", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(voxels(target, "color"), color_data())


def test_copy_dataset_option_values_are_checked(dataset: Path, tmp_path: Path) -> None:
    error_line(run("copy-dataset", dataset, tmp_path / "c", "--data-format", "tiff"), 2, "--data-format", "tiff")
    error_line(run("copy-dataset", dataset, tmp_path / "c", "--chunk-shape", "3,3"), 2, "--chunk-shape", "3,3")
    assert not (tmp_path / "c").exists()


# --------------------------------------------------------------------------- merge-fallback


@pytest.fixture
def fallback_folder(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A folder holding the annotation's dataset by name, with a segmentation layer covering the annotated box."""
    if not FALLBACK_ANNOTATION.is_file():
        pytest.skip(f"fixture {FALLBACK_ANNOTATION} is absent")
    annotation = wk.Annotation.load(FALLBACK_ANNOTATION)
    with annotation.temporary_volume_layer_copy() as volume:
        box = volume.bounding_box
    box = wk.BoundingBox(box.topleft, box.size)
    folder = tmp_path / "datasets"
    ds = wk.Dataset(folder / annotation.dataset_name, voxel_size=(11.24, 11.24, 28))
    layer = ds.add_layer("segmentation", wk.SEGMENTATION_CATEGORY, dtype="uint32", bounding_box=box)
    shape = tuple(box.size)
    base = (np.arange(int(np.prod(shape)), dtype=np.uint32).reshape(shape) // 4096) + 5_000_000
    layer.add_mag(1).write(base, absolute_offset=box.topleft)
    layer.largest_segment_id = int(base.max())
    return folder, base


def test_merge_fallback_overlays_the_annotated_voxels(fallback_folder, tmp_path: Path) -> None:
    folder, base = fallback_folder
    target = tmp_path / "merged"
    result = run("merge-fallback", target, FALLBACK_ANNOTATION, folder, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    annotation = wk.Annotation.load(FALLBACK_ANNOTATION)
    with annotation.temporary_volume_layer_copy() as volume:
        box = volume.bounding_box
        annotated = volume.get_mag(1).read(absolute_bounding_box=box)[0]
    assert annotated.any() and not annotated.all(), "the fixture annotates part of its box"
    merged = wk.Dataset.open(target).get_layer("segmentation")
    assert list(merged.mags) == [wk.Mag(1)]
    np.testing.assert_array_equal(
        merged.get_mag(1).read(absolute_bounding_box=box)[0], np.where(annotated != 0, annotated, base)
    )
    assert "segmentation: mags 1" in result.stdout


def test_merge_fallback_takes_the_dataset_folder_itself(fallback_folder, tmp_path: Path) -> None:
    folder, base = fallback_folder
    (dataset_folder,) = folder.iterdir()
    result = run("merge-fallback", tmp_path / "merged", FALLBACK_ANNOTATION, dataset_folder, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    merged = voxels(tmp_path / "merged", "segmentation")
    assert merged.shape == base.shape and (merged == base).any() and (merged != base).any()


def test_merge_fallback_layer_in_python_takes_the_folder_of_datasets(fallback_folder, tmp_path: Path) -> None:
    folder, base = fallback_folder
    wk.Annotation.load(FALLBACK_ANNOTATION).merge_fallback_layer(tmp_path / "merged", folder)
    merged = voxels(tmp_path / "merged", "segmentation")
    np.testing.assert_array_equal(merged, voxels(run_merge_via_cli(folder, tmp_path), "segmentation"))
    assert (merged != base).any()


def run_merge_via_cli(folder: Path, tmp_path: Path) -> Path:
    """The CLI's merge of the fixture annotation into ``folder``'s dataset (for comparison)."""
    target = tmp_path / "merged-by-cli"
    result = run("merge-fallback", target, FALLBACK_ANNOTATION, folder, *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    return target


def test_merge_fallback_mistakes_are_usage_errors(fallback_folder, tmp_path: Path) -> None:
    folder, _ = fallback_folder
    empty = tmp_path / "empty"
    empty.mkdir()
    error_line(run("merge-fallback", tmp_path / "m", FALLBACK_ANNOTATION, empty), 2, "DATASET_DIRECTORY", str(empty))
    missing = tmp_path / "missing.zip"
    error_line(run("merge-fallback", tmp_path / "m", missing, folder), 2, str(missing))
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "file").write_text("x")
    error_line(run("merge-fallback", occupied, FALLBACK_ANNOTATION, folder), 2, "TARGET", str(occupied))
    if TWO_VOLUMES_ANNOTATION.is_file():
        line = error_line(run("merge-fallback", tmp_path / "m", TWO_VOLUMES_ANNOTATION, folder), 2)
        assert "Volume_2" in line and "--volume-layer-name" in line
        no_fallback = run(
            "merge-fallback", tmp_path / "m", TWO_VOLUMES_ANNOTATION, folder, "--volume-layer-name", "Volume_2"
        )
        error_line(no_fallback, 2, "'Volume_2'", "no fallback layer")
    assert not (tmp_path / "m").exists()


# --------------------------------------------------------------------------- upsample


def test_upsample_adds_mag_1_repeating_each_voxel(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 2))
    coarse = np.arange(32 * 32 * 32, dtype=np.uint32).reshape(32, 32, 32).astype(np.uint8)
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BOX)
    layer.add_mag((2, 2, 1)).write(coarse, absolute_offset=(0, 0, 0))
    result = run("upsample", tmp_path / "ds", "--from-mag", "2-2-1", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    expected = np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(voxels(tmp_path / "ds", "color"), expected)
    assert "color: mags 1, 2-2-1" in result.stdout


def test_upsample_mistakes_are_usage_errors(dataset: Path) -> None:
    error_line(run("upsample", dataset), 2, "--from-mag")
    error_line(run("upsample", dataset, "--from-mag", "4"), 2, "--from-mag", "no mag 4")
    error_line(run("upsample", dataset, "--from-mag", "1", "--layer-name", "nope"), 2, "'nope'")
    error_line(run("upsample", dataset, "--from-mag", "1", "--transfer-mode", "ftp"), 2, "--transfer-mode", "ftp")


# --------------------------------------------------------------------------- downsample


def test_downsample_one_layer_with_the_reference_options(dataset: Path) -> None:
    args = ["--layer-name", "segmentation", "--coarsest-mag", "4", "--token", "unused-for-local", "--transfer-mode"]
    result = run("downsample", dataset, *args, "http", *SEQUENTIAL)
    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(dataset)
    assert set(ds.get_layer("segmentation").mags) == {wk.Mag(1), wk.Mag((2, 2, 1)), wk.Mag((4, 4, 2))}
    assert set(ds.get_layer("color").mags) == {wk.Mag(1)}
    np.testing.assert_array_equal(voxels(dataset, "segmentation", "2-2-1"), segmentation_data()[::2, ::2, :])


def test_downsample_of_a_dataset_on_a_webknossos_server_writes_at_the_reserved_path(tmp_path: Path) -> None:
    """The end of the recording: the reference adds Mag 2-2-1 to a dataset whose storage the client reaches. The
    recorded storage paths are replaced by tmp_path (where mag 1 is written first) and the box made smaller."""
    replay = _replay_module()
    root, directory = (
        "/Users/norman/scalableminds/webknossos/binaryData",
        "test_remote_convert-69aed4c06eb20670afef772f",
    )
    replace = {'"width":265,"height":265,"depth":257': '"width":40,"height":40,"depth":9', root: str(tmp_path)}
    coarse = np.random.default_rng(7).integers(1, 255, (20, 20, 9), dtype=np.uint8)
    storage = wk.Dataset(tmp_path / "Organization_X" / directory, voxel_size=(11.24, 11.24, 25))
    layer = storage.add_layer(
        "tiff", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (40, 40, 9))
    )
    layer.add_mag(1).write(np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1), absolute_offset=(0, 0, 0))
    server = replay.ReplayServer("test_cli/test_convert_upload_downsample.yml", replace=replace).start()
    try:
        url = f"{server.url}/datasets/{directory}"
        args = ["--coarsest-mag", "2", "--token", "secret", "--transfer-mode", "copy"]
        result = run("downsample", url, *args, *SEQUENTIAL)
        assert result.exit_code == 0, result.output
        assert "tiff: mags 1, 2-2-1" in result.stdout
        info = f"/api/v12/datasets/{directory[-24:]}"
        reserve, finish = f"{info}/reserveMagUploadToPath", f"{info}/finishMagUploadToPath"
        expected = [("GET", info), ("POST", reserve), ("POST", finish), ("GET", info)]
        assert [(r.method, r.path) for r in server.received] == expected
        import zarr
        from recorded import body, interactions

        posted = [i["request"] for i in interactions(server.recording_path) if i["request"]["method"] == "POST"]
        recorded = [json.loads(body(r)) for r in posted if r["path"] in (reserve, finish)]
        assert [json.loads(r.body) for r in server.received if r.method == "POST"] == recorded
        reserved = tmp_path / "Organization_X" / ".virtual" / directory / "tiff" / "2-2-1__IESa6fYouowmjelg"
        written = zarr.open_array(str(reserved), mode="r")  # (c, x, y, z), read by another zarr implementation
        np.testing.assert_array_equal(written[0, :20, :20, :9], coarse)
        assert server.unmatched == []
    finally:
        server.stop()


def test_upsample_on_a_server_writes_each_mag_at_its_reserved_path_until_one_is_refused(tmp_path: Path) -> None:
    """The recording's dataset rewritten to list Mag 4-4-2 (instead of 1): upsampling it reserves and writes 2-2-1."""
    replay = _replay_module()
    root, directory = (
        "/Users/norman/scalableminds/webknossos/binaryData",
        "test_remote_convert-69aed4c06eb20670afef772f",
    )
    mag_1 = f'"mag":[1,1,1],"path":"{root}/Organization_X/{directory}/tiff/1"'
    replace = {
        '"resolutions":[[1,1,1]]': '"resolutions":[[4,4,2]]',
        '"resolutions":[[1,1,1],[2,2,1]]': '"resolutions":[[2,2,1],[4,4,2]]',
        mag_1: f'"mag":[4,4,2],"path":"{tmp_path}/Organization_X/{directory}/tiff/4-4-2"',
        '"width":265,"height":265,"depth":257': '"width":40,"height":40,"depth":10',
        root: str(tmp_path),
    }
    coarse = np.random.default_rng(8).integers(1, 255, (10, 10, 5), dtype=np.uint8)
    storage = wk.Dataset(tmp_path / "Organization_X" / directory, voxel_size=(11.24, 11.24, 25))
    box = wk.BoundingBox((0, 0, 0), (40, 40, 10))
    storage.add_layer("tiff", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box).add_mag((4, 4, 2)).write(coarse)
    server = replay.ReplayServer("test_cli/test_convert_upload_downsample.yml", replace=replace)
    # the CLI upsamples down to Mag 1; after the recorded 2-2-1 the server refuses to reserve Mag 1 (a stand-in reply)
    mag_1_body = {"layerName": "tiff", "mag": [1, 1, 1], "axisOrder": {"c": 0, "x": 1, "y": 2, "z": 3}}
    mag_1_body |= {"channelIndex": None, "pathPrefix": None, "overwritePending": True}
    refusal = b'{"messages":[{"error":"Mag 1 cannot be reserved (stand-in reply)"}]}'
    reserve = "/api/v12/datasets/69aed4c06eb20670afef772f/reserveMagUploadToPath"
    body = json.dumps(mag_1_body).encode()
    server.interactions.append(replay.Interaction("POST", reserve, [], body, "application/json", 403, {}, refusal))
    server.start()
    try:
        url = f"{server.url}/datasets/{directory}"
        result = run(
            "upsample", url, "--from-mag", "4-4-2", "--token", "secret", "--transfer-mode", "copy", *SEQUENTIAL
        )
        line = error_line(result, 1, "Mag 1", "refused to reserve", "stand-in reply")
        assert "'tiff'" in line and server.unmatched == []
        posted = [r.path.rsplit("/", 1)[-1] for r in server.received if r.method == "POST"]
        assert posted == ["reserveMagUploadToPath", "finishMagUploadToPath", "reserveMagUploadToPath"]
        import zarr

        reserved = tmp_path / "Organization_X" / ".virtual" / directory / "tiff" / "2-2-1__IESa6fYouowmjelg"
        expected = np.repeat(np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1), 2, axis=2)
        np.testing.assert_array_equal(zarr.open_array(str(reserved), mode="r")[0, :20, :20, :10], expected)
    finally:
        server.stop()


def test_downsample_on_a_server_whose_reserved_path_is_not_reachable_fails_in_one_line(tmp_path: Path) -> None:
    """Mag 1 is reached (its recorded path replaced), the reserved path (of the recording machine) is not."""
    replay = _replay_module()
    directory = "test_remote_convert-69aed4c06eb20670afef772f"
    source = f"/Users/norman/scalableminds/webknossos/binaryData/Organization_X/{directory}/tiff/1"
    storage = wk.Dataset(tmp_path / directory, voxel_size=(11.24, 11.24, 25))
    layer = storage.add_layer(
        "tiff", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 4))
    )
    layer.add_mag(1).write(np.ones((8, 8, 4), dtype=np.uint8), absolute_offset=(0, 0, 0))
    replace = {
        '"width":265,"height":265,"depth":257': '"width":8,"height":8,"depth":4',
        source: str(layer.get_mag(1).path),
    }
    server = replay.ReplayServer("test_cli/test_convert_upload_downsample.yml", replace=replace).start()
    try:
        url = f"{server.url}/datasets/{directory}"
        result = run(
            "downsample", url, "--coarsest-mag", "2", "--token", "secret", "--transfer-mode", "copy", *SEQUENTIAL
        )
        line = error_line(result, 1, "/Users/norman/scalableminds/webknossos/binaryData/Organization_X/.virtual")
        assert "not reachable" in line and "mounted" in line and "pending" in line
        assert [r.path.rsplit("/", 1)[-1] for r in server.received if r.method == "POST"] == ["reserveMagUploadToPath"]
    finally:
        server.stop()


def _replay_module():
    """``tests/server/wk_replay.py`` (the replay server of the WEBKNOSSOS recordings); skips without recordings."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "server"
    for extra in (folder, folder.parent / "remote"):
        if str(extra) not in sys.path:
            sys.path.append(str(extra))
    spec = importlib.util.find_spec("wk_replay")
    if spec is None:
        pytest.skip("tests/server/wk_replay.py is absent")
    import wk_replay

    if not wk_replay.RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({wk_replay.RECORDINGS})")
    return wk_replay


# --------------------------------------------------------------------------- info


def test_info_lists_layers_and_mags_with_layout_and_size(dataset: Path) -> None:
    run("compress", dataset, "--layer-name", "segmentation", *SEQUENTIAL)
    result = run("info", dataset)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert f"at {dataset}" in text and "voxel size 1 x 1 x 2 nanometer" in text
    assert "Layer color: color, uint8, zarr3, box xyz 0,0,0 size 64,64,32" in text
    assert "Layer segmentation: segmentation, uint32" in text and "largest segment id 400" in text
    rows = [line.split() for line in text.splitlines() if line.startswith("  1 ")]
    assert [row[1:4] for row in rows] == [["32,32,32", "64,64,64", "no"], ["32,32,32", "64,64,64", "yes"]]


def test_info_json_is_machine_readable_with_sizes_in_bytes(dataset: Path) -> None:
    result = run("info", dataset, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["voxel_size"] == [1.0, 1.0, 2.0] and summary["unit"] == "nanometer"
    layers = {layer["name"]: layer for layer in summary["layers"]}
    assert layers["color"]["dtype"] == "uint8" and layers["segmentation"]["largest_segment_id"] == 400
    assert layers["color"]["bounding_box"] == {"axes": ["x", "y", "z"], "topleft": [0, 0, 0], "size": [64, 64, 32]}
    total = 0
    for name in ("color", "segmentation"):
        (mag,) = layers[name]["mags"]
        on_disk = sum(files_under(dataset / name / "1").values())
        assert mag["mag"] == "1" and mag["size_on_disk"] == on_disk > 0
        assert mag["chunk_shape"] == [32, 32, 32] and mag["shard_shape"] == [64, 64, 64] and not mag["compressed"]
        total += on_disk
    assert summary["size_on_disk"] == total


def test_info_names_a_mag_whose_array_is_missing(dataset: Path) -> None:
    shutil.rmtree(dataset / "color" / "1")
    text = run("info", dataset)
    assert text.exit_code == 0, text.output
    assert "mag 1 cannot be read" in text.stdout and str(dataset / "color" / "1") in text.stdout
    summary = json.loads(run("info", dataset, "--json").stdout)
    color, segmentation = summary["layers"]
    assert color["mags"][0]["chunk_shape"] is None and "color" in color["mags"][0]["error"]
    assert "error" not in segmentation["mags"][0]


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    """A static HTTP server on 127.0.0.1 serving ``tmp_path``; stopped afterwards."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_info_and_copy_of_a_dataset_over_http(dataset: Path, tmp_path: Path, http_server: str) -> None:
    url = f"{http_server}/ds"
    result = run("info", url, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [layer["name"] for layer in summary["layers"]] == ["color", "segmentation"]
    assert summary["size_on_disk"] is None, "a web server cannot tell the size of a folder"
    assert run("copy-dataset", url, tmp_path / "copy", *SEQUENTIAL).exit_code == 0
    np.testing.assert_array_equal(voxels(tmp_path / "copy", "color"), color_data())
    assert run("check-equality", url, tmp_path / "copy", *SEQUENTIAL).exit_code == 0


# --------------------------------------------------------------------------- progress, failures, completion, plugins


def test_long_work_prints_one_progress_line_per_mag_without_a_terminal(dataset: Path, tmp_path: Path) -> None:
    result = run("copy-dataset", dataset, tmp_path / "copy", "--data-format", "zarr", "--shard-shape", "32")
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.startswith("Copying")]
    assert [line.split()[1] for line in progress] == ["color/1", "segmentation/1"], result.stderr
    assert all(re.search(r" (\d+)/\1 ", line) for line in progress), result.stderr  # each bar ends complete


def test_an_unexpected_failure_names_the_log_with_the_traceback(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import daedalus.core.dataset.equality as equality

    def explode(*args, **kwargs):
        raise RuntimeError("comparison exploded")

    monkeypatch.setattr(equality, "compare_datasets", explode)
    monkeypatch.setenv("DAEDALUS_LOG_DIR", str(tmp_path / "logs"))
    result = run("check-equality", dataset, dataset, *SEQUENTIAL)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0] == "Error: RuntimeError: comparison exploded" and lines[1].startswith("Hint: "), result.output
    (log,) = (tmp_path / "logs").iterdir()
    assert str(log) in lines[1] and "daedalus --verbose check-equality" in lines[1]
    assert "Traceback" in log.read_text() and "comparison exploded" in log.read_text()
    assert "Traceback" not in result.output


def test_show_and_install_completion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.setenv("HOME", str(tmp_path))
    shown = run("--show-completion")
    assert shown.exit_code == 0 and "_DAEDALUS_COMPLETE=bash_complete" in shown.stdout, shown.output
    for _ in range(2):
        installed = run("--install-completion")
        assert installed.exit_code == 0, installed.output
    assert (tmp_path / ".bash_completions" / "daedalus.sh").read_text().strip() == shown.stdout.strip()
    assert (tmp_path / ".bashrc").read_text() == 'source "$HOME/.bash_completions/daedalus.sh"\n'
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    error_line(run("--show-completion"), 2, "/bin/tcsh", "bash, zsh, fish")


def test_bash_completes_commands_options_and_choices(tmp_path: Path) -> None:
    bash, program = shutil.which("bash"), shutil.which("daedalus")
    if bash is None or program is None:
        pytest.skip("bash or the daedalus console script is not on PATH")
    script = tmp_path / "daedalus.sh"
    script.write_text(subprocess.run([program, "--show-completion"], env={**os.environ, "SHELL": bash},
                                     capture_output=True, text=True, check=True, timeout=120).stdout)  # fmt: skip

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        probe = f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _daedalus_completion {program}; "
        probe += 'printf "%s\\n" "${COMPREPLY[@]}"'
        done = subprocess.run([bash, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
        return done.stdout.split()

    assert complete("daedalus", "check-e") == ["check-equality"]
    assert complete("daedalus", "copy-dataset", "--data-f") == ["--data-format"]
    assert sorted(complete("daedalus", "copy-dataset", "--data-format", "zarr")) == ["zarr", "zarr3"]


def test_plugins_names_every_command_each_plugin_adds() -> None:
    import click
    from daedalus.plugins import configure_plugins
    from daedalus.plugins import manager as manager_module
    from daedalus.plugins.hookspecs import hookimpl

    class ExtraCommands:
        @hookimpl
        def daedalus_cli_commands(self, cli):
            cli.add_command(click.Command("hello", callback=lambda: None))

    previous = manager_module._manager
    try:
        manager = configure_plugins(load_entrypoints=False)
        manager.register(ExtraCommands(), name="extra-commands")
        result = run("plugins")
    finally:
        manager_module._manager = previous
        from daedalus.core import ports

        ports.install_registry(previous)
    assert result.exit_code == 0, result.output
    listing: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if line and not line[0].isspace():
            current = listing.setdefault(line.strip(), [])
        elif line.strip():
            current.append(line.strip())
    builtin = listing["daedalus.plugins.builtin_cli"]
    for command in ("check-equality", "compress", "copy-dataset", "merge-fallback", "upsample", "downsample", "info"):
        assert f"cli command {command}" in builtin
    assert listing["extra-commands"] == ["cli command hello"]
