"""Mags of foreign resolution levels: each level's scale as a whole (power-of-two) multiple of the finest one."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ...geometry import Mag
from .model import ForeignScale, ForeignVolumeError

_TOLERANCE = 1e-6


def mag_of(
    ratios: Sequence[float], where: str, *, finest_size: Sequence[int] | None = None, size: Sequence[int] | None = None
) -> Mag:
    """The Mag whose x/y/z factors are ``ratios`` (a level's scale over the finest level's).

    A ratio must be a whole power of two. Writers that derive a level's scale from the array shapes (ome-zarr-py
    writes 50 / 12 = 4.1667 for a 50-voxel axis halved twice) are accepted when the level's ``size`` is the finest
    ``finest_size`` divided by the whole factor, rounded either way, and the ratio is exactly that of the sizes.
    """
    factors = []
    for index, axis in enumerate("xyz"):
        ratio = float(ratios[index])
        factor = round(ratio) if math.isfinite(ratio) else 0
        whole = factor >= 1 and math.isclose(ratio, factor, rel_tol=_TOLERANCE)
        if not (whole and _power_of_two(factor)) and finest_size is not None and size is not None:
            from_sizes = _factor_from_sizes(ratio, int(finest_size[index]), int(size[index]))
            if from_sizes is not None:
                factor, whole = from_sizes, True
        if not whole:
            raise ForeignVolumeError(
                f"{where}: the {axis} scale is {ratio:g} times the finest level's, not a whole multiple of it; "
                "daedalus layers need every level to be a whole (power-of-two) downsampling of the finest one."
            )
        if not _power_of_two(factor):
            raise ForeignVolumeError(
                f"{where}: the {axis} scale is {factor} times the finest level's; WEBKNOSSOS mags are powers of two."
            )
        factors.append(factor)
    return Mag(factors)


def _power_of_two(value: int) -> bool:
    return value >= 1 and not value & (value - 1)


def _factor_from_sizes(ratio: float, finest: int, size: int) -> int | None:
    """The power of two that shrinks ``finest`` voxels to ``size`` (rounded either way), if ``ratio`` is theirs."""
    if size <= 0 or not math.isclose(ratio, finest / size, rel_tol=_TOLERANCE):
        return None
    factor = 1
    while factor <= finest:
        if size in (finest // factor, -(-finest // factor)):
            return factor
        factor *= 2
    return None


def checked_scales(scales: Sequence[ForeignScale], source: object) -> tuple[ForeignScale, ...]:
    """The levels sorted finest first; ForeignVolumeError if none is Mag(1) or two share a mag."""
    if not scales:
        raise ForeignVolumeError(f"{source} lists no resolution levels.", path=source)
    ordered = sorted(scales, key=lambda s: (s.mag.max_dim, s.mag.to_list()))
    if ordered[0].mag != Mag(1):
        raise ForeignVolumeError(f"{source}: the finest level is mag {ordered[0].mag}, expected 1.", path=source)
    seen: dict[Mag, ForeignScale] = {}
    for scale in ordered:
        if scale.mag in seen:
            raise ForeignVolumeError(
                f"{source}: the levels {seen[scale.mag].path} and {scale.path} both have mag {scale.mag}.",
                path=source,
            )
        seen[scale.mag] = scale
    for scale in ordered:
        if min(scale.size) <= 0:
            raise ForeignVolumeError(f"{scale.path} is empty (size {scale.size}).", path=scale.path)
    return tuple(ordered)
