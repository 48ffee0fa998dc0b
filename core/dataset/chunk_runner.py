"""Runs a function over chunk arguments, sequentially or on any executor, with an optional progress bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from typing import Any

from .. import ports


def run_on_chunks(
    func: Callable[[Any], Any], args: Sequence[Any], executor: Any = None, progress_desc: str | None = None
) -> list[Any]:
    """``[func(a) for a in args]``, on ``executor`` when given; results keep the order of ``args``.

    A task that raises re-raises its original exception here (the first failure wins).
    """
    with ports.progress(progress_desc, len(args)) as progress:
        if executor is None:
            results = []
            for arg in args:
                results.append(func(arg))
                progress.advance()
            return results
        if hasattr(executor, "map_to_futures"):
            futures = executor.map_to_futures(func, args)
        else:
            futures = [executor.submit(func, arg) for arg in args]
        for future in as_completed(futures):
            future.result()
            progress.advance()
        return [future.result() for future in futures]
