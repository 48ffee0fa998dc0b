"""The executor chunk-parallel work runs on when the caller passes none: threads on every usable core.

``DAEDALUS_DEFAULT_EXECUTOR`` (or ``using_default_executor``) names another registered executor, e.g.
``sequential`` (tasks in turn in the calling thread) or ``multiprocessing``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from . import ports

ENV_VAR = "DAEDALUS_DEFAULT_EXECUTOR"
DEFAULT_EXECUTOR = "threads"
SEQUENTIAL = "sequential"
_SIZED_POOLS = ("threads", "multiprocessing")  # the executors that take max_workers = the usable cores

_chosen: ContextVar[str | None] = ContextVar("daedalus_default_executor", default=None)
_worker = threading.local()  # .depth: how many default-executor tasks this thread is running (nested)


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity mask: taskset, cgroups, a SLURM allocation), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity API (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def default_executor_name() -> str:
    """The default executor's name: ``using_default_executor``'s, else ``$DAEDALUS_DEFAULT_EXECUTOR``, else threads."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    return os.environ.get(ENV_VAR, "").strip().lower() or DEFAULT_EXECUTOR


@contextmanager
def using_default_executor(name: str) -> Iterator[None]:
    """Make ``name`` (e.g. ``sequential``) the default executor inside the ``with`` block (this thread/context)."""
    token = _chosen.set(str(name).strip().lower())
    try:
        yield
    finally:
        _chosen.reset(token)


def in_default_worker() -> bool:
    """Whether this thread runs a task of a default executor (default work nested in it then runs in place)."""
    return getattr(_worker, "depth", 0) > 0


def default_parallelism() -> int:
    """How many tasks default chunk work runs at once here.

    The usable cores; 1 when the default is ``sequential`` or this thread already is a default executor's
    worker (nested calls run in place: no pool inside a pool, no deadlock, no oversubscription).
    """
    if in_default_worker() or default_executor_name() == SEQUENTIAL:
        return 1
    return usable_cores()


def default_is_threaded() -> bool:
    """Whether default chunk work here runs on several threads of this process (the default ``threads``, more
    than one usable core, not nested): then in-process pipelines may overlap their stages themselves."""
    return default_executor_name() == DEFAULT_EXECUTOR and default_parallelism() > 1


class DefaultWorkerTask:
    """``func(arg)``, marked as running on a default executor's worker; picklable whenever ``func`` is."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func

    def __call__(self, arg: Any) -> Any:
        """Call ``func(arg)`` with nested default work kept in this thread."""
        _worker.depth = getattr(_worker, "depth", 0) + 1
        try:
            return self.func(arg)
        finally:
            _worker.depth -= 1


@contextmanager
def default_executor(workers: int) -> Iterator[Any]:
    """A new default executor with ``workers`` workers (for the pools that take a size), shut down on exit."""
    name = default_executor_name()
    kwargs = {"max_workers": int(workers)} if name in _SIZED_POOLS else {}
    try:
        executor = ports.resolve_executor(name, **kwargs)
    except ValueError as error:
        raise ValueError(
            f"The default executor {name!r} (from ${ENV_VAR}) cannot be used: {error} Set {ENV_VAR} to one of "
            f"them, or unset it for '{DEFAULT_EXECUTOR}'."
        ) from None
    try:
        yield executor
    finally:
        executor.shutdown(wait=True)
