"""A copy killed mid-way can be retried; a folder that is not an interrupted copy is still refused (issue 16, defect 8).

Before, after ``kill -9`` during ``copy_dataset`` or ``add_layer_as_copy`` the same call failed with
``FileExistsError ... already holds files``. Each test here starts the copy in a child process, kills it
with SIGKILL as soon as the first shard file of the target appears, runs the same call again and compares
the result with the source voxel by voxel. The child paces its copy (one shard per task, a short sleep
after each) so that the kill lands mid-copy on any machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.dataset.copy_marker import MARKER_NAME

import daedalus as wk

TIMEOUT = 30.0

# The child: ``mode`` is copy_dataset, add_layer_as_copy or add_mag_as_copy, run on the paths given.
CHILD = textwrap.dedent(
    """
    import sys, time
    import daedalus as wk
    from daedalus.core.dataset import array_copy

    mode, source, target = sys.argv[1:4]
    array_copy._TASK_VOXELS = 1  # one task per target shard
    copy_box = array_copy.copy_box

    def paced(args):
        copy_box(args)
        time.sleep(0.03)

    array_copy.copy_box = paced
    src = wk.Dataset.open(source)
    if mode == "copy_dataset":
        src.copy_dataset(target, shard_shape=16)
    elif mode == "add_layer_as_copy":
        wk.Dataset.open(target).add_layer_as_copy(src.get_layer("color"), shard_shape=16)
    else:
        wk.Dataset.open(target).get_layer("color").add_mag_as_copy(src.get_layer("color").get_mag(1), shard_shape=16)
    print("finished")
    """
)


def _source(path: Path, data_format: str = "zarr3") -> wk.Dataset:
    """A color layer (mags 1 and 2, 8³ chunks in 32³ shards) and a small segmentation layer, random data."""
    rng = np.random.default_rng(16)
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    color = ds.add_layer(
        "color",
        wk.COLOR_CATEGORY,
        dtype="uint8",
        data_format=data_format,
        bounding_box=wk.BoundingBox((0, 0, 0), (64,) * 3),
    )
    color.add_mag(1, chunk_shape=8, shard_shape=32).write(rng.integers(1, 255, (64,) * 3, dtype="uint8"))
    color.add_mag(2, chunk_shape=8, shard_shape=32).write(rng.integers(1, 255, (32,) * 3, dtype="uint8"))
    seg = ds.add_layer(
        "segmentation",
        wk.SEGMENTATION_CATEGORY,
        dtype="uint32",
        data_format=data_format,
        largest_segment_id=5,
        bounding_box=wk.BoundingBox((0, 0, 0), (32,) * 3),
    )
    seg.add_mag(1, chunk_shape=8, shard_shape=32).write(np.full((32,) * 3, 5, dtype="uint32"))
    return ds


def _kill_mid_copy(mode: str, source: Path, target: Path, watched: Path) -> None:
    """Run the copy ``mode`` in a child and SIGKILL it once a shard file appears under ``watched``."""
    script = target.parent / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), mode, str(source), str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + TIMEOUT
    try:
        while not _shard_files(watched):
            if child.poll() is not None:
                pytest.fail(f"the copy ended before it could be killed:\n{child.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("no shard file appeared in time")
            time.sleep(0.002)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=TIMEOUT)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL, "the copy must have been killed, not finished"


def _shard_files(folder: Path) -> list[Path]:
    """Data files (zarr3 shards or ``.wkw`` files other than the header) below ``folder``."""
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob("*") if p.is_file() and p.parent != folder and not p.name.startswith(".")]


def _assert_same_data(copy: wk.Dataset, source: wk.Dataset, layers: list[str]) -> None:
    assert sorted(copy.layers) == sorted(layers)
    for name in layers:
        ours, theirs = copy.get_layer(name), source.get_layer(name)
        assert ours.bounding_box == theirs.bounding_box
        assert sorted(ours.mags) == sorted(theirs.mags)
        for mag in theirs.mags:
            np.testing.assert_array_equal(ours.get_mag(mag).read(), theirs.get_mag(mag).read())


def _markers(folder: Path) -> list[Path]:
    return list(folder.rglob(MARKER_NAME))


@pytest.mark.parametrize("data_format", ["zarr3", "wkw"])
def test_copy_dataset_killed_mid_way_succeeds_when_called_again(tmp_path, data_format):
    source = _source(tmp_path / "source", data_format)
    target = tmp_path / "target"
    _kill_mid_copy("copy_dataset", tmp_path / "source", target, target / "color" / "1")
    assert not (target / "datasource-properties.json").exists(), "the killed copy must be visibly incomplete"

    copy = source.copy_dataset(target, shard_shape=16)

    _assert_same_data(wk.Dataset.open(target), source, ["color", "segmentation"])
    assert copy.get_layer("color").get_mag(1).info.shard_shape == (16, 16, 16)
    assert _markers(target) == []


def test_add_layer_as_copy_killed_mid_way_succeeds_when_called_again(tmp_path):
    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    _kill_mid_copy("add_layer_as_copy", tmp_path / "source", tmp_path / "target", tmp_path / "target" / "color" / "1")
    assert "color" not in wk.Dataset.open(tmp_path / "target").layers

    target.add_layer_as_copy(source.get_layer("color"), shard_shape=16)

    _assert_same_data(wk.Dataset.open(tmp_path / "target"), source, ["color"])
    assert _markers(tmp_path / "target") == []


def test_add_mag_as_copy_killed_mid_way_succeeds_when_called_again(tmp_path):
    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    target.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (64,) * 3))
    _kill_mid_copy("add_mag_as_copy", tmp_path / "source", tmp_path / "target", tmp_path / "target" / "color" / "1")

    layer = wk.Dataset.open(tmp_path / "target").get_layer("color")
    assert list(layer.mags) == []
    layer.add_mag_as_copy(source.get_layer("color").get_mag(1), shard_shape=16)

    reopened = wk.Dataset.open(tmp_path / "target").get_layer("color")
    np.testing.assert_array_equal(reopened.get_mag(1).read(), source.get_layer("color").get_mag(1).read())
    assert _markers(tmp_path / "target") == []


def _foreign_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_foreign_layer_folder_is_refused_and_left_untouched(tmp_path):
    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    foreign = tmp_path / "target" / "color"
    (foreign / "1").mkdir(parents=True)
    (foreign / "1" / "zarr.json").write_text('{"mine": true}')
    (foreign / "notes.txt").write_text("my own data")
    before = _foreign_files(foreign)

    with pytest.raises(FileExistsError, match=r"color.*not an interrupted copy.*exists_ok=True"):
        target.add_layer_as_copy(source.get_layer("color"))
    with pytest.raises(FileExistsError, match="not an interrupted copy"):
        target.add_layer_as_copy(source.get_layer("color"), shard_shape=16)  # a recoding copy as well

    assert _foreign_files(foreign) == before
    assert "color" not in wk.Dataset.open(tmp_path / "target").layers


def test_copy_dataset_into_a_folder_with_a_foreign_layer_folder_is_refused_and_leaves_it(tmp_path):
    source = _source(tmp_path / "source")
    target = tmp_path / "target"
    (target / "color").mkdir(parents=True)
    (target / "color" / "notes.txt").write_text("my own data")
    (target / "readme.txt").write_text("not a dataset")
    before = _foreign_files(target)

    with pytest.raises(FileExistsError, match="not an interrupted copy"):
        source.copy_dataset(target)

    assert _foreign_files(target) == before


def test_a_foreign_mag_folder_is_refused_and_left_untouched(tmp_path):
    source = _source(tmp_path / "source")
    target = wk.Dataset(tmp_path / "target", voxel_size=(1, 1, 1))
    layer = target.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
    (tmp_path / "target" / "color" / "1").mkdir()
    (tmp_path / "target" / "color" / "1" / "keep.bin").write_bytes(b"\x01\x02")

    with pytest.raises(FileExistsError, match="not an interrupted copy"):
        layer.add_mag_as_copy(source.get_layer("color").get_mag(1))

    assert (tmp_path / "target" / "color" / "1" / "keep.bin").read_bytes() == b"\x01\x02"
