"""Default chunk and shard shapes per data format (zarr3: chunk 32³ in shards of 1024³)."""

from __future__ import annotations

from ..geometry import Vec3Int
from ..properties.data_formats import DataFormat

DEFAULT_DATA_FORMAT = DataFormat.Zarr3
DEFAULT_CHUNK_SHAPE = Vec3Int(32, 32, 32)
"""The chunk shape of every data format when none is given (as in the reference)."""
DEFAULT_SHARD_SHAPE = Vec3Int(1024, 1024, 1024)
DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES = Vec3Int(128, 128, 1)
"""Shards of layers imported from images hold 128 x 128 x 1 chunks (the reference's constant of that name)."""
_SHARDED_FORMATS = ("zarr3", "wkw")


def default_shard_shape(data_format: str, chunk_shape: Vec3Int) -> Vec3Int:
    """The shard shape used when none is given: 32³ chunks for sharded formats (1024³ for the default chunk
    shape, as in the reference), else one chunk."""
    if str(getattr(data_format, "value", data_format)) in _SHARDED_FORMATS:
        return Vec3Int(chunk_shape) * (DEFAULT_SHARD_SHAPE // DEFAULT_CHUNK_SHAPE)
    return chunk_shape


def created_mag_shard_shape(data_format: str, chunk_shape: Vec3Int, layer_depth: int) -> Vec3Int:
    """The shard shape of a mag created by downsampling (or upsampling) when none is given.

    zarr3 shards hold 32³ chunks, or 128 × 128 × 1 chunks when the layer is no deeper than one chunk (2-d data);
    WKW files hold 32³ chunks; formats without shards use one chunk.
    """
    name = str(getattr(data_format, "value", data_format))
    if name == "zarr3":
        factors = Vec3Int(128, 128, 1) if layer_depth <= chunk_shape.z else Vec3Int(32, 32, 32)
        return chunk_shape * factors
    if name == "wkw":
        return chunk_shape * 32
    return chunk_shape
