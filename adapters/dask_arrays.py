"""Lazy dask arrays over daedalus views: each block is read through the view's own read path when computed."""

from __future__ import annotations

from typing import Any

import numpy as np

INSTALL_HINT = "pip install dask (or pip install 'daedalus[all]')"


def dask_array(source: Any, chunks: tuple[tuple[int, ...], ...]) -> Any:
    """A ``dask.array.Array`` over the array-like ``source`` with block sizes ``chunks``.

    ``source`` is embedded in every task (small: a view's path and box), so slicing the dask array reads only
    the sliced box, and the graph pickles for the process and distributed schedulers.
    """
    try:
        import dask.array as da
    except ImportError as error:
        raise ImportError(f"to_dask() needs the optional dependency dask: {INSTALL_HINT}.") from error
    meta = np.empty((0,) * len(chunks), dtype=source.dtype)
    return da.from_array(source, chunks=chunks, asarray=False, inline_array=True, meta=meta)
