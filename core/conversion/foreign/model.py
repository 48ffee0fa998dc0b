"""What a foreign volume is, as read from its own metadata: scales (mag and array path), voxel type and placement."""

from __future__ import annotations

import attrs
import numpy as np
from upath import UPath

from ...geometry import Mag
from ...properties import DataFormat, VoxelSize
from ..errors import ConversionInputError


class ForeignVolumeError(ConversionInputError):
    """The metadata of a foreign volume is missing, malformed or describes something daedalus cannot reference."""


@attrs.frozen
class ForeignScale:
    """One resolution level: its ``mag``, the array's ``path`` and its x/y/z size in the level's own voxels.

    ``axis_order`` gives the stored positions of c/x/y/z (the properties' ``axisOrder``) when the array does
    not store them in the order daedalus presents them. ``axes_from_group``: the array names no axes itself and
    is not stored as daedalus reads unnamed arrays; only its OME-NGFF group (0.4) says which axis is which.
    """

    mag: Mag
    path: UPath
    size: tuple[int, int, int]
    axis_order: dict[str, int] | None = attrs.field(default=None, eq=False)
    axes_from_group: bool = attrs.field(default=False, eq=False)


@attrs.frozen
class ForeignVolume:
    """A volume another tool wrote, described well enough to reference its arrays as the mags of a layer.

    ``offset`` is where the finest level starts, in Mag(1) voxels, as its arrays address it (precomputed
    ``voxel_offset``); ``translation`` places the layer by a coordinate transformation instead (OME-Zarr
    ``translation``: zarr arrays always start at 0). ``voxel_size`` is None when the metadata holds none.
    """

    kind: str
    source: UPath
    data_format: DataFormat
    scales: tuple[ForeignScale, ...]
    dtype: np.dtype
    num_channels: int
    voxel_size: VoxelSize | None
    offset: tuple[int, int, int] = (0, 0, 0)
    translation: tuple[float, float, float] | None = None
    category: str | None = None
    gzipped_scales: tuple[str, ...] = ()

    @property
    def finest(self) -> ForeignScale:
        """The Mag(1) level."""
        return self.scales[0]
