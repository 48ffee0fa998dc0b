"""Import of a plain zarr array (zarr v3 or v2, 3-d x/y/z or 4-d c/x/y/z) into a new layer.

The array is read through the ArrayStorage port (the zarr3 / zarr adapters), which presents its axes as
(c, x, y, z): by their dimension names when the array has them, else by position.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import ports
from ..dataset.chunk_runner import run_on_chunks
from ..dataset.paths import to_upath
from ..dataset.storage_defaults import DEFAULT_DATA_FORMAT
from ..geometry import BoundingBox, Mag
from ..properties import COLOR_CATEGORY, SEGMENTATION_CATEGORY
from .errors import ConversionInputError, SourceNotFoundError
from .target import add_import_layer, target_dataset
from .tasks import Box, checked_flip_axes, flipped, import_boxes, source_box, write_box

_ZARR_FORMATS = ("zarr3", "zarr")
_METADATA_FILES = ("zarr.json", ".zarray", ".zgroup")


def _zarr_format(path: Any) -> str:
    """``zarr3`` or ``zarr`` for the array at ``path``; ConversionInputError naming what is there otherwise."""
    if not path.exists():
        raise SourceNotFoundError(f"The zarr array {path} does not exist.", path=path)
    for data_format in _ZARR_FORMATS:
        if ports.resolve_storage(data_format).exists(path):
            return data_format
    arrays = [
        child.name
        for child in (sorted(path.iterdir()) if path.is_dir() else [])
        if any((child / name).exists() for name in _METADATA_FILES[:2])
    ]
    if arrays:
        raise ConversionInputError(
            f"{path} is a zarr group or a folder of arrays, not one array; give the path of one of its arrays "
            f"({', '.join(arrays[:5])}), e.g. {path / arrays[0]}.",
            path=path,
        )
    raise ConversionInputError(
        f"{path} holds no zarr array: there is neither a zarr.json (zarr v3) nor a .zarray (zarr v2).", path=path
    )


def _source_layout(info: Any, path: Any) -> tuple[int, tuple[int, int, int]]:
    """Channels and (x, y, z) size of the presented array; extra axes must have length 1."""
    extra = dict(zip(info.dimension_names[1:-3], info.shape[1:-3]))
    if any(length != 1 for length in extra.values()):
        raise ConversionInputError(
            f"The zarr array {path} has the axes {info.dimension_names} with shape {info.shape}; only x, y, z and an "
            "optional channel axis c can be imported (other axes must have length 1).",
            path=path,
        )
    size = tuple(int(s) for s in info.shape[-3:])
    if min(size) <= 0:
        raise ConversionInputError(f"The zarr array {path} is empty (shape {info.shape}).", path=path)
    return int(info.shape[0]), size  # type: ignore[return-value]


def convert_zarr_box(
    box: Box,
    *,
    source_format: str,
    source: Any,
    size: tuple[int, int, int],
    num_channels: int,
    extra_axes: int,
    flip_axes: tuple[int, ...],
    mag_view: Any,
) -> int | None:
    """Read one target box from the zarr array and write it (a task sent to executors)."""
    array = ports.resolve_storage(source_format).open(source)
    offset, shape = source_box(box, size, flip_axes)
    data = array.read((0, *(0,) * extra_axes, *offset), (num_channels, *(1,) * extra_axes, *shape))
    data = data.reshape((num_channels, *shape))
    return write_box(mag_view, box[0], flipped(data, flip_axes))


def convert_zarr(
    source_zarr_path: Any,
    target_path: Any,
    *,
    layer_name: str = "color",
    data_format: Any = DEFAULT_DATA_FORMAT,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    is_segmentation_layer: bool = False,
    voxel_size_with_unit: Any = None,
    flip_axes: Any = None,
    compress: bool = True,
    executor: Any = None,
) -> Any:
    """Import the zarr array at ``source_zarr_path`` as the layer ``layer_name`` of the dataset at ``target_path``
    and return its Mag(1) MagView.

    The array (zarr v3 or v2, any codecs the zarr adapters read) is 3-d (x, y, z) or 4-d with channels first; its
    dimension names, when it has them, say which axis is which. The layer keeps the array's dtype; it is a
    segmentation layer (with ``largest_segment_id`` computed) if ``is_segmentation_layer``. ``flip_axes`` reverses
    axes of (c, x, y, z): ``(1, 3)`` flips x and z. The dataset is created with ``voxel_size_with_unit`` (a
    VoxelSize or nanometers; default 1 nm) or opened if it exists with that voxel size. Work is split into tasks
    of whole target shards, run on ``executor``.
    """
    path = to_upath(source_zarr_path)
    flips = checked_flip_axes(flip_axes)
    source_format = _zarr_format(path)
    try:
        info = ports.resolve_storage(source_format).open(path).info
    except (ValueError, KeyError) as error:
        raise ConversionInputError(f"Cannot read the zarr array {path}: {error}", path=path) from error
    num_channels, size = _source_layout(info, path)
    category = SEGMENTATION_CATEGORY if is_segmentation_layer else COLOR_CATEGORY
    dataset = target_dataset(target_path, voxel_size_with_unit)
    mag_view = add_import_layer(
        dataset,
        layer_name=layer_name,
        category=category,
        dtype=info.voxel_type,
        num_channels=num_channels,
        bounding_box=BoundingBox((0, 0, 0), size),
        data_format=data_format,
        mag=Mag(1),
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        compress=compress,
    )
    task = partial(
        convert_zarr_box,
        source_format=source_format,
        source=path,
        size=size,
        num_channels=num_channels,
        extra_axes=len(info.dimension_names) - 4,
        flip_axes=flips,
        mag_view=mag_view,
    )
    boxes = import_boxes((0, 0, 0), size, mag_view.info.shard_shape)
    maxima = run_on_chunks(task, boxes, executor, progress_desc=f"Converting zarr array into layer {layer_name}")
    if is_segmentation_layer:
        values = [value for value in maxima if value is not None]
        mag_view.layer.largest_segment_id = max(values) if values else None
    return mag_view
