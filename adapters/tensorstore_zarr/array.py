"""An opened zarr3 / zarr array: reads and writes through tensorstore, with and without the chunk cache."""

from __future__ import annotations

import json
import math
import mmap
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import tensorstore as ts
from daedalus.core.array_info import ArrayInfo
from daedalus.core.file_locks import exclusive_lock, lock_file_of
from daedalus.core.process_local import ProcessLocalState

from . import context
from .context import tensorstore_context
from .layout import _dump_json
from .locations import _HttpLocation, _LocalLocation
from .shard_format import shard_format
from .shard_reader import ShardReader

_DIRECT_READ_BYTES = 4 * 1024 * 1024  # padded reads of at least this size go straight into the result
# Local sharded reads of at least this size decode the shards themselves (``ShardReader``). Below it tensorstore's
# read is as fast: its buffers of up to 32 MiB come from memory the allocator reuses, while a result of our own
# is fresh memory whose page faults cost as much as the copying saved (downsampling's 32 MiB reads: +20 % CPU).
# The same bound holds for reads into a given buffer: two 32 MiB reads at once each on their own decoding threads
# cost more than tensorstore's shared pool (downsampling with reused buffers: 1.9-2.1 s vs 1.4-1.5 s).
_OWN_DECODE_BYTES = 64 * 1024 * 1024


class TensorstoreZarrArray(ProcessLocalState):
    """An opened zarr3 / zarr array (implements ``StoredArray``); the tensorstore handle is opened once."""

    def __init__(self, location: Any, fmt: Any, meta: dict[str, Any], names: Any = None) -> None:
        self._location = location
        self._format = fmt
        self._names = names
        self._lock = threading.Lock()
        self._handle: Any = None
        self._uncached_handle: Any = None
        self._native: Any = None
        self._handle_pid: int | None = None
        self._set_metadata(meta)

    _process_local = ("_handle", "_uncached_handle", "_native", "_shard_reader")

    def __repr__(self) -> str:
        info = self._layout.info
        return f"TensorstoreZarrArray({self._location.display!r}, {info.data_format}, shape={info.shape})"

    def _where(self) -> str:
        return f"{self._location.display.rstrip('/')}/{self._format.metadata_file}"

    def _set_metadata(self, meta: dict[str, Any]) -> None:
        where = self._where()
        try:
            layout = self._format.parse(meta, where, self._names)
        except (KeyError, TypeError, IndexError, AttributeError) as error:
            raise ValueError(f"Cannot read array metadata {where}: missing or invalid entry {error}.") from error
        self._meta = meta
        self._layout = layout
        self._handle = self._uncached_handle = None
        self._shard_reader: ShardReader | None = None  # made on the first large read
        local_shards = isinstance(self._location, _LocalLocation) and layout.sharded
        self._shard_format = shard_format(meta) if local_shards and self._format.data_format == "zarr3" else None

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the array as stored, in presented axis order."""
        return self._layout.info

    @property
    def path(self) -> str:
        """Where the array lives (as given when opening it)."""
        return self._location.display

    def _open_handle(self, context: ts.Context) -> tuple[Any, Any]:
        """Open the array with tensorstore in ``context``: (stored-order handle, presented-order handle)."""
        if self._location.bridged:
            self._location.stage_metadata(self._format.metadata_file)
        spec = {"driver": self._format.driver, "kvstore": self._location.kvstore_spec}
        try:
            if isinstance(self._location, _HttpLocation):  # read-only: hand over the metadata read on opening
                store = self._open_assuming_metadata(spec, context)
            else:
                store = ts.open(spec, open=True, read=True, write=True, context=context).result()
        except ValueError as error:
            raise ValueError(f"tensorstore cannot open the array at {self._where()}: {error}") from error
        order = self._layout.order
        if list(order) != list(range(len(order))):
            return store, store[ts.d[list(order)].transpose[:]]
        return store, store

    def _open_assuming_metadata(self, spec: dict[str, Any], context: ts.Context) -> Any:
        """Open with the metadata already read (one request less per array); as usual if tensorstore refuses it."""
        try:
            return ts.open({**spec, "metadata": self._meta}, open=True, assume_metadata=True, context=context).result()
        except ValueError:
            return ts.open(spec, open=True, read=True, context=context).result()

    def _tensorstore(self) -> Any:
        """The tensorstore handle in presented axis order (virtual channel excluded), opened once."""
        handle = self._handle
        if handle is not None and self._handle_pid == os.getpid():
            return handle
        with self._lock:
            if self._handle is None or self._handle_pid != os.getpid():
                self._uncached_handle = None
                self._native, self._handle = self._open_handle(tensorstore_context())
                self._handle_pid = os.getpid()
            return self._handle

    def _use_bridge(self) -> None:
        """Switch an http array to the fsspec bridge (whole files) and drop the handles opened on the old one."""
        with self._lock:
            if isinstance(self._location, _HttpLocation):
                self._location = self._location.bridged_location()
            self._handle = self._uncached_handle = None

    def _reading_handle(self, nbytes: int) -> Any:
        """The handle for a read of ``nbytes``: large reads skip the decoded-chunk cache.

        A read of at least a sixteenth of the cache would mostly evict chunks that smaller, repeated reads
        reuse, and copying every chunk into the cache costs time; such reads decode straight into the result.
        Writes always go through the cached handle, and tensorstore revalidates cached chunks against the
        files, so both handles see the same data.
        """
        handle = self._tensorstore()
        limit = context.current_cache_bytes()
        if limit <= 0 or nbytes * 16 < limit:
            return handle
        uncached = self._uncached_handle
        if uncached is None:
            with self._lock:
                if self._uncached_handle is None:
                    self._uncached_handle = self._open_handle(tensorstore_context(cached=False))[1]
                uncached = self._uncached_handle
        return uncached

    @property
    def native(self) -> Any:
        """The engine's own handle: the ``tensorstore.TensorStore`` of the array in stored axis order."""
        self._tensorstore()
        return self._native

    def _check_box(self, offset: Sequence[int], shape: Sequence[int], action: str) -> tuple[list, list]:
        offset, shape = [int(o) for o in offset], [int(s) for s in shape]
        ndim = len(self._layout.info.shape)
        if len(offset) != ndim or len(shape) != ndim:
            raise ValueError(
                f"Cannot {action} {self.path}: offset {offset} and shape {shape} must both have {ndim} entries "
                f"(axes {self._layout.info.dimension_names})."
            )
        if any(s < 0 for s in shape):
            raise ValueError(f"Cannot {action} {self.path}: negative shape {shape}.")
        return offset, shape

    def _stored_box(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[list[int], list[int]]:
        return self._layout.to_stored(lo), self._layout.to_stored(hi)

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape`` over all axes; voxels outside the array read as 0."""
        offset, shape = self._check_box(offset, shape, "read from")
        layout = self._layout
        dtype = layout.info.voxel_type
        lo, hi = self._clipped(offset, shape)
        if any(h <= low for low, h in zip(lo, hi)):
            return np.zeros(shape, dtype=dtype, order="F")
        presented_slices = tuple(slice(a, b) for a, b in zip(lo, hi))
        nbytes = math.prod([b - a for a, b in zip(lo, hi)]) * dtype.itemsize
        if self._shard_format is not None and nbytes >= _OWN_DECODE_BYTES and dtype.isnative:
            return self._read_shards(offset, shape, lo, hi)
        handle = self._reading_handle(nbytes)
        box = handle[presented_slices[1:] if layout.virtual_channel else presented_slices]
        inside = lo == offset and hi == [o + s for o, s in zip(offset, shape)]
        direct = not inside and nbytes >= _DIRECT_READ_BYTES and dtype.isnative  # padded: read into the result
        bridged = self._location.bridged
        staged = self._location.reading(layout.cells(*self._stored_box(lo, hi))[0]) if bridged else nullcontext()
        try:
            with staged:
                if direct:
                    return self._read_into_zeros(box, offset, shape, lo, hi)
                data = box.read(order="F").result()
        except ValueError as error:  # tensorstore names the key, not the array: add both
            if isinstance(self._location, _HttpLocation) and "ignored by server" in str(error):
                self._use_bridge()  # the server sends whole files only: fetch them through fsspec instead
                return self.read(offset, shape)
            raise self._corrupt(lo, hi, error) from error
        if layout.virtual_channel:
            data = data[np.newaxis]
        if inside:
            return data
        out = np.zeros(shape, dtype=dtype, order="F")
        out[tuple(slice(a - o, b - o) for a, b, o in zip(lo, hi, offset))] = data
        return out

    def read_into(self, offset: Sequence[int], out: np.ndarray) -> None:
        """Read the box at ``offset`` with ``out``'s shape into ``out``; voxels outside the array read as 0.

        Nothing new is allocated for the voxels: a buffer reused from read to read costs no page faults. Large
        local sharded reads are decoded by ``ShardReader``, others by tensorstore; remote arrays read, then copy.
        """
        offset, shape = self._check_box(offset, out.shape, "read from")
        layout = self._layout
        dtype = layout.info.voxel_type
        remote = self._location.bridged or isinstance(self._location, _HttpLocation)
        if remote or out.dtype != dtype or not dtype.isnative or not out.flags.writeable:
            out[...] = self.read(offset, shape)
            return
        lo, hi = self._clipped(offset, shape)
        if any(h <= low for low, h in zip(lo, hi)):
            out[...] = 0
            return
        if lo != offset or hi != [o + s for o, s in zip(offset, shape)]:
            out[...] = 0
        inside = out[tuple(slice(a - o, b - o) for a, b, o in zip(lo, hi, offset))]
        nbytes = inside.nbytes
        if self._shard_format is not None and nbytes >= _OWN_DECODE_BYTES:
            self._decode_shards(lo, hi, inside, zeroed=False)
            return
        presented = tuple(slice(a, b) for a, b in zip(lo, hi))
        box = self._reading_handle(nbytes)[presented[1:] if layout.virtual_channel else presented]
        try:
            self._read_box_into(box, inside)
        except ValueError as error:
            raise self._corrupt(lo, hi, error) from error

    def _read_shards(self, offset: list[int], shape: list[int], lo: list[int], hi: list[int]) -> np.ndarray:
        """A large read decoded by ``ShardReader`` into fresh zeroed memory (absent chunks and padding stay 0).

        The result lives in a private anonymous memory map (a child process after a fork gets its own copy):
        its pages are zero until written and are written by the decoding threads, so the page faults of a large
        result are spread over the cores as well.
        """
        layout = self._layout
        dtype = layout.info.voxel_type
        size = max(1, math.prod(shape) * dtype.itemsize)
        private = getattr(mmap, "MAP_PRIVATE", 0) | getattr(mmap, "MAP_ANONYMOUS", 0)
        memory = mmap.mmap(-1, size, flags=private) if private else np.zeros(size, dtype=np.uint8)
        out = np.ndarray(shape, dtype=dtype, buffer=memory, order="F")
        self._decode_shards(lo, hi, out[tuple(slice(a - o, b - o) for a, b, o in zip(lo, hi, offset))], zeroed=True)
        return out

    def _decode_shards(self, lo: list[int], hi: list[int], inside: np.ndarray, zeroed: bool) -> None:
        """``ShardReader.read_into`` of the box ``lo .. hi`` (inside the array) into ``inside`` (presented order)."""
        layout = self._layout
        if layout.virtual_channel:
            inside = inside[0]
        stored_view = inside.transpose(np.argsort(layout.order))
        stored_lo, stored_hi = self._stored_box(lo, hi)
        reader = self._shard_reader
        if reader is None:
            assert self._shard_format is not None
            reader = self._shard_reader = ShardReader(self._shard_format, self._shard_path)
        try:
            reader.read_into(stored_lo, stored_hi, stored_view, zeroed=zeroed)
        except ValueError as error:  # the reader names the shard file and chunk: add the array
            raise ValueError(f"Cannot read {self.path}: {error}") from error

    def _shard_path(self, shard: tuple[int, ...]) -> str:
        return str(self._location.path / self._layout.key(shard))

    def _read_into_zeros(self, box: Any, offset: list[int], shape: list[int], lo: list[int], hi: list[int]) -> Any:
        """Read ``box`` straight into the inside of a zero-filled result of the requested box.

        For a large read reaching past the array this saves copying tensorstore's result into the padded one.
        (Reads inside the array keep tensorstore's own result: a large numpy result is backed by transparent
        huge pages, which cost the kernel a compaction stall of up to a second per 512 MB when memory is
        fragmented, e.g. right after a large write.)
        """
        out = np.zeros(shape, dtype=self._layout.info.voxel_type, order="F")
        self._read_box_into(box, out[tuple(slice(a - o, b - o) for a, b, o in zip(lo, hi, offset))])
        return out

    def _read_box_into(self, box: Any, inside: np.ndarray) -> None:
        """Let tensorstore decode ``box`` straight into ``inside`` (presented order, virtual channel included)."""
        target = inside[0] if self._layout.virtual_channel else inside
        ts.array(target, copy=False, write=True, context=tensorstore_context()).write(box).result()

    def _clipped(self, offset: Sequence[int], shape: Sequence[int]) -> tuple[list[int], list[int]]:
        """The part ``lo .. hi`` of the box ``offset .. offset + shape`` that lies inside the array."""
        lo = [max(o, 0) for o in offset]
        return lo, [min(o + s, full) for o, s, full in zip(offset, shape, self._layout.info.shape)]

    def _corrupt(self, lo: Sequence[int], hi: Sequence[int], error: Exception) -> ValueError:
        """tensorstore's read error with the array and the storage keys of the box ``lo .. hi`` named."""
        touched = self._layout.cells(*self._stored_box(lo, hi))[0]
        return ValueError(
            f"Cannot read {self.path} (storage keys {list(touched)[:8]}): {error}. A chunk or shard file "
            "is corrupt; delete or restore it."
        )

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` at ``offset`` (all axes) as one tensorstore write; the box must fit the shape."""
        data = np.asarray(data)
        offset, shape = self._check_box(offset, data.shape, "write to")
        layout = self._layout
        end = [o + s for o, s in zip(offset, shape)]
        if any(o < 0 for o in offset) or any(e > full for e, full in zip(end, layout.info.shape)):
            raise ValueError(
                f"Cannot write to {self.path}: box offset {offset} shape {shape} lies outside the array "
                f"shape {layout.info.shape}; resize the array first."
            )
        if data.size == 0:
            return
        if data.dtype != layout.info.voxel_type:
            data = data.astype(layout.info.voxel_type)
        if layout.virtual_channel:
            data = data[0]
        slices = tuple(slice(a, b) for a, b in zip(offset, end))
        if layout.virtual_channel:
            slices = slices[1:]
        handle = self._tensorstore()
        if self._location.bridged:
            keys, partial = layout.cells(*self._stored_box(offset, end))
        else:
            keys, partial = (), ()
        with self._location.writing(keys, partial):
            if layout.sharded:  # one transaction: every touched shard is encoded and written once
                with ts.Transaction() as transaction:
                    handle.with_transaction(transaction)[slices].write(data).result()
            else:
                handle[slices].write(data).result()

    def resize(self, new_shape: Sequence[int]) -> None:
        """Set the array's shape (rewrites the metadata; data outside a smaller shape becomes unreachable)."""
        new_shape = [int(s) for s in new_shape]
        layout = self._layout
        if len(new_shape) != len(layout.info.shape) or any(s < 0 for s in new_shape):
            raise ValueError(
                f"Cannot resize {self.path} to {new_shape}: need {len(layout.info.shape)} non-negative sizes "
                f"(axes {layout.info.dimension_names})."
            )
        if layout.virtual_channel and new_shape[0] != 1:
            raise ValueError(
                f"Cannot resize {self.path} to {new_shape}: the array has no stored channel axis, "
                "so its channel axis stays 1."
            )
        stored = layout.to_stored(new_shape)
        grows = all(n >= s for n, s in zip(new_shape, layout.info.shape))
        with self._lock, self._metadata_lock():
            if grows:  # another handle may have grown the array meanwhile: never shrink what it added
                stored = self._grown_on_disk(stored)
            meta = self._format.with_shape(self._meta, stored)
            self._location.write_bytes(self._format.metadata_file, _dump_json(meta).encode())
            self._set_metadata(meta)

    def _metadata_lock(self) -> Any:
        """An advisory lock serialising metadata rewrites of this array across processes (local arrays only)."""
        path = getattr(self._location, "path", None)
        if not isinstance(path, Path) or not path.is_dir():
            return nullcontext()
        return exclusive_lock(lock_file_of(path / self._format.metadata_file), f"resizing {self.path}")

    def _grown_on_disk(self, stored: Sequence[int]) -> list[int]:
        """``stored`` grown to the shape the metadata on disk has now, where that is larger."""
        raw = self._location.read_bytes(self._format.metadata_file)
        try:
            on_disk = json.loads(raw)["shape"] if raw else None
        except (ValueError, KeyError, TypeError):
            on_disk = None
        if not isinstance(on_disk, list) or len(on_disk) != len(stored):
            return [int(s) for s in stored]
        return [max(int(s), int(d)) for s, d in zip(stored, on_disk)]

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` of every shard (or chunk, when unsharded) stored, clipped to the shape."""
        layout = self._layout
        full = layout.to_stored(layout.info.shape)
        indices = sorted(filter(None, (layout.parse_key(key) for key in self._location.list_keys())))
        for index in indices:
            lo = [i * g for i, g in zip(index, layout.grid)]
            size = [min(g, f - a) for a, g, f in zip(lo, layout.grid, full)]
            if any(s <= 0 for s in size):
                continue
            yield layout.to_presented(lo, 0), layout.to_presented(size, 1)


# --------------------------------------------------------------------------- the storages
