"""Built-in plugin: registers the local executors (sequential, threads, multiprocessing)."""

from __future__ import annotations

from typing import Any

from daedalus.adapters import local_executors

from .hookspecs import hookimpl


@hookimpl
def daedalus_executors() -> dict[str, Any]:
    """Executor factories keyed by the names used with ``get_executor`` and ``--distribution-strategy``."""
    return {
        "sequential": local_executors.SequentialExecutor,
        "threads": local_executors.ThreadExecutor,
        "multiprocessing": local_executors.MultiprocessingExecutor,
    }
