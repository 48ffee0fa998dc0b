"""Contract suite for the Executor port, run over every executor the plugin manager knows."""

import importlib.util
import operator
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest
from daedalus.core.ports import ExecutorUnavailableError
from daedalus.plugins import get_plugin_manager

EXECUTOR_NAMES = get_plugin_manager().executor_names()


def _slurm_unavailable_reason() -> str | None:
    """Start the local SLURM test cluster if needed (contract_tests/slurm_cluster.py); None when it runs."""
    name = "daedalus_contract_tests_slurm_cluster"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("slurm_cluster.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.slurm_unavailable_reason()


@pytest.fixture(params=EXECUTOR_NAMES)
def executor(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DAEDALUS_SLURM_JOB_DIR", str(tmp_path / "slurm-jobs"))
    reason = _slurm_unavailable_reason() if request.param == "slurm" else None
    if reason is not None:
        print(f"skipping the slurm executor: {reason}")
        pytest.skip(reason)
    try:
        instance = get_plugin_manager().executor(request.param, max_workers=2)
    except ExecutorUnavailableError as error:
        print(f"skipping the {request.param} executor: {error}")
        pytest.skip(str(error))
    yield instance
    instance.shutdown(wait=True)


def test_the_local_executors_are_registered() -> None:
    assert {"sequential", "threads", "multiprocessing"} <= set(EXECUTOR_NAMES)


def test_submit_returns_a_future_with_the_result(executor) -> None:
    future = executor.submit(pow, 2, 10)
    assert isinstance(future, Future)
    assert future.result(timeout=60) == 1024


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
