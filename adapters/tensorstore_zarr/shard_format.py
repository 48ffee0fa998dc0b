"""The shard layout of sharded zarr3 arrays that daedalus reads and writes itself (``ShardFormat``).

``shard_format`` accepts the layouts WEBKNOSSOS writes: a ``sharding_indexed`` codec whose chunks go through an
optional transpose, the bytes codec and an optional zstd, with a little-endian index and its crc32c at either
end of the file. Any other layout is left to tensorstore.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

MISSING = 0xFFFFFFFFFFFFFFFF  # offset and size of a chunk that is not stored
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class ShardFormat:
    """What a sharded zarr3 array's metadata says about its shard files (all shapes in stored axis order)."""

    shape: tuple[int, ...]
    shard_shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]
    dtype: np.dtype  # as stored (byte order of the bytes codec)
    fill_value: Any
    transpose: tuple[int, ...]  # stored axis of each axis of a decoded chunk
    compressed: bool  # zstd after the bytes codec
    index_at_end: bool
    zstd_level: int = 3
    zstd_checksum: bool = False

    @property
    def chunks_per_shard(self) -> tuple[int, ...]:
        """Chunks along each axis of one shard."""
        return tuple(s // c for s, c in zip(self.shard_shape, self.chunk_shape))

    @property
    def index_bytes(self) -> int:
        """Size of a shard's index: (offset, size) per chunk as uint64, then its crc32c."""
        return 16 * math.prod(self.chunks_per_shard) + 4  # (offset, size) per chunk as uint64, then crc32c

    @property
    def chunk_bytes(self) -> int:
        """Size of one decoded chunk."""
        return math.prod(self.chunk_shape) * self.dtype.itemsize


def shard_format(meta: dict[str, Any]) -> ShardFormat | None:
    """The shard layout of a zarr3 ``zarr.json``, or None if this reader does not know its codecs."""
    try:
        return _parse(meta)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _parse(meta: dict[str, Any]) -> ShardFormat | None:
    if meta.get("zarr_format") != 3 or len(meta.get("codecs", ())) != 1:
        return None
    sharding = meta["codecs"][0]
    if sharding.get("name") != "sharding_indexed":
        return None
    config = sharding["configuration"]
    if config.get("index_location", "end") not in ("start", "end"):
        return None
    index_codecs = [(c["name"], (c.get("configuration") or {}).get("endian", "little")) for c in config["index_codecs"]]
    if index_codecs != [("bytes", "little"), ("crc32c", "little")]:
        return None
    codecs = list(config.get("codecs", ()))
    names = [c["name"] for c in codecs]
    if names not in (["bytes"], ["bytes", "zstd"], ["transpose", "bytes"], ["transpose", "bytes", "zstd"]):
        return None
    ndim = len(meta["shape"])
    transpose = tuple(range(ndim))
    if names[0] == "transpose":
        order = codecs[0]["configuration"]["order"]
        transpose = tuple(range(ndim - 1, -1, -1)) if order == "F" else transpose if order == "C" else tuple(order)
        if sorted(transpose) != list(range(ndim)):
            return None
    dtype = np.dtype(str(meta["data_type"]))
    if dtype.kind not in "biuf" or isinstance(meta.get("fill_value"), str):
        return None
    endian = (codecs[names.index("bytes")].get("configuration") or {}).get("endian", "little")
    dtype = dtype.newbyteorder("<" if endian == "little" else ">") if dtype.itemsize > 1 else dtype
    shard_shape = tuple(int(s) for s in meta["chunk_grid"]["configuration"]["chunk_shape"])
    chunk_shape = tuple(int(s) for s in config["chunk_shape"])
    if len(shard_shape) != ndim or len(chunk_shape) != ndim or any(s % c for s, c in zip(shard_shape, chunk_shape)):
        return None
    return ShardFormat(
        shape=tuple(int(s) for s in meta["shape"]),
        shard_shape=shard_shape,
        chunk_shape=chunk_shape,
        dtype=dtype,
        fill_value=meta.get("fill_value") or 0,
        transpose=transpose,
        compressed=names[-1] == "zstd",
        index_at_end=config.get("index_location", "end") == "end",
        zstd_level=int((codecs[-1].get("configuration") or {}).get("level", 3)) if names[-1] == "zstd" else 0,
        zstd_checksum=bool((codecs[-1].get("configuration") or {}).get("checksum", False)),
    )


def zstd_content_size(frame: memoryview) -> int | None:
    """The decompressed size a zstd frame header declares (None if it declares none or is no zstd frame)."""
    if len(frame) < 6 or bytes(frame[:4]) != _ZSTD_MAGIC:
        return None
    descriptor = frame[4]
    size_flag, single_segment, dict_flag = descriptor >> 6, (descriptor >> 5) & 1, descriptor & 3
    position = 5 + (0 if single_segment else 1) + (0, 1, 2, 4)[dict_flag]
    width = (1 if single_segment else 0, 2, 4, 8)[size_flag]
    if width == 0 or len(frame) < position + width:
        return None
    value = int.from_bytes(frame[position : position + width], "little")
    return value + 256 if width == 2 else value
