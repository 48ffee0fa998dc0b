"""Runs a function over chunk arguments on an executor (the caller's, else the default one), with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, as_completed, wait
from typing import Any

from .. import ports
from ..default_executor import DefaultWorkerTask, default_executor, default_parallelism


def run_on_chunks(
    func: Callable[[Any], Any], args: Sequence[Any], executor: Any = None, progress_desc: str | None = None
) -> list[Any]:
    """``[func(a) for a in args]`` on ``executor``; results keep the order of ``args``.

    Without an executor the tasks run on the default one (``daedalus.core.default_executor``: threads on every
    usable core unless ``DAEDALUS_DEFAULT_EXECUTOR`` says otherwise), or in turn in this thread when there is
    one task, one core, the default is ``sequential`` or this already is a default executor's task. A task that
    raises re-raises its original exception here; on the default executor that is the failure of the first
    failing argument in order (as in a sequential run) and no task starts after it.
    """
    with ports.progress(progress_desc, len(args)) as progress:
        if executor is not None:
            return _run_on_executor(func, args, executor, progress)
        workers = min(default_parallelism(), len(args))
        if workers <= 1:
            results = []
            for arg in args:
                results.append(func(arg))
                progress.advance()
            return results
        with default_executor(workers) as pool:
            return _run_on_default_pool(DefaultWorkerTask(func), args, pool, progress)


def _submit_all(func: Callable[[Any], Any], args: Sequence[Any], executor: Any) -> list[Future]:
    if hasattr(executor, "map_to_futures"):
        return list(executor.map_to_futures(func, args))
    return [executor.submit(func, arg) for arg in args]


def _run_on_executor(func: Callable[[Any], Any], args: Sequence[Any], executor: Any, progress: Any) -> list[Any]:
    """The caller's executor: every task is submitted, the first one to fail raises."""
    futures = _submit_all(func, args, executor)
    for future in as_completed(futures):
        future.result()
        progress.advance()
    return [future.result() for future in futures]


def _run_on_default_pool(func: Callable[[Any], Any], args: Sequence[Any], pool: Any, progress: Any) -> list[Any]:
    """A pool this call owns: after a failure (or Ctrl-C) the waiting tasks are cancelled, the running ones
    finish, and the exception of the first failed argument (in order) is raised."""
    futures = _submit_all(func, args, pool)
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            failed = any(not future.cancelled() and future.exception() is not None for future in done)
            for _ in done:
                progress.advance()
            if failed:
                break
    finally:
        for future in futures:
            future.cancel()
        wait(futures)
    for future in futures:  # tasks start in argument order: every task before the first failure has finished
        if not future.cancelled() and future.exception() is not None:
            future.result()  # raises it
    return [future.result() for future in futures]
