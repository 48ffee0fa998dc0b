"""Which mags a downsampling (or upsampling) run creates, per sampling mode and voxel size.

Sampling modes (given by their values, see ``SamplingModes``):

- ``anisotropic``: each step doubles the axes with the finest effective voxel size (voxel size times
  mag) when that makes the voxel more isotropic than doubling all axes; otherwise all axes are doubled.
  For the voxel size (11.24, 11.24, 28) this gives 1 -> 2-2-1 -> 4-4-2 -> 8-8-4 -> ...
- ``isotropic``: every step doubles all axes.
- ``constant_z``: every step doubles x and y; z stays.

A downsampling run goes from the source mag until a mag whose largest component reaches
``max(coarsest_mag)``. When other layers already hold coarser mags, the run can reuse exactly those
(``aligned_mags``) and continues with the sampling mode after the last of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..geometry import Mag

_ANISOTROPIC = "anisotropic"
_ISOTROPIC = "isotropic"
_CONSTANT_Z = "constant_z"
_MODES = (_ANISOTROPIC, _ISOTROPIC, _CONSTANT_Z)
_MAX_STEPS = 64
_DEFAULT_COARSEST_EXTENT = 100  # the default coarsest mag shrinks the layer's largest side to about this
_DEFAULT_COARSEST_MINIMUM = 4


def _mode_value(mode: object) -> str:
    value = str(getattr(mode, "value", mode)).lower()
    if value not in _MODES:
        raise ValueError(f"Unknown sampling mode {mode!r}; use one of {list(_MODES)}.")
    return value


def _anisotropy(sizes: Sequence[float]) -> float:
    return max(sizes) / min(sizes)


def next_coarser_mag(mag: Mag, sampling_mode: object, voxel_size: Sequence[float] = (1.0, 1.0, 1.0)) -> Mag:
    """The mag after ``mag`` in the scheme of ``sampling_mode`` (see the module docstring)."""
    mode = _mode_value(sampling_mode)
    current = Mag(mag).to_list()
    if mode == _ISOTROPIC:
        return Mag([2 * m for m in current])
    if mode == _CONSTANT_Z:
        return Mag([2 * current[0], 2 * current[1], current[2]])
    if len(voxel_size) != 3 or any(v <= 0 for v in voxel_size):
        raise ValueError(f"Anisotropic sampling needs a positive voxel size (x, y, z), got {tuple(voxel_size)}.")
    effective = [float(v) * m for v, m in zip(voxel_size, current)]
    finest = min(effective)
    is_finest = [math.isclose(e, finest, rel_tol=1e-6) for e in effective]
    only_finest = [2 * m if f else m for m, f in zip(current, is_finest)]
    all_axes = [2 * m for m in current]
    if all(is_finest):
        return Mag(all_axes)
    sizes_finest = [float(v) * m for v, m in zip(voxel_size, only_finest)]
    sizes_all = [float(v) * m for v, m in zip(voxel_size, all_axes)]
    return Mag(only_finest if _anisotropy(sizes_finest) < _anisotropy(sizes_all) else all_axes)


def default_coarsest_mag(bbox_size: Sequence[int]) -> Mag:
    """The coarsest mag used when none is given: a power of two (at least 4) that shrinks the layer's
    largest side to about 100 voxels or less.
    """
    largest = max(int(s) for s in bbox_size) if len(bbox_size) else 0
    exponent = math.ceil(math.log2(largest / _DEFAULT_COARSEST_EXTENT)) if largest > 0 else 0
    return Mag(max(2 ** max(exponent, 0), _DEFAULT_COARSEST_MINIMUM))


def _is_multiple(coarse: Mag, fine: Mag) -> bool:
    return all(c >= f and c % f == 0 for c, f in zip(coarse.to_list(), fine.to_list()))


def check_downsampling_step(source_mag: Mag, target_mag: Mag) -> None:
    """ValueError unless ``target_mag`` is coarser than ``source_mag`` by an integer factor on every axis."""
    source, target = Mag(source_mag), Mag(target_mag)
    if source == target:
        raise ValueError(f"Cannot downsample Mag {source.to_layer_name()} to itself.")
    if any(t < s for t, s in zip(target.to_list(), source.to_list())):
        raise ValueError(
            f"Cannot downsample Mag {source.to_layer_name()} to Mag {target.to_layer_name()}: the target is finer "
            "than the source on at least one axis (use upsample for that)."
        )
    if not _is_multiple(target, source):
        raise ValueError(
            f"Cannot downsample Mag {source.to_layer_name()} to Mag {target.to_layer_name()}: every component of "
            "the target must be an integer multiple of the source's."
        )


def check_upsampling_step(source_mag: Mag, target_mag: Mag) -> None:
    """ValueError unless ``target_mag`` is finer than ``source_mag`` by an integer factor on every axis."""
    source, target = Mag(source_mag), Mag(target_mag)
    if source == target:
        raise ValueError(f"Cannot upsample Mag {source.to_layer_name()} to itself.")
    if any(t > s for t, s in zip(target.to_list(), source.to_list())):
        raise ValueError(
            f"Cannot upsample Mag {source.to_layer_name()} to Mag {target.to_layer_name()}: the target is coarser "
            "than the source on at least one axis (use downsample for that)."
        )
    if not _is_multiple(source, target):
        raise ValueError(
            f"Cannot upsample Mag {source.to_layer_name()} to Mag {target.to_layer_name()}: every component of "
            "the source must be an integer multiple of the target's."
        )


def _sorted_mags(mags: Iterable[Mag]) -> list[Mag]:
    return sorted({Mag(m) for m in mags}, key=lambda m: (m.max_dim, m.to_list()))


def plan_downsampling_mags(
    from_mag: Mag,
    coarsest_mag: Mag,
    sampling_mode: object,
    voxel_size: Sequence[float] = (1.0, 1.0, 1.0),
    aligned_mags: Iterable[Mag] = (),
) -> list[Mag]:
    """The mags to create, finest first, from ``from_mag`` until ``max_dim >= max(coarsest_mag)``.

    Each mag is a coarser integer multiple of the one before; no axis grows beyond ``coarsest_mag`` (so
    ``coarsest_mag=Mag(4, 4, 1)`` ends at 4-4-1, as in the reference). ``aligned_mags`` (e.g. the mags of other
    layers) are used as long as they continue the chain; the sampling mode takes over after them. Empty when
    ``from_mag`` already reaches ``coarsest_mag``. When the mode cannot reach ``coarsest_mag`` within those
    bounds, ``constant_z`` stops where it got and the other modes raise RuntimeError.
    """
    mode = _mode_value(sampling_mode)
    current = Mag(from_mag)
    coarsest = Mag(coarsest_mag)
    limit = coarsest.max_dim
    plan: list[Mag] = []
    for mag in _sorted_mags(aligned_mags):
        if current.max_dim >= limit:
            break
        if mag != current and _is_multiple(mag, current) and mag.max_dim <= limit:
            plan.append(mag)
            current = mag
    while current.max_dim < limit:
        step = next_coarser_mag(current, sampling_mode, voxel_size).to_list()
        following = Mag([max(c, min(s, k)) for c, s, k in zip(current.to_list(), step, coarsest.to_list())])
        if following == current:
            if mode == _CONSTANT_Z:
                break
            raise RuntimeError(
                f"The coarsest mag {coarsest.to_layer_name()} can not be reached from {current.to_layer_name()} "
                f"with voxel_size {tuple(voxel_size)} and sampling mode {mode}: every further {mode} step would "
                "exceed it on some axis. Pass another coarsest_mag or sampling_mode."
            )
        if len(plan) >= _MAX_STEPS:
            raise RuntimeError(f"The {sampling_mode} scheme cannot reach Mag {coarsest.to_layer_name()}.")
        plan.append(following)
        current = following
    return plan


def plan_upsampling_mags(
    from_mag: Mag,
    finest_mag: Mag,
    sampling_mode: object,
    voxel_size: Sequence[float] = (1.0, 1.0, 1.0),
    aligned_mags: Iterable[Mag] = (),
) -> list[Mag]:
    """The mags to create, coarsest first, from just below ``from_mag`` down to ``finest_mag``.

    The chain is the downsampling chain of ``sampling_mode`` that starts at ``finest_mag`` (or, when given,
    ``aligned_mags`` between both), walked backwards: every mag of it that ``from_mag`` is a multiple of.
    ValueError when ``finest_mag`` is not finer than ``from_mag`` by integer factors.
    """
    source, finest = Mag(from_mag), Mag(finest_mag)
    check_upsampling_step(source, finest)
    chain = plan_downsampling_mags(finest, source, sampling_mode, voxel_size, aligned_mags)
    candidates = [finest] + [m for m in chain if m != source]
    usable = [m for m in candidates if _is_multiple(source, m)]
    plan: list[Mag] = []
    current = source
    for mag in reversed(usable):
        if mag != current and _is_multiple(current, mag):
            plan.append(mag)
            current = mag
    if not plan or plan[-1] != finest:
        plan.append(finest)
    return plan
