"""Processes writing disjoint chunks of one shard lose nothing (issue 16, defect 4).

A write covering part of a shard reads, merges and rewrites the whole shard; without a per-shard lock two
processes doing so at once drop each other's chunks (zarr-python lost about half of them, WKW too, with
"Error while renaming temporary file"), while every write reported success. Each test starts K writer
processes released at the same moment, each writing every K-th chunk of one shard with
``allow_unaligned=True``, then reads the shard back and compares every voxel.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.file_locks import lock_file_of, locked_files, partial_cells

import daedalus as wk

SHARD = 32
TIMEOUT = 60.0

# One writer: waits for the "go" file, then writes its share of the boxes (edge ``box``) of the first shard.
WRITER = textwrap.dedent(
    """
    import itertools, sys, time
    from pathlib import Path
    import numpy as np
    import daedalus as wk

    path, fmt, engine, rank, workers, box, go = sys.argv[1:8]
    rank, workers, box = int(rank), int(workers), int(box)
    if engine:
        wk.set_engine(fmt, engine)
    mag = wk.Dataset.open(path).get_layer("color").get_mag(1)
    mag.read(absolute_offset=(0, 0, 0), size=(1, 1, 1))  # open the engine before the start signal
    (Path(go).parent / f"ready-{rank}").touch()
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            sys.exit("no go signal")
    cells = list(itertools.product(range(SHARD // box), repeat=3))
    for i, (x, y, z) in enumerate(cells):
        if i % workers == rank:
            data = np.full((box,) * 3, i % 250 + 1, dtype=np.uint8)
            mag.write(data, absolute_offset=(x * box, y * box, z * box), allow_unaligned=True)
    """
).replace("SHARD", str(SHARD))

# (data format, engine, writers, edge of the boxes written): zarr v2 has no shards, so its writers share one
# chunk file (boxes smaller than the chunk); zarr3 and WKW writers share one shard of 8³ chunks
CASES = [
    pytest.param("zarr3", None, 2, 8, id="zarr3-tensorstore"),
    pytest.param("zarr3", "zarr-python", 4, 8, id="zarr3-zarr-python"),
    pytest.param("wkw", None, 4, 8, id="wkw"),
    pytest.param("zarr", "zarr-python", 3, 8, id="zarr-zarr-python-one-chunk"),
    pytest.param("zarr", None, 2, 8, id="zarr-tensorstore-one-chunk"),
]


def _expected(box: int) -> np.ndarray:
    expected = np.zeros((SHARD,) * 3, dtype=np.uint8)
    for i, (x, y, z) in enumerate(itertools.product(range(SHARD // box), repeat=3)):
        expected[x * box : (x + 1) * box, y * box : (y + 1) * box, z * box : (z + 1) * box] = i % 250 + 1
    return expected


def _run_writers(
    path: Path, fmt: str, engine: str | None, workers: int, box: int, control: Path, writer: str = WRITER
) -> None:
    """Start ``workers`` writer processes, release them together, and fail with stderr if one fails."""
    control.mkdir()
    script = control / "writer.py"
    script.write_text(writer)
    go = control / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), fmt, engine or "", str(rank), str(workers), str(box), str(go)],
            stderr=subprocess.PIPE,
        )
        for rank in range(workers)
    ]
    try:
        deadline = time.monotonic() + TIMEOUT
        while not all((control / f"ready-{rank}").exists() for rank in range(workers)):
            for process in processes:
                if process.poll() not in (None, 0):
                    pytest.fail(f"a writer failed before the start:\n{process.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("the writers did not get ready in time")
            time.sleep(0.01)
        go.touch()
        failures = []
        for process in processes:
            _, stderr = process.communicate(timeout=TIMEOUT)
            if process.returncode:
                failures.append(stderr.decode())
        assert not failures, "a writer failed:\n" + "\n".join(failures)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


@pytest.mark.parametrize(("fmt", "engine", "workers", "box"), CASES)
def test_disjoint_writers_of_one_shard_lose_no_voxel(
    tmp_path_factory, fmt, engine, workers, box, trials, reliability_counts
):
    for _ in range(trials.shard_rounds):  # the full tier repeats the run, each in a fresh folder
        _one_shared_shard_run(tmp_path_factory.mktemp("run"), fmt, engine, workers, box, reliability_counts)


def _one_shared_shard_run(tmp_path, fmt, engine, workers, box, reliability_counts) -> None:
    chunk = SHARD if fmt == "zarr" else 8
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer(
        "color", wk.COLOR_CATEGORY, dtype="uint8", data_format=fmt, bounding_box=wk.BoundingBox((0, 0, 0), (SHARD,) * 3)
    )
    layer.add_mag(1, chunk_shape=chunk, shard_shape=SHARD if fmt != "zarr" else chunk)

    _run_writers(tmp_path / "ds", fmt, engine, workers, box, tmp_path / "control")

    if engine:
        wk.set_engine(fmt, engine)
    try:
        data = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1).read()[0]
    finally:
        wk.set_engine(fmt, None)
    expected = _expected(box)
    lost = int((data != expected).sum())
    reliability_counts.record(
        f"concurrent: K writers share a shard {fmt}/{engine or 'default'}", processes=workers, runs=1,
        voxels=expected.size, lost_voxels=lost,
    )  # fmt: skip
    assert lost == 0, f"{lost} of {expected.size} voxels lost by {workers} concurrent writers"
    leftovers = [p.name for p in (tmp_path / "ds" / "color" / "1").rglob(".*.lock")]
    assert leftovers == [], "lock files must be removed after the writes"


# Writers of separate shards: writer ``rank`` writes the whole shard at x = rank * SHARD (aligned, no lock).
OWN_SHARD_WRITER = WRITER[: WRITER.index("cells = list(")] + (
    "data = np.full((SHARD,) * 3, rank + 1, dtype=np.uint8)\nmag.write(data, absolute_offset=(rank * SHARD, 0, 0))\n"
).replace("SHARD", str(SHARD))


@pytest.mark.parametrize(("fmt", "engine", "workers", "box"), CASES)
def test_writers_of_separate_shards_lose_no_voxel(
    tmp_path_factory, fmt, engine, workers, box, trials, reliability_counts
):
    for _ in range(trials.shard_rounds):
        path = tmp_path_factory.mktemp("run")
        ds = wk.Dataset(path / "ds", voxel_size=(1, 1, 1))
        size = (SHARD * workers, SHARD, SHARD)
        layer = ds.add_layer(
            "color", wk.COLOR_CATEGORY, dtype="uint8", data_format=fmt, bounding_box=wk.BoundingBox((0, 0, 0), size)
        )
        layer.add_mag(1, chunk_shape=SHARD if fmt == "zarr" else 8, shard_shape=SHARD)
        _run_writers(path / "ds", fmt, engine, workers, box, path / "control", OWN_SHARD_WRITER)
        if engine:
            wk.set_engine(fmt, engine)
        try:
            data = wk.Dataset.open(path / "ds").get_layer("color").get_mag(1).read()[0]
        finally:
            wk.set_engine(fmt, None)
        expected = np.repeat(np.arange(1, workers + 1, dtype=np.uint8), SHARD)[:, None, None] * np.ones(
            (1, SHARD, SHARD), dtype=np.uint8
        )
        lost = int((data != expected).sum())
        reliability_counts.record(
            f"concurrent: K writers of separate shards {fmt}/{engine or 'default'}", processes=workers, runs=1,
            voxels=expected.size, lost_voxels=lost,
        )  # fmt: skip
        assert lost == 0, f"{lost} of {expected.size} voxels lost by {workers} writers of separate shards"


def test_partial_cells_lists_only_shards_the_box_covers_in_part():
    grid, shape = (32, 32, 32), (64, 64, 40)
    assert partial_cells((0, 0, 0), (32, 64, 40), grid, shape) == []  # aligned; the last z shard is cut at 40
    assert partial_cells((0, 0, 0), (8, 8, 8), grid, shape) == [(0, 0, 0)]
    assert partial_cells((16, 0, 0), (48, 32, 32), grid, shape) == [(0, 0, 0), (1, 0, 0)]
    assert partial_cells((0, 0, 0), (64, 64, 36), grid, shape) == [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1)]


def test_locked_files_excludes_a_second_holder_and_leaves_no_lock_file(tmp_path):
    shard = tmp_path / "c" / "0" / "0" / "0"
    script = textwrap.dedent(
        f"""
        import fcntl, os, sys
        fd = os.open({str(lock_file_of(shard))!r}, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit(3)
        """
    )
    with locked_files([shard]):
        assert lock_file_of(shard).is_file()
        assert subprocess.run([sys.executable, "-c", script]).returncode == 3  # another process must wait
    assert not lock_file_of(shard).exists()
    assert subprocess.run([sys.executable, "-c", script]).returncode == 0  # and may take it afterwards


def test_aligned_whole_shard_writes_take_no_lock(tmp_path, monkeypatch):
    from daedalus.core import file_locks

    taken, exclusive_lock = [], file_locks.exclusive_lock
    monkeypatch.setattr(
        file_locks, "exclusive_lock", lambda lock, purpose: taken.append(lock) or exclusive_lock(lock, purpose)
    )
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), (SHARD,) * 3)
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", data_format="wkw", bounding_box=box)
    mag = layer.add_mag(1, chunk_shape=8, shard_shape=SHARD)
    mag.write(np.ones((SHARD,) * 3, dtype=np.uint8), absolute_offset=(0, 0, 0))
    assert taken == []
    mag.write(np.full((8, 8, 8), 2, dtype=np.uint8), absolute_offset=(0, 0, 0), allow_unaligned=True)
    assert [p.name for p in taken] == [".x0.wkw.lock"]
