"""``daedalus.utils``: the names of the reference's ``webknossos.utils`` (named_partial, path helpers, retries, ...)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, as_completed
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from daedalus import __version__, get_executor
from daedalus.core import ports
from daedalus.core.default_executor import ENV_VAR as _DEFAULT_EXECUTOR_ENV
from daedalus.core.utils import LazyPath, LazyReadOnlyDict, NDArrayLike, WkImportError, get_chunks, named_partial
from daedalus.core.utils.metadata_values import infer_metadata_type, parse_metadata_value
from daedalus.core.utils.path_helpers import (
    cheap_resolve,
    copytree,
    dump_path,
    enrich_path,
    is_fs_path,
    is_remote_path,
    is_writable_path,
    movetree,
    rmtree,
    safe_is_relative_to,
    strip_trailing_slash,
)
from daedalus.core.utils.retries import DEFAULT_BACKOFF_FACTOR, DEFAULT_NUM_RETRIES, ReturnType, call_with_retries
from daedalus.core.utils.small_helpers import (
    add_verbose_flag,
    count_defined_values,
    setup_warnings,
    snake_to_camel_case,
    time_since_epoch_in_ms,
    time_start,
    time_stop,
    warn_deprecated,
)


def _strategy_without_args() -> str:
    """The executor for callers that name none: ``$DAEDALUS_DEFAULT_EXECUTOR`` if set, else multiprocessing
    (what the reference's helpers give)."""
    return os.environ.get(_DEFAULT_EXECUTOR_ENV, "").strip().lower() or "multiprocessing"


def wrap_executor(executor: Any = None) -> AbstractContextManager[Any]:
    """A context manager yielding ``executor`` without shutting it down on exit (the caller owns it); without
    one, a new executor (multiprocessing, or ``$DAEDALUS_DEFAULT_EXECUTOR``) that is shut down on exit."""
    if executor is None:
        return get_executor(_strategy_without_args())  # type: ignore[return-value]
    return nullcontext(executor)


def get_executor_for_args(args: Any, executor: Any = None) -> AbstractContextManager[Any]:
    """Deprecated: an executor context for argparse ``args`` (``distribution_strategy``, ``jobs``), or ``executor``.

    Without a strategy in ``args``: ``$DAEDALUS_DEFAULT_EXECUTOR`` if set, else multiprocessing. Use
    `daedalus.get_executor` instead.
    """
    warn_deprecated("get_executor_for_args", "get_executor")
    if executor is not None:
        return wrap_executor(executor)
    strategy = getattr(args, "distribution_strategy", None) or _strategy_without_args()
    jobs = getattr(args, "jobs", None)
    return get_executor(strategy, **({"max_workers": jobs} if jobs else {}))  # type: ignore[return-value]


def wait_and_ensure_success(futures: list[Future], executor: Any, progress_desc: str | None = None) -> list[Any]:
    """The results of ``futures`` in the order they finish; the first failure is raised."""
    results = []
    with ports.progress(progress_desc, len(futures)) as progress:
        for future in as_completed(futures):
            results.append(future.result())
            progress.advance()
    return results


def is_rich_progress_disabled() -> bool:
    """Whether progress bars are off here: rich draws them from the main thread only."""
    return threading.current_thread() is not threading.main_thread()


def get_rich_progress() -> Any:
    """A ``rich.progress.Progress`` with a description, bar, percentage and elapsed/remaining time columns."""
    from rich.progress import BarColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description:<20}",
        BarColumn(),
        "[progress.percentage]{task.percentage:>3.0f}%",
        TimeElapsedColumn(),
        "|",
        TimeRemainingColumn(),
    )


def set_s3fs_retry_settings(*, read_timeout: int = 60, connect_timeout: int = 30, retries: int = 10) -> None:
    """Make new s3fs file systems retry ``retries`` times with the given read/connect timeouts (seconds)."""
    import s3fs

    s3fs.S3FileSystem.retries = retries
    s3fs.S3FileSystem.read_timeout = read_timeout
    s3fs.S3FileSystem.connect_timeout = connect_timeout


def get_latest_version_from_pypi() -> str | None:
    """The newest released version of daedalus; None: daedalus does not contact the package index on its own."""
    return None


def check_version_in_background(current_version: str) -> None:
    """Warn in the background when a newer version than ``current_version`` exists (daedalus never phones home)."""
    latest = get_latest_version_from_pypi()
    if latest is not None and latest != current_version:  # pragma: no cover - no index is asked
        import warnings

        warnings.warn(f"daedalus {latest} is available (you have {current_version}).", UserWarning, stacklevel=2)


current_version = __version__
"""The installed daedalus version."""

__all__ = [
    "DEFAULT_BACKOFF_FACTOR",
    "DEFAULT_NUM_RETRIES",
    "LazyPath",
    "LazyReadOnlyDict",
    "NDArrayLike",
    "ReturnType",
    "WkImportError",
    "add_verbose_flag",
    "call_with_retries",
    "cheap_resolve",
    "check_version_in_background",
    "copytree",
    "count_defined_values",
    "dump_path",
    "enrich_path",
    "get_chunks",
    "get_executor",
    "get_executor_for_args",
    "get_latest_version_from_pypi",
    "get_rich_progress",
    "infer_metadata_type",
    "is_fs_path",
    "is_remote_path",
    "is_rich_progress_disabled",
    "is_writable_path",
    "movetree",
    "named_partial",
    "parse_metadata_value",
    "rmtree",
    "safe_is_relative_to",
    "set_s3fs_retry_settings",
    "setup_warnings",
    "snake_to_camel_case",
    "strip_trailing_slash",
    "time_since_epoch_in_ms",
    "time_start",
    "time_stop",
    "wait_and_ensure_success",
    "wrap_executor",
]
