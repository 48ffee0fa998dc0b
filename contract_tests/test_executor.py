"""Contract suite for the Executor port, run over every executor the plugin manager knows."""

import operator
from concurrent.futures import Future

import pytest
from daedalus.plugins import get_plugin_manager

EXECUTOR_NAMES = get_plugin_manager().executor_names()


@pytest.fixture(params=EXECUTOR_NAMES)
def executor(request: pytest.FixtureRequest):
    instance = get_plugin_manager().executor(request.param, max_workers=2)
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
