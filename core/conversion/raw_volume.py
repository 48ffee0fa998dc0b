"""Import of a raw binary volume (x, y, z voxels without header, C or Fortran order) into a new layer."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from ..dataset.chunk_runner import run_on_chunks
from ..dataset.paths import is_local, local_path, to_upath
from ..dataset.storage_defaults import DEFAULT_DATA_FORMAT
from ..geometry import BoundingBox, Mag
from .errors import ConversionInputError, SourceNotFoundError
from .target import add_import_layer, dtype_of, positive_shape, target_dataset
from .tasks import Box, checked_flip_axes, flipped, import_boxes, source_box, write_box


def rescaled(data: np.ndarray, min_max: tuple[float, float], dtype: np.dtype) -> np.ndarray:
    """``data`` mapped linearly from ``min_max`` to 0 .. the largest value of ``dtype`` (1.0 for floats).

    Integer results are clipped to that range (values outside ``min_max`` saturate instead of wrapping around).
    """
    low, high = float(min_max[0]), float(min_max[1])
    top = 1.0 if dtype.kind == "f" else float(np.iinfo(dtype).max)
    scaled = (data - low) / (high - low) * top
    if dtype.kind != "f":
        np.clip(scaled, 0, top, out=scaled)
    return scaled.astype(dtype, copy=False)


def _checked_rescale(rescale_min_max: Any) -> tuple[float, float] | None:
    if rescale_min_max is None:
        return None
    values = tuple(float(v) for v in rescale_min_max)
    if len(values) != 2 or not values[0] < values[1]:
        raise ValueError(f"rescale_min_max={rescale_min_max!r} must be two numbers min, max with min < max.")
    return values  # type: ignore[return-value]


def _open_volume(path: str, shape: tuple[int, int, int], dtype: np.dtype, order: str) -> np.ndarray:
    return np.memmap(path, dtype=dtype, mode="r", shape=shape, order=order)  # type: ignore[call-overload]


def convert_raw_box(
    box: Box,
    *,
    source: str,
    shape: tuple[int, int, int],
    order: str,
    source_dtype: np.dtype,
    target_dtype: np.dtype,
    flip_axes: tuple[int, ...],
    rescale_min_max: tuple[float, float] | None,
    mag_view: Any,
) -> int | None:
    """Read one target box from the raw file, convert it and write it (a task sent to executors)."""
    (x, y, z), (w, h, d) = source_box(box, shape, flip_axes)
    volume = _open_volume(source, shape, source_dtype, order)
    data = np.array(volume[x : x + w, y : y + h, z : z + d])[np.newaxis]
    del volume
    if rescale_min_max is not None:
        data = rescaled(data, rescale_min_max, target_dtype)
    else:
        data = data.astype(target_dtype, copy=False)
    return write_box(mag_view, box[0], flipped(data, flip_axes))


def convert_raw(
    source_raw_path: Any,
    target_path: Any,
    *,
    shape: Any,
    layer_name: str = "color",
    source_dtype: Any = None,
    target_dtype: Any = "uint8",
    data_format: Any = DEFAULT_DATA_FORMAT,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    order: str = "F",
    voxel_size_with_unit: Any = None,
    flip_axes: Any = None,
    compress: bool = True,
    rescale_min_max: Any = None,
    executor: Any = None,
) -> Any:
    """Import the raw volume at ``source_raw_path`` as the color layer ``layer_name`` of the dataset at
    ``target_path`` and return its Mag(1) MagView.

    The file holds ``shape`` (x, y, z) voxels of ``source_dtype`` (default: ``target_dtype``) and nothing else,
    in Fortran order (x fastest, ``order="F"``) or C order (z fastest). Voxels are converted to ``target_dtype``
    with ``astype``, or mapped linearly from ``rescale_min_max`` = (min, max) to 0 .. the largest value of the
    target type (1.0 for floats). ``flip_axes`` reverses axes of (c, x, y, z): ``(1, 3)`` flips x and z. The
    dataset is created with ``voxel_size_with_unit`` (a VoxelSize or nanometers; default 1 nm) or opened if it
    exists with that voxel size. Work is split into tasks of whole target shards, run on ``executor``.
    """
    path = to_upath(source_raw_path)
    size = positive_shape(shape)
    target = dtype_of(target_dtype, "target_dtype")
    source = dtype_of(source_dtype, "source_dtype") if source_dtype is not None else target
    order = str(order).upper()
    if order not in ("C", "F"):
        raise ValueError(f"order={order!r} must be 'F' (Fortran order, x fastest) or 'C' (C order, z fastest).")
    flips = checked_flip_axes(flip_axes)
    min_max = _checked_rescale(rescale_min_max)
    if not is_local(path):
        raise ConversionInputError(
            f"convert_raw reads local files only; {path} is remote. Download it first.", path=path
        )
    if not path.exists():
        raise SourceNotFoundError(f"The raw file {path} does not exist.", path=path)
    if not path.is_file():
        raise ConversionInputError(f"{path} is a folder, not a raw file; give the path of the file.", path=path)
    needed = int(np.prod(size.to_tuple())) * source.itemsize
    actual = path.stat().st_size
    if actual != needed:
        raise ConversionInputError(
            f"The raw file {path} holds {actual} bytes, but shape {size.to_tuple()} of {source} needs {needed}; "
            "check the shape (x, y, z) and the source dtype.",
            path=path,
        )
    dataset = target_dataset(target_path, voxel_size_with_unit)
    mag_view = add_import_layer(
        dataset,
        layer_name=layer_name,
        category="color",
        dtype=target,
        num_channels=1,
        bounding_box=BoundingBox((0, 0, 0), size),
        data_format=data_format,
        mag=Mag(1),
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        compress=compress,
    )
    task = partial(
        convert_raw_box,
        source=str(local_path(path)),
        shape=size.to_tuple(),
        order=order,
        source_dtype=source,
        target_dtype=target,
        flip_axes=flips,
        rescale_min_max=min_max,
        mag_view=mag_view,
    )
    boxes = import_boxes((0, 0, 0), size.to_tuple(), mag_view.info.shard_shape)
    run_on_chunks(task, boxes, executor, progress_desc=f"Converting raw file into layer {layer_name}")
    return mag_view
