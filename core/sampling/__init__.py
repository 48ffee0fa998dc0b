"""Resampling of voxel blocks (pure numpy kernels) and the planning of which mags to create.

``kernels`` turns a ``(..., x, y, z)`` block into a coarser (``downsample_cube``; the median and mode of
blocks of up to 16 voxels in ``small_blocks``) or finer (``upsample_cube``) one; ``mag_planning`` decides the
chain of mags a downsampling or upsampling run produces for a sampling mode and voxel size.
"""

from .kernels import (
    InterpolationModes,
    downsample_cube,
    edge_pad,
    parse_interpolation_mode,
    upsample_cube,
)
from .mag_planning import (
    check_downsampling_step,
    check_upsampling_step,
    default_coarsest_mag,
    next_coarser_mag,
    plan_downsampling_mags,
    plan_upsampling_mags,
)

__all__ = [
    "InterpolationModes",
    "check_downsampling_step",
    "check_upsampling_step",
    "default_coarsest_mag",
    "downsample_cube",
    "edge_pad",
    "next_coarser_mag",
    "parse_interpolation_mode",
    "plan_downsampling_mags",
    "plan_upsampling_mags",
    "upsample_cube",
]
