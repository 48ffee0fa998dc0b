"""View: a Mag(1) bounding box over one mag's stored array, with reads, writes and chunk-parallel processing."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Generator, Iterator
from functools import partial
from typing import Any

import numpy as np
from upath import UPath

from .. import ports
from ..array_info import ArrayInfo
from ..errors import InvalidArgumentError, ReadOnlyViewError
from ..geometry import Mag, NDBoundingBox, Vec3Int
from ..properties import DataFormat
from .axis_permuted_array import AxisPermutedArray
from .buffered_slice import BufferedSliceReader, BufferedSliceWriter
from .chunk_runner import run_on_chunks
from .lazy_array import view_to_dask
from .region import array_box, as_full_axes, is_aligned, mag_box, pick_region, warn_size_only


class ReadBuffers:
    """Per-thread arrays reused by ``read_reusing``: one per shape and voxel type, kept for the object's life."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """This thread's (c, x, y, z) F-ordered buffer of ``shape`` and ``dtype`` (contents left from the last use)."""
        buffers = getattr(self._local, "buffers", None)
        if buffers is None:
            buffers = self._local.buffers = {}
        key = (shape, np.dtype(dtype).str)
        buffer = buffers.get(key)
        if buffer is None:
            buffer = buffers[key] = np.empty(shape, dtype=dtype, order="F")
        return buffer


def read_reusing(view: View, absolute_bounding_box: NDBoundingBox, buffers: ReadBuffers) -> np.ndarray:
    """``view.read(absolute_bounding_box=...)`` into a buffer of ``buffers`` reused by this thread.

    For chunk-parallel work whose reads are transient (read, reduce, drop): no fresh memory per read, so no
    page faults. The result is valid until this thread's next read of the same shape through ``buffers``.
    """
    bbox = pick_region(view.bounding_box, absolute_bounding_box=absolute_bounding_box)
    data = view._read_box_into(bbox, buffers)
    return data if view.info.has_channel_axis else data[0]


class DtypeMismatchError(ValueError, TypeError):
    """Data of a dtype that does not fit the stored one without losing values (a TypeError, as numpy's casts)."""


class View:
    """A region (Mag(1) bounding box) of one mag's data; reads and writes are limited to it.

    Obtain views with ``MagView.get_view`` / ``View.get_view`` rather than constructing them.
    """

    def __init__(
        self,
        path_to_mag_view: Any,
        bounding_box: NDBoundingBox | None,
        mag: Any,
        data_format: Any,
        read_only: bool = False,
        cached_array: Any = None,
        dimension_names: tuple[str, ...] | None = None,
        alignment_bounding_box: NDBoundingBox | None = None,
    ) -> None:
        """A view of the array at ``path_to_mag_view`` limited to ``bounding_box``; ``dimension_names`` are the
        array's axis names (read from the array itself when None)."""
        self._path = UPath(path_to_mag_view)
        self._dimension_names = None if dimension_names is None else tuple(dimension_names)
        self._alignment_bbox = alignment_bounding_box
        self._bounding_box = bounding_box
        self._mag = Mag(mag)
        self._data_format = DataFormat(data_format)
        self._read_only = read_only
        self._cached_array = cached_array

    # ------------------------------------------------------------------ basics

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if not isinstance(state["_cached_array"], AxisPermutedArray):  # it knows the axis order the path does not
            state["_cached_array"] = None  # engine handles do not travel between processes
        return state

    def __repr__(self) -> str:
        return f"View({self._path!r}, bounding_box={self.bounding_box})"

    @property
    def _array(self) -> Any:
        if self._cached_array is None:
            self._cached_array = ports.resolve_storage(self._data_format).open(self._path)
        return self._cached_array

    @property
    def storage_path(self) -> UPath:
        """Internal (not webknossos API): where this view's array is stored."""
        return self._path

    @property
    def stored_array(self) -> Any:
        """Internal (not webknossos API): the storage adapter's handle of this view's array."""
        return self._array

    def forget_array(self, moved_to: Any = None) -> None:
        """Internal (not webknossos API): drop the cached array handle because the array was rewritten, or
        moved to ``moved_to``."""
        if moved_to is not None:
            self._path = UPath(moved_to)
        self._cached_array = None

    @property
    def info(self) -> ArrayInfo:
        """Storage metadata of the underlying array (shape, dtype, chunk and shard shape, compression)."""
        return self._array.info

    @property
    def bounding_box(self) -> NDBoundingBox:
        """The view's region in absolute Mag(1) coordinates."""
        return self._bounding_box  # type: ignore[return-value]

    @property
    def normalized_bounding_box(self) -> Any:
        """The bounding box with the channel axis added."""
        return self.bounding_box.normalize_axes(self.num_channels)

    @property
    def mag(self) -> Mag:
        """The mag whose voxels this view reads and writes."""
        return self._mag

    @property
    def data_format(self) -> DataFormat:
        """The storage format of the underlying array."""
        return self._data_format

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._read_only

    @property
    def num_channels(self) -> int:
        """Number of channels of the data."""
        return self.info.num_channels

    def get_dtype(self) -> np.dtype:
        """The dtype of one channel of one voxel (e.g. uint8)."""
        return self.info.voxel_type

    # ------------------------------------------------------------------ reading

    def read(
        self,
        size: Any = None,
        *,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> np.ndarray:
        """Read a region (default: the whole view) as ``(c, [extra axes,] x, y, z)``; outside data reads 0.

        All offsets and sizes are in Mag(1) voxels. ``size`` alone (no offset) is deprecated: it reads from the
        view's top-left corner.
        """
        warn_size_only("read", size, relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box)
        bbox = pick_region(
            self.bounding_box,
            size=size,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
        )
        data = self._read_box(bbox)
        return data if self.info.has_channel_axis else data[0]

    def read_cxyz(
        self,
        size: Any = None,
        *,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> np.ndarray:
        """Like ``read`` but always ``(c, x, y, z)``: a channel axis of 1 is added when the array has none."""
        warn_size_only("read", size, relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box)
        bbox = pick_region(
            self.bounding_box,
            size=size,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
        )
        return self._cxyz(self._read_box(bbox), bbox)

    def _cxyz(self, data: np.ndarray, bbox: NDBoundingBox) -> np.ndarray:
        """``data`` (c, extra axes..., x, y, z) as (c, x, y, z); every extra axis must have length 1."""
        names = self.info.dimension_names
        for axis, extent in zip(names[1:-3], data.shape[1:-3]):
            if extent > 1:
                raise ValueError(
                    f"Cannot read {bbox} of {self._path} into (c, x, y, z) format: the extra axis {axis!r} has size "
                    f"{extent} > 1. Use read() and handle the extra axis, or read one {axis} at a time."
                )
        return data.reshape((data.shape[0], *data.shape[-3:]))

    def read_xyz(
        self,
        *,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> np.ndarray:
        """Deprecated: ``read_cxyz`` of a bounding box (one of the two boxes is required), as ``(c, x, y, z)``."""
        warnings.warn(
            "[DEPRECATION] `read_xyz` is deprecated, please use `read_cxyz` instead.", DeprecationWarning, stacklevel=2
        )
        if relative_bounding_box is None and absolute_bounding_box is None:
            raise InvalidArgumentError("read_xyz needs an offset or a bounding box: pass absolute_bounding_box=...")
        bbox = pick_region(
            self.bounding_box,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
        )
        return self._cxyz(self._read_box(bbox, allow_empty=True, allow_negative=True), bbox)

    def _read_box(self, bbox: NDBoundingBox, allow_empty: bool = False, allow_negative: bool = False) -> np.ndarray:
        info = self.info
        offset, shape = array_box(bbox, self._mag, info.dimension_names, info.shape)
        if not allow_negative and any(o < 0 for o in offset[-3:]):
            raise InvalidArgumentError(
                f"Cannot read {bbox} from {self._path}: the offset {offset[-3:]} in mag {self._mag} must not contain "
                "negative dimensions (data starts at 0)."
            )
        if any(s < 0 for s in shape) or (not allow_empty and any(s == 0 for s in shape)):
            raise InvalidArgumentError(
                f"Cannot read the empty region {bbox} from {self._path}: every size must be larger than 0."
            )
        if any(s == 0 for s in shape):
            return np.zeros(shape, dtype=info.voxel_type)
        return self._array.read(offset, shape)

    def _read_box_into(self, bbox: NDBoundingBox, buffers: ReadBuffers) -> np.ndarray:
        """``_read_box(bbox)`` into this thread's buffer of that shape from ``buffers`` (see ``read_reusing``)."""
        info = self.info
        offset, shape = array_box(bbox, self._mag, info.dimension_names, info.shape)
        if any(o < 0 for o in offset[-3:]) or any(s <= 0 for s in shape):
            return self._read_box(bbox)  # the usual errors
        out = buffers.get(tuple(shape), info.voxel_type)
        self._array.read_into(offset, out)
        return out

    def to_dask(self) -> Any:
        """The view's data as a lazy dask array, shaped and typed like ``read()`` (needs ``pip install dask``).

        Blocks follow the shard grid (the chunk grid when unsharded), cut at the view's edges; computing a
        block, or a slice (napari reads single planes), reads just that box through ``read``. For a napari
        multiscale image: ``[layer.get_mag(mag).to_dask() for mag in sorted(layer.mags)]``.
        """
        return view_to_dask(self)

    # ------------------------------------------------------------------ writing

    def write(
        self,
        data: np.ndarray,
        *,
        allow_unaligned: bool = False,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> None:
        """Write ``data`` (``(x, y, z)`` or ``(c, x, y, z)``, n-d: the layer's axes) inside the view.

        The position defaults to the view's top-left corner; offsets and boxes are in Mag(1) voxels.
        """
        bbox, data = self._prepare_write(
            data, relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box
        )
        if not self.bounding_box.contains_bbox(bbox):
            raise InvalidArgumentError(
                f"The write region {bbox} lies outside the view {self.bounding_box} of {self._path}; "
                "write inside the view or get a larger view."
            )
        self._write_box(bbox, data, allow_unaligned)

    def write_cxyz(
        self,
        data: np.ndarray,
        *,
        allow_unaligned: bool = False,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> None:
        """Like ``write`` but ``data`` is always ``(c, x, y, z)``."""
        position = dict(relative_offset=relative_offset, absolute_offset=absolute_offset)
        position.update(relative_bounding_box=relative_bounding_box, absolute_bounding_box=absolute_bounding_box)
        self.write(self._from_cxyz(data), allow_unaligned=allow_unaligned, **position)

    def _from_cxyz(self, data: np.ndarray) -> np.ndarray:
        """``(c, x, y, z)`` data in the layout ``write`` takes (without the channel axis if the array has none)."""
        if data.ndim != 4:
            raise ValueError(f"write_cxyz expects a (c, x, y, z) array, got shape {data.shape}.")
        return data if self.info.has_channel_axis else data[0]

    def check_writable(self) -> None:
        """Internal (not webknossos API): raise ReadOnlyViewError if read-only."""
        if self._read_only:
            raise ReadOnlyViewError(f"Cannot write to {self._path}: this view is read-only.")

    def _prepare_write(
        self,
        data: np.ndarray,
        relative_offset: Any,
        absolute_offset: Any,
        relative_bounding_box: NDBoundingBox | None,
        absolute_bounding_box: NDBoundingBox | None,
    ) -> tuple[NDBoundingBox, np.ndarray]:
        self.check_writable()
        info = self.info
        data = np.asarray(data)
        if data.dtype != info.voxel_type:
            if not np.can_cast(data.dtype, info.voxel_type, casting="safe"):
                raise DtypeMismatchError(
                    f"Cannot write data of dtype {data.dtype} to {self._path}, which stores "
                    f"{info.voxel_type}; convert it first (data.astype(np.{info.voxel_type}))."
                )
            data = data.astype(info.voxel_type)
        data = as_full_axes(data, info.ndim, info.num_channels, self._path)
        size_xyz = Vec3Int(data.shape[-3:]) * self._mag.to_vec3_int()
        bbox = pick_region(
            self.bounding_box,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
            data_size_xyz=size_xyz,
        )
        if relative_bounding_box is None and absolute_bounding_box is None:
            for axis, extent in zip(info.dimension_names[1:-3], data.shape[1:-3]):
                lo, _ = bbox.get_bounds(axis) if axis in bbox.axes else (0, 0)
                if axis in bbox.axes:
                    bbox = bbox.with_bounds(axis, lo, extent)
        expected = array_box(bbox, self._mag, info.dimension_names, info.shape)[1]
        if tuple(expected[1:]) != tuple(data.shape[1:]):
            raise InvalidArgumentError(
                f"Data of shape {data.shape} does not match the region {bbox} at mag {self._mag} of "
                f"{self._path}, which needs {expected}."
            )
        return bbox, data

    def _write_box(self, bbox: NDBoundingBox, data: np.ndarray, allow_unaligned: bool) -> None:
        info = self.info
        offset, shape = array_box(bbox, self._mag, info.dimension_names, info.shape)
        if not allow_unaligned:
            self._check_alignment(offset, shape)
        needed = tuple(o + s for o, s in zip(offset, shape))
        if any(n > s for n, s in zip(needed, info.shape)):
            self._grow_array(needed)
        self._array.write(offset, data)

    def _alignment_edges(self) -> tuple[dict[str, int], dict[str, int]]:
        """Per-axis edges (in this mag) where a write may end unaligned: the layer's borders."""
        return mag_box(self._alignment_bbox or self.bounding_box, self._mag)

    def _check_alignment(
        self, offset: tuple[int, ...], shape: tuple[int, ...], edges: NDBoundingBox | None = None
    ) -> None:
        """Refuse a write box that is not shard-aligned and does not end on the edges (default: the layer's borders).

        Uncompressed WKW files are written voxel by voxel in place, so there a partial write only warns.
        """
        info = self.info
        lower, upper = mag_box(edges, self._mag) if edges is not None else self._alignment_edges()
        grid = zip(info.dimension_names[-3:], offset[-3:], shape[-3:], info.shard_shape, info.grid_offset)
        for axis, start, size, unit, origin in grid:  # the grid starts at ``origin`` (precomputed voxel_offset)
            if is_aligned(
                start - origin, start + size - origin, unit, lower.get(axis, 0) - origin, upper.get(axis, 0) - origin
            ):
                continue
            message = (
                f"The write to {self._path} (offset {offset}, shape {shape} in mag {self._mag}) is not aligned "
                f"with the shard shape {tuple(info.shard_shape)} along {axis}; partial shards must be read, merged "
                "and rewritten, which is slow and unsafe in parallel. Write whole shards, or pass "
                "allow_unaligned=True."
            )
            if self._data_format == DataFormat.WKW and not info.compression_mode:
                warnings.warn(message, UserWarning, stacklevel=4)
                return
            raise ValueError(message)

    def _grow_array(self, needed: tuple[int, ...]) -> None:
        """Grow the array to cover ``needed`` (its stop per axis), rounded up to whole chunks (not shards)."""
        info = self.info
        chunk = info.full_chunk_shape
        new_shape = tuple(max(s, -(-n // u) * u) for s, n, u in zip(info.shape, needed, chunk))
        self._array.resize(new_shape)

    # ------------------------------------------------------------------ sub-views

    def get_view(
        self,
        size: Any = None,
        *,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
        read_only: bool | None = None,
    ) -> View:
        """A view of a sub-region (Mag(1)); writable sub-views must lie inside this view.

        A writable view that does not start and end on shard borders (or the layer's borders) gets a
        UserWarning: writes through it would touch partial shards.
        """
        warn_size_only("get_view", size, relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box)
        view = self._sub_view(
            size=size,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
            read_only=read_only,
        )
        if not view.read_only and not view._is_shard_aligned():
            warnings.warn(
                f"[WARNING] get_view() was called without shard alignment. The requested bounding box "
                f"{view.bounding_box} of {self._path} does not start and end on the shard borders "
                f"{tuple(self.info.shard_shape)} (mag {self._mag}); writes through it touch partial shards, "
                "which is slow and unsafe in parallel. Pass read_only=True for reading.",
                UserWarning,
                stacklevel=2,
            )
        return view

    def _is_shard_aligned(self) -> bool:
        """Whether this view starts and ends on shard borders or on the layer's borders (in every x/y/z axis)."""
        info = self.info
        offset, shape = array_box(self.bounding_box, self._mag, info.dimension_names, info.shape)
        lower, upper = self._alignment_edges()
        grid = zip(info.dimension_names[-3:], offset[-3:], shape[-3:], info.shard_shape, info.grid_offset)
        return all(
            is_aligned(
                start - origin, start + size - origin, unit, lower.get(axis, 0) - origin, upper.get(axis, 0) - origin
            )
            for axis, start, size, unit, origin in grid
        )

    def _sub_view(
        self,
        size: Any = None,
        *,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
        read_only: bool | None = None,
    ) -> View:
        """``get_view`` without its warnings (for views daedalus makes itself, e.g. in ``chunk``)."""
        if read_only is None:
            read_only = self._read_only
        elif self._read_only and not read_only:
            raise ReadOnlyViewError(
                f"Cannot get a writable view from the read-only view of {self._path}; pass read_only=True."
            )
        if (relative_offset is not None or absolute_offset is not None) and size is None:
            raise InvalidArgumentError("get_view with an offset needs a size=(x, y, z) in Mag(1) voxels.")
        bbox = pick_region(
            self.bounding_box,
            size=size,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
        )
        if not read_only and not self.bounding_box.contains_bbox(bbox):
            raise InvalidArgumentError(
                f"The requested view {bbox} extends beyond {self.bounding_box} of {self._path}; only "
                "read-only views may do that (pass read_only=True)."
            )
        edges = self._alignment_bbox or self.bounding_box
        return View(
            self._path,
            bbox,
            self._mag,
            self._data_format,
            read_only,
            self._cached_array,
            self._dimension_names,
            alignment_bounding_box=edges,
        )

    def _full_chunk_shape(self, shape: Any) -> tuple[int, ...]:
        shape = tuple(int(v) for v in (shape if not isinstance(shape, int) else (shape,) * 3))
        ndim = len(self.bounding_box.axes)
        if len(shape) == ndim:
            return shape
        if len(shape) == 3:
            full = [1] * ndim
            for axis, value in zip(("x", "y", "z"), shape):
                full[list(self.bounding_box.axes).index(axis)] = value
            return tuple(full)
        raise ValueError(f"A chunk shape needs 3 or {ndim} values, got {shape}.")

    def _default_chunk_shape(self) -> Vec3Int:
        return self.info.shard_shape * self._mag.to_vec3_int()

    def chunk(
        self,
        chunk_shape: Any,
        *,
        chunk_border_alignments: Any = None,
        read_only: bool | None = None,
    ) -> Generator[View, None, None]:
        """Split the view into sub-views of ``chunk_shape`` (Mag(1)), borders aligned as requested."""
        full = self._full_chunk_shape(chunk_shape)
        align = None if chunk_border_alignments is None else self._full_chunk_shape(chunk_border_alignments)
        for bbox in self.bounding_box.chunk(full, align):
            yield self._sub_view(absolute_bounding_box=bbox, read_only=read_only)

    def _chunks(self, chunk_shape: Any) -> list[View]:
        shape = self._default_chunk_shape() if chunk_shape is None else chunk_shape
        return list(self.chunk(shape, chunk_border_alignments=shape))

    def for_each_chunk(
        self,
        func_per_chunk: Callable[[tuple[View, int]], None],
        *,
        chunk_shape: Any = None,
        executor: Any = None,
        progress_desc: str | None = None,
    ) -> None:
        """Call ``func_per_chunk((chunk_view, index))`` for every chunk (default: one per shard)."""
        chunks = self._chunks(chunk_shape)
        run_on_chunks(func_per_chunk, list(zip(chunks, range(len(chunks)))), executor, progress_desc)

    def map_chunk(
        self,
        func_per_chunk: Callable[[View], Any],
        *,
        chunk_shape: Any = None,
        executor: Any = None,
        progress_desc: str | None = None,
    ) -> list[Any]:
        """Call ``func_per_chunk(chunk_view)`` for every chunk and return the results in chunk order."""
        return run_on_chunks(func_per_chunk, self._chunks(chunk_shape), executor, progress_desc)

    def for_zipped_chunks(
        self,
        func_per_chunk: Callable[[tuple[View, View, int]], None],
        target_view: View,
        *,
        source_chunk_shape: Any = None,
        target_chunk_shape: Any = None,
        executor: Any = None,
        progress_desc: str | None = None,
    ) -> None:
        """Call ``func_per_chunk((source_chunk, target_chunk, index))`` over matching chunks of two views."""
        if (source_chunk_shape is None) != (target_chunk_shape is None):
            raise ValueError("Give both source_chunk_shape and target_chunk_shape, or neither.")
        if target_chunk_shape is None:
            target_chunk_shape = target_view._default_chunk_shape()
            source_chunk_shape = target_chunk_shape
        sources = list(self.chunk(source_chunk_shape, chunk_border_alignments=source_chunk_shape))
        targets = list(target_view.chunk(target_chunk_shape, chunk_border_alignments=target_chunk_shape))
        if len(sources) != len(targets):
            raise ValueError(
                f"The views split into {len(sources)} and {len(targets)} chunks; choose chunk shapes that "
                "cover both views the same way."
            )
        args = [(s, t, i) for i, (s, t) in enumerate(zip(sources, targets))]
        run_on_chunks(func_per_chunk, args, executor, progress_desc)

    def content_is_equal(
        self,
        other: View,
        *,
        executor: Any = None,
        progress_desc: str | None = None,
        chunk_shape: Any = None,
    ) -> bool:
        """Whether both views hold the same voxels (compared chunk by chunk)."""
        if tuple(self.bounding_box.size) != tuple(other.bounding_box.size):
            return False
        if self.num_channels != other.num_channels:
            return False
        compare = partial(_chunk_equals, other=other, origin=self.bounding_box.topleft)
        return all(self.map_chunk(compare, chunk_shape=chunk_shape, executor=executor, progress_desc=progress_desc))

    # ------------------------------------------------------------------ slices

    def get_buffered_slice_reader(
        self,
        buffer_size: int | None = None,
        dimension: str | int = "z",
        *,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
        use_logging: bool = False,
    ) -> Any:
        """A reader yielding 2-d slices along ``dimension``, reading ``buffer_size`` slices at a time."""
        return BufferedSliceReader(
            self,
            buffer_size,
            dimension,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
            use_logging=use_logging,
        )

    def get_buffered_slice_writer(
        self,
        buffer_size: int | None = None,
        dimension: str | int = "z",
        *,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
        use_logging: bool = False,
        allow_unaligned: bool = False,
    ) -> Any:
        """A writer taking 2-d slices along ``dimension`` (``send(slice)``), writing buffered blocks."""
        self.check_writable()
        return BufferedSliceWriter(
            self,
            buffer_size,
            dimension,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
            use_logging=use_logging,
            allow_unaligned=allow_unaligned,
        )

    def write_slab(self, data: np.ndarray, absolute_offset: Vec3Int, allow_unaligned: bool) -> None:
        """Internal (not webknossos API): write a block produced by a slice writer."""
        self._write_slab(data, absolute_offset, allow_unaligned)

    def _write_slab(self, data: np.ndarray, absolute_offset: Vec3Int, allow_unaligned: bool) -> None:
        """Write a slice writer's block (MagView overrides this to grow its array)."""
        self.write(data, absolute_offset=absolute_offset, allow_unaligned=allow_unaligned)


def _chunk_equals(chunk: View, other: View, origin: Any) -> bool:
    relative = chunk.bounding_box.offset(-origin)
    mine = chunk.read()
    theirs = other.read(relative_bounding_box=relative)
    return bool(np.array_equal(mine, theirs))


def views_on_disk(view: View, boxes: Iterator[NDBoundingBox], read_only: bool | None) -> Iterator[View]:
    """Views over ``view`` for each box, clipped to the view's bounding box."""
    for bbox in boxes:
        clipped = bbox.intersected_with(view.bounding_box, dont_assert=True)
        if not clipped.is_empty():
            yield view._sub_view(absolute_bounding_box=clipped, read_only=read_only)
