"""The structural type of anything array-like that daedalus reads from or writes to (numpy, tensorstore, dask)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class NDArrayLike(Protocol):
    """An n-dimensional array: has a ``shape``, an ``ndim`` and a numpy ``dtype``."""

    shape: tuple[int, ...]
    ndim: int
    dtype: np.dtype
