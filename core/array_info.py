"""ArrayInfo: what a stored array is (shape, voxel type, chunking, compression), independent of its format."""

from __future__ import annotations

import attrs
import numpy as np

from .geometry import NormalizedBoundingBox, Vec3Int


def _data_format(value: object) -> str:
    """The format as a DataFormat member when it is one (as the reference's ArrayInfo), else as a string."""
    from .properties.data_formats import DataFormat

    try:
        return DataFormat(str(value))
    except ValueError:
        return str(value)


def _dtype(value: object) -> np.dtype:
    return np.dtype(value)  # type: ignore[arg-type]


def _names(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value)  # type: ignore[union-attr]


def _ints(value: object) -> tuple[int, ...]:
    return tuple(int(v) for v in value)  # type: ignore[union-attr]


def _optional_names(value: object) -> tuple[str, ...] | None:
    return None if value is None else _names(value)


def _optional_size(value: object) -> tuple[float, float, float] | None:
    return None if value is None else tuple(float(v) for v in value)  # type: ignore[union-attr,return-value]


@attrs.frozen
class ArrayInfo:
    """Metadata of one chunked array.

    ``shape`` and ``dimension_names`` cover every axis in the order ``("c", *extra, "x", "y", "z")``;
    ``chunk_shape`` and ``shard_shape`` are the x/y/z edges (channels share a chunk, extra axes are
    chunked by 1). ``grid_offset`` is where the chunk and shard grid starts along x/y/z (a Neuroglancer
    precomputed ``voxel_offset``; 0 for the other formats). ``voxel_size_nm`` (this array's voxel edges in
    nanometres) and ``category`` (``"color"`` or ``"segmentation"``) describe the data for formats that store
    them (Neuroglancer precomputed); None when unknown. ``stored_dimension_names`` are the axis names the array
    stores, in stored order (zarr3 ``dimension_names``, zarr v2 ``_ARRAY_DIMENSIONS``); None when it names none.
    """

    data_format: str = attrs.field(converter=_data_format)
    num_channels: int
    voxel_type: np.dtype = attrs.field(converter=_dtype)
    chunk_shape: Vec3Int = attrs.field(converter=Vec3Int)
    shard_shape: Vec3Int = attrs.field(converter=Vec3Int)
    compression_mode: bool
    shape: tuple[int, ...] = attrs.field(converter=_ints, default=(1, 0, 0, 0))
    dimension_names: tuple[str, ...] = attrs.field(converter=_names, default=("c", "x", "y", "z"))
    chunk_key_separator: str = "/"
    has_channel_axis: bool = True  # False: stored without "c"; the adapter presents a virtual axis of 1
    grid_offset: Vec3Int = attrs.field(default=Vec3Int(0, 0, 0), converter=Vec3Int)
    voxel_size_nm: tuple[float, float, float] | None = attrs.field(default=None, converter=_optional_size)
    category: str | None = None
    # the axes as the array itself names them, in stored order (None: it names none, or the format has no names)
    stored_dimension_names: tuple[str, ...] | None = attrs.field(
        default=None, converter=_optional_names, eq=False, repr=False
    )

    @property
    def bounding_box(self) -> NormalizedBoundingBox:
        """The array's extent over every axis (channel axis included), starting at the origin."""
        return NormalizedBoundingBox(
            topleft=(0,) * len(self.shape), size=tuple(self.shape), axes=tuple(self.dimension_names)
        )

    @property
    def chunks_per_shard(self) -> Vec3Int:
        """How many chunks fit along each x/y/z edge of a shard."""
        return self.shard_shape // self.chunk_shape

    @property
    def ndim(self) -> int:
        """Number of axes, channel axis included."""
        return len(self.dimension_names)

    @property
    def additional_axes(self) -> tuple[str, ...]:
        """Names of the axes between the channel axis and x (e.g. ``("t",)``)."""
        return self.dimension_names[1:-3]

    @property
    def full_chunk_shape(self) -> tuple[int, ...]:
        """Chunk shape over every axis: all channels in one chunk, extra axes chunked by 1."""
        return (self.num_channels,) + (1,) * (self.ndim - 4) + tuple(self.chunk_shape)

    @property
    def full_shard_shape(self) -> tuple[int, ...]:
        """Shard shape over every axis: all channels in one shard, extra axes chunked by 1."""
        return (self.num_channels,) + (1,) * (self.ndim - 4) + tuple(self.shard_shape)
