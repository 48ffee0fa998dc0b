"""A View as a numpy-like array (shape, dtype, slicing that reads only the indexed box) for dask and napari.

``View.to_dask()`` wraps it in a dask array whose blocks are the view's pieces of the shard grid; the dask
adapter is reached through the registry, so core never imports dask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ports
from .region import array_box

if TYPE_CHECKING:
    from .view import View

_XYZ = ("x", "y", "z")
_TILE = 32  # edge of the tiles in which Fortran-ordered reads are copied to C order


class ViewArray:
    """The data of a View as a sliceable array with the shape and axes ``View.read()`` returns.

    ``view_array[key]`` (integers, slices with steps, ``...``; other indices read their axis whole) reads the
    smallest box covering ``key`` through ``View.read`` and indexes it. It pickles with its view, so dask's
    process and distributed schedulers can send it to workers.
    """

    def __init__(self, view: View) -> None:
        """Wrap ``view``; its box and array metadata are fixed now (later layer growth is not seen)."""
        info = view.info
        offset, shape = array_box(view.bounding_box, view.mag, info.dimension_names, info.shape)
        skip = 0 if info.has_channel_axis else 1
        self._view = view
        self._axes: tuple[str, ...] = tuple(info.dimension_names[skip:])
        self._offset: tuple[int, ...] = tuple(offset[skip:])
        self._factors = dict(zip(_XYZ, view.mag.to_list()))
        self.shape: tuple[int, ...] = tuple(int(s) for s in shape[skip:])
        self.dtype = np.dtype(info.voxel_type)
        self._grid: tuple[int, ...] = tuple(int(g) for g in info.full_shard_shape[skip:])

    @property
    def ndim(self) -> int:
        """Number of axes (the channel axis included when the array stores one)."""
        return len(self.shape)

    @property
    def axes(self) -> tuple[str, ...]:
        """Axis names in order, e.g. ``("c", "x", "y", "z")``."""
        return self._axes

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"ViewArray({self._view!r}, shape={self.shape}, dtype={self.dtype})"

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """What names this array to dask: the stored array, the mag and the box (not the object's identity)."""
        view = self._view
        return ("daedalus.ViewArray", str(view.storage_path), str(view.mag), self._offset, self.shape, str(self.dtype))

    def block_chunks(self) -> tuple[tuple[int, ...], ...]:
        """Block sizes per axis for dask: the shard grid (chunks when unsharded) cut at the view's edges."""
        return tuple(_grid_chunks(o, n, g) for o, n, g in zip(self._offset, self.shape, self._grid))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = self[...]
        return data if dtype is None else data.astype(dtype, copy=False)

    def __getitem__(self, key: Any) -> np.ndarray:
        bounds, post = _bounds_and_rest(key, self.shape)
        if any(hi <= lo for lo, hi in bounds):
            block = np.zeros([max(hi - lo, 0) for lo, hi in bounds], dtype=self.dtype)
        else:
            block = self._read(bounds)
        return _c_order(block[post])

    def _read(self, bounds: list[tuple[int, int]]) -> np.ndarray:
        """Read the box ``bounds`` (per axis, in this array's coordinates) through ``View.read``."""
        view = self._view
        box = view.bounding_box
        for axis, (lo, hi), offset in zip(self._axes, bounds, self._offset):
            if axis == "c":
                continue
            factor = self._factors.get(axis, 1)
            view_lo, view_hi = box.get_bounds(axis)
            start = max(view_lo, (offset + lo) * factor)
            stop = min(view_hi, (offset + hi) * factor)
            box = box.with_bounds(axis, start, stop - start)
        data = view.read(absolute_bounding_box=box)
        if self._axes[0] == "c":
            lo, hi = bounds[0]
            data = data[lo:hi]
        return data


def _c_order(data: np.ndarray) -> np.ndarray:
    """``data`` as a C-ordered array, which dask assembles results in.

    Reads come in Fortran order; numpy copies that layout to C order several times slower than the read itself
    (each output line gathers from distant addresses), so large blocks are copied tile by tile (x, y, z tiles
    that stay in cache).
    """
    if data.flags.c_contiguous:
        return data
    if data.ndim < 3 or data.size < _TILE**3:
        return np.ascontiguousarray(data)
    out = np.empty(data.shape, dtype=data.dtype)
    size_x, size_y, size_z = data.shape[-3:]
    for x in range(0, size_x, _TILE):
        for y in range(0, size_y, _TILE):
            for z in range(0, size_z, _TILE):
                tile = (..., slice(x, x + _TILE), slice(y, y + _TILE), slice(z, z + _TILE))
                out[tile] = data[tile]
    return out


def _grid_chunks(offset: int, size: int, grid: int) -> tuple[int, ...]:
    """Sizes of the pieces of ``[offset, offset + size)`` cut at multiples of ``grid``."""
    if size <= 0:
        return (0,)
    chunks = []
    position, end = offset, offset + size
    while position < end:
        stop = min(end, (position // grid + 1) * grid)
        chunks.append(stop - position)
        position = stop
    return tuple(chunks)


def _bounds_and_rest(key: Any, shape: tuple[int, ...]) -> tuple[list[tuple[int, int]], tuple[Any, ...]]:
    """The box ``key`` touches (per axis ``(lo, hi)``) and the index that picks ``key`` out of that box."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is None for k in key):
        raise IndexError("ViewArray does not add axes (None / np.newaxis); index the result instead.")
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("An index can only have a single ellipsis ('...').")
    if any(k is Ellipsis for k in key):
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:at] + (slice(None),) * (len(shape) - len(key) + 1) + key[at + 1 :]
    if len(key) > len(shape):
        raise IndexError(f"Too many indices for an array of shape {shape}: {len(key)}.")
    key = key + (slice(None),) * (len(shape) - len(key))
    bounds, rest = [], []
    for k, n in zip(key, shape):
        if isinstance(k, (int, np.integer)):
            i = int(k) + n if k < 0 else int(k)
            if not 0 <= i < n:
                raise IndexError(f"Index {int(k)} is out of bounds for an axis of size {n}.")
            bounds.append((i, i + 1))
            rest.append(0)
        elif isinstance(k, slice):
            picked = range(*k.indices(n))
            if len(picked) == 0:
                bounds.append((0, 0))
                rest.append(slice(0, 0))
                continue
            lo, hi = min(picked[0], picked[-1]), max(picked[0], picked[-1]) + 1
            first, last = picked[0] - lo, picked[-1] - lo
            stop = last + 1 if k.step is None or k.step > 0 else (last - 1 if last > 0 else None)
            bounds.append((lo, hi))
            rest.append(slice(first, stop, picked.step))
        else:  # index arrays, lists, masks: read the axis whole and let numpy pick
            bounds.append((0, n))
            rest.append(k)
    return bounds, tuple(rest)


def view_to_dask(view: View) -> Any:
    """A dask array of ``view``'s data (the shape and axes ``read()`` returns), one block per shard piece."""
    source = ViewArray(view)
    return ports.to_dask_array(source, source.block_chunks())
