"""Concurrent changes to one dataset's ``datasource-properties.json`` lose nothing (issue 16, defect 3).

K worker processes open the same dataset and, released at the same moment, each add a layer (or a mag to one
layer); afterwards every layer and mag must be in the properties and no folder may be left orphaned.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

WORKERS = 4
LAYER_ROUNDS = 6
MAG_ROUNDS = 3
MAGS = [1, 2, 4, 8]  # worker i adds MAGS[i]
TIMEOUT = 60.0

# One worker process: in each round it signals "ready", waits for the round's "go" file (so that all workers
# start their read-modify-write together), changes the dataset through a freshly opened Dataset, and
# signals "done". Errors end the process with a non-zero status and the traceback on stderr.
WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import daedalus as wk

    dataset_path, index, rounds, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    control = Path(sys.argv[5])
    mags = [1, 2, 4, 8]
    for round_ in range(rounds):
        (control / f"ready-{round_}-{index}").touch()
        deadline = time.monotonic() + 60
        while not (control / f"go-{round_}").exists():
            if time.monotonic() > deadline:
                sys.exit("no go signal")
            time.sleep(0.0005)
        dataset = wk.Dataset.open(dataset_path)
        if mode == "layers":
            dataset.add_layer(f"r{round_}_l{index}", wk.COLOR_CATEGORY, dtype="uint8")
        else:
            dataset.get_layer(f"color{round_}").add_mag(mags[index])
        (control / f"done-{round_}-{index}").touch()
    """
)


def _wait_for(paths: list[Path], processes: list[subprocess.Popen]) -> None:
    """Wait until every file in ``paths`` exists; fail with the workers' stderr if one of them died."""
    deadline = time.monotonic() + TIMEOUT
    while not all(p.exists() for p in paths):
        for process in processes:
            if process.poll() not in (None, 0):
                pytest.fail(f"a worker failed:\n{process.stderr.read().decode()}")
        if time.monotonic() > deadline:
            missing = [p.name for p in paths if not p.exists()]
            pytest.fail(f"workers did not answer within {TIMEOUT} s: missing {missing}")
        time.sleep(0.001)


def _run_rounds(dataset_path: Path, control: Path, mode: str, rounds: int, before_round=None) -> None:
    """Start WORKERS processes and release them together for each of ``rounds`` rounds."""
    control.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(dataset_path), str(i), str(rounds), mode, str(control)],
            stderr=subprocess.PIPE,
        )
        for i in range(WORKERS)
    ]
    try:
        for round_ in range(rounds):
            _wait_for([control / f"ready-{round_}-{i}" for i in range(WORKERS)], processes)
            if before_round is not None:
                before_round(round_)
            (control / f"go-{round_}").touch()
            _wait_for([control / f"done-{round_}-{i}" for i in range(WORKERS)], processes)
        for process in processes:
            assert process.wait(timeout=TIMEOUT) == 0, process.stderr.read().decode()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _folders(path: Path) -> set[str]:
    """Names of the visible sub-folders of ``path``."""
    return {p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")}


def test_processes_adding_layers_at_once_lose_no_layer(tmp_path, trials, reliability_counts):
    rounds = LAYER_ROUNDS * trials.property_rounds
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    _run_rounds(path, tmp_path / "control", "layers", rounds)
    expected = {f"r{r}_l{i}" for r in range(rounds) for i in range(WORKERS)}
    recorded = set(wk.Dataset.open(path).layers)
    lost = expected - recorded
    reliability_counts.record(
        "concurrent: K processes add layers", processes=WORKERS, rounds=rounds, updates=len(expected),
        lost_updates=len(lost),
    )  # fmt: skip
    assert not lost, f"lost {len(lost)} of {len(expected)} layers: {sorted(lost)}"
    assert recorded == expected
    assert _folders(path) == expected  # no orphaned layer folder


def test_processes_adding_mags_to_one_layer_at_once_lose_no_mag(tmp_path, trials, reliability_counts):
    rounds = MAG_ROUNDS * trials.property_rounds
    path = tmp_path / "ds"
    dataset = wk.Dataset(path, voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), (64, 64, 64))

    def add_layer(round_: int) -> None:
        dataset.add_layer(f"color{round_}", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)

    _run_rounds(path, tmp_path / "control", "mags", rounds, before_round=add_layer)
    reopened = wk.Dataset.open(path)
    expected_mags = {wk.Mag(m) for m in MAGS}
    lost = sum(len(expected_mags - set(reopened.get_layer(f"color{r}").mags)) for r in range(rounds))
    reliability_counts.record(
        "concurrent: K processes add mags", processes=WORKERS, rounds=rounds, updates=rounds * len(MAGS),
        lost_updates=lost,
    )  # fmt: skip
    for round_ in range(rounds):
        layer = reopened.get_layer(f"color{round_}")
        assert set(layer.mags) == expected_mags, f"round {round_}: only {sorted(m.to_layer_name() for m in layer.mags)}"
        assert _folders(path / layer.name) == {m.to_layer_name() for m in expected_mags}  # no orphaned mag folder
        layer.get_mag(4).write(np.full((16, 16, 16), 3, dtype="uint8"), absolute_offset=(0, 0, 0))
        assert (layer.get_mag(4).read(absolute_offset=(0, 0, 0), size=(16, 16, 16)) == 3).all()


def test_a_stale_dataset_adding_a_layer_keeps_the_layers_others_added(tmp_path):
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    stale = wk.Dataset.open(path)
    other = wk.Dataset.open(path)
    other.add_layer("theirs", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=5)
    other.add_layer("theirs_too", wk.COLOR_CATEGORY, dtype="uint8").add_mag(1)

    stale.add_layer("mine", wk.COLOR_CATEGORY, dtype="uint16")

    assert set(wk.Dataset.open(path).layers) == {"theirs", "theirs_too", "mine"}
    # The stale object adopted what is on disk: it sees the others' layers, with their mags.
    assert set(stale.layers) == {"theirs", "theirs_too", "mine"}
    assert stale.get_segmentation_layer("theirs").largest_segment_id == 5
    assert list(stale.get_layer("theirs_too").mags) == [wk.Mag(1)]


def test_a_stale_layer_adding_a_mag_keeps_the_mags_and_settings_others_changed(tmp_path):
    path = tmp_path / "ds"
    box = wk.BoundingBox((0, 0, 0), (32, 32, 32))
    wk.Dataset(path, voxel_size=(1, 1, 1)).add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32", bounding_box=box)
    stale = wk.Dataset.open(path).get_segmentation_layer("seg")
    other = wk.Dataset.open(path).get_segmentation_layer("seg")
    other.add_mag(1)
    other.largest_segment_id = 9

    stale.add_mag(2)

    reopened = wk.Dataset.open(path).get_segmentation_layer("seg")
    assert set(reopened.mags) == {wk.Mag(1), wk.Mag(2)}
    assert reopened.largest_segment_id == 9
    assert set(stale.mags) == {wk.Mag(1), wk.Mag(2)}
    assert stale.largest_segment_id == 9


def test_a_stale_dataset_deleting_a_layer_keeps_the_layers_others_added(tmp_path):
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1)).add_layer("old", wk.COLOR_CATEGORY, dtype="uint8")
    stale = wk.Dataset.open(path)
    wk.Dataset.open(path).add_layer("new", wk.COLOR_CATEGORY, dtype="uint8")

    stale.delete_layer("old")

    assert set(wk.Dataset.open(path).layers) == {"new"}
    assert set(stale.layers) == {"new"}


def test_threads_adding_layers_to_a_memory_dataset_lose_no_layer():
    from concurrent.futures import ThreadPoolExecutor

    path = "memory://concurrent-properties/ds"
    wk.Dataset(path, voxel_size=(1, 1, 1), exist_ok=True)

    def add(index: int) -> None:
        wk.Dataset.open(path).add_layer(f"l{index}", wk.COLOR_CATEGORY, dtype="uint8")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(16)))
    assert set(wk.Dataset.open(path).layers) == {f"l{i}" for i in range(16)}


def test_the_lock_file_is_removed_after_a_change(tmp_path):
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8").add_mag(1)
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["color", "datasource-properties.json", "zarr.json"]
