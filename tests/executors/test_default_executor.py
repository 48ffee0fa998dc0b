"""Chunk work without an executor runs on every usable core; DAEDALUS_DEFAULT_EXECUTOR / --jobs 1 make it sequential.

Real threads, processes and files throughout; concurrency is proven with barriers (no timed assertions).
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from daedalus.core import default_executor
from daedalus.core.dataset import array_copy, chunk_runner, downsampling
from daedalus.core.dataset import view as view_module

import daedalus as wk
from daedalus.cli import cli

ENV = default_executor.ENV_VAR
SHAPE = (2048, 32, 32)  # 64 shards of 32³
SHARDS = 64


@pytest.fixture(autouse=True)
def _no_env_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two usable cores, whatever this machine has (the pools are real threads either way)."""
    monkeypatch.setattr(default_executor.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


def em_like(shape: tuple[int, int, int] = SHAPE, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x, y, z = np.indices(shape, dtype=np.float32)
    blobs = 100 + 60 * np.sin(x / 7) * np.cos(y / 5) + 20 * np.sin(z / 3)
    return (blobs + rng.integers(0, 20, shape)).astype(np.uint8)


def label_like(shape: tuple[int, int, int] = SHAPE) -> np.ndarray:
    x, y, z = np.indices(shape)
    labels = (x // 12) * 1000 + (y // 10) * 10 + z // 8 + 1
    return np.where((x % 12 == 0) | (y % 10 == 0), 0, labels).astype(np.uint32)


def make_dataset(path: Path) -> wk.Dataset:
    ds = wk.Dataset(path, voxel_size=(11.24, 11.24, 25))
    box = wk.BoundingBox((0, 0, 0), SHAPE)
    color = ds.add_layer("color", "color", dtype="uint8", bounding_box=box)
    color.add_mag(1, chunk_shape=32, shard_shape=32).write(em_like())
    seg = ds.add_layer("segmentation", "segmentation", dtype="uint32", bounding_box=box, largest_segment_id=0)
    seg.add_mag(1, chunk_shape=32, shard_shape=32).write(label_like())
    seg.largest_segment_id = int(label_like().max())
    return ds


def same_tree(first: Path, second: Path) -> bool:
    compared = filecmp.dircmp(first, second)
    if compared.left_only or compared.right_only:
        return False
    _, mismatch, errors = filecmp.cmpfiles(first, second, compared.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(first / d, second / d) for d in compared.common_dirs)


def record_threads(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """Idents of the threads that run the downsampling kernel from now on."""
    idents: set[int] = set()
    kernel = downsampling.downsample_cube

    def recording(*args, **kwargs):
        idents.add(threading.get_ident())
        return kernel(*args, **kwargs)

    monkeypatch.setattr(downsampling, "downsample_cube", recording)
    return idents


# ------------------------------------------------------------------------------------- who runs the tasks


def test_usable_cores_follow_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(default_executor.os, "sched_getaffinity", lambda pid: {3, 5, 7}, raising=False)
    assert default_executor.usable_cores() == 3
    assert default_executor.default_parallelism() == 3
    monkeypatch.setenv(ENV, "sequential")
    assert default_executor.default_parallelism() == 1


def test_without_an_executor_chunks_run_side_by_side_on_worker_threads(tmp_path: Path, two_cores) -> None:
    view = make_dataset(tmp_path / "ds").get_layer("color").get_mag(1)
    both_running = threading.Barrier(2, timeout=60)  # broken (an error) unless two tasks run at the same time
    names: list[str] = []

    def task(args) -> None:
        names.append(threading.current_thread().name)
        if args[1] < 2:
            both_running.wait()

    view.for_each_chunk(task)
    assert len(names) == SHARDS
    assert threading.current_thread().name not in names
    assert len(set(names)) == 2 and all(name.startswith("daedalus-worker") for name in names)


@pytest.mark.parametrize("choose", ["env", "jobs 1", "strategy"])
def test_sequential_runs_every_task_in_order_in_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores, choose: str
) -> None:
    path = tmp_path / "ds"
    make_dataset(path)
    names = record_threads(monkeypatch)
    if choose == "env":
        monkeypatch.setenv(ENV, "sequential")
        order: list[int] = []
        wk.Dataset.open(path).get_layer("color").get_mag(1).for_each_chunk(lambda args: order.append(args[1]))
        assert order == list(range(SHARDS))
        wk.Dataset.open(path).get_layer("color").downsample(coarsest_mag=wk.Mag(4))
    else:
        options = ["--jobs", "1"] if choose == "jobs 1" else ["--distribution-strategy", "sequential"]
        args = ["downsample", str(path), "--layer-name", "color", "--coarsest-mag", "4", *options]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert names == {threading.get_ident()}
    assert wk.Mag((4, 4, 2)) in wk.Dataset.open(path).get_layer("color").mags


def test_the_cli_without_executor_options_uses_the_default_executor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    path = tmp_path / "ds"
    make_dataset(path)
    names = record_threads(monkeypatch)
    result = CliRunner().invoke(cli, ["downsample", str(path), "--layer-name", "color", "--coarsest-mag", "4"])
    assert result.exit_code == 0, result.output
    assert names and threading.get_ident() not in names


def test_an_unknown_default_executor_is_named_with_the_variable(tmp_path: Path, monkeypatch, two_cores) -> None:
    view = make_dataset(tmp_path / "ds").get_layer("color").get_mag(1)
    monkeypatch.setenv(ENV, "hyperthreads")
    with pytest.raises(ValueError, match=rf"'hyperthreads' \(from \${ENV}\).*sequential.*threads"):
        view.for_each_chunk(lambda args: None)


# ------------------------------------------------------------------------------------------- same results


@pytest.mark.filterwarnings("ignore:.*mag taken from another layer:UserWarning")
def test_default_and_sequential_write_byte_identical_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    monkeypatch.setattr(array_copy, "_TASK_VOXELS", 64**3)  # copies and compression in several tasks, too
    outputs = {}
    for mode in ("sequential", "default"):
        if mode == "sequential":
            monkeypatch.setenv(ENV, "sequential")
        else:
            monkeypatch.delenv(ENV)
            kernel_threads = record_threads(monkeypatch)
        ds = make_dataset(tmp_path / mode / "ds")
        # color: many work units of small shards (on the pool); segmentation: one unit of many blocks (pipelined)
        ds.get_layer("color").downsample(coarsest_mag=wk.Mag(8), chunk_shape=32, shard_shape=32)
        ds.get_layer("segmentation").downsample(coarsest_mag=wk.Mag(8), buffer_shape=32)
        ds.get_layer("color").get_mag(1).compress(target_path=tmp_path / mode / "compressed")
        copy = ds.copy_dataset(tmp_path / mode / "copy", shard_shape=64, chunk_shape=32)
        ds.copy_dataset(tmp_path / mode / "wkw", data_format="wkw", shard_shape=64, chunk_shape=32, compress=True)
        outputs[mode] = (ds, copy)
    assert len(kernel_threads - {threading.get_ident()}) >= 2, "the default run computed on several threads"
    (sequential, sequential_copy), (default, default_copy) = outputs["sequential"], outputs["default"]
    for name in ("color", "segmentation"):
        assert sorted(default.get_layer(name).mags) == sorted(sequential.get_layer(name).mags)
        assert len(default.get_layer(name).mags) == 4
        for mag in default.get_layer(name).mags:
            assert same_tree(default.path / name / mag.to_layer_name(), sequential.path / name / mag.to_layer_name())
            assert same_tree(
                default_copy.path / name / mag.to_layer_name(), sequential_copy.path / name / mag.to_layer_name()
            )
    for folder in ("compressed", "wkw"):
        assert same_tree(tmp_path / "default" / folder, tmp_path / "sequential" / folder)
    np.testing.assert_array_equal(default.get_layer("segmentation").get_mag(1).read()[0], label_like())


def test_results_of_map_chunk_keep_the_chunk_order(tmp_path: Path, two_cores) -> None:
    view = make_dataset(tmp_path / "ds").get_layer("segmentation").get_mag(1)
    maxima = view.map_chunk(lambda chunk: int(chunk.read().max()))
    expected = [int(chunk.read().max()) for chunk in view.chunk(view.info.shard_shape)]
    assert maxima == expected and len(set(maxima)) > 1


# ------------------------------------------------------------------------------------ nesting and errors


@pytest.mark.timeout(120)
def test_default_work_nested_in_a_default_task_runs_in_that_worker(tmp_path: Path, two_cores) -> None:
    view = make_dataset(tmp_path / "ds").get_layer("color").get_mag(1)
    inner_threads: dict[str, set[str]] = {}

    def outer(chunk) -> int:
        inner = chunk.map_chunk(lambda part: threading.current_thread().name, chunk_shape=16)
        inner_threads[threading.current_thread().name] = set(inner)
        return len(inner)

    sizes = view.map_chunk(outer)
    assert sizes == [8] * SHARDS
    assert all(inner == {outer_name} for outer_name, inner in inner_threads.items())


@pytest.mark.parametrize("mode", ["sequential", "threads", "multiprocessing"])
def test_a_failing_chunk_raises_its_own_error_as_in_a_sequential_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores, mode: str
) -> None:
    view = make_dataset(tmp_path / "ds").get_layer("color").get_mag(1)

    class ChunkFailed(RuntimeError):  # local: a process pool's workers receive it by value (cloudpickle)
        pass

    def fail_on_three_and_nine(args) -> None:
        if args[1] in (3, 9):
            raise ChunkFailed(f"chunk {args[1]} failed")

    monkeypatch.setenv(ENV, mode)
    with pytest.raises(ChunkFailed, match="^chunk 3 failed$"):
        view.for_each_chunk(fail_on_three_and_nine)


def test_a_corrupt_shard_fails_the_default_downsampling_like_the_sequential_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    errors = []
    for mode in ("sequential", "threads"):
        path = tmp_path / "ds"  # the same path, so that the messages can be compared
        shutil.rmtree(path, ignore_errors=True)
        make_dataset(path)
        shard = next(p for p in sorted((path / "color" / "1").rglob("*")) if p.is_file() and p.name != "zarr.json")
        shard.write_bytes(b"not a shard" * 100)
        monkeypatch.setenv(ENV, mode)
        with pytest.raises(ValueError, match="corrupt") as raised:
            wk.Dataset.open(path).get_layer("color").downsample(coarsest_mag=wk.Mag(2))
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]


def test_progress_advances_once_per_task_from_the_calling_thread(monkeypatch: pytest.MonkeyPatch, two_cores) -> None:
    advances: list[str] = []

    class Recording:
        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def advance(self, steps: int = 1) -> None:
            advances.append(threading.current_thread().name)

    monkeypatch.setattr(chunk_runner.ports, "progress", lambda description, total: Recording())
    assert chunk_runner.run_on_chunks(lambda value: value * value, list(range(12)), None, "squares") == [
        value * value for value in range(12)
    ]
    assert advances == [threading.current_thread().name] * 12


# ------------------------------------------------------------------------------- from python -c and stdin

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    import numpy as np
    import daedalus as wk

    ds = wk.Dataset(sys.argv[1], voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color", dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 64)))
    data = (np.arange(64**3).reshape(64, 64, 64) % 251).astype(np.uint8)
    layer.add_mag(1, chunk_shape=32, shard_shape=32).write(data)
    offset = 1
    sums = layer.get_mag(1).map_chunk(lambda chunk: int(chunk.read().sum()) + offset)
    layer.downsample(coarsest_mag=wk.Mag(4))
    print(len(sums), sum(sums), sorted(m.to_layer_name() for m in layer.mags))
    """
)


@pytest.mark.parametrize("mode", ["threads", "multiprocessing"])
@pytest.mark.parametrize("how", ["-c", "-"])
def test_the_default_executor_works_from_python_c_and_stdin(tmp_path: Path, mode: str, how: str) -> None:
    expected_sum = int((np.arange(64**3, dtype=np.uint64) % 251).sum()) + 8
    env = {**__import__("os").environ, ENV: mode}
    command = (
        [sys.executable, "-c", SCRIPT, str(tmp_path / "ds")]
        if how == "-c"
        else [sys.executable, "-", str(tmp_path / "ds")]
    )
    done = subprocess.run(
        command,
        input=None if how == "-c" else SCRIPT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == f"8 {expected_sum} ['1', '2', '4']"


def test_get_executor_for_args_without_a_strategy_follows_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from daedalus.utils import get_executor_for_args

    monkeypatch.setenv(ENV, "sequential")
    with pytest.warns(DeprecationWarning), get_executor_for_args(None) as executor:
        assert type(executor).__name__ == "SequentialExecutor"
        assert executor.submit(threading.get_ident).result() == threading.get_ident()


# ------------------------------------------------------------------------------------- one large work unit


def spy_target_writes(monkeypatch: pytest.MonkeyPatch, during_write=None) -> list[tuple[int, tuple[int, ...]]]:
    """(thread ident, shape) of every View.write from now on; ``during_write()`` runs inside each one."""
    calls: list[tuple[int, tuple[int, ...]]] = []
    write = view_module.View.write

    def recording(self, data, **kwargs):
        calls.append((threading.get_ident(), np.shape(data)))
        if during_write is not None:
            during_write()
        return write(self, data, **kwargs)

    monkeypatch.setattr(view_module.View, "write", recording)
    return calls


def test_a_single_large_unit_is_computed_on_threads_and_written_in_two_slabs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    # mag 2-2-1 of the segmentation is one target shard: one work unit of 32 blocks (buffer_shape 32)
    blocks = SHAPE[0] // 2 // 32
    kernel_calls: list[int] = []
    all_computed = threading.Event()
    two_reducing = threading.Barrier(2, timeout=120)  # broken (an error) unless two blocks are reduced at once
    kernel = downsampling.downsample_cube

    def counting(*args, **kwargs):
        if len(kernel_calls) == 0:
            two_reducing.wait()
        result = kernel(*args, **kwargs)
        kernel_calls.append(threading.get_ident())
        if len(kernel_calls) == blocks:
            all_computed.set()
        return result

    def first_write_waits_for_the_rest() -> None:
        if len(writes) == 1:  # the second slab is computed while the first one is being written
            assert all_computed.wait(timeout=120), "the next slab was not computed during the write"

    ds = make_dataset(tmp_path / "ds")
    monkeypatch.setattr(downsampling, "downsample_cube", counting)
    writes = spy_target_writes(monkeypatch, first_write_waits_for_the_rest)
    ds.get_layer("segmentation").downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag((2, 2, 1)), buffer_shape=32)
    assert len(kernel_calls) == blocks and threading.get_ident() not in kernel_calls
    assert len(set(kernel_calls)) == 2, "the blocks were reduced on two threads"
    assert [shape for _, shape in writes] == [(1, 512, 16, 32)] * 2  # two slabs of half the shard, each once
    assert threading.get_ident() not in {ident for ident, _ in writes}
    expected = label_like()[::2, ::2, :]  # labels are constant over each 2 x 2 x 1 block
    np.testing.assert_array_equal(ds.get_layer("segmentation").get_mag((2, 2, 1)).read()[0], expected)


def test_sequential_computes_and_writes_the_same_two_slabs_in_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    monkeypatch.setenv(ENV, "sequential")
    ds = make_dataset(tmp_path / "ds")
    kernel_threads = record_threads(monkeypatch)
    writes = spy_target_writes(monkeypatch)
    ds.get_layer("segmentation").downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag((2, 2, 1)), buffer_shape=32)
    assert kernel_threads == {threading.get_ident()}
    assert writes == [(threading.get_ident(), (1, 512, 16, 32))] * 2  # the default's slabs, not 32 block writes
    np.testing.assert_array_equal(ds.get_layer("segmentation").get_mag((2, 2, 1)).read()[0], label_like()[::2, ::2])


def test_an_explicit_executor_writes_block_by_block_the_same_bytes_as_the_sequential_slabs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    layers = {}
    for how in ("blocks", "slabs"):
        layers[how] = make_dataset(tmp_path / how).get_layer("segmentation")
    writes = spy_target_writes(monkeypatch)
    with ThreadPoolExecutor(max_workers=2) as executor:  # a caller's executor: its tasks, block by block
        layers["blocks"].downsample(
            from_mag=wk.Mag(1), coarsest_mag=wk.Mag((2, 2, 1)), buffer_shape=32, executor=executor
        )
    assert [shape for _, shape in writes] == [(1, 32, 16, 32)] * (SHAPE[0] // 2 // 32)
    monkeypatch.setenv(ENV, "sequential")
    layers["slabs"].downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag((2, 2, 1)), buffer_shape=32)
    assert len(writes) == SHAPE[0] // 2 // 32 + 2
    assert same_tree(tmp_path / "blocks" / "segmentation" / "2-2-1", tmp_path / "slabs" / "segmentation" / "2-2-1")


def test_a_failing_slab_write_raises_its_error_and_leaves_no_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores
) -> None:
    class DiskFull(OSError):
        pass

    def fail() -> None:
        raise DiskFull("no space left on device")

    ds = make_dataset(tmp_path / "ds")
    before = set(threading.enumerate())
    spy_target_writes(monkeypatch, fail)
    with pytest.raises(DiskFull, match="no space left"):
        ds.get_layer("segmentation").downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag((2, 2, 1)), buffer_shape=32)
    assert [t.name for t in set(threading.enumerate()) - before if t.name.startswith("daedalus")] == []
