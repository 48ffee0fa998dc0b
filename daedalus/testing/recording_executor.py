"""A recording Executor: runs every task at once in the calling thread and remembers what it ran."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any

import attrs


@attrs.frozen
class RecordedCall:
    """One task the RecordingExecutor ran: the function, its arguments and whether it raised."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    raised: bool


class RecordingExecutor:
    """Implements the Executor port sequentially, in process; ``calls`` lists every task in submission order.

    Tests use it to check what core schedules (how many tasks, with which arguments) without threads or processes.
    """

    def __init__(self, max_workers: int | None = None, **_: Any) -> None:
        self.max_workers = max_workers
        self.calls: list[RecordedCall] = []
        self._shutdown = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RecordingExecutor({len(self.calls)} calls)"

    def __enter__(self) -> RecordingExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now and return a finished future holding its result or exception."""
        if self._shutdown:
            raise RuntimeError(f"Cannot submit {fn!r}: the RecordingExecutor was shut down.")
        future: Future = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - delivered through the future, as other executors do
            future.set_exception(error)
            raised = True
        else:
            future.set_result(result)
            raised = False
        with self._lock:
            self.calls.append(RecordedCall(fn, args, dict(kwargs), raised))
        return future

    def map_to_futures(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> list[Future]:
        """Submit ``fn(arg)`` for each argument; the futures come back in argument order."""
        return [self.submit(fn, arg) for arg in args]

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], **_: Any) -> Iterator[Any]:
        """Like ``concurrent.futures.Executor.map`` (every task runs before the first result is yielded)."""
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        return (future.result() for future in futures)

    def map_unordered(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> Iterator[Any]:
        """Results of ``fn(arg)`` for every argument (here in argument order)."""
        return (future.result() for future in self.map_to_futures(fn, args))

    def shutdown(self, wait: bool = True, **_: Any) -> None:
        """Refuse further submissions (there are no workers to stop)."""
        self._shutdown = True
