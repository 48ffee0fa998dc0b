"""Contract suite of the Executor port, run over every executor the plugin manager knows and the RecordingExecutor.

An executor that cannot run here (its library or scheduler is missing: ExecutorUnavailableError, or for ``slurm``
no cluster answering ``sinfo``) is skipped with the reason. Override the fixture ``executor_unavailable_reason``
(``name -> reason or None``) to start such a scheduler first.
"""

from __future__ import annotations

import functools
import operator
import shutil
import subprocess
from concurrent.futures import Future

import pytest

from daedalus.core.ports import Executor, ExecutorUnavailableError
from daedalus.plugins import get_plugin_manager

from ..recording_executor import RecordingExecutor
from .adapters import executor_names

FAKE = "fake-recording"


@functools.lru_cache(maxsize=1)
def slurm_answers() -> bool:
    """Whether a SLURM cluster with a usable node answers ``sinfo`` on this machine (asked once per process)."""
    if shutil.which("sinfo") is None:
        return False
    try:
        completed = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and any(s in completed.stdout for s in ("idle", "mix", "alloc"))


@pytest.fixture(scope="session")
def executor_unavailable_reason():
    """``name -> None`` when the executor can run here, else why not (by default only ``slurm`` is checked)."""

    def reason(name: str) -> str | None:
        if name == "slurm" and not slurm_answers():
            return "no SLURM cluster answers sinfo here (start one, e.g. scripts/start-slurm in a daedalus checkout)"
        return None

    return reason


@pytest.fixture(params=[*executor_names(), FAKE])
def executor(request, tmp_path, monkeypatch, executor_unavailable_reason):
    """A new executor of each kind with two workers, shut down after the test."""
    monkeypatch.setenv("DAEDALUS_SLURM_JOB_DIR", str(tmp_path / "slurm-jobs"))
    if request.param == FAKE:
        instance = RecordingExecutor(max_workers=2)
    else:
        reason = executor_unavailable_reason(request.param)
        if reason is not None:
            pytest.skip(f"the {request.param} executor cannot run here: {reason}")
        try:
            instance = get_plugin_manager().executor(request.param, max_workers=2)
        except ExecutorUnavailableError as error:
            pytest.skip(f"the {request.param} executor cannot run here: {error}")
    yield instance
    instance.shutdown(wait=True)


def test_the_local_executors_are_registered() -> None:
    assert {"sequential", "threads", "multiprocessing"} <= set(executor_names())


def test_executor_implements_the_port(executor) -> None:
    assert isinstance(executor, Executor)


def test_submit_returns_a_future_with_the_result(executor) -> None:
    future = executor.submit(pow, 2, 10)
    assert isinstance(future, Future)
    assert future.result(timeout=60) == 1024


def test_submit_passes_keyword_arguments(executor) -> None:
    assert executor.submit(int, "ff", base=16).result(timeout=60) == 255


def test_map_to_futures_keeps_argument_order(executor) -> None:
    futures = executor.map_to_futures(abs, [-3, 2, -1, 0])
    assert [f.result(timeout=60) for f in futures] == [3, 2, 1, 0]


def test_map_unordered_yields_every_result(executor) -> None:
    assert sorted(executor.map_unordered(abs, [-5, 4, -3])) == [3, 4, 5]


def test_map_matches_builtin_map(executor) -> None:
    assert list(executor.map(operator.mul, [1, 2, 3], [4, 5, 6])) == [4, 10, 18]


def test_a_failing_task_raises_its_original_exception(executor) -> None:
    future = executor.submit(int, "not a number")
    with pytest.raises(ValueError, match="not a number"):
        future.result(timeout=60)


def test_no_submissions_after_shutdown(executor) -> None:
    executor.shutdown(wait=True)
    with pytest.raises(RuntimeError):
        executor.submit(abs, -1)
