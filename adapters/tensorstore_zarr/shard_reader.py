"""Large reads of local sharded zarr3 arrays: shard indices read directly, chunks decoded on every core.

tensorstore decodes a shard's chunks on its own threads but then copies each one into the result and spends
as much CPU on that and on its buffers as on the decoding. For a large read of a local array with the codecs
WEBKNOSSOS writes (transpose, bytes, optional zstd; a little-endian index with crc32c) this module reads each
touched shard's index, checks it, and decodes the chunks on a thread pool (zstd releases the GIL) straight
into the caller's result. Anything else (other codecs, remote storage, small reads) stays with tensorstore.
Files are untrusted: the index checksum, every chunk's place and size and every frame's content size are
checked, and a bad one raises an error naming the file and the chunk.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numcodecs.zstd import decompress as _zstd_decompress  # zarr's codec library; releases the GIL

from .shard_format import MISSING, ShardFormat, zstd_content_size


class ShardReader:
    """Reads boxes of one sharded zarr3 array from its shard files; ``path_of(shard index)`` names a file."""

    def __init__(self, fmt: ShardFormat, path_of: Callable[[tuple[int, ...]], str]) -> None:
        self._format = fmt
        self._path_of = path_of
        self._stored_chunk = tuple(fmt.chunk_shape[axis] for axis in fmt.transpose)  # a decoded chunk's shape
        self._to_stored = tuple(int(a) for a in np.argsort(fmt.transpose))
        self._local = threading.local()

    def read_into(self, lo: Sequence[int], hi: Sequence[int], out: np.ndarray, *, zeroed: bool = False) -> None:
        """Fill ``out`` (stored axis order, shape ``hi - lo``) with the stored box ``lo .. hi`` inside the array.

        ``zeroed``: ``out`` already holds zeros (e.g. fresh memory), so absent chunks need no writing when the
        fill value is 0. Work is split into rows of chunks along the axis that is densest in ``out`` (so each
        task writes whole cache lines and pages of it) and decoded on up to ``os.cpu_count()`` threads.
        """
        fmt = self._format
        spans = [((b - 1) // c) - (a // c) + 1 for a, b, c in zip(lo, hi, fmt.chunk_shape)]
        across = [axis for axis in range(len(lo)) if spans[axis] > 1] or [len(lo) - 1]
        axis = min(across, key=lambda a: (abs(out.strides[a]), -a))
        ranges = [range(a // s, (b - 1) // s + 1) for a, b, s in zip(lo, hi, fmt.shard_shape)]
        tasks: list[tuple[tuple[int, ...], tuple[int, ...], int]] = []
        for shard in itertools.product(*ranges):
            first = [max(a, i * s) // c for a, i, s, c in zip(lo, shard, fmt.shard_shape, fmt.chunk_shape)]
            last = [
                (min(b, (i + 1) * s, n) - 1) // c
                for b, i, s, c, n in zip(hi, shard, fmt.shard_shape, fmt.chunk_shape, fmt.shape)
            ]
            others = [range(f, e + 1) if a != axis else (f,) for a, (f, e) in enumerate(zip(first, last))]
            tasks.extend((shard, start, last[axis] - first[axis] + 1) for start in itertools.product(*others))
        indices: dict[tuple[int, ...], Any] = {}
        remaining = {shard: 0 for shard, _, _ in tasks}  # a shard's file is closed when its last row is done
        for shard, _, _ in tasks:
            remaining[shard] += 1
        lock, failed = threading.Lock(), threading.Event()

        def close(opened: Any) -> None:
            if opened is not None:
                os.close(opened[0])

        def run(task: tuple[tuple[int, ...], tuple[int, ...], int]) -> None:
            if failed.is_set():
                return
            shard, start, count = task
            try:
                with lock:
                    if shard not in indices:
                        indices[shard] = self._open_shard(shard)
                    opened = indices[shard]
                self._read_row(opened, start, axis, count, lo, hi, out, zeroed)
            except BaseException:
                failed.set()
                raise
            with lock:
                remaining[shard] -= 1
                if not remaining[shard]:
                    close(indices.pop(shard))

        try:
            workers = min(len(tasks), os.cpu_count() or 1)
            if workers <= 1:
                for task in tasks:
                    run(task)
            else:
                with ThreadPoolExecutor(workers, thread_name_prefix="daedalus-shard-read") as pool:
                    for done in pool.map(run, tasks):
                        del done
        finally:
            for opened in indices.values():
                close(opened)

    # ------------------------------------------------------------------ one shard file

    def _open_shard(self, shard: tuple[int, ...]) -> tuple[int, np.ndarray, str] | None:
        """(file descriptor, checked index of shape chunks_per_shard + (2,), path), or None if there is no file."""
        fmt = self._format
        path = self._path_of(shard)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            size = os.fstat(fd).st_size
            if size < fmt.index_bytes:
                raise ValueError(
                    f"Shard file {path} is {size} bytes, smaller than its index ({fmt.index_bytes} bytes): it is "
                    "truncated, corrupt or not a shard of this array. Delete or restore it."
                )
            start = size - fmt.index_bytes if fmt.index_at_end else 0
            raw = os.pread(fd, fmt.index_bytes, start)
            import google_crc32c

            if len(raw) != fmt.index_bytes or google_crc32c.value(raw[:-4]) != int.from_bytes(raw[-4:], "little"):
                raise ValueError(
                    f"Shard file {path}: the checksum of its chunk index does not match; the file is corrupt. "
                    "Delete or restore it."
                )
            index = np.frombuffer(raw, dtype="<u8", count=len(raw) // 8).reshape((*fmt.chunks_per_shard, 2))
            data_lo, data_hi = (0, size - fmt.index_bytes) if fmt.index_at_end else (fmt.index_bytes, size)
            stored = index[..., 0] != MISSING
            if np.any(stored & (index[..., 1] == MISSING)) or np.any(~stored & (index[..., 1] != MISSING)):
                raise ValueError(f"Shard file {path}: its chunk index marks a chunk half missing; the file is corrupt.")
            offsets, sizes = index[..., 0][stored], index[..., 1][stored]
            limit = fmt.chunk_bytes if not fmt.compressed else 2 * fmt.chunk_bytes + 1024
            beyond = (offsets < data_lo) | (offsets > data_hi) | (sizes > data_hi - np.minimum(offsets, data_hi))
            if offsets.size and (beyond.any() or sizes.max() > limit):
                raise ValueError(
                    f"Shard file {path}: its chunk index points outside the file's data (bytes {data_lo}..{data_hi}) "
                    f"or names a chunk larger than {limit} bytes; the file is corrupt. Delete or restore it."
                )
            return fd, index, path
        except BaseException:
            os.close(fd)
            raise

    def _buffers(self, span: int, chunks: int) -> tuple[bytearray, np.ndarray]:
        """This thread's read buffer (at least ``span`` bytes) and decoded-row buffer (``chunks`` chunks)."""
        local = self._local
        if getattr(local, "raw", None) is None:
            local.raw, local.row = bytearray(0), np.empty((0, self._format.chunk_bytes), dtype=np.uint8)
        if len(local.raw) < span:
            local.raw = bytearray(span)
        if len(local.row) < chunks:
            local.row = np.empty((chunks, self._format.chunk_bytes), dtype=np.uint8)
        return local.raw, local.row

    def _read_row(
        self,
        opened: tuple[int, np.ndarray, str] | None,
        start: tuple[int, ...],
        axis: int,
        count: int,
        lo: Sequence[int],
        hi: Sequence[int],
        out: np.ndarray,
        zeroed: bool,
    ) -> None:
        """Decode ``count`` chunks from array chunk index ``start`` on along ``axis`` (one shard) into ``out``.

        The row's chunks are decoded side by side into one buffer and put in place with one strided copy
        (chunks cut by the box's ends along ``axis`` one by one).
        """
        fmt = self._format
        chunks = [(*start[:axis], start[axis] + k, *start[axis + 1 :]) for k in range(count)]
        if opened is None:  # no shard file: every chunk is absent
            if not (zeroed and fmt.fill_value == 0):
                for chunk in chunks:
                    out[self._boxes(chunk, lo, hi)[1]] = fmt.fill_value
            return
        fd, index, path = opened
        first = [i % p for i, p in zip(start, fmt.chunks_per_shard)]
        where = tuple(slice(f, f + count) if a == axis else f for a, f in enumerate(first))
        entries = index[where].tolist()
        present = [(o, n) for o, n in entries if o != MISSING]
        span_lo = min((o for o, _ in present), default=0)
        span_hi = max((o + n for o, n in present), default=0)
        contiguous = span_hi - span_lo <= 2 * sum(n for _, n in present) + 4096
        raw, decoded = self._buffers(
            span_hi - span_lo if contiguous else max((n for _, n in present), default=0), count
        )
        view = memoryview(raw)
        if present and contiguous:
            self._pread_into(fd, view[: span_hi - span_lo], span_lo, path)
        for position, (chunk, (offset, size)) in enumerate(zip(chunks, entries)):
            if offset == MISSING:
                decoded[position].view(fmt.dtype)[:] = fmt.fill_value
                continue
            if contiguous:
                frame = view[offset - span_lo : offset - span_lo + size]
            else:
                frame = view[:size]
                self._pread_into(fd, frame, offset, path)
            self._decode(frame, decoded[position], path, chunk)
        self._place(decoded[:count], chunks, axis, lo, hi, out)

    @staticmethod
    def _pread_into(fd: int, target: memoryview, offset: int, path: str) -> None:
        done = 0
        while done < len(target):
            got = os.preadv(fd, [target[done:]], offset + done)
            if got <= 0:
                raise ValueError(f"Shard file {path} ended early (at byte {offset + done}) while reading a chunk.")
            done += got

    def _decode(self, frame: memoryview, decoded: np.ndarray, path: str, chunk: tuple[int, ...]) -> None:
        fmt = self._format
        if not fmt.compressed:
            if len(frame) != fmt.chunk_bytes:
                raise ValueError(
                    f"Shard file {path}: chunk {list(chunk)} holds {len(frame)} bytes, not {fmt.chunk_bytes}; the "
                    "file is corrupt. Delete or restore it."
                )
            decoded[:] = np.frombuffer(frame, dtype=np.uint8)
            return
        declared = zstd_content_size(frame)
        try:
            if declared != fmt.chunk_bytes:
                raise ValueError(f"its zstd frame declares {declared} decoded bytes, not {fmt.chunk_bytes}")
            _zstd_decompress(frame, decoded)
        except (RuntimeError, ValueError) as error:
            raise ValueError(
                f"Shard file {path}: chunk {list(chunk)} cannot be decoded ({error}); the file is corrupt. "
                "Delete or restore it."
            ) from error

    def _boxes(
        self, chunk: tuple[int, ...], lo: Sequence[int], hi: Sequence[int]
    ) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
        """Where chunk ``chunk`` meets the box: slices into the chunk and into ``out``."""
        inner, outer = [], []
        for i, c, a, b, n in zip(chunk, self._format.chunk_shape, lo, hi, self._format.shape):
            start, stop = max(i * c, a), min((i + 1) * c, b, n)
            inner.append(slice(start - i * c, stop - i * c))
            outer.append(slice(start - a, stop - a))
        return tuple(inner), tuple(outer)

    def _place(
        self,
        decoded: np.ndarray,
        chunks: list[tuple[int, ...]],
        axis: int,
        lo: Sequence[int],
        hi: Sequence[int],
        out: Any,
    ) -> None:
        """Copy a row of decoded chunks (neighbours along ``axis``) where they meet the box in ``out``."""
        fmt = self._format
        values = decoded.view(fmt.dtype).reshape((len(chunks), *self._stored_chunk))
        values = values.transpose((0, *(1 + a for a in self._to_stored)))  # (chunk, stored axes...)
        edge, end = fmt.chunk_shape[axis], min(hi[axis], fmt.shape[axis])
        whole = [
            k for k, chunk in enumerate(chunks) if lo[axis] <= chunk[axis] * edge and (chunk[axis] + 1) * edge <= end
        ]
        if len(whole) > 1:  # the chunks wholly inside along the axis: one copy
            k0, k1 = whole[0], whole[-1] + 1
            inner, outer = self._boxes(chunks[k0], lo, hi)
            stop = (chunks[k1 - 1][axis] + 1) * edge - lo[axis]
            outer = (*outer[:axis], slice(outer[axis].start, stop), *outer[axis + 1 :])
            target = out[outer]  # the axis split into (chunk, voxel): a view, never a copy
            shape, strides = list(target.shape), list(target.strides)
            shape[axis : axis + 1], strides[axis : axis + 1] = [k1 - k0, edge], [strides[axis] * edge, strides[axis]]
            target = np.lib.stride_tricks.as_strided(target, shape, strides, writeable=True)
            source = np.moveaxis(values[k0:k1], 0, axis)
            target[...] = source[(*inner[:axis], slice(None), slice(None), *inner[axis + 1 :])]
            rest = [k for k in range(len(chunks)) if not k0 <= k < k1]
        else:
            rest = list(range(len(chunks)))
        for position in rest:
            inner, outer = self._boxes(chunks[position], lo, hi)
            out[outer] = values[position][inner]
