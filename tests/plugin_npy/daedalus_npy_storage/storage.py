"""ArrayStorage adapter for the toy ``npy`` format: ``meta.json`` plus one ``.npy`` file per chunk."""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

DATA_FORMAT = "npy"
ENGINE = "npy-files"
META_FILE = "meta.json"
FORMAT_VERSION = 1
_CHUNK_FILE = re.compile(r"^\d+(?:\.\d+)*\.npy$")
# Striped locks serialise read-modify-write of the same chunk file by threads of this process.
_CHUNK_LOCKS = tuple(threading.Lock() for _ in range(64))


def local_path(path: Any) -> str:
    """The local file-system path behind ``path`` (str, ``pathlib.Path`` or a local ``upath.UPath``)."""
    protocol = getattr(path, "protocol", "") or ""
    if protocol not in ("", "file", "local"):
        raise ValueError(
            f"The npy storage only works on local paths, but {str(path)!r} uses the {protocol!r} protocol. "
            "Copy the array to a local directory or use a data format whose engine supports remote paths."
        )
    if isinstance(path, str):
        return path[len("file://") :] if path.startswith("file://") else path
    try:
        return os.fspath(path)
    except TypeError:
        return getattr(path, "path", None) or str(path)


def _ints(values: Sequence[int], ndim: int, what: str) -> tuple[int, ...]:
    result = tuple(int(v) for v in values)
    if len(result) != ndim:
        raise ValueError(f"{what} {result} has {len(result)} axes but the array has {ndim}.")
    return result


def _atomic_write(target: str, write: Any) -> None:
    """Call ``write(file)`` on a temporary file next to ``target`` and move it into place."""
    temporary = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(temporary, "wb") as file:
            write(file)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _write_meta(root: str, meta: dict[str, Any]) -> None:
    text = json.dumps(meta, indent=2).encode()
    _atomic_write(os.path.join(root, META_FILE), lambda file: file.write(text))


def _meta_from_info(info: Any) -> dict[str, Any]:
    """Validate an ArrayInfo and turn it into the content of ``meta.json``."""
    shape = tuple(int(s) for s in info.shape)
    names = tuple(str(n) for n in info.dimension_names)
    chunk = tuple(int(c) for c in info.chunk_shape)
    num_channels = int(info.num_channels)
    if len(shape) != len(names) or len(names) < 4 or names[0] != "c" or names[-3:] != ("x", "y", "z"):
        raise ValueError(
            f"ArrayInfo shape {shape} and dimension names {names} must both cover the axes "
            "('c', *extra_axes, 'x', 'y', 'z')."
        )
    if shape[0] != num_channels:
        raise ValueError(f"ArrayInfo shape {shape} has {shape[0]} channels, num_channels is {num_channels}.")
    if any(s < 0 for s in shape) or any(c <= 0 for c in chunk) or num_channels <= 0:
        raise ValueError(
            f"ArrayInfo needs a non-negative shape, positive chunk edges and channels; got shape {shape}, "
            f"chunk shape {chunk}, {num_channels} channel(s)."
        )
    return {
        "format": "daedalus-npy",
        "format_version": FORMAT_VERSION,
        "data_format": DATA_FORMAT,
        "shape": list(shape),
        "dtype": np.dtype(info.voxel_type).str,
        "num_channels": num_channels,
        "chunk_shape": list(chunk),
        "dimension_names": list(names),
        "compression_mode": bool(info.compression_mode),
    }


def _read_meta(root: str) -> dict[str, Any] | None:
    """The parsed ``meta.json`` of an npy array at ``root``, or None if there is none."""
    try:
        with open(os.path.join(root, META_FILE), "rb") as file:
            meta = json.load(file)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, json.JSONDecodeError):
        return None
    if not isinstance(meta, dict) or meta.get("data_format") != DATA_FORMAT:
        return None
    return meta


class NpyArray:
    """One opened npy array; implements the ``StoredArray`` port.

    Every chunk covers all channels, one step of each extra axis and ``chunk_shape`` voxels in x/y/z, and is
    stored whole (also at the array's border) as ``<i>.<j>.<k>...npy`` with one index per axis.
    """

    def __init__(self, root: str, meta: dict[str, Any]) -> None:
        self._root = root
        self._meta = meta
        self._dtype = np.dtype(meta["dtype"])
        names = meta["dimension_names"]
        self._chunk = (int(meta["num_channels"]),) + (1,) * (len(names) - 4) + tuple(meta["chunk_shape"])
        self._info: Any = None

    def __repr__(self) -> str:
        return f"NpyArray({self._root!r}, shape={tuple(self._meta['shape'])}, dtype={self._dtype})"

    @property
    def path(self) -> str:
        """The directory holding ``meta.json`` and the chunk files."""
        return self._root

    @property
    def _shape(self) -> tuple[int, ...]:
        return tuple(self._meta["shape"])

    @property
    def info(self) -> Any:
        """The array's metadata as a ``daedalus.core.array_info.ArrayInfo`` (shard shape == chunk shape)."""
        if self._info is None:
            from daedalus.core.array_info import ArrayInfo  # only ever loaded by daedalus

            meta = self._meta
            self._info = ArrayInfo(
                data_format=DATA_FORMAT,
                num_channels=int(meta["num_channels"]),
                voxel_type=self._dtype,
                chunk_shape=tuple(meta["chunk_shape"]),
                shard_shape=tuple(meta["chunk_shape"]),
                compression_mode=bool(meta["compression_mode"]),
                shape=tuple(meta["shape"]),
                dimension_names=tuple(meta["dimension_names"]),
                chunk_key_separator=".",
            )
        return self._info

    # ------------------------------------------------------------------ chunk geometry

    def _chunk_file(self, index: Sequence[int]) -> str:
        return os.path.join(self._root, ".".join(str(i) for i in index) + ".npy")

    def _chunk_indices(self, lo: Sequence[int], hi: Sequence[int]) -> Iterator[tuple[int, ...]]:
        """Indices of every chunk that overlaps the non-empty box ``lo .. hi``."""
        ranges = [range(a // c, (b - 1) // c + 1) for a, b, c in zip(lo, hi, self._chunk)]
        return itertools.product(*ranges)

    def _overlap(
        self, index: Sequence[int], lo: Sequence[int], hi: Sequence[int]
    ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """Chunk origin and the part ``start .. stop`` of the box ``lo .. hi`` that lies in that chunk."""
        origin = tuple(i * c for i, c in zip(index, self._chunk))
        start = tuple(max(a, o) for a, o in zip(lo, origin))
        stop = tuple(min(b, o + c) for b, o, c in zip(hi, origin, self._chunk))
        return origin, start, stop

    def _load_chunk(self, index: Sequence[int]) -> np.ndarray | None:
        try:
            chunk = np.load(self._chunk_file(index), allow_pickle=False)
        except FileNotFoundError:
            return None
        if chunk.shape != self._chunk:
            raise ValueError(
                f"Chunk file {self._chunk_file(index)} has shape {chunk.shape}, expected {self._chunk}; "
                "the array is damaged."
            )
        return chunk

    # ------------------------------------------------------------------ the StoredArray port

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape``; voxels outside the shape or unwritten read as 0."""
        ndim = len(self._shape)
        offset = _ints(offset, ndim, "Read offset")
        shape = _ints(shape, ndim, "Read shape")
        if any(s < 0 for s in shape):
            raise ValueError(f"Read shape {shape} has a negative edge.")
        out = np.zeros(shape, dtype=self._dtype)
        lo = tuple(max(o, 0) for o in offset)
        hi = tuple(min(o + s, limit) for o, s, limit in zip(offset, shape, self._shape))
        if any(b <= a for a, b in zip(lo, hi)):
            return out
        for index in self._chunk_indices(lo, hi):
            chunk = self._load_chunk(index)
            if chunk is None:
                continue
            origin, start, stop = self._overlap(index, lo, hi)
            target = tuple(slice(a - o, b - o) for a, b, o in zip(start, stop, offset))
            source = tuple(slice(a - o, b - o) for a, b, o in zip(start, stop, origin))
            out[target] = chunk[source]
        return out

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` at ``offset`` (cast to the dtype); partial chunks are read, merged and rewritten."""
        data = np.asarray(data)
        ndim = len(self._shape)
        if data.ndim != ndim:
            raise ValueError(
                f"Data of shape {data.shape} has {data.ndim} axes but the array at {self._root} has {ndim} "
                f"{tuple(self._meta['dimension_names'])}."
            )
        offset = _ints(offset, ndim, "Write offset")
        hi = tuple(o + s for o, s in zip(offset, data.shape))
        if any(o < 0 for o in offset) or any(b > limit for b, limit in zip(hi, self._shape)):
            raise ValueError(
                f"Cannot write {data.shape} voxels at offset {offset}: the box does not fit the shape "
                f"{self._shape} of the array at {self._root}. Resize the array first."
            )
        if data.size == 0:
            return
        data = data.astype(self._dtype, copy=False)
        for index in self._chunk_indices(offset, hi):
            origin, start, stop = self._overlap(index, offset, hi)
            source = tuple(slice(a - o, b - o) for a, b, o in zip(start, stop, offset))
            target_file = self._chunk_file(index)
            with _CHUNK_LOCKS[hash(target_file) % len(_CHUNK_LOCKS)]:
                if tuple(b - a for a, b in zip(start, stop)) == self._chunk:
                    chunk = np.ascontiguousarray(data[source])
                else:
                    chunk = self._load_chunk(index)
                    chunk = np.zeros(self._chunk, dtype=self._dtype) if chunk is None else chunk.copy()
                    chunk[tuple(slice(a - o, b - o) for a, b, o in zip(start, stop, origin))] = data[source]
                _atomic_write(target_file, lambda file, chunk=chunk: np.save(file, chunk))

    def resize(self, new_shape: Sequence[int]) -> None:
        """Change the shape in ``meta.json``; chunk files stay, data outside the new shape reads as 0."""
        ndim = len(self._shape)
        new_shape = _ints(new_shape, ndim, "New shape")
        if any(s < 0 for s in new_shape):
            raise ValueError(f"New shape {new_shape} of the array at {self._root} has a negative edge.")
        if new_shape[0] != self._shape[0]:
            raise ValueError(
                f"Cannot resize the array at {self._root} from {self._shape[0]} to {new_shape[0]} channels: "
                "every chunk holds all channels. Create a new array instead."
            )
        meta = dict(self._meta, shape=list(new_shape))
        _write_meta(self._root, meta)
        self._meta = meta
        self._info = None

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, chunk shape)`` of every chunk file on disk that starts inside the shape."""
        ndim = len(self._shape)
        indices = []
        for name in os.listdir(self._root):
            if _CHUNK_FILE.match(name):
                index = tuple(int(i) for i in name[: -len(".npy")].split("."))
                if len(index) == ndim:
                    indices.append(index)
        for index in sorted(indices):
            origin = tuple(i * c for i, c in zip(index, self._chunk))
            if all(o < limit for o, limit in zip(origin, self._shape)):
                yield origin, self._chunk


class NpyStorage:
    """Creates and opens ``npy`` arrays (engine ``npy-files``); implements the ``ArrayStorage`` port."""

    data_format = DATA_FORMAT
    engine = ENGINE

    def __repr__(self) -> str:
        return f"NpyStorage(data_format={self.data_format!r}, engine={self.engine!r})"

    def create(self, path: Any, info: Any) -> NpyArray:
        """Create a new array at ``path`` as ``info`` describes (its shard shape is ignored) and open it."""
        root = local_path(path)
        if os.path.exists(os.path.join(root, META_FILE)):
            raise FileExistsError(f"An array already exists at {root} ({META_FILE} is present).")
        meta = _meta_from_info(info)
        os.makedirs(root, exist_ok=True)
        _write_meta(root, meta)
        return NpyArray(root, meta)

    def open(self, path: Any) -> NpyArray:
        """Open the npy array at ``path``; raises FileNotFoundError naming the path if there is none."""
        root = local_path(path)
        meta = _read_meta(root)
        if meta is None:
            raise FileNotFoundError(f"No npy array at {root}: its {META_FILE} is missing or invalid.")
        if int(meta.get("format_version", 0)) > FORMAT_VERSION:
            raise ValueError(
                f"The npy array at {root} has format version {meta['format_version']}; this plugin reads "
                f"up to {FORMAT_VERSION}. Upgrade daedalus-npy-storage."
            )
        return NpyArray(root, meta)

    def exists(self, path: Any) -> bool:
        """Whether an npy array (a valid ``meta.json``) is stored at ``path``."""
        return _read_meta(local_path(path)) is not None
