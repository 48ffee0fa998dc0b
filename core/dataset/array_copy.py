"""Copying one mag's array: a plain file copy when the layout already matches, else recoding box by box."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .. import ports
from ..array_info import ArrayInfo
from ..default_executor import default_is_threaded
from ..errors import InvalidArgumentError
from ..geometry import NDBoundingBox, Vec3Int
from ..sampling.block_pipeline import run_overlapped
from ..zarr3_config import Zarr3Config, with_compress
from .array_axes import array_axes, array_shape_for, voxel_description
from .axis_permuted_array import AxisPermutedArray
from .chunk_runner import run_on_chunks
from .layer_checks import check_storage_shapes, warn_chunk_shape
from .paths import is_local
from .region import array_box
from .transfer_mode import copy_tree

# A copy task covers whole target shards and at least this many voxels (fewer tasks for small shards).
_TASK_VOXELS = 256**3
_SHARDED_FORMATS = ("zarr3", "wkw")
_PREFETCH_BYTES = 512 * 1024 * 1024  # a sequential copy reads the next task ahead up to this task size


def _format(value: Any) -> str:
    return str(getattr(value, "value", value))


def target_layout(
    source: ArrayInfo, data_format: Any, chunk_shape: Any, shard_shape: Any, chunks_per_shard: Any, compress: Any
) -> tuple[Vec3Int, Vec3Int, bool]:
    """Chunk shape, shard shape and compression for a copy: the given values, else those of ``source``."""
    if shard_shape is not None and chunks_per_shard is not None:
        raise ValueError("Give shard_shape or the deprecated chunks_per_shard, not both.")
    chunk = Vec3Int.from_vec_or_int(chunk_shape) if chunk_shape is not None else source.chunk_shape
    if chunk_shape is not None:
        warn_chunk_shape(chunk)
    if chunks_per_shard is not None:
        shard = chunk * Vec3Int.from_vec_or_int(chunks_per_shard)
    elif shard_shape is not None:
        shard = Vec3Int.from_vec_or_int(shard_shape)
    elif _format(data_format) not in _SHARDED_FORMATS:
        shard = chunk
    elif all(s % c == 0 for s, c in zip(source.shard_shape, chunk)):
        shard = source.shard_shape
    else:
        shard = chunk
    if any(s % c for s, c in zip(shard, chunk)):
        raise ValueError(f"shard_shape {tuple(shard)} must be a multiple of chunk_shape {tuple(chunk)}.")
    check_storage_shapes(_format(data_format), chunk, shard)
    if _format(data_format) not in _SHARDED_FORMATS and shard != chunk:
        raise InvalidArgumentError(
            f"Data format {_format(data_format)!r} has no shards: shard_shape {tuple(shard)} must equal "
            f"chunk_shape {tuple(chunk)} (or be left out)."
        )
    if isinstance(compress, Zarr3Config):  # custom zarr3 codecs: applied when the target array is created
        return chunk, shard, compress  # type: ignore[return-value]
    compression = source.compression_mode if compress is None else bool(compress)
    return chunk, shard, compression


def is_file_copy(source: ArrayInfo, data_format: Any, chunk: Vec3Int, shard: Vec3Int, compression: bool) -> bool:
    """Whether copying the files of ``source`` gives exactly the wanted format and layout."""
    return (
        _format(source.data_format) == _format(data_format)
        and source.chunk_shape == chunk
        and source.shard_shape == shard
        and source.compression_mode == compression
    )


def copy_mag_array(
    source_view: Any,
    target_path: Any,
    *,
    data_format: Any,
    target_bbox: NDBoundingBox,
    chunk: Vec3Int,
    shard: Vec3Int,
    compression: bool,
    executor: Any = None,
    progress_desc: str | None = None,
    force_recode: bool = False,
) -> bool:
    """Copy the array of ``source_view`` (a MagView) to ``target_path``; True if it was a file copy.

    The target array covers ``target_bbox`` (Mag(1)). A file copy is used when format, chunk and shard shape
    and compression match (and ``force_recode`` is off); otherwise the data is read and rewritten in tasks
    of whole target shards on ``executor``.
    """
    info = source_view.info
    if isinstance(source_view.stored_array, AxisPermutedArray):  # copy tasks reopen the source by path
        raise ValueError(
            f"Cannot copy {source_view.path}: the array names no axes and is read through its axisOrder (stored as "
            f"{', '.join(info.stored_dimension_names or ())}), which a copy would lose. Name the axes in the array's "
            "metadata (zarr3 dimension_names, zarr v2 _ARRAY_DIMENSIONS in .zattrs) and copy again."
        )
    storage = ports.resolve_storage(_format(data_format))
    if (
        not force_recode
        and _files_listable(source_view.path)
        and is_file_copy(info, data_format, chunk, shard, compression)
    ):
        copy_tree(source_view.path, target_path, progress_desc)
        array = storage.open(target_path)
        wanted = array_shape_for(target_bbox, source_view.mag, info.num_channels, chunk)
        current = array.info.shape
        if len(wanted) == len(current) and any(w > c for w, c in zip(wanted, current)):
            array.resize(tuple(max(w, c) for w, c in zip(wanted, current)))
        return True
    target_info = ArrayInfo(
        data_format=_format(data_format),
        num_channels=info.num_channels,
        voxel_type=info.voxel_type,
        chunk_shape=chunk,
        shard_shape=shard,
        compression_mode=bool(compression),
        shape=array_shape_for(target_bbox, source_view.mag, info.num_channels, chunk),
        dimension_names=array_axes(target_bbox),
        has_channel_axis=info.has_channel_axis,  # n-d layers store no channel axis
        **voxel_description(source_view.layer, source_view.mag),  # a copy keeps the voxel size and category
    )
    target_info = with_compress(target_info, compression)  # a Zarr3Config sets the target's codecs
    storage.create(target_path, target_info)
    tasks = copy_tasks(source_view, target_info)
    args = [
        (_format(info.data_format), source_view.path, _format(data_format), target_path, offset, shape)
        for offset, shape in tasks
    ]
    if executor is None and len(args) > 1 and default_is_threaded():
        _copy_overlapped(args, progress_desc, np.dtype(info.voxel_type).itemsize)
    else:
        run_on_chunks(copy_box, args, executor=executor, progress_desc=progress_desc)
    return False


def _copy_overlapped(args: list[tuple[Any, ...]], progress_desc: str | None, itemsize: int) -> None:
    """The tasks of ``copy_box`` in this process, the next task's box read while the current one is written.

    Reading (decoding) and writing (encoding) then keep the cores busy together; the next box is read ahead
    only while one task's data is at most ``_PREFETCH_BYTES``, so at most two tasks' data are in memory.
    """
    source_format, source_path, target_format, target_path = args[0][:4]
    source = ports.resolve_storage(source_format).open(source_path)
    storage = ports.resolve_storage(target_format)
    target = storage.open(target_path)
    largest = max(int(np.prod(a[5], dtype=np.int64)) for a in args) * itemsize
    with ports.progress(progress_desc, len(args)) as progress:

        def write(task: tuple[Any, ...], data: np.ndarray) -> None:
            _write_box(storage, target, task[4], data)
            progress.advance()

        run_overlapped(args, lambda task: source.read(task[4], task[5]), write, depth=int(largest <= _PREFETCH_BYTES))


def _files_listable(path: Any) -> bool:
    """Whether the files under ``path`` can be listed for a file copy (not over plain http)."""
    return getattr(path, "protocol", "") not in ("http", "https")


def copy_tasks(source_view: Any, target: ArrayInfo) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``(offset, shape)`` array boxes to copy: the source's box in tasks of whole target shards.

    Only tasks meeting a shard (or chunk file) stored in the source are kept where the source can list them.
    """
    info = source_view.info
    if info.dimension_names != target.dimension_names:
        raise ValueError(
            f"Cannot copy {source_view.path}: its axes {info.dimension_names} differ from the target's "
            f"{target.dimension_names}."
        )
    offset, size = array_box(source_view.bounding_box, source_view.mag, info.dimension_names, info.shape)
    lo = [max(0, o) for o in offset]
    hi = [min(o + s, limit) for o, s, limit in zip(offset, size, info.shape)]
    step = _task_step(target, hi)
    ranges = [range(a // g, max(a // g, -(-b // g))) for a, b, g in zip(lo, hi, step)]
    stored = _stored_boxes(source_view)
    tasks = []
    for index in itertools.product(*ranges):
        start = [max(i * g, a) for i, g, a in zip(index, step, lo)]
        stop = [min((i + 1) * g, b) for i, g, b in zip(index, step, hi)]
        if any(b <= a for a, b in zip(start, stop)):
            continue
        if stored is not None and not any(_meets(start, stop, o, s) for o, s in stored):
            continue
        tasks.append((tuple(start), tuple(b - a for a, b in zip(start, stop))))
    return tasks


def _task_step(target: ArrayInfo, hi: list[int]) -> list[int]:
    """Per-axis task edge: channels whole, extra axes whole, x/y/z whole shards grown to ``_TASK_VOXELS``."""
    shard = list(target.shard_shape)
    extents = hi[-3:]
    while np.prod(shard) < _TASK_VOXELS:
        candidates = [i for i in range(3) if shard[i] < extents[i]]
        if not candidates:
            break
        axis = min(candidates, key=lambda i: shard[i])
        shard[axis] *= 2
    return [max(1, h) for h in hi[:-3]] + shard


def _stored_boxes(source_view: Any) -> list[tuple[tuple[int, ...], tuple[int, ...]]] | None:
    """The source's stored boxes, or None where listing is impossible (http)."""
    if not _files_listable(source_view.path):
        return None
    try:
        return list(source_view.stored_array.list_bounding_boxes())
    except (NotImplementedError, OSError):
        return None


def _meets(start: list[int], stop: list[int], offset: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    return all(a < o + s and o < b for a, b, o, s in zip(start[-3:], stop[-3:], offset[-3:], shape[-3:]))


def copy_box(args: tuple[str, Any, str, Any, tuple[int, ...], tuple[int, ...]]) -> None:
    """Copy one array box from a source array to a target array (a task sent to executors)."""
    source_format, source_path, target_format, target_path, offset, shape = args
    data = ports.resolve_storage(source_format).open(source_path).read(offset, shape)
    storage = ports.resolve_storage(target_format)
    _write_box(storage, storage.open(target_path), offset, data)


def _write_box(storage: Any, target: Any, offset: tuple[int, ...], data: np.ndarray) -> None:
    """Write one copied box to the opened ``target`` array (nothing when the box is all zeros)."""
    if not data.any():
        return  # the target reads zeros where nothing is stored
    if not storage.capabilities.stores_shape:  # e.g. WKW: the shape is derived from the files on disk
        needed = [o + s for o, s in zip(offset, data.shape)]
        target.resize([max(n, c) for n, c in zip(needed, target.info.shape)])
    target.write(offset, data)


def mag_folder_is_free(path: Any) -> bool:
    """Whether ``path`` does not exist or is an empty folder."""
    if not path.exists():
        return True
    if is_local(path):
        return not any(path.iterdir())
    return not path.fs.find(path.path)
