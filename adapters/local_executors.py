"""Executors that run on this machine: sequential, threads and processes (spawn-safe)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor as _BaseExecutor
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from typing import Any


class _FuturesMixin:
    """Adds the daedalus extras (``map_to_futures``, ``map_unordered``) to a concurrent.futures executor."""

    def map_to_futures(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> list[Future]:
        """Submit ``fn(arg)`` for each argument; futures come back in argument order."""
        return [self.submit(fn, arg) for arg in args]  # type: ignore[attr-defined]

    def map_unordered(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> Iterator[Any]:
        """Yield ``fn(arg)`` results in the order they finish."""
        for future in as_completed(self.map_to_futures(fn, args)):
            yield future.result()


class SequentialExecutor(_FuturesMixin, _BaseExecutor):
    """Runs every task immediately in the calling thread (debugging, tiny jobs, deterministic order)."""

    def __init__(self, **_: Any) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` now and return a completed future holding its result or exception."""
        if self._shutdown:
            raise RuntimeError("cannot submit to a SequentialExecutor after shutdown")
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - the future carries it to the caller
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True, **_: Any) -> None:
        """Refuse further submissions."""
        self._shutdown = True


class ThreadExecutor(_FuturesMixin, ThreadPoolExecutor):
    """A thread pool; good for I/O-bound chunk work (tensorstore releases the GIL)."""

    def __init__(self, max_workers: int | None = None, **_: Any) -> None:
        super().__init__(max_workers=max_workers)


class MultiprocessingExecutor(_FuturesMixin, ProcessPoolExecutor):
    """A process pool using the ``spawn`` start method, safe from scripts, notebooks and ``python -``."""

    def __init__(self, max_workers: int | None = None, start_method: str = "spawn", **_: Any) -> None:
        super().__init__(max_workers=max_workers, mp_context=multiprocessing.get_context(start_method))
