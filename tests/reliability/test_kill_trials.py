"""``kill -9`` at a random moment never loses a completed write nor corrupts a properties file (issue 16).

Each trial starts a child process that writes blocks, adds layers and mags, or copies a dataset, and prints
one flushed line after every operation it finished. After a seeded random delay the parent kills it with
SIGKILL, then checks that the dataset opens, that every JSON file in it parses, and that every operation the
child reported is intact on disk (voxel for voxel for writes and copies). The number of trials is the
``trials.kill_trials`` of the tier (see ``conftest.py``); the figures go to the run's summary table.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

SEED = 16
TIMEOUT = 60.0
EDGE = 64  # the written layer is EDGE³ voxels: 8 shards of 32³ (chunks 8³), written in blocks of BLOCK³
BLOCK = 16
MAX_DELAY = 1.2  # seconds after the child is ready; the children run longer than that

WRITE_CHILD = (
    textwrap.dedent(
        """
    import itertools, sys
    import numpy as np
    import daedalus as wk

    path, fmt, engine, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if engine:
        wk.set_engine(fmt, engine)
    mag = wk.Dataset.open(path).get_layer("color").get_mag(1)
    blocks = list(itertools.product(range(EDGE // BLOCK), repeat=3))
    rng = np.random.default_rng(seed)
    print("ready", flush=True)
    for round_ in range(1000):
        for index in rng.permutation(len(blocks)):
            x, y, z = blocks[index]
            value = (round_ * len(blocks) + int(index)) % 254 + 1
            data = np.full((BLOCK,) * 3, value, dtype=np.uint8)
            print("start", x, y, z, value, flush=True)
            mag.write(data, absolute_offset=(x * BLOCK, y * BLOCK, z * BLOCK), allow_unaligned=True)
            print("wrote", x, y, z, value, flush=True)
    """
    )
    .replace("EDGE", str(EDGE))
    .replace("BLOCK", str(BLOCK))
)

PROPERTIES_CHILD = textwrap.dedent(
    """
    import sys
    import daedalus as wk

    dataset = wk.Dataset.open(sys.argv[1])
    box = wk.BoundingBox((0, 0, 0), (16, 16, 16))
    print("ready", flush=True)
    for index in range(10000):
        layer = dataset.add_layer(f"l{index}", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
        print("layer", index, flush=True)
        for mag in (1, 2):
            layer.add_mag(mag, chunk_shape=8, shard_shape=16)
            print("mag", index, mag, flush=True)
        layer.bounding_box = wk.BoundingBox((0, 0, 0), (16, 16, 8 + index % 8))
        print("box", index, 8 + index % 8, flush=True)
    """
)

COPY_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import daedalus as wk

    source, targets = wk.Dataset.open(sys.argv[1]), Path(sys.argv[2])
    print("ready", flush=True)
    for index in range(10000):
        source.copy_dataset(targets / f"copy{index}", shard_shape=16)
        print("copied", index, flush=True)
    """
)


def _kill_at_random(script: Path, args: list[str], delay: float) -> tuple[list[list[str]], int]:
    """Run ``script`` with ``args``, SIGKILL it ``delay`` s after it printed "ready"; its lines and exit status."""
    child = subprocess.Popen(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = child.stdout.readline()
        if first.strip() != "ready":
            child.kill()
            pytest.fail(f"the child did not start: {first!r}\n{child.stderr.read()}")
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=TIMEOUT)
        # Read through the same file objects: communicate() would read the pipe's descriptor directly and lose
        # what readline() above had already buffered (the first lines, possibly cut in the middle).
        stdout, stderr = child.stdout.read(), child.stderr.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode != -signal.SIGKILL:
        pytest.fail(f"the child ended by itself (status {child.returncode}) before the kill:\n{stderr}")
    # A line cut by the kill has no newline; it was not reported as complete.
    lines = [line.split() for line in stdout.splitlines(keepends=True) if line.endswith("\n")]
    return lines, child.returncode


def _corrupt_json_files(root: Path) -> list[str]:
    """The visible ``.json`` files below ``root`` that do not parse (temporary hidden files are skipped)."""
    corrupt = []
    for file in root.rglob("*.json"):
        if any(part.startswith(".") for part in file.relative_to(root).parts):
            continue
        try:
            json.loads(file.read_text())
        except (ValueError, UnicodeDecodeError):
            corrupt.append(str(file.relative_to(root)))
    return corrupt


def _delays(trials: int, salt: int) -> list[float]:
    """The seeded kill moments of ``trials`` trials."""
    rng = np.random.default_rng([SEED, salt])
    return [float(d) for d in rng.uniform(0.02, MAX_DELAY, trials)]


# (data format, engine, salt of the seeded kill moments)
WRITE_CASES = [
    pytest.param("zarr3", None, 10, id="zarr3-tensorstore"),
    pytest.param("zarr3", "zarr-python", 11, id="zarr3-zarr-python"),
    pytest.param("wkw", None, 12, id="wkw"),
    pytest.param("zarr", None, 13, id="zarr-tensorstore"),
]


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("fmt", "engine", "salt"), WRITE_CASES)
def test_writes_killed_at_random_keep_every_completed_write(tmp_path, trials, reliability_counts, fmt, engine, salt):
    """Blocks the child reported written are intact voxel for voxel after SIGKILL, in every engine."""
    script = tmp_path / "child.py"
    script.write_text(WRITE_CHILD)
    section = f"kill: writes {fmt}/{engine or 'default'}"
    failures = []
    for trial, delay in enumerate(_delays(trials.kill_trials, salt)):
        path = tmp_path / f"ds{trial}"
        layer = wk.Dataset(path, voxel_size=(1, 1, 1)).add_layer(
            "color",
            wk.COLOR_CATEGORY,
            dtype="uint8",
            data_format=fmt,
            bounding_box=wk.BoundingBox((0,) * 3, (EDGE,) * 3),
        )
        if fmt == "zarr":
            layer.add_mag(1, chunk_shape=32)
        else:
            layer.add_mag(1, chunk_shape=8, shard_shape=32)
        lines, _ = _kill_at_random(script, [str(path), fmt, engine or "", str(SEED + trial)], delay)
        # the value of each block's last reported write, and the write in flight at the kill (if any): its
        # block may hold the old or the new value
        expected: dict[tuple[int, int, int], int] = {}
        in_flight: tuple[tuple[int, int, int], int] | None = None
        malformed = [i for i, line in enumerate(lines) if len(line) != 5 or line[0] not in ("start", "wrote")]
        # Only the last line may be cut short by the kill; a malformed line before it is a failure of the trial.
        assert malformed in ([], [len(lines) - 1]), f"trial {trial}: unexpected child output {lines[malformed[0]]!r}"
        for line in lines[: malformed[0]] if malformed else lines:
            block, value = tuple(int(v) for v in line[1:4]), int(line[4])
            if line[0] == "wrote":
                expected[block] = value
                in_flight = None
            else:
                in_flight = (block, value)
        corrupt = _corrupt_json_files(path)
        opened, lost, data = 0, 0, None
        if engine:
            wk.set_engine(fmt, engine)
        try:
            data = wk.Dataset.open(path).get_layer("color").get_mag(1).read()[0]
            opened = 1
        except Exception as error:  # noqa: BLE001 - any failure to open or read is what this trial reports
            failures.append(f"trial {trial} (kill after {delay:.3f} s): cannot open or read: {error!r}")
        finally:
            wk.set_engine(fmt, None)
        if data is not None:
            for (x, y, z), value in expected.items():
                block = data[x * BLOCK : (x + 1) * BLOCK, y * BLOCK : (y + 1) * BLOCK, z * BLOCK : (z + 1) * BLOCK]
                if in_flight is not None and in_flight[0] == (x, y, z):
                    wrong = int(((block != value) & (block != in_flight[1])).sum())
                else:
                    wrong = int((block != value).sum())
                if wrong:
                    lost += 1
                    failures.append(
                        f"trial {trial} (kill after {delay:.3f} s): block {(x, y, z)} reported written with "
                        f"{value} has {wrong} of {block.size} voxels wrong"
                    )
        else:
            lost = len(expected)
        if corrupt:
            failures.append(f"trial {trial}: corrupt JSON files {corrupt}")
        reliability_counts.record(
            section, trials=1, opened=opened, reported=len(expected), intact=len(expected) - lost, lost=lost,
            corrupt_json=len(corrupt),
        )  # fmt: skip
    assert not failures, "\n".join(failures)


@pytest.mark.timeout(1800)
def test_property_updates_killed_at_random_keep_every_completed_update(tmp_path, trials, reliability_counts):
    """Layers, mags and bounding boxes the child reported are in the properties; every JSON file parses."""
    script = tmp_path / "child.py"
    script.write_text(PROPERTIES_CHILD)
    failures = []
    for trial, delay in enumerate(_delays(trials.kill_trials, 1)):
        path = tmp_path / f"ds{trial}"
        wk.Dataset(path, voxel_size=(1, 1, 1))
        lines, _ = _kill_at_random(script, [str(path)], delay)
        corrupt = _corrupt_json_files(path)
        opened, lost = 0, 0
        try:
            dataset = wk.Dataset.open(path)
            opened = 1
        except Exception as error:  # noqa: BLE001 - any failure to open is what this trial reports
            failures.append(f"trial {trial} (kill after {delay:.3f} s): cannot open: {error!r}")
            dataset = None
        for line in lines:
            kind, index = line[0], int(line[1])
            name = f"l{index}"
            if dataset is None:
                lost += 1
                continue
            layer = dataset.layers.get(name)
            if kind == "layer":
                ok = layer is not None
            elif kind == "mag":
                ok = layer is not None and wk.Mag(int(line[2])) in layer.mags
            else:
                ok = layer is not None and layer.bounding_box.size.z == int(line[2])
            if not ok:
                lost += 1
                failures.append(f"trial {trial} (kill after {delay:.3f} s): reported update {' '.join(line)} lost")
        if dataset is not None:  # the dataset stays usable after the kill
            after = dataset.add_layer(
                "after", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0,) * 3, (8,) * 3)
            )
            after.add_mag(1).write(np.full((8, 8, 8), 7, np.uint8), absolute_offset=(0, 0, 0))
            assert (wk.Dataset.open(path).get_layer("after").get_mag(1).read() == 7).all()
        if corrupt:
            failures.append(f"trial {trial}: corrupt JSON files {corrupt}")
        reliability_counts.record(
            "kill: property updates", trials=1, opened=opened, reported=len(lines), intact=len(lines) - lost,
            lost=lost, corrupt_json=len(corrupt),
        )  # fmt: skip
    assert not failures, "\n".join(failures)


def _source(path: Path) -> wk.Dataset:
    """A color layer (mags 1 and 2) and a segmentation layer with random data, 8³ chunks in 32³ shards."""
    rng = np.random.default_rng(SEED)
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    color = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0,) * 3, (64,) * 3))
    color.add_mag(1, chunk_shape=8, shard_shape=32).write(rng.integers(1, 255, (64,) * 3, dtype="uint8"))
    color.add_mag(2, chunk_shape=8, shard_shape=32).write(rng.integers(1, 255, (32,) * 3, dtype="uint8"))
    seg = ds.add_layer(
        "segmentation", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=5,
        bounding_box=wk.BoundingBox((0,) * 3, (32,) * 3),
    )  # fmt: skip
    seg.add_mag(1, chunk_shape=8, shard_shape=32).write(rng.integers(0, 6, (32,) * 3, dtype="uint32"))
    return ds


def _same_data(copy_path: Path, source: wk.Dataset) -> bool:
    copy = wk.Dataset.open(copy_path)
    if sorted(copy.layers) != sorted(source.layers):
        return False
    for name, theirs in source.layers.items():
        ours = copy.get_layer(name)
        if ours.bounding_box != theirs.bounding_box or sorted(ours.mags) != sorted(theirs.mags):
            return False
        for mag in theirs.mags:
            if not np.array_equal(ours.get_mag(mag).read(), theirs.get_mag(mag).read()):
                return False
    return True


@pytest.mark.timeout(1800)
def test_copies_killed_at_random_keep_every_completed_copy(tmp_path, trials, reliability_counts):
    """Copies the child reported are equal to the source; the interrupted one succeeds when called again."""
    source = _source(tmp_path / "source")
    script = tmp_path / "child.py"
    script.write_text(COPY_CHILD)
    failures = []
    for trial, delay in enumerate(_delays(trials.kill_trials, 2)):
        targets = tmp_path / f"trial{trial}"
        targets.mkdir()
        lines, _ = _kill_at_random(script, [str(tmp_path / "source"), str(targets)], delay)
        reported = [int(line[1]) for line in lines if line[0] == "copied"]
        opened, lost, corrupt = 0, 0, []
        for index in reported:
            corrupt += _corrupt_json_files(targets / f"copy{index}")
            try:
                intact = _same_data(targets / f"copy{index}", source)
                opened += 1
            except Exception as error:  # noqa: BLE001 - any failure to open or read is what this trial reports
                failures.append(f"trial {trial}: reported copy{index} cannot be opened or read: {error!r}")
                intact = False
            if not intact:
                lost += 1
                failures.append(
                    f"trial {trial} (kill after {delay:.3f} s): reported copy{index} differs from the source"
                )
        interrupted = targets / f"copy{len(reported)}"
        retried = 0
        if interrupted.exists():  # the copy in flight: either complete already, or it can be called again
            retried = 1
            try:
                complete = _same_data(interrupted, source)
            except Exception:  # noqa: BLE001 - an incomplete copy may not open; the retry below must fix it
                complete = False
            if not complete:
                try:
                    source.copy_dataset(interrupted, shard_shape=16)
                    assert _same_data(interrupted, source)
                except Exception as error:  # noqa: BLE001 - reported below with the trial
                    failures.append(
                        f"trial {trial} (kill after {delay:.3f} s): retrying the interrupted copy: {error!r}"
                    )
        if corrupt:
            failures.append(f"trial {trial}: corrupt JSON files {corrupt}")
        reliability_counts.record(
            "kill: copies", trials=1, opened=int(opened == len(reported)), reported=len(reported),
            intact=len(reported) - lost, lost=lost, corrupt_json=len(corrupt), retried=retried,
        )  # fmt: skip
    assert not failures, "\n".join(failures)
