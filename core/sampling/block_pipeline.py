"""Overlapped block processing: compute the next blocks on worker threads while the current one is written.

A downsampling step or a copy works block by block: read (the storage engine decodes on its own threads),
compute (numpy kernels, which release the GIL), write (the engine encodes on its own threads). Done in turn,
each stage leaves cores idle; ``run_overlapped`` runs ``produce`` for up to ``depth`` blocks ahead on worker
threads while the calling thread hands finished blocks, in order, to ``consume``. At most ``depth`` produced
blocks wait at any time (plus the one being consumed), so memory stays bounded by the blocks in flight.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from ..default_executor import default_parallelism, in_default_worker

Item = TypeVar("Item")
Product = TypeVar("Product")


def default_depth() -> int:
    """Blocks computed ahead of the one being consumed: one per usable core (at most 4).

    None when the default executor is sequential (``DAEDALUS_DEFAULT_EXECUTOR``, ``--jobs 1``); one inside a task
    of the default executor, whose tasks already run side by side.
    """
    if in_default_worker():
        return 1
    workers = default_parallelism()
    return min(4, workers) if workers > 1 else 0


def run_overlapped(
    items: Iterable[Item],
    produce: Callable[[Item], Product],
    consume: Callable[[Item, Product], Any],
    *,
    depth: int | None = None,
) -> int:
    """``consume(item, produce(item))`` for every item, in order, with ``produce`` running ahead on threads.

    ``produce`` runs on ``depth`` worker threads (default ``default_depth()``), ``consume`` on the calling
    thread in the order of ``items`` (so writes to one file never run concurrently). The first exception of
    either stops the run: blocks not yet consumed are dropped (running ones finish, queued ones are
    cancelled) and the exception is raised here; everything consumed before stays done. ``depth=0`` runs
    both in turn on the calling thread. Returns the number of items consumed.
    """
    depth = default_depth() if depth is None else int(depth)
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, got {depth}.")
    done = 0
    if depth == 0:
        for item in items:
            consume(item, produce(item))
            done += 1
        return done
    iterator = iter(items)
    pending: deque[tuple[Item, Future[Product]]] = deque()
    with ThreadPoolExecutor(max_workers=depth, thread_name_prefix="daedalus-block") as pool:
        try:
            for item in iterator:
                pending.append((item, pool.submit(produce, item)))
                if len(pending) > depth:
                    head, future = pending.popleft()
                    consume(head, future.result())
                    done += 1
            while pending:
                head, future = pending.popleft()
                consume(head, future.result())
                done += 1
        finally:
            for _, future in pending:
                future.cancel()
    return done
