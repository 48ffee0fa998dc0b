"""Function helpers: partials that keep their function's name, and splitting a list into chunks."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any


def named_partial(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """``functools.partial(func, *args, **kwargs)`` that keeps ``func``'s ``__name__`` (and docstring).

    Executors, progress bars and logs show a task's function name; a plain partial has none.
    """
    partial = functools.partial(func, *args, **kwargs)
    functools.update_wrapper(partial, func)
    return partial


def get_chunks(arr: list[Any], chunk_size: int) -> Iterable[list[Any]]:
    """Yield consecutive slices of ``arr`` with ``chunk_size`` items each (the last may be shorter)."""
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    for start in range(0, len(arr), chunk_size):
        yield arr[start : start + chunk_size]
