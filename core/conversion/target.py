"""The target of a volume import: the dataset (created, or an existing one with the same voxel size) and a new
layer with one mag, plus the checks of the arguments every import shares."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dataset.dataset import Dataset
from ..dataset.paths import to_upath
from ..geometry import BoundingBox, Mag, Vec3Int
from ..properties import VoxelSize

PROPERTIES_NAME = "datasource-properties.json"


def voxel_size_of(voxel_size_with_unit: Any) -> VoxelSize:
    """A VoxelSize from a VoxelSize, a 3-tuple of nanometers, or None (1 nm each)."""
    if voxel_size_with_unit is None:
        return VoxelSize((1.0, 1.0, 1.0))
    if isinstance(voxel_size_with_unit, VoxelSize):
        return voxel_size_with_unit
    return VoxelSize(tuple(voxel_size_with_unit))


def dtype_of(value: Any, argument: str) -> np.dtype:
    """``np.dtype(value)`` for a numeric voxel type; ValueError naming ``argument`` otherwise."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "uif":
        raise ValueError(f"{argument}={value!r} is not a voxel type; use e.g. uint8, uint16, uint32, float32.")
    return dtype


def target_dataset(target_path: Any, voxel_size_with_unit: Any) -> Dataset:
    """The dataset at ``target_path``: created, or opened when it exists with the same voxel size.

    A folder that holds files but no dataset is refused (FileExistsError naming it), like the reference.
    """
    path = to_upath(target_path)
    voxel_size = voxel_size_of(voxel_size_with_unit)
    if not (path / PROPERTIES_NAME).exists() and path.exists():
        if not path.is_dir():
            raise FileExistsError(f"Cannot create a dataset at {path}: it is a file; choose a folder.")
        if any(path.iterdir()):
            raise FileExistsError(
                f"Cannot create a dataset at {path}: the folder holds files but no {PROPERTIES_NAME}; choose an "
                "empty or new folder."
            )
    return Dataset(path, voxel_size_with_unit=voxel_size, exist_ok=True)


def add_import_layer(
    dataset: Dataset,
    *,
    layer_name: str,
    category: str,
    dtype: np.dtype,
    num_channels: int,
    bounding_box: BoundingBox,
    data_format: Any,
    mag: Any,
    chunk_shape: Any,
    shard_shape: Any,
    compress: bool,
) -> Any:
    """Add the layer (``bounding_box`` in Mag(1) voxels) and its mag; returns the MagView to write into."""
    layer = dataset.add_layer(
        layer_name,
        category,
        dtype=dtype,
        num_channels=num_channels,
        data_format=data_format,
        bounding_box=bounding_box,
    )
    try:
        return layer.add_mag(Mag(mag), chunk_shape=chunk_shape, shard_shape=shard_shape, compress=compress)
    except Exception:
        dataset.delete_layer(layer_name)  # leave no layer without data behind
        raise


def positive_shape(shape: Any, argument: str = "shape") -> Vec3Int:
    """Three positive integers (x, y, z); ValueError naming ``argument`` otherwise."""
    try:
        vector = Vec3Int(shape)
    except (TypeError, ValueError):
        vector = None
    if vector is None or min(vector) <= 0:
        raise ValueError(f"{argument}={shape!r} must be three positive integers (x, y, z), e.g. (1024, 1024, 512).")
    return vector
