"""ArrayStorage adapters for zarr3 and zarr (v2) arrays with zarr-python as the engine (engine "zarr-python").

The metadata is the layout WEBKNOSSOS writes (sharding with transpose/bytes/zstd and a bytes+crc32c index;
zarr v2 with order F, "/" keys and zstd), so arrays are interchangeable with the tensorstore engine.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import zarr
from daedalus.core.array_info import ArrayInfo
from daedalus.core.file_locks import locked_files, partial_cells
from daedalus.core.geometry import Vec3Int
from daedalus.core.local_paths import local_file_path
from daedalus.core.ngff_axes import ngff_axis_names_from_json
from daedalus.core.ports import ArrayStorageDefaults, StoredArrayDefaults
from daedalus.core.stored_box import check_box, check_write_box, read_clipped
from daedalus.core.zarr3_config import Zarr3ArrayInfo

__all__ = ["ZarrPythonArray", "ZarrPythonZarr3Storage", "ZarrPythonZarrStorage"]

_ZSTD_LEVEL = 5
_PLAIN_CODECS = {"transpose", "bytes", "endian", "crc32c", "sharding_indexed"}


def _local(path: Any) -> Path:
    return local_file_path(
        path, f"Cannot access the zarr array at {path} with zarr-python: only local paths are supported."
    )


def _write_json(target: Path, value: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(value, sort_keys=True, separators=(",", ":")))
    os.replace(temporary, target)


def _read_json(target: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(target.read_bytes())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except ValueError as error:
        raise ValueError(f"Cannot parse {target}: {error}") from error
    return value if isinstance(value, dict) else None


def _stored(info: ArrayInfo) -> tuple[list[str], list[int], list[int], list[int]]:
    skip = 0 if info.has_channel_axis else 1
    return (
        list(info.dimension_names)[skip:],
        list(info.shape)[skip:],
        list(info.full_chunk_shape)[skip:],
        list(info.full_shard_shape)[skip:],
    )


def _axes(names: Any, ndim: int, where: str) -> tuple[tuple[str, ...], list[int], bool]:
    """Presented names, stored axis of every presented axis (virtual c excluded), whether c is virtual."""
    if not names or all(n is None for n in names):
        names = ["x", "y", "z"] if ndim == 3 else ["c", *[f"axis_{i}" for i in range(1, ndim - 3)], "x", "y", "z"]
    names = [str(n) if n is not None else f"axis_{i}" for i, n in enumerate(names)]
    if len(names) != ndim or len(set(names)) != ndim or not {"x", "y", "z"} <= set(names):
        raise ValueError(f"{where}: dimension names {names} must be {ndim} unique names including x, y and z.")
    extra = [i for i, n in enumerate(names) if n not in ("c", "x", "y", "z")]
    channel = [names.index("c")] if "c" in names else []
    order = channel + extra + [names.index(a) for a in "xyz"]
    return ("c", *(names[i] for i in extra), "x", "y", "z"), order, not channel


def _stored_names(presented: Sequence[str], order: Sequence[int], virtual_channel: bool) -> tuple[str, ...]:
    """The axis names in stored order, from the presented names and the stored axis of each presented axis."""
    stored = [""] * len(order)
    for name, axis in zip(list(presented)[1:] if virtual_channel else presented, order):
        stored[axis] = name
    return tuple(stored)


class _Zarr3:
    data_format, metadata_file = "zarr3", "zarr.json"

    def build(self, info: ArrayInfo) -> dict[str, dict[str, Any]]:
        names, shape, chunk, shard = _stored(info)
        dtype = np.dtype(info.voxel_type)
        bytes_codec: dict[str, Any] = {"name": "bytes"}
        if dtype.itemsize > 1:
            bytes_codec["configuration"] = {"endian": "little"}
        inner: list[dict[str, Any]] = [
            {"configuration": {"order": list(range(len(shape) - 1, -1, -1))}, "name": "transpose"},
            bytes_codec,
        ]
        if isinstance(info, Zarr3ArrayInfo) and info.codecs:  # configured with compress=Zarr3Config(...)
            inner = [dict(codec) for codec in info.codecs]
        elif info.compression_mode:
            inner.append({"configuration": {"checksum": True, "level": _ZSTD_LEVEL}, "name": "zstd"})
        codecs = inner
        if shard != chunk:
            index = [{"configuration": {"endian": "little"}, "name": "bytes"}, {"name": "crc32c"}]
            sharding = {"chunk_shape": chunk, "codecs": inner, "index_codecs": index}
            codecs = [{"configuration": sharding, "name": "sharding_indexed"}]
        encoding: dict[str, Any] = {"name": "default"}
        if info.chunk_key_separator != "/":
            encoding["configuration"] = {"separator": info.chunk_key_separator}
        meta = {
            "chunk_grid": {"configuration": {"chunk_shape": shard}, "name": "regular"},
            "chunk_key_encoding": encoding,
            "codecs": codecs,
            "data_type": dtype.name,
            "dimension_names": names,
            "fill_value": 0,
            "node_type": "array",
            "shape": shape,
            "zarr_format": 3,
        }
        return {"zarr.json": meta}

    def parse(self, root: Path) -> dict[str, Any]:
        meta = _read_json(root / self.metadata_file) or {}
        where = root / self.metadata_file
        if meta.get("zarr_format") != 3 or meta.get("node_type") != "array":
            raise ValueError(f"{where} does not describe a zarr v3 array (zarr_format 3, node_type array).")
        outer = [int(s) for s in meta["chunk_grid"]["configuration"]["chunk_shape"]]
        inner, chunk_codecs = outer, meta["codecs"]
        for codec in meta["codecs"]:
            if codec["name"] == "sharding_indexed":
                inner = [int(s) for s in codec["configuration"]["chunk_shape"]]
                chunk_codecs = codec["configuration"].get("codecs", [])
        encoding = meta.get("chunk_key_encoding") or {"name": "default"}
        default = encoding.get("name", "default") == "default"
        separator = (encoding.get("configuration") or {}).get("separator", "/" if default else ".")
        return {
            "shape": [int(s) for s in meta["shape"]],
            "dtype": np.dtype(str(meta["data_type"])),
            "inner": inner,
            "outer": outer,
            "compressed": any(c["name"] not in _PLAIN_CODECS for c in chunk_codecs),
            "names": meta.get("dimension_names") or _group_axis_names(root, "zarr.json", len(meta["shape"])),
            "separator": separator,
            "prefix": "c" if default else "",
            "zarr3": {"codecs": chunk_codecs, "chunk_key_encoding": encoding},
        }


def _group_axis_names(root: Path, group_file: str, ndim: int) -> list[str] | None:
    """The axis names the parent group's OME-NGFF multiscales give the array at ``root`` (OME-Zarr 0.4 arrays)."""
    try:
        raw = (root.parent / group_file).read_bytes()
    except OSError:
        return None
    return ngff_axis_names_from_json(raw, root.name, ndim)


class _Zarr2:
    data_format, metadata_file = "zarr", ".zarray"

    def build(self, info: ArrayInfo) -> dict[str, dict[str, Any]]:
        names, shape, chunk, _ = _stored(info)
        files: dict[str, dict[str, Any]] = {
            ".zarray": {
                "chunks": chunk,
                "compressor": {"id": "zstd", "level": _ZSTD_LEVEL} if info.compression_mode else None,
                "dimension_separator": info.chunk_key_separator,
                "dtype": np.dtype(info.voxel_type).newbyteorder("<").str,
                "fill_value": 0,
                "filters": None,
                "order": "F",
                "shape": shape,
                "zarr_format": 2,
            }
        }
        if len(names) != 3 and names != ["c", *(f"axis_{i}" for i in range(1, len(names) - 3)), "x", "y", "z"]:
            files[".zattrs"] = {"_ARRAY_DIMENSIONS": names}
        return files

    def parse(self, root: Path) -> dict[str, Any]:
        meta = _read_json(root / self.metadata_file) or {}
        if meta.get("zarr_format") != 2:
            raise ValueError(f"{root / self.metadata_file} does not describe a zarr v2 array (zarr_format 2).")
        attributes = _read_json(root / ".zattrs") or {}
        chunks = [int(s) for s in meta["chunks"]]
        return {
            "shape": [int(s) for s in meta["shape"]],
            "dtype": np.dtype(meta["dtype"]).newbyteorder("="),
            "inner": chunks,
            "outer": chunks,
            "compressed": meta.get("compressor") is not None,
            "names": attributes.get("_ARRAY_DIMENSIONS") or _group_axis_names(root, ".zattrs", len(meta["shape"])),
            "separator": meta.get("dimension_separator") or ".",
            "prefix": "",
        }


class ZarrPythonArray(StoredArrayDefaults):
    """An opened zarr3 / zarr array served by zarr-python (implements ``StoredArray``)."""

    def __init__(self, root: Path, fmt: Any) -> None:
        self._root, self._format = root, fmt
        self._load()

    def __repr__(self) -> str:
        return f"ZarrPythonArray({str(self._root)!r}, {self._format.data_format}, shape={self._info.shape})"

    @property
    def path(self) -> str:
        """The array's directory."""
        return str(self._root)

    def _load(self) -> None:
        where = str(self._root / self._format.metadata_file)
        try:
            parsed = self._format.parse(self._root)
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(f"Cannot read array metadata {where}: missing or invalid entry {error}.") from error
        named = bool(parsed["names"]) and any(n is not None for n in parsed["names"])
        names, order, virtual = _axes(parsed["names"], len(parsed["shape"]), where)
        self._parsed, self._order, self._virtual = parsed, order, virtual
        shape = ((1,) if virtual else ()) + tuple(parsed["shape"][a] for a in order)
        zarr3 = parsed.get("zarr3")
        self._info = (ArrayInfo if zarr3 is None else Zarr3ArrayInfo)(
            **(zarr3 or {}),
            data_format=self._format.data_format,
            num_channels=shape[0],
            voxel_type=parsed["dtype"],
            chunk_shape=Vec3Int(*(parsed["inner"][a] for a in order[-3:])),
            shard_shape=Vec3Int(*(parsed["outer"][a] for a in order[-3:])),
            compression_mode=parsed["compressed"],
            shape=shape,
            dimension_names=names,
            chunk_key_separator=parsed["separator"],
            has_channel_axis=not virtual,
            stored_dimension_names=_stored_names(names, order, virtual) if named else None,
        )
        self._array: Any = None

    def _zarr(self) -> Any:
        if self._array is None:
            self._array = zarr.open_array(store=zarr.storage.LocalStore(str(self._root)), mode="r+")
        return self._array

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_array": None}

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the array in presented axis order."""
        return self._info

    @property
    def native(self) -> Any:
        """The engine's own handle: the ``zarr.Array`` in stored axis order."""
        return self._zarr()

    def _stored_slices(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[slice, ...]:
        presented = list(zip(lo, hi))[1:] if self._virtual else list(zip(lo, hi))
        slices = [slice(None)] * len(self._order)
        for (a, b), axis in zip(presented, self._order):
            slices[axis] = slice(a, b)
        return tuple(slices)

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape``; voxels outside the shape read as 0."""
        offset, shape = check_box(self.path, self._info.dimension_names, offset, shape, "read from")

        def inside(lo: list[int], hi: list[int]) -> np.ndarray:
            try:
                data = np.transpose(self._zarr()[self._stored_slices(lo, hi)], self._order)
            except Exception as error:  # noqa: BLE001 - zarr-python raises many kinds for corrupt chunks
                raise ValueError(f"Cannot read zarr array {self.path} box {lo}..{hi}: {error}") from error
            return data[np.newaxis] if self._virtual else data

        return read_clipped(offset, shape, self._info.shape, self._info.voxel_type, inside)

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` at ``offset`` (all axes); the box must fit the shape."""
        data = np.asarray(data)
        offset, shape = check_box(self.path, self._info.dimension_names, offset, data.shape, "write to")
        end = check_write_box(self.path, offset, shape, self._info.shape)
        if data.size == 0:
            return
        data = data.astype(self._info.voxel_type, copy=False)
        if self._virtual:
            data = data[0]
        slices = self._stored_slices(offset, end)
        with locked_files(self._partial_files(slices)):
            self._zarr()[slices] = np.transpose(data, np.argsort(self._order))

    def _partial_files(self, slices: tuple[slice, ...]) -> list[Path]:
        """The shard (or chunk) files a write of the stored ``slices`` covers only partly ([] when aligned).

        zarr-python reads, merges and rewrites these; the write holds their locks so that concurrent writers
        of other chunks of the same shard do not drop each other's chunks.
        """
        parsed = self._parsed
        cells = partial_cells([s.start for s in slices], [s.stop for s in slices], parsed["outer"], parsed["shape"])
        prefix = [parsed["prefix"]] if parsed["prefix"] else []
        return [self._root / parsed["separator"].join([*prefix, *map(str, cell)]) for cell in cells]

    def resize(self, new_shape: Sequence[int]) -> None:
        """Set the array's shape in its metadata (no chunk is deleted)."""
        new_shape = [int(s) for s in new_shape]
        ndim = len(self._info.shape)
        if len(new_shape) != ndim or any(s < 0 for s in new_shape) or (self._virtual and new_shape[0] != 1):
            raise ValueError(
                f"Cannot resize {self.path} to {new_shape}: need {ndim} non-negative sizes "
                f"(axes {self._info.dimension_names}){' with 1 channel' if self._virtual else ''}."
            )
        stored = [0] * len(self._order)
        for value, axis in zip(new_shape[1:] if self._virtual else new_shape, self._order):
            stored[axis] = value
        target = self._root / self._format.metadata_file
        _write_json(target, {**_read_json(target), "shape": stored})
        self._load()

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` of every shard (or chunk, when unsharded) stored, clipped to the shape."""
        parsed = self._parsed
        grid, full, separator, prefix = parsed["outer"], parsed["shape"], parsed["separator"], parsed["prefix"]
        found = []
        for directory, _, files in os.walk(self._root):
            relative = os.path.relpath(directory, self._root)
            for name in files:
                key = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
                if separator != "/" and "/" in key:
                    continue
                parts = key.split(separator)
                if prefix:
                    if parts[0] != prefix:
                        continue
                    parts = parts[1:]
                if len(parts) == len(grid) and all(p.isdigit() for p in parts):
                    found.append(tuple(int(p) for p in parts))
        for index in sorted(found):
            lo = [i * g for i, g in zip(index, grid)]
            size = [min(g, f - a) for a, g, f in zip(lo, grid, full)]
            if all(s > 0 for s in size):
                offset = tuple(lo[a] for a in self._order)
                extent = tuple(size[a] for a in self._order)
                yield ((0, *offset), (1, *extent)) if self._virtual else (offset, extent)


class _ZarrPythonStorage(ArrayStorageDefaults):
    data_format: str
    engine = "zarr-python"
    _format: Any

    def __repr__(self) -> str:
        return f"{type(self).__name__}(data_format={self.data_format!r}, engine={self.engine!r})"

    def create(self, path: Any, info: ArrayInfo) -> ZarrPythonArray:
        """Write the metadata of a new array at ``path`` as ``info`` describes and open it."""
        root = _local(path)
        names = tuple(info.dimension_names)
        problem = None
        if names[0] != "c" or names[-3:] != ("x", "y", "z") or len(set(names)) != len(names):
            problem = f"dimension names {names} must be unique and read ('c', ..., 'x', 'y', 'z')"
        elif info.shape[0] != info.num_channels or (not info.has_channel_axis and info.num_channels != 1):
            problem = f"shape {info.shape} does not fit num_channels={info.num_channels}"
        elif any(c <= 0 for c in info.chunk_shape) or any(s % c for s, c in zip(info.shard_shape, info.chunk_shape)):
            problem = f"shard shape {info.shard_shape} is not a multiple of chunk shape {info.chunk_shape}"
        elif info.chunk_key_separator not in ("/", "."):
            problem = f"chunk key separator {info.chunk_key_separator!r} is neither '/' nor '.'"
        elif np.dtype(info.voxel_type).kind not in "uif":
            problem = f"voxel type {info.voxel_type} is not a numeric type"
        if problem:
            raise ValueError(f"Cannot create a {self.data_format} array at {path}: {problem}.")
        if (root / self._format.metadata_file).exists():
            raise FileExistsError(f"A {self.data_format} array already exists at {path}; open it or delete it first.")
        for name, value in sorted(self._format.build(info).items(), key=lambda item: item[0] == "zarr.json"):
            _write_json(root / name, value)
        return ZarrPythonArray(root, self._format)

    def open(self, path: Any) -> ZarrPythonArray:
        """Open the array at ``path`` (FileNotFoundError if absent, ValueError if unreadable)."""
        root = _local(path)
        if not (root / self._format.metadata_file).is_file():
            raise FileNotFoundError(f"No array at {path}: {root / self._format.metadata_file} does not exist.")
        return ZarrPythonArray(root, self._format)

    def exists(self, path: Any) -> bool:
        """Whether an array of this format is stored at ``path`` (a zarr3 group does not count)."""
        try:
            root = _local(path)
        except ValueError:
            return False
        try:
            meta = _read_json(root / self._format.metadata_file)
        except ValueError:
            return True  # present but corrupt: open() reports the problem
        return meta is not None and meta.get("node_type", "array") == "array"


class ZarrPythonZarr3Storage(_ZarrPythonStorage):
    """zarr v3 arrays (sharded or not) through zarr-python."""

    data_format = "zarr3"
    _format = _Zarr3()


class ZarrPythonZarrStorage(_ZarrPythonStorage):
    """zarr v2 arrays through zarr-python."""

    data_format = "zarr"
    _format = _Zarr2()
