"""A copy killed mid-way can be retried; a folder that is not an interrupted copy is still refused (issue 16, defect 8).

Before, after ``kill -9`` during ``copy_dataset`` or ``add_layer_as_copy`` the same call failed with
``FileExistsError ... already holds files``. Each test here starts the copy in a child process, kills it
with SIGKILL as soon as the first shard file of the target appears, runs the same call again and compares
the result with the source voxel by voxel. The child paces its copy (one shard per task, a short sleep
after each) so that the kill lands mid-copy on any machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.dataset.copy_marker import MARKER_NAME, CopyInProgressError

import daedalus as wk

TIMEOUT = 30.0

# The child: ``mode`` is copy_dataset, add_layer_as_copy or add_mag_as_copy, run on the paths given; optional
# argv[4]: seconds to sleep after each copied shard (default 0.03), argv[5]: the marker heartbeat on object
# stores (seconds).
CHILD = textwrap.dedent(
    """
    import sys, time
    import daedalus as wk
    from daedalus.core.dataset import array_copy, copy_marker

    mode, source, target = sys.argv[1:4]
    pace = float(sys.argv[4]) if len(sys.argv) > 4 else 0.03
    if len(sys.argv) > 5:
        copy_marker.HEARTBEAT_SECONDS = float(sys.argv[5])
    array_copy._TASK_VOXELS = 1  # one task per target shard
    copy_box = array_copy.copy_box

    def paced(args):
        copy_box(args)
        time.sleep(pace)

    array_copy.copy_box = paced
    src = wk.Dataset.open(source)
    print("started", flush=True)
    if mode == "copy_dataset":
        src.copy_dataset(target, shard_shape=16)
    elif mode == "add_layer_as_copy":
        wk.Dataset.open(target).add_layer_as_copy(src.get_layer("color"), shard_shape=16)
    else:
        wk.Dataset.open(target).get_layer("color").add_mag_as_copy(src.get_layer("color").get_mag(1), shard_shape=16)
    print("finished", flush=True)
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


def _start_child(mode: str, source: Path, target: object, *extra: object, env: dict | None = None) -> subprocess.Popen:
    """Start the copy ``mode`` in a child process (``extra``: pace and heartbeat seconds, see CHILD)."""
    script = Path(str(source)).parent / "child.py"
    script.write_text(CHILD)
    # the child's pace (see CHILD) holds for one task at a time: run its copy sequentially so that it is still
    # running when the test calls the copy again, whatever the default executor
    env = dict(os.environ if env is None else env, DAEDALUS_DEFAULT_EXECUTOR="sequential")
    return subprocess.Popen(
        [sys.executable, str(script), mode, str(source), str(target), *map(str, extra)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _wait_for_shards(child: subprocess.Popen, watched: object) -> None:
    """Wait until a shard file appears under ``watched`` (a local Path or an s3 UPath) while ``child`` runs."""
    deadline = time.monotonic() + TIMEOUT
    while not _shard_files(watched):
        if child.poll() is not None:
            pytest.fail(f"the copy ended before a shard appeared:\n{child.stderr.read().decode()}")
        if time.monotonic() > deadline:
            pytest.fail("no shard file appeared in time")
        time.sleep(0.002)


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
    child.wait(timeout=TIMEOUT)
    child.stderr.close()


def _kill_mid_copy(mode: str, source: Path, target: object, watched: object, *extra: object, env=None) -> None:
    """Run the copy ``mode`` in a child and SIGKILL it once a shard file appears under ``watched``."""
    child = _start_child(mode, source, target, *extra, env=env)
    try:
        _wait_for_shards(child, watched)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=TIMEOUT)
    finally:
        _stop(child)
    assert child.returncode == -signal.SIGKILL, "the copy must have been killed, not finished"


def _shard_files(folder: object) -> list:
    """Data files (zarr3 shards or ``.wkw`` files other than the header) below ``folder`` (local or s3)."""
    if not isinstance(folder, Path):  # an s3 UPath: files two levels or more below it, not hidden
        if not folder.exists():
            return []
        root = folder.path.rstrip("/") + "/"
        names = [name[len(root) :] for name in folder.fs.find(folder.path)]
        return [n for n in names if "/" in n and not n.rsplit("/", 1)[-1].startswith(".")]
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


# --------------------------------------------------------------------------- a copy still running is not replaced

SLOW = 0.05  # seconds per copied shard: the copies below run for a few seconds


def _running_copy_setup(tmp_path: Path, mode: str) -> tuple[wk.Dataset, Path, Path, object]:
    """The source, the target path the call gets, the folder the copy fills, and how to call it again."""
    source = _source(tmp_path / "source")
    if mode == "copy_dataset":
        target = tmp_path / "target"
        return source, target, target / "color" / "1", lambda: source.copy_dataset(target, shard_shape=16)
    target = tmp_path / "target"
    dataset = wk.Dataset(target, voxel_size=(1, 1, 1))
    if mode == "add_layer_as_copy":
        return (
            source,
            target,
            target / "color" / "1",
            lambda: wk.Dataset.open(target).add_layer_as_copy(source.get_layer("color"), shard_shape=16),
        )
    dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (64,) * 3))
    return (
        source,
        target,
        target / "color" / "1",
        lambda: wk.Dataset.open(target).get_layer("color").add_mag_as_copy(source.get_layer("color").get_mag(1)),
    )


@pytest.mark.parametrize("mode", ["copy_dataset", "add_layer_as_copy", "add_mag_as_copy"])
def test_the_same_copy_while_it_still_runs_is_refused_and_the_running_copy_completes(
    tmp_path, mode, reliability_counts
):
    source, target, watched, call_again = _running_copy_setup(tmp_path, mode)
    child = _start_child(mode, tmp_path / "source", target, SLOW)
    try:
        _wait_for_shards(child, watched)
        with pytest.raises(CopyInProgressError, match=r"still running \(started .* by process \d+ on .*lock"):
            call_again()
        assert child.poll() is None, "the copy must still have been running when it was called again"
        assert child.wait(timeout=TIMEOUT) == 0, child.stderr.read().decode()
    finally:
        _stop(child)
    reliability_counts.record("copy retry: the same copy while it runs", calls=1, refused=1, completed=1)
    copy = wk.Dataset.open(target)
    if mode == "add_mag_as_copy":
        np.testing.assert_array_equal(
            copy.get_layer("color").get_mag(1).read(), source.get_layer("color").get_mag(1).read()
        )
    else:
        _assert_same_data(copy, source, ["color", "segmentation"] if mode == "copy_dataset" else ["color"])
    assert _markers(target) == []


def test_a_copy_running_in_another_thread_is_not_replaced(tmp_path):
    import threading

    from daedalus.core.dataset import array_copy

    source = _source(tmp_path / "source")
    started, release = threading.Event(), threading.Event()
    real_copy_box = array_copy.copy_box

    def held_copy_box(args):
        started.set()
        release.wait(TIMEOUT)
        real_copy_box(args)

    errors = []

    def copy() -> None:
        try:
            source.copy_dataset(tmp_path / "target", shard_shape=16)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    array_copy.copy_box = held_copy_box
    worker = threading.Thread(target=copy)
    try:
        worker.start()
        assert started.wait(TIMEOUT)
        array_copy.copy_box = real_copy_box
        with pytest.raises(CopyInProgressError):
            source.copy_dataset(tmp_path / "target", shard_shape=16)
    finally:
        array_copy.copy_box = real_copy_box
        release.set()
        worker.join(TIMEOUT)
    assert errors == []
    _assert_same_data(wk.Dataset.open(tmp_path / "target"), source, ["color", "segmentation"])


RETRY = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import daedalus as wk

    source, target, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.0005)
    try:
        wk.Dataset.open(source).copy_dataset(target, shard_shape=16)
        print("copied")
    except FileExistsError as error:  # CopyInProgressError: another retry took the folder over first
        print("refused", type(error).__name__)
    except RuntimeError as error:  # another retry finished first: "a dataset exists there"
        print("exists", type(error).__name__)
    """
)


def test_retries_of_a_killed_copy_at_once_give_one_copy(tmp_path, trials, reliability_counts):
    """After a kill, K processes retry the same copy at the same moment: one replaces the interrupted copy and
    completes it, the others are refused (the copy is running) or find the finished dataset."""
    source = _source(tmp_path / "source")
    target = tmp_path / "target"
    outcomes: list[str] = []
    for round_ in range(trials.property_rounds):
        if target.exists():
            shutil.rmtree(target)
        _kill_mid_copy("copy_dataset", tmp_path / "source", target, target / "color" / "1")
        go = tmp_path / f"go-{round_}"
        retries = [
            subprocess.Popen(
                [sys.executable, "-c", RETRY, str(tmp_path / "source"), str(target), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        time.sleep(1.0)  # let the retries import daedalus and wait for the go signal
        go.touch()
        for retry in retries:
            out, err = retry.communicate(timeout=TIMEOUT)
            assert retry.returncode == 0, err[-3000:]
            outcomes.append(out.split()[0])
        assert outcomes[-3:].count("copied") == 1, outcomes[-3:]
        _assert_same_data(wk.Dataset.open(target), source, ["color", "segmentation"])
        assert _markers(target) == []
    reliability_counts.record(
        "copy retry: K retries of a killed copy at once",
        rounds=trials.property_rounds,
        retries=len(outcomes),
        completed=outcomes.count("copied"),
        refused=len(outcomes) - outcomes.count("copied"),
    )


# --------------------------------------------------------------------------- on S3: the marker's heartbeat


def test_on_s3_a_running_copy_is_refused_and_a_killed_one_replaced_once_its_heartbeat_stops(
    tmp_path, s3_store, monkeypatch
):
    from daedalus.core.dataset import copy_marker

    heartbeat, stale_after = 0.2, 2.0
    monkeypatch.setattr(copy_marker, "STALE_AFTER_SECONDS", stale_after)
    source = _source(tmp_path / "source")
    target = s3_store.root / f"copy-{os.getpid()}-{time.monotonic_ns()}"
    child = _start_child("copy_dataset", tmp_path / "source", target, SLOW, heartbeat, env=s3_store.environment)
    try:
        _wait_for_shards(child, target)
        time.sleep(stale_after + 0.5)  # older than the stale limit, had the heartbeat not kept it fresh
        with pytest.raises(CopyInProgressError, match="rewritten less than"):
            source.copy_dataset(target, shard_shape=16)
        assert child.poll() is None, "the copy must still have been running when it was called again"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=TIMEOUT)
    finally:
        _stop(child)
    assert (target / MARKER_NAME).exists()
    with pytest.raises(CopyInProgressError):  # killed just now: its last heartbeat is recent
        source.copy_dataset(target, shard_shape=16)
    time.sleep(stale_after + 0.5)

    source.copy_dataset(target, shard_shape=16)

    _assert_same_data(wk.Dataset.open(target), source, ["color", "segmentation"])
    assert not (target / MARKER_NAME).exists()
