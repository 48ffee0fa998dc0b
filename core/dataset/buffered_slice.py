"""Buffered slice readers and writers: stream 2-d slices along one axis through larger block reads/writes."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..geometry import NDBoundingBox, Vec3Int
from .region import pick_region

_AXES = {"x": 0, "y": 1, "z": 2, 0: 0, 1: 1, 2: 2}
READ_BUFFER_BYTES = 256 * 1024 * 1024  # a reader's default buffer stays below this (at least one chunk deep)


def _axis(dimension: str | int) -> int:
    if dimension not in _AXES:
        raise ValueError(f"dimension must be 'x', 'y', 'z' or 0, 1, 2, not {dimension!r}.")
    if not isinstance(dimension, str):  # as the reference: named axes replace the numbers
        warnings.warn(
            "[DEPRECATION] Setting `dimension` as an integer is deprecated, please use a named axis instead, "
            f"e.g. `dimension='z'`. Got {dimension}.",
            DeprecationWarning,
            stacklevel=4,
        )
    return _AXES[dimension]


def _check_buffer_size(buffer_size: int | None) -> None:
    if buffer_size is not None and (not isinstance(buffer_size, (int, np.integer)) or buffer_size < 1):
        raise ValueError(f"buffer_size must be a positive number of slices, not {buffer_size!r}.")


def default_write_slices(view: Any, axis: int) -> int:
    """A writer's default buffer: the shard's extent along ``axis`` (in the mag's voxels), so blocks fill shards."""
    return max(1, int(view.info.shard_shape[axis]))


def default_read_slices(view: Any, bbox: NDBoundingBox, axis: int) -> int:
    """A reader's default buffer: the shard's extent along ``axis``, reduced in whole chunks to stay in memory."""
    info = view.info
    shard, chunk = int(info.shard_shape[axis]), max(1, int(info.chunk_shape[axis]))
    mag = view.mag.to_list()
    plane = info.num_channels * info.voxel_type.itemsize
    for other in range(3):
        if other != axis:
            plane *= max(1, -(-int(bbox.size_xyz[other]) // mag[other]))
    fitting = max(1, READ_BUFFER_BYTES // max(1, plane))
    return max(chunk, min(shard, fitting // chunk * chunk))


class BufferedSliceReader:
    """Iterates over the 2-d slices of a box along ``dimension``; reads ``buffer_size`` slices at a time.

    Each slice is ``(c, a, b)``, the channels and the two other axes in x/y/z order (one channel too, as the
    reference). Use as an iterator, optionally inside ``with`` (see ``View.get_buffered_slice_reader``).
    """

    def __init__(
        self,
        view: Any,
        buffer_size: int | None = 32,
        dimension: str | int = "z",
        *,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
        use_logging: bool = False,
    ) -> None:
        """Read the region of ``view`` (default: all of it) ``buffer_size`` slices at a time (None: about one
        shard deep, within a memory budget). ``use_logging`` is accepted for compatibility (nothing is logged)."""
        _check_buffer_size(buffer_size)
        bbox = pick_region(
            view.bounding_box, relative_bounding_box=relative_bounding_box, absolute_bounding_box=absolute_bounding_box
        )
        self._view = view
        self._bbox = bbox
        self._axis = _axis(dimension)
        self._buffer = buffer_size or default_read_slices(view, bbox, self._axis)

    def __enter__(self) -> Iterator[np.ndarray]:
        return iter(self)

    def __exit__(self, *exc_info: object) -> None:
        return None

    def __iter__(self) -> Iterator[np.ndarray]:
        mag_step = self._view.mag.to_list()[self._axis]
        start = self._bbox.topleft_xyz[self._axis]
        stop = self._bbox.bottomright_xyz[self._axis]
        step = self._buffer * mag_step
        for lo in range(start, stop, step):
            hi = min(lo + step, stop)
            topleft = list(self._bbox.topleft_xyz)
            size = list(self._bbox.size_xyz)
            topleft[self._axis], size[self._axis] = lo, hi - lo
            block = self._view.read(absolute_offset=topleft, size=size)
            block = np.moveaxis(block, block.ndim - 3 + self._axis, 0)
            yield from block


class BufferedSliceWriter:
    """Collects 2-d slices sent with ``send(slice)`` and writes them in blocks of ``buffer_size`` slices.

    Blocks end on multiples of ``buffer_size`` in the mag's voxel grid (the first block may be shorter), so
    with the default buffer (the shard's extent) every block fills whole shards. Use inside ``with``: leaving
    the block writes what is still buffered (see ``View.get_buffered_slice_writer``).
    """

    def __init__(
        self,
        view: Any,
        buffer_size: int | None = 32,
        dimension: str | int = "z",
        *,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
        use_logging: bool = False,
        allow_unaligned: bool = False,
    ) -> None:
        """Write slices into ``view`` starting at the given offset or box (default: the view's top left corner),
        ``buffer_size`` slices per block (None: the shard's extent). ``use_logging`` is accepted for
        compatibility (nothing is logged)."""
        _check_buffer_size(buffer_size)
        self._view = view
        self._axis = _axis(dimension)
        self._buffer_size = buffer_size or default_write_slices(view, self._axis)
        self._allow_unaligned = allow_unaligned
        self._pending: list[np.ndarray] = []
        self._set_start(relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box)

    def _set_start(
        self,
        relative_offset: Any,
        absolute_offset: Any,
        relative_bounding_box: NDBoundingBox | None,
        absolute_bounding_box: NDBoundingBox | None,
    ) -> None:
        view_bbox = self._view.bounding_box
        if relative_bounding_box is not None or absolute_bounding_box is not None:
            start = pick_region(
                view_bbox, relative_bounding_box=relative_bounding_box, absolute_bounding_box=absolute_bounding_box
            ).topleft_xyz
        elif absolute_offset is not None:
            start = Vec3Int(absolute_offset)
        elif relative_offset is not None:
            start = view_bbox.topleft_xyz + Vec3Int(relative_offset)
        else:
            start = view_bbox.topleft_xyz
        self._start = Vec3Int(start)
        self._written = 0  # slices already flushed (in the mag's voxels)
        self._first_slice = self._start[self._axis] // self._view.mag.to_list()[self._axis]  # in the mag's voxels

    def reset_offset(
        self,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> None:
        """Write what is buffered, then place the next slices at a new offset or box (as in the constructor)."""
        self._flush()
        self._set_start(relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box)

    def __enter__(self) -> BufferedSliceWriter:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.close()

    def send(self, value: np.ndarray) -> None:
        """Add one slice (``(a, b)`` or ``(c, a, b)``)."""
        self._pending.append(np.asarray(value))
        end = self._first_slice + self._written + len(self._pending)
        if len(self._pending) >= self._buffer_size or end % self._buffer_size == 0:
            self._flush()

    def close(self) -> None:
        """Write the remaining buffered slices."""
        self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        planes = [p if p.ndim == 3 else p[np.newaxis] for p in self._pending]
        block = np.stack(planes, axis=1 + self._axis)
        mag = self._view.mag.to_list()
        offset = list(self._start)
        offset[self._axis] += self._written * mag[self._axis]
        self._view.write_slab(block, Vec3Int(offset), self._allow_unaligned)
        self._written += len(self._pending)
        self._pending = []
