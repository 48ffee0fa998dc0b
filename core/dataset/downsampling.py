"""Downsampling and upsampling of layers: ``Layer.downsample`` & co. and ``Dataset.downsample``.

``DownsamplingMixin`` adds ``downsample``, ``downsample_mag``, ``downsample_mag_list``, ``redownsample``
and ``upsample`` to ``Layer``; ``downsample_dataset`` implements ``Dataset.downsample``.

How a step works: the target mag is split into work units of whole target shards (Mag(1) boxes aligned
to ``shard_shape * target_mag``), paired with the same box of the source through
``View.for_zipped_chunks`` and processed by a module-level (picklable) function on any executor. A
unit is computed in blocks of ``buffer_shape`` target voxels: the source voxels under the block are
read, the part of the block outside the layer's bounding box is filled from the box's border voxels
(so nothing outside the bounding box is mixed into the coarser mag: mirrored as the reference does for
median, mode, max and min, see ``sampling.border_padding``; repeated for the interpolating modes), the
block is reduced with the kernels of ``daedalus.core.sampling`` and written. Each step reads the mag
created by the step before.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from itertools import product
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..default_executor import default_parallelism
from ..geometry import Mag, NDBoundingBox, Vec3Int
from ..sampling import (
    InterpolationModes,
    check_downsampling_step,
    check_upsampling_step,
    default_coarsest_mag,
    downsample_cube,
    edge_pad,
    parse_interpolation_mode,
    plan_downsampling_mags,
    plan_upsampling_mags,
    upsample_cube,
)
from ..sampling.block_gather import Block, GroupBuffer, plan_groups
from ..sampling.block_pipeline import default_depth, run_overlapped
from ..sampling.border_padding import symmetric_border_indices, symmetric_pad_widths, take_along_spatial_axes
from .layer_checks import warn_chunk_shape
from .sampling_modes import SamplingModes
from .storage_defaults import DEFAULT_CHUNK_SHAPE, created_mag_shard_shape
from .view import ReadBuffers, read_reusing

if TYPE_CHECKING:
    from .mag_view import MagView
    from .view import View

_XYZ = ("x", "y", "z")
_UNIT_MIN_EDGE = 256  # work units hold whole shards and reach at least this many target voxels per axis
_BLOCK_MAX_BYTES = 64 * 1024 * 1024  # default bound of the voxels (source + target) held per block
_GATHER_MAX_BYTES = 512 * 1024 * 1024  # default executor: gathered target voxels held at once (all units, 2 slabs each)
_MIRRORED_MODES = (InterpolationModes.MEDIAN, InterpolationModes.MODE, InterpolationModes.MAX, InterpolationModes.MIN)


class MagNotFoundError(KeyError, IndexError):
    """The requested source mag does not exist (a KeyError, and an IndexError like ``Layer.get_mag``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MagPlanError(ValueError, AssertionError):
    """A requested mag cannot be produced (exists already, wrong order, ...): a ValueError and AssertionError."""


class SamplingModeError(ValueError, AttributeError):
    """An unknown sampling mode (a ValueError, and an AttributeError as documented by the reference)."""


# ---------------------------------------------------------------------------------------------- helpers


def _parse_sampling_mode(mode: str | SamplingModes) -> SamplingModes:
    try:
        return SamplingModes.parse(mode)
    except ValueError as error:
        raise SamplingModeError(str(error)) from None


def _mag_name(mag: Mag) -> str:
    return Mag(mag).to_layer_name()


def _other_layers_mags(layer: Any, align_with_other_layers: Any) -> list[Mag]:
    """Mags of the layers to align with (``True``: the layer's own dataset; a dataset: its layers)."""
    if align_with_other_layers is False or align_with_other_layers is None:
        return []
    dataset = layer.dataset if align_with_other_layers is True else align_with_other_layers
    mags: list[Mag] = []
    for other in dataset.layers.values():
        if other is layer or (dataset is layer.dataset and other.name == layer.name):
            continue
        mags.extend(other.mags.keys())
    return mags


def _notice_aligned_short_of(targets: Sequence[Mag], aligned: Sequence[Mag], coarsest: Mag, mode: str) -> None:
    """The reference's notice when the coarsest mag taken over from another layer stays below ``coarsest`` on
    some axis (e.g. 4-4-2 of an anisotropic layer for coarsest Mag 4; never for ``constant_z``)."""
    taken = [mag for mag in targets if mag in set(aligned)]
    if (
        mode != SamplingModes.CONSTANT_Z.value
        and taken
        and any(t < c for t, c in zip(taken[-1].to_list(), Mag(coarsest).to_list()))
    ):
        warnings.warn(
            f"[INFO] The mag taken from another layer is larger in some dimensions than `coarsest_mag`: Mag "
            f"{_mag_name(taken[-1])} (from another layer) and coarsest_mag {_mag_name(coarsest)} differ per axis.",
            UserWarning,
            stacklevel=3,
        )


def _check_chain(source_mag: Mag, targets: Sequence[Mag], upsampling: bool = False, allow_equal: bool = False) -> None:
    previous = Mag(source_mag)
    for target in targets:
        if allow_equal and Mag(target) == previous:
            continue
        try:
            if upsampling:
                check_upsampling_step(previous, target)
            else:
                check_downsampling_step(previous, target)
        except ValueError as error:
            raise MagPlanError(str(error)) from None
        previous = Mag(target)


def _spatial_bounds(bbox: NDBoundingBox) -> list[tuple[int, int]]:
    return [bbox.get_bounds(axis) for axis in _XYZ]


def _with_spatial_bounds(bbox: NDBoundingBox, bounds: Sequence[tuple[int, int]]) -> NDBoundingBox:
    for axis, (lo, hi) in zip(_XYZ, bounds):
        bbox = bbox.with_bounds(axis, lo, hi - lo)
    return bbox


def _ceildiv(a: int, b: int) -> int:
    return -(-a // b)


def _pieces(start: int, stop: int, step: int) -> list[tuple[int, int]]:
    """``[start, stop)`` cut at the multiples of ``step``."""
    edges = [start] + list(range((start // step + 1) * step, stop, step)) + [stop]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _block_shape(buffer_shape: Any, info: Any, source_per_target: int = 1) -> tuple[int, int, int]:
    """Target voxels computed at once: ``buffer_shape`` rounded up to whole chunks, or a bounded default.

    The default keeps a block's source voxels (``source_per_target`` per target voxel) and target voxels
    under ``_BLOCK_MAX_BYTES``, so the memory of a step is bounded by the block, not the shard or layer.
    """
    chunk = [int(c) for c in info.chunk_shape]
    if buffer_shape is not None:
        wanted = Vec3Int.from_vec_or_int(buffer_shape)
        if any(v <= 0 for v in wanted):
            raise ValueError(f"buffer_shape must be positive, got {buffer_shape!r}.")
        return tuple(max(c, _ceildiv(v, c) * c) for v, c in zip(wanted, chunk))  # type: ignore[return-value]
    block = [max(int(s), _UNIT_MIN_EDGE // int(s) * int(s)) for s in info.shard_shape]
    voxel_bytes = max(1, int(info.num_channels) * np.dtype(info.voxel_type).itemsize)
    while math.prod(block) * voxel_bytes * (1 + source_per_target) > _BLOCK_MAX_BYTES:
        axis = max(range(3), key=lambda i: (block[i] > chunk[i], block[i]))
        if block[axis] <= chunk[axis]:
            break
        block[axis] = max(chunk[axis], block[axis] // 2 // chunk[axis] * chunk[axis])
    return tuple(block)  # type: ignore[return-value]


def _gather_bytes(executor: Any, units: int) -> int:
    """The write-group budget of each of a step's ``units`` work units (0: block by block).

    On the default executor (threads or sequential) a unit's blocks are collected into slabs (``_run_blocks``);
    the units running at once share ``_GATHER_MAX_BYTES``. An explicit executor writes block by block.
    """
    if executor is not None:
        return 0
    return _GATHER_MAX_BYTES // max(1, min(units, default_parallelism()))


def _unit_count(bbox: NDBoundingBox, unit: Vec3Int) -> int:
    """How many unit-aligned boxes of Mag(1) size ``unit`` the box ``bbox`` touches."""
    return math.prod(_ceildiv(hi, u) - lo // u for (lo, hi), u in zip(_spatial_bounds(bbox), unit))


def _voxel_bytes(view: Any) -> int:
    """Bytes of one voxel of ``view`` (all channels)."""
    info = view.info
    return max(1, int(info.num_channels) * np.dtype(info.voxel_type).itemsize)


def _unit_shape(info: Any, mag: Mag) -> Vec3Int:
    """Mag(1) size of a work unit: whole target shards (never shared by two units)."""
    shard = [int(s) for s in info.shard_shape]
    return Vec3Int([max(1, _UNIT_MIN_EDGE // s) * s * m for s, m in zip(shard, Mag(mag).to_list())])


# ---------------------------------------------------------------------------------------------- workers


def downsample_chunk(
    args: tuple[View, View, int],
    *,
    source: View,
    source_mag: Mag,
    target_mag: Mag,
    interpolation_mode: str,
    block_shape: tuple[int, int, int],
    pipeline_depth: int | None = None,
    border_unit: tuple[int, int, int] | None = None,
    gather_bytes: int = 0,
) -> None:
    """Compute one work unit of a downsampling step (``args`` as given by ``View.for_zipped_chunks``).

    ``source`` is a read-only view of the source mag over the layer's bounding box (the valid data);
    ``pipeline_depth`` blocks are read and reduced ahead of the one being written (``run_overlapped``).
    ``border_unit`` (target voxels; default: the block) is the reference's work unit, within which the box's
    border voxels are mirrored into partly covered target voxels for median, mode, max and min.
    ``gather_bytes`` > 0 collects the blocks into slabs of the unit of at most that size, each one write
    (``_run_blocks``); 0 writes block by block.
    """
    _, target_chunk, _ = args
    mode = parse_interpolation_mode(interpolation_mode)
    margin = 1 if mode is InterpolationModes.BICUBIC else 0
    mirrored = mode in _MIRRORED_MODES
    mirror_unit = tuple(border_unit or block_shape)
    smag, tmag = Mag(source_mag).to_list(), Mag(target_mag).to_list()
    ratio = [t // s for t, s in zip(tmag, smag)]
    unit = target_chunk.bounding_box
    bounds = _spatial_bounds(unit)
    valid = _spatial_bounds(source.bounding_box)
    valid_src = [(lo // s, _ceildiv(hi, s)) for (lo, hi), s in zip(valid, smag)]
    axis_pieces = [_pieces(lo // t, _ceildiv(hi, t), b) for (lo, hi), t, b in zip(bounds, tmag, block_shape)]
    buffers = ReadBuffers()

    def compute(block: tuple[tuple[int, int], ...]) -> np.ndarray | None:
        need = [(b0 * r - margin, b1 * r + margin) for (b0, b1), r in zip(block, ratio)]
        have = [(max(n0, v0), min(n1, v1)) for (n0, n1), (v0, v1) in zip(need, valid_src)]
        if any(h1 <= h0 for h0, h1 in have):
            return None
        if mirrored:
            return mirrored_block(need, have)
        read_bounds = [(max(h0 * s, vlo), min(h1 * s, vhi)) for (h0, h1), s, (vlo, vhi) in zip(have, smag, valid)]
        # the block is reduced and dropped: read into this thread's reused buffer (no fresh memory per block)
        data = read_reusing(source, _with_spatial_bounds(unit, read_bounds), buffers)
        data = edge_pad(
            data, [h0 - n0 for (n0, _), (h0, _) in zip(need, have)], [n1 - h1 for (_, n1), (_, h1) in zip(need, have)]
        )
        return downsample_cube(data, ratio, mode, margin=margin)

    def mirrored_block(need: list[tuple[int, int]], have: list[tuple[int, int]]) -> np.ndarray:
        widths = [
            symmetric_pad_widths(n, h, v, r, u) for n, h, v, r, u in zip(need, have, valid_src, ratio, mirror_unit)
        ]
        if all(w is not None for w in widths):  # the usual case: one read, one pad (a no-op inside the box)
            read_bounds = [(max(h0 * s, vlo), min(h1 * s, vhi)) for (h0, h1), s, (vlo, vhi) in zip(have, smag, valid)]
            data = read_reusing(source, _with_spatial_bounds(unit, read_bounds), buffers)
            if any(any(w) for w in widths):
                data = np.pad(data, [(0, 0)] * (data.ndim - 3) + list(widths), mode="symmetric")
            return downsample_cube(data, ratio, mode)
        indices = [
            symmetric_border_indices(n, h, v, r, u) for n, h, v, r, u in zip(need, have, valid_src, ratio, mirror_unit)
        ]
        spans = [(h0, h1) if i is None else (int(i.min()), int(i.max()) + 1) for (h0, h1), i in zip(have, indices)]
        read_bounds = [(max(a * s, vlo), min(b * s, vhi)) for (a, b), s, (vlo, vhi) in zip(spans, smag, valid)]
        data = read_reusing(source, _with_spatial_bounds(unit, read_bounds), buffers)
        data = take_along_spatial_axes(data, indices, [a for a, _ in spans])
        return downsample_cube(data, ratio, mode)

    def write(block: tuple[tuple[int, int], ...], result: np.ndarray) -> None:
        write_bounds = [(max(b0 * t, lo), min(b1 * t, hi)) for (b0, b1), t, (lo, hi) in zip(block, tmag, bounds)]
        target_chunk.write(result, absolute_bounding_box=_with_spatial_bounds(unit, write_bounds), allow_unaligned=True)

    # blocks ahead are read and reduced on threads while this thread writes the finished ones, in order
    _run_blocks(
        axis_pieces,
        compute,
        write,
        depth=pipeline_depth,
        gather_bytes=gather_bytes,
        voxel_bytes=_voxel_bytes(target_chunk),
    )


def _run_blocks(
    axis_pieces: Sequence[Sequence[tuple[int, int]]],
    compute: Callable[[Block], np.ndarray | None],
    write: Callable[[Block, np.ndarray], None],
    *,
    depth: int | None,
    gather_bytes: int,
    voxel_bytes: int = 1,
) -> None:
    """``write(block, compute(block))`` for the unit's blocks (``compute`` None: nothing to write there).

    ``compute`` runs ahead on ``depth`` threads (``run_overlapped``). With ``gather_bytes`` the blocks are
    collected into slabs of the unit (``plan_groups``, ``voxel_bytes`` per target voxel, two slabs of at
    most ``gather_bytes / 2`` each when the unit allows) and each slab is one write: a sharded target then
    rewrites each shard once per slab instead of once per block. A slab is written on a writer thread while
    the next one is computed; writes run one after another (never two writers in one shard). With ``depth`` 0
    (sequential) the same slabs are computed and written in turn on the calling thread.
    """
    depth = default_depth() if depth is None else depth
    if not gather_bytes:

        def write_block(block: Block, result: np.ndarray | None) -> None:
            if result is not None:
                write(block, result)

        run_overlapped(product(*axis_pieces), compute, write_block, depth=depth)
        return
    groups = plan_groups(axis_pieces, voxel_bytes, gather_bytes // 2, min_groups=2)

    def flush(buffer: GroupBuffer) -> None:
        if buffer.complete:
            write(tuple(zip(buffer.origin, buffer.stop)), buffer.data)  # type: ignore[arg-type]
        elif buffer.data is not None:  # some blocks had no data: write the others one by one
            for block in buffer.filled:
                write(block, buffer.data[(Ellipsis, *buffer.window(block))])

    if depth == 0:
        for group in groups:
            buffer = GroupBuffer(group)
            for block in group:
                buffer.put(block, compute(block))
            flush(buffer)
        return
    filling: list[GroupBuffer] = []
    writing: list[Future[None]] = []

    def produce(item: tuple[int, Block]) -> np.ndarray | None:
        return compute(item[1])

    def consume(item: tuple[int, Block], result: np.ndarray | None) -> None:
        if not filling:
            filling.append(GroupBuffer(groups[item[0]]))
        if filling[0].put(item[1], result):
            if writing:
                writing.pop().result()  # the slab before is written: one writer at a time, two slabs held at most
            writing.append(writer.submit(flush, filling.pop()))

    items = [(g, block) for g, blocks in enumerate(groups) for block in blocks]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="daedalus-slab-writer") as writer:
        try:
            run_overlapped(items, produce, consume, depth=depth)
        except BaseException:
            wait(writing)  # the slab being written finishes; the first failure is the one raised
            raise
        while writing:  # the last slab
            writing.pop().result()


def upsample_chunk(
    args: tuple[View, View, int],
    *,
    source: View,
    source_mag: Mag,
    target_mag: Mag,
    block_shape: tuple[int, int, int],
    pipeline_depth: int | None = None,
    gather_bytes: int = 0,
) -> None:
    """Compute one work unit of an upsampling step (nearest neighbour: every source voxel is repeated)."""
    _, target_chunk, _ = args
    smag, tmag = Mag(source_mag).to_list(), Mag(target_mag).to_list()
    ratio = [s // t for t, s in zip(tmag, smag)]
    unit = target_chunk.bounding_box
    bounds = _spatial_bounds(unit)
    valid = _spatial_bounds(source.bounding_box)
    axis_pieces = [_pieces(lo // t, _ceildiv(hi, t), b) for (lo, hi), t, b in zip(bounds, tmag, block_shape)]

    def write_bounds_of(block: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
        return [(max(b0 * t, lo), min(b1 * t, hi)) for (b0, b1), t, (lo, hi) in zip(block, tmag, bounds)]

    def compute(block: tuple[tuple[int, int], ...]) -> np.ndarray | None:
        read_bounds = [(max(w0, vlo), min(w1, vhi)) for (w0, w1), (vlo, vhi) in zip(write_bounds_of(block), valid)]
        if any(r1 <= r0 for r0, r1 in read_bounds):
            return None
        data = source.read(absolute_bounding_box=_with_spatial_bounds(unit, read_bounds))
        first = [r0 // s for (r0, _), s in zip(read_bounds, smag)]
        repeated = upsample_cube(data, ratio)
        offsets = [b0 - f * r for (b0, _), f, r in zip(block, first, ratio)]
        sizes = [b1 - b0 for b0, b1 in block]
        return repeated[
            ...,
            offsets[0] : offsets[0] + sizes[0],
            offsets[1] : offsets[1] + sizes[1],
            offsets[2] : offsets[2] + sizes[2],
        ]

    def write(block: tuple[tuple[int, int], ...], cropped: np.ndarray) -> None:
        box = _with_spatial_bounds(unit, write_bounds_of(block))
        target_chunk.write(cropped, absolute_bounding_box=box, allow_unaligned=True)

    _run_blocks(
        axis_pieces,
        compute,
        write,
        depth=pipeline_depth,
        gather_bytes=gather_bytes,
        voxel_bytes=_voxel_bytes(target_chunk),
    )


# ---------------------------------------------------------------------------------------------- the mixin


class SampledLayer(Protocol):
    """What ``DownsamplingMixin`` needs of the layer it is mixed into (``Layer`` provides all of it)."""

    @property
    def name(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def dataset(self) -> Any: ...

    @property
    def bounding_box(self) -> NDBoundingBox: ...

    @property
    def data_format(self) -> Any: ...

    @property
    def mags(self) -> Mapping[Mag, MagView]: ...

    def check_writable(self) -> None: ...

    def get_mag(self, mag: Any) -> MagView: ...

    def get_finest_mag(self) -> MagView: ...

    def delete_mag(self, mag: Any) -> None: ...

    def add_mag(
        self, mag: Any, *, chunk_shape: Any = None, shard_shape: Any = None, compress: Any = True
    ) -> MagView: ...


# type checkers see the mixin as a SampledLayer; at run time it puts nothing into Layer's MRO but its methods
if TYPE_CHECKING:
    _MixinBase = SampledLayer
else:
    _MixinBase = object


class DownsamplingMixin(_MixinBase):
    """``Layer`` methods that create coarser (``downsample*``) and finer (``upsample``) mags."""

    # -------------------------------------------------------------- public API

    def downsample(
        self,
        *,
        from_mag: Mag | None = None,
        coarsest_mag: Mag | None = None,
        interpolation_mode: str = "default",
        compress: Any = True,
        sampling_mode: str | SamplingModes = SamplingModes.ANISOTROPIC,
        align_with_other_layers: Any = True,
        buffer_shape: Any = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        force_sampling_scheme: bool = False,
        allow_overwrite: bool = False,
        only_setup_mags: bool = False,
        from_mag_view: MagView | None = None,
        executor: Any = None,
    ) -> None:
        """Create coarser mags from ``from_mag`` until one reaches ``max(coarsest_mag)``.

        ``from_mag`` defaults to the highest (coarsest) existing mag, so a second call continues the pyramid.

        ``sampling_mode`` picks the mags (anisotropic, isotropic, constant_z); with
        ``align_with_other_layers`` the mags other layers already have are reused. ``coarsest_mag``
        defaults to a power of two (at least 4) shrinking the largest side of the layer to about 100 voxels.
        """
        self.check_writable()
        source_view = self._resolve_source(from_mag, from_mag_view)
        source_mag = source_view.mag
        if coarsest_mag is not None and any(v & (v - 1) for v in Mag(coarsest_mag).to_list()):
            raise MagPlanError(
                f"Mag components must be power of 2, got {Mag(coarsest_mag).to_list()} in coarsest_mag "
                f"{_mag_name(Mag(coarsest_mag))}; pass e.g. Mag(4) or Mag(8)."
            )
        mode = _parse_sampling_mode(sampling_mode)
        interpolation = parse_interpolation_mode(interpolation_mode, self.category).value
        mode = self._effective_sampling_mode(mode, source_mag, force_sampling_scheme)
        if coarsest_mag is None:
            coarsest = default_coarsest_mag(self.bounding_box.size_xyz)
        else:
            coarsest = Mag(coarsest_mag)
            if any(c < s for c, s in zip(coarsest.to_list(), source_mag.to_list())):
                raise ValueError(
                    f"coarsest_mag {_mag_name(coarsest)} is finer than the source Mag {_mag_name(source_mag)} "
                    "on at least one axis (use upsample for finer mags)."
                )
        aligned = _other_layers_mags(self, align_with_other_layers)
        targets = plan_downsampling_mags(source_mag, coarsest, mode, self.dataset.voxel_size, aligned)
        _notice_aligned_short_of(targets, aligned, coarsest, mode)
        self._run_steps(
            source_view,
            targets,
            interpolation_mode=interpolation,
            compress=compress,
            buffer_shape=buffer_shape,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            allow_overwrite=allow_overwrite,
            only_setup=only_setup_mags,
            executor=executor,
        )

    def downsample_mag(
        self,
        from_mag: Mag,
        target_mag: Mag,
        *,
        interpolation_mode: str = "default",
        compress: Any = True,
        buffer_shape: Any = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        allow_overwrite: bool = False,
        only_setup_mag: bool = False,
        from_mag_view: MagView | None = None,
        executor: Any = None,
    ) -> None:
        """Create ``target_mag`` from ``from_mag`` (one step, any integer factor per axis).

        With ``allow_overwrite`` an existing target mag is recomputed in place (its storage settings are
        kept unless other ones are requested), so mags prepared with ``only_setup_mag`` can be filled
        from parallel processes without touching the dataset's properties.
        """
        self.check_writable()
        source_view = self._resolve_source(from_mag, from_mag_view)
        interpolation = parse_interpolation_mode(interpolation_mode, self.category).value
        self._run_steps(
            source_view,
            [Mag(target_mag)],
            interpolation_mode=interpolation,
            compress=compress,
            buffer_shape=buffer_shape,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            allow_overwrite=allow_overwrite,
            only_setup=only_setup_mag,
            executor=executor,
        )

    def downsample_mag_list(
        self,
        from_mag: Mag,
        target_mags: list[Mag],
        *,
        interpolation_mode: str = "default",
        compress: Any = True,
        buffer_shape: Any = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        allow_overwrite: bool = False,
        only_setup_mags: bool = False,
        executor: Any = None,
    ) -> None:
        """Create ``target_mags`` finest first (they are sorted, as in the reference), each from the one before
        (the first from ``from_mag``)."""
        self.check_writable()
        source_view = self._resolve_source(from_mag, None)
        interpolation = parse_interpolation_mode(interpolation_mode, self.category).value
        self._run_steps(
            source_view,
            sorted((Mag(m) for m in target_mags), key=lambda m: (m.max_dim, m.to_list())),
            interpolation_mode=interpolation,
            compress=compress,
            buffer_shape=buffer_shape,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            allow_overwrite=allow_overwrite,
            only_setup=only_setup_mags,
            executor=executor,
        )

    def redownsample(
        self,
        *,
        interpolation_mode: str = "default",
        compress: Any = True,
        buffer_shape: Any = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        executor: Any = None,
    ) -> None:
        """Recompute every mag coarser than the finest one from the finest (after editing the finest mag).

        Each mag is computed from the coarsest already recomputed mag it is an integer multiple of.
        """
        self.check_writable()
        finest = self.get_finest_mag()
        interpolation = parse_interpolation_mode(interpolation_mode, self.category).value
        others = sorted((m for m in self.mags if m != finest.mag), key=lambda m: (m.max_dim, m.to_list()))
        done = [finest.mag]
        steps: list[tuple[Mag, Mag]] = []
        for mag in others:
            sources = [d for d in done if _covers(mag, d)]
            if not sources:
                raise ValueError(
                    f"Mag {_mag_name(mag)} of layer {self.name!r} is not an integer multiple of the finest "
                    f"Mag {_mag_name(finest.mag)}; it cannot be recomputed."
                )
            steps.append((sources[-1], mag))
            done.append(mag)
        for source_mag, target in steps:
            self._run_steps(
                self.get_mag(source_mag),
                [target],
                interpolation_mode=interpolation,
                compress=compress,
                buffer_shape=buffer_shape,
                chunk_shape=chunk_shape,
                shard_shape=shard_shape,
                allow_overwrite=True,
                only_setup=False,
                executor=executor,
            )

    def upsample(
        self,
        from_mag: Mag,
        *,
        from_mag_view: MagView | None = None,
        finest_mag: Mag = Mag(1),
        compress: Any = True,
        sampling_mode: str | SamplingModes = SamplingModes.ANISOTROPIC,
        align_with_other_layers: Any = True,
        buffer_shape: Any = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        executor: Any = None,
    ) -> None:
        """Create finer mags from ``from_mag`` down to ``finest_mag`` by repeating voxels (nearest neighbour).

        The mags are those of the ``sampling_mode`` scheme (or of other layers, when aligning) between
        ``finest_mag`` and ``from_mag``; every step reads the mag created before it.
        """
        self.check_writable()
        source_view = self._resolve_source(from_mag, from_mag_view)
        mode = _parse_sampling_mode(sampling_mode)
        try:
            targets = plan_upsampling_mags(
                source_view.mag,
                Mag(finest_mag),
                mode.value,
                self.dataset.voxel_size,
                _other_layers_mags(self, align_with_other_layers),
            )
        except ValueError as error:
            raise MagPlanError(str(error)) from None
        self._run_steps(
            source_view,
            targets,
            interpolation_mode=None,
            compress=compress,
            buffer_shape=buffer_shape,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            allow_overwrite=False,
            only_setup=False,
            executor=executor,
        )

    # -------------------------------------------------------------- internals

    def _resolve_source(self, from_mag: Any, from_mag_view: MagView | None) -> Any:
        """The source MagView: ``from_mag_view``, else ``from_mag`` of this layer (default: the coarsest)."""
        if from_mag_view is not None:
            if from_mag is not None and Mag(from_mag) != from_mag_view.mag:
                raise ValueError(
                    f"from_mag {_mag_name(Mag(from_mag))} does not match from_mag_view's Mag "
                    f"{_mag_name(from_mag_view.mag)}."
                )
            return from_mag_view
        if from_mag is None:
            if not self.mags:
                raise MagNotFoundError(f"Layer {self.name!r} has no mags to downsample from.")
            return self.get_mag(max(self.mags))
        mag = Mag(from_mag)
        if mag not in self.mags:
            names = [_mag_name(m) for m in sorted(self.mags, key=lambda m: (m.max_dim, m.to_list()))]
            raise MagNotFoundError(f"Layer {self.name!r} has no Mag {_mag_name(mag)} (its mags: {names}).")
        return self.get_mag(mag)

    def _effective_sampling_mode(self, mode: SamplingModes, source_mag: Mag, force: bool) -> str:
        """The sampling mode to use; unsuitable schemes are refused or replaced unless ``force``."""
        if force:
            return mode.value
        if mode is SamplingModes.ISOTROPIC and len(set(source_mag.to_list())) != 1:
            raise RuntimeError(
                f"Isotropic downsampling from the anisotropic Mag {_mag_name(source_mag)} of layer {self.name!r} "
                "would keep its anisotropy; use another sampling_mode or pass force_sampling_scheme=True."
            )
        if mode is not SamplingModes.CONSTANT_Z and self.bounding_box.size_xyz.z == 1:
            warnings.warn(
                f"Layer {self.name!r} is 2-d (one voxel deep); it is downsampled with sampling_mode "
                f"'constant_z' instead of {mode.value!r} (pass force_sampling_scheme=True to keep it).",
                stacklevel=3,
            )
            return SamplingModes.CONSTANT_Z.value
        return mode.value

    def _prepare_target(
        self, target: Mag, source_info: Any, chunk_shape: Any, shard_shape: Any, compress: Any
    ) -> MagView:
        """The (new or reused) MagView for ``target``; new mags get the reference's defaults for created mags
        (chunk 32³; shards of 32³ chunks, or 128 × 128 × 1 chunks for layers no deeper than a chunk)."""
        chunk = Vec3Int.from_vec_or_int(chunk_shape) if chunk_shape is not None else DEFAULT_CHUNK_SHAPE
        if shard_shape is not None:
            shard = Vec3Int.from_vec_or_int(shard_shape)
        else:
            shard = created_mag_shard_shape(self.data_format, chunk, self.bounding_box.size_xyz.z)
        if target in self.mags:
            existing = self.get_mag(target)
            info = existing.info
            same = (
                (chunk_shape is None or Vec3Int(info.chunk_shape) == chunk)
                and (shard_shape is None or Vec3Int(info.shard_shape) == shard)
                and bool(info.compression_mode) == bool(compress)
            )
            if same:
                return existing
            self.delete_mag(target)
        return self.add_mag(target, chunk_shape=chunk_shape, shard_shape=shard, compress=compress)

    def _run_steps(
        self,
        source_view: Any,
        targets: Sequence[Mag],
        *,
        interpolation_mode: str | None,
        compress: Any,
        buffer_shape: Any,
        chunk_shape: Any,
        shard_shape: Any,
        allow_overwrite: bool,
        only_setup: bool,
        executor: Any,
        skip_existing: bool = False,
    ) -> None:
        """Validate the whole chain, then create each target from the previous one (the first from the source).

        ``interpolation_mode`` None means upsampling.
        """
        upsampling = interpolation_mode is None
        for target in targets:
            if any(v & (v - 1) for v in Mag(target).to_list()):
                raise MagPlanError(
                    f"Mag components must be power of 2, got {Mag(target).to_list()} in Mag {_mag_name(target)}; "
                    "WEBKNOSSOS only shows mags like 2, 4-4-2 or 8."
                )
        _check_chain(source_view.mag, targets, upsampling, allow_equal=True)
        if chunk_shape is not None and targets and (allow_overwrite or not any(t in self.mags for t in targets)):
            # the reference creates the first target (and gives this notice) before it finds a repeated mag
            warn_chunk_shape(Vec3Int.from_vec_or_int(chunk_shape))
        _check_chain(source_view.mag, targets, upsampling)
        if buffer_shape is not None and any(v <= 0 for v in Vec3Int.from_vec_or_int(buffer_shape)):
            raise ValueError(f"buffer_shape must be positive, got {buffer_shape!r}.")
        if not allow_overwrite and not skip_existing:
            existing = [t for t in targets if t in self.mags]
            if existing:
                raise MagPlanError(
                    f"Layer {self.name!r} already has Mag {', '.join(_mag_name(m) for m in existing)}; pass "
                    "allow_overwrite=True to recompute it."
                )
        source_info = source_view.info
        current = source_view
        for target in targets:
            if skip_existing and target in self.mags:
                current = self.get_mag(target)
                continue
            target_view = self._prepare_target(target, source_info, chunk_shape, shard_shape, compress)
            if not only_setup and not self.bounding_box.is_empty():
                self._compute_step(current, target_view, interpolation_mode, buffer_shape, executor)
            current = target_view

    def _compute_step(
        self, source_view: Any, target_view: Any, interpolation_mode: str | None, buffer_shape: Any, executor: Any
    ) -> None:
        layer_bbox = self.bounding_box
        target_info = target_view.info
        source = source_view.get_view(absolute_bounding_box=layer_bbox, read_only=True)
        unit = _unit_shape(target_info, target_view.mag)
        ratio = [max(s, t) // min(s, t) for s, t in zip(source_view.mag.to_list(), target_view.mag.to_list())]
        block = _block_shape(buffer_shape, target_info, math.prod(ratio) if interpolation_mode is not None else 1)
        common = {
            "source": source,
            "source_mag": source_view.mag,
            "target_mag": target_view.mag,
            "block_shape": block,
            # blocks computed ahead within a unit: fewer when an executor already runs units side by side
            "pipeline_depth": None if executor is None else 1,
            "gather_bytes": _gather_bytes(executor, _unit_count(layer_bbox, unit)),
        }
        if interpolation_mode is None:
            func = partial(upsample_chunk, **common)
            verb = "Upsampling"
        else:
            # the reference's work unit: buffer_shape if given, else a target shard (zarr: a chunk)
            border = Vec3Int.from_vec_or_int(buffer_shape) if buffer_shape is not None else target_info.shard_shape
            func = partial(downsample_chunk, interpolation_mode=interpolation_mode, border_unit=tuple(border), **common)
            verb = "Downsampling"
        source.for_zipped_chunks(
            func,
            target_view,
            source_chunk_shape=unit,
            target_chunk_shape=unit,
            executor=executor,
            progress_desc=(
                f"{verb} layer {self.name} from Mag {_mag_name(source_view.mag)} to Mag {_mag_name(target_view.mag)}"
            ),
        )

    def _downsample_missing(
        self,
        *,
        sampling_mode: SamplingModes,
        coarsest_mag: Mag | None,
        interpolation_mode: str,
        compress: Any,
        executor: Any,
    ) -> None:
        """``Dataset.downsample`` for this layer: create the planned mags that do not exist yet."""
        source_view = self.get_finest_mag()
        interpolation = parse_interpolation_mode(interpolation_mode, self.category).value
        mode = self._effective_sampling_mode(sampling_mode, source_view.mag, force=False)
        coarsest = default_coarsest_mag(self.bounding_box.size_xyz) if coarsest_mag is None else Mag(coarsest_mag)
        aligned = _other_layers_mags(self, True)
        targets = plan_downsampling_mags(source_view.mag, coarsest, mode, self.dataset.voxel_size, aligned)
        _notice_aligned_short_of(targets, aligned, coarsest, mode)
        self._run_steps(
            source_view,
            targets,
            interpolation_mode=interpolation,
            compress=compress,
            buffer_shape=None,
            chunk_shape=None,
            shard_shape=None,
            allow_overwrite=False,
            only_setup=False,
            executor=executor,
            skip_existing=True,
        )


def _covers(coarse: Mag, fine: Mag) -> bool:
    """Whether ``coarse`` is an integer multiple of ``fine`` on every axis."""
    return all(c >= f and c % f == 0 for c, f in zip(Mag(coarse).to_list(), Mag(fine).to_list()))


def downsample_dataset(
    dataset: Any,
    *,
    sampling_mode: str | SamplingModes = SamplingModes.ANISOTROPIC,
    coarsest_mag: Mag | None = None,
    interpolation_mode: str = "default",
    compress: Any = True,
    executor: Any = None,
) -> None:
    """``Dataset.downsample``: give every layer its coarser mags; mags that exist are kept, not recomputed.

    Layers are aligned with each other (the first layer's mags are reused by the next ones).
    RuntimeError for a read-only dataset.
    """
    if dataset.read_only:
        raise RuntimeError(f"Cannot downsample the dataset at {dataset.path}: it is opened read-only.")
    mode = _parse_sampling_mode(sampling_mode)
    parse_interpolation_mode(interpolation_mode)
    for layer in list(dataset.layers.values()):
        if not layer.mags:
            continue
        layer._downsample_missing(
            sampling_mode=mode,
            coarsest_mag=coarsest_mag,
            interpolation_mode=interpolation_mode,
            compress=compress,
            executor=executor,
        )


__all__ = [
    "DownsamplingMixin",
    "MagNotFoundError",
    "MagPlanError",
    "SamplingModeError",
    "downsample_chunk",
    "downsample_dataset",
    "upsample_chunk",
]
