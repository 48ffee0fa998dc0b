"""The tensorstore Context shared by the zarr arrays of a process: decoded-chunk cache and thread pools."""

from __future__ import annotations

import os
import threading

import tensorstore as ts

_DEFAULT_CACHE_BYTES = 256 * 1024 * 1024

_context_lock = threading.Lock()
_context: ts.Context | None = None
_uncached_context: ts.Context | None = None
_context_pid: int | None = None
_context_cache_bytes = 0  # cache size of the current shared context


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"Environment variable {name}={raw!r} is not an integer.") from error


def cache_bytes() -> int:
    """Size of the decoded-chunk cache (``DAEDALUS_TENSORSTORE_CACHE_BYTES``, default 256 MiB)."""
    return _env_int("DAEDALUS_TENSORSTORE_CACHE_BYTES", _DEFAULT_CACHE_BYTES)


def tensorstore_context(cached: bool = True) -> ts.Context:
    """The tensorstore Context shared by every array of this process (recreated after a fork).

    Its cache pool (``DAEDALUS_TENSORSTORE_CACHE_BYTES``, default 256 MiB) keeps decoded chunks and shard
    indices; copy and file I/O concurrency scale with the CPU count. ``cached=False`` gives a child context
    with the same thread pools and no cache, for large reads that would only churn the cache.
    """
    global _context, _uncached_context, _context_pid, _context_cache_bytes
    with _context_lock:
        if _context is None or _context_pid != os.getpid():
            cpus = os.cpu_count() or 4
            _context_cache_bytes = cache_bytes()
            _context = ts.Context(
                {
                    "cache_pool": {"total_bytes_limit": _context_cache_bytes},
                    "data_copy_concurrency": {"limit": cpus},
                    "file_io_concurrency": {"limit": max(32, 4 * cpus)},
                    "http_request_concurrency": {"limit": 128},
                }
            )
            _uncached_context = ts.Context({"cache_pool": {"total_bytes_limit": 0}}, parent=_context)
            _context_pid = os.getpid()
        return _context if cached else _uncached_context  # type: ignore[return-value]


def reset_tensorstore_context() -> None:
    """Drop the shared Context (and its cache); arrays opened afterwards get a fresh one."""
    global _context, _uncached_context
    with _context_lock:
        _context = _uncached_context = None


def current_cache_bytes() -> int:
    """Cache size of the current shared context (0 before one exists or when the cache is off)."""
    return _context_cache_bytes
