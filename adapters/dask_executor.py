"""DaskExecutor: chunk tasks on a dask.distributed cluster, returned as concurrent.futures futures."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed
from concurrent.futures import wait as wait_for
from typing import Any

from daedalus.core.ports import ExecutorUnavailableError

ADDRESS_ENV = "DAEDALUS_DASK_ADDRESS"


def _bridge(dask_future: Any) -> Future:
    """A concurrent.futures.Future that settles like ``dask_future`` (result, exception or cancellation)."""
    future: Future = Future()
    future.dask_future = dask_future  # type: ignore[attr-defined]

    def settle(finished: Any) -> None:
        if future.done():
            return
        if finished.status == "finished":
            try:
                future.set_result(finished.result())
            except BaseException as error:  # noqa: BLE001 - fetching the result failed
                future.set_exception(error)
        elif finished.status == "cancelled":
            if not future.cancel():
                future.set_exception(RuntimeError(f"The dask task {finished.key} was cancelled"))
        else:
            future.set_exception(finished.exception())

    dask_future.add_done_callback(settle)
    return future


class DaskExecutor(Executor):
    """Submits to a ``distributed.Client``: the scheduler at ``address`` (or ``$DAEDALUS_DASK_ADDRESS``), else a
    new ``LocalCluster`` of ``max_workers`` single-threaded worker processes that is closed at shutdown.
    """

    def __init__(self, max_workers: int | None = None, address: str | None = None, client: Any = None, **_: Any):
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise ExecutorUnavailableError(
                "The dask executor needs the 'distributed' package: pip install 'daedalus[all]' "
                "(or pip install distributed), or choose another executor."
            ) from error
        self._cluster = None
        self._owns_client = client is None
        address = address or os.environ.get(ADDRESS_ENV)
        if client is not None:
            self._client = client
        elif address:
            self._client = Client(address)
        else:
            workers = max_workers or os.cpu_count() or 1
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        self._shutdown = False
        self._futures: list[Future] = []

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` tasks go to."""
        return self._client

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` on a dask worker (never cached: every call runs)."""
        if self._shutdown:
            raise RuntimeError("cannot submit to a DaskExecutor after shutdown")
        future = _bridge(self._client.submit(fn, *args, pure=False, **kwargs))
        self._track([future])
        return future

    def _track(self, futures: list[Future]) -> None:
        self._futures = [f for f in self._futures if not f.done()] + futures

    def map_to_futures(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> list[Future]:
        """Run ``fn(arg)`` for every argument; futures come back in argument order."""
        if self._shutdown:
            raise RuntimeError("cannot submit to a DaskExecutor after shutdown")
        args = list(args)
        if not args:
            return []
        futures = [_bridge(f) for f in self._client.map(fn, args, pure=False)]
        self._track(futures)
        return futures

    def map_unordered(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> Iterator[Any]:
        """Yield ``fn(arg)`` results in the order they finish."""
        for future in as_completed(self.map_to_futures(fn, args)):
            yield future.result()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks; cancel or (with ``wait``) await unfinished ones; close what this executor started."""
        if self._shutdown:
            return
        self._shutdown = True
        if cancel_futures:
            for future in self._futures:
                future.dask_future.cancel()  # type: ignore[attr-defined]
                future.cancel()
        elif wait:
            wait_for(self._futures)
        if not self._owns_client:
            return
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
