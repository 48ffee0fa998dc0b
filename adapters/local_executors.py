"""Executors that run on this machine: sequential, threads and processes (spawn-safe)."""

from __future__ import annotations

import contextlib
import copy
import multiprocessing
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor as _BaseExecutor
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from typing import Any

try:  # cloudpickle sends lambdas and functions defined in __main__ (scripts, notebooks, `python -`)
    import cloudpickle as _task_pickle
except ImportError:  # pragma: no cover - fall back to plain pickle: importable functions only
    import pickle as _task_pickle


def call_pickled(payload: bytes) -> bytes:
    """Worker-side trampoline: unpickle ``(fn, args, kwargs)``, call it and return ``(ok, result or exception)``
    pickled the same way, so exception classes defined in ``__main__``, a notebook or a function reach the
    caller as themselves (plain pickle would need to import them by name in the worker)."""
    fn, args, kwargs = _task_pickle.loads(payload)
    try:
        result = fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - travels to the caller, who raises it
        try:
            return _task_pickle.dumps((False, error, traceback.format_exc()))
        except Exception:  # noqa: BLE001 - not picklable by value: the pool's own (plain pickle) path
            raise error from None
    return _task_pickle.dumps((True, result, None))


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process (set as the exception's ``__cause__``)."""

    def __str__(self) -> str:
        return f"\n\n(in the worker process)\n{self.args[0]}" if self.args else ""


class _UnpicklingFuture(Future):
    """The caller's view of a pool future whose result is pickled bytes: settles with the unpickled value."""

    def __init__(self, inner: Future) -> None:
        super().__init__()
        self._inner = inner
        inner.add_done_callback(self._settle)

    def cancel(self) -> bool:
        """Cancel the pool task if it has not started (then this future is cancelled too)."""
        return self._inner.cancel()

    def _settle(self, inner: Future) -> None:
        if inner.cancelled():
            super().cancel()
            self.set_running_or_notify_cancel()
            return
        error = inner.exception()
        if error is not None:
            self.set_exception(error)
            return
        try:
            ok, value, remote_traceback = _task_pickle.loads(inner.result())
        except BaseException as unpickling_error:  # noqa: BLE001 - the caller sees why the result is unusable
            self.set_exception(unpickling_error)
            return
        if ok:
            self.set_result(value)
            return
        value.__cause__ = RemoteTraceback(remote_traceback)
        self.set_exception(value)


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
    """A thread pool (threads named ``daedalus-worker_N``): chunk work whose storage I/O and numpy kernels
    release the GIL uses every core this way, without starting processes (daedalus' default executor)."""

    def __init__(self, max_workers: int | None = None, **_: Any) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="daedalus-worker")


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide ``__main__.__file__`` while a worker starts, so spawn does not re-run the caller's script.

    Tasks travel by value (cloudpickle), so workers never need ``__main__``; hiding it makes scripts without an
    ``if __name__ == "__main__"`` guard and ``python -`` (whose ``__file__`` is ``<stdin>``) work.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or not hasattr(main, "__file__"):
        yield
        return
    path = main.__dict__.pop("__file__")
    try:
        yield
    finally:
        main.__file__ = path


class _SpawnProcessWithoutMain(multiprocessing.context.SpawnProcess):
    """A spawn process that starts with ``__main__`` hidden (see ``_main_script_hidden``)."""

    def start(self) -> None:
        """Start the process without re-running the caller's script in it."""
        with _main_script_hidden():
            super().start()


def _context_without_main(start_method: str) -> Any:
    """The multiprocessing context for ``start_method``; for spawn, one whose processes skip ``__main__``."""
    base = multiprocessing.get_context(start_method)
    if start_method != "spawn":
        return base
    context = copy.copy(base)
    context.Process = _SpawnProcessWithoutMain  # type: ignore[attr-defined]
    return context


class MultiprocessingExecutor(_FuturesMixin, ProcessPoolExecutor):
    """A process pool using the ``spawn`` start method, safe from scripts, notebooks and ``python -``."""

    def __init__(self, max_workers: int | None = None, start_method: str = "spawn", **_: Any) -> None:
        super().__init__(max_workers=max_workers, mp_context=_context_without_main(start_method))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Send ``fn(*args, **kwargs)`` to a worker, serialized with cloudpickle (lambdas, ``__main__`` functions)."""
        return _UnpicklingFuture(super().submit(call_pickled, _task_pickle.dumps((fn, args, kwargs))))
