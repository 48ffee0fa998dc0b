"""Default chunk and shard shapes per data format (zarr3: chunk 32³ in shards of 1024³)."""

from __future__ import annotations

from ..geometry import Vec3Int

DEFAULT_DATA_FORMAT = "zarr3"
DEFAULT_CHUNK_SHAPE = Vec3Int(32, 32, 32)
DEFAULT_SHARD_SHAPE = Vec3Int(1024, 1024, 1024)
_SHARDED_FORMATS = ("zarr3", "wkw")


def default_chunk_shape(data_format: str) -> Vec3Int:
    """The chunk shape used when none is given."""
    return DEFAULT_CHUNK_SHAPE


def default_shard_shape(data_format: str, chunk_shape: Vec3Int) -> Vec3Int:
    """The shard shape used when none is given: 1024³ for sharded formats, else one chunk."""
    if str(getattr(data_format, "value", data_format)) in _SHARDED_FORMATS:
        return Vec3Int(*(max(DEFAULT_SHARD_SHAPE[i], chunk_shape[i]) for i in range(3)))
    return chunk_shape
