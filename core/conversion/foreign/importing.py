"""``import_volume``: a layer made of a volume another tool wrote, referenced in place or copied."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ...dataset.dataset import Dataset
from ...dataset.layer_checks import check_layer_dtype, check_layer_name, check_layer_name_characters
from ...dataset.mag_registration import reference_path, register_mag, saves_deferred
from ...dataset.paths import is_local, to_upath
from ...errors import LayerExistsError
from ...geometry import BoundingBox
from ...properties import (
    COLOR_CATEGORY,
    SEGMENTATION_CATEGORY,
    LayerProperties,
    SegmentationLayerProperties,
    VoxelSize,
)
from ...properties.categories import check_category
from ...properties.coordinate_transformations import AffineCoordinateTransformation
from ..target import target_dataset
from .copying import copy_layer
from .detect import describe_volume
from .gzip_staging import stage_decompressed
from .model import ForeignScale, ForeignVolume, ForeignVolumeError


def _voxel_size(volume: ForeignVolume, voxel_size: Any, voxel_size_with_unit: Any) -> VoxelSize:
    if voxel_size is not None and voxel_size_with_unit is not None:
        raise ValueError("Give voxel_size or voxel_size_with_unit, not both.")
    if voxel_size_with_unit is not None:
        return voxel_size_with_unit if isinstance(voxel_size_with_unit, VoxelSize) else VoxelSize(*voxel_size_with_unit)
    if voxel_size is not None:
        return VoxelSize(tuple(voxel_size))
    if volume.voxel_size is None:
        raise ForeignVolumeError(
            f"The {volume.kind} at {volume.source} does not say its voxel size; pass voxel_size=(x, y, z) in "
            "nanometers or voxel_size_with_unit=VoxelSize(...).",
            path=volume.source,
        )
    return volume.voxel_size


def _check_mag(mag_view: Any, scale: ForeignScale, volume: ForeignVolume) -> None:
    """Refuse an array that daedalus reads otherwise than the volume's metadata describes it."""
    info = mag_view.info
    problem = None
    if tuple(info.dimension_names) != ("c", "x", "y", "z"):
        problem = f"its axes read as {info.dimension_names}"
    elif info.voxel_type != volume.dtype or info.num_channels != volume.num_channels:
        stored, described = f"{info.num_channels} × {info.voxel_type}", f"{volume.num_channels} × {volume.dtype}"
        problem = f"it holds {stored}, the metadata says {described}"
    elif volume.data_format.value != "neuroglancerPrecomputed" and tuple(info.shape[1:]) != scale.size:
        problem = f"its x, y, z size reads as {tuple(info.shape[1:])}, the metadata says {scale.size}"
    if problem:
        raise ForeignVolumeError(
            f"Cannot reference the array {scale.path} as mag {scale.mag}: {problem}.", path=scale.path
        )


def _check_group_axes(volume: ForeignVolume) -> None:
    """Refuse remote arrays whose axes only their OME-NGFF 0.4 group names: daedalus' zarr readers look the group
    up on local disks only, elsewhere they would read such an array by position, transposed."""
    for scale in volume.scales:
        if scale.axes_from_group and not is_local(scale.path):
            order = ", ".join(sorted(scale.axis_order or {}, key=lambda axis: (scale.axis_order or {})[axis]))
            raise ForeignVolumeError(
                f"Cannot reference {scale.path}: the zarr v2 array stores the axes ({order}) and names none itself "
                "(no _ARRAY_DIMENSIONS); daedalus reads such arrays as (c, x, y, z) except on a local disk, where it "
                "finds the names in the OME-Zarr 0.4 group. Download the image and import the local copy.",
                path=scale.path,
            )


def _reference_layer(dataset: Dataset, volume: ForeignVolume, name: str, category: str, make_relative: bool) -> Any:
    """Add the layer ``name`` whose mags are the volume's arrays, named by path or URL in the properties."""
    dataset.check_writable()
    check_layer_name(name)
    check_layer_name_characters(name)
    if name in dataset.layers:
        raise LayerExistsError(
            f"The dataset at {dataset.path} has a layer {name!r} already; choose another layer_name."
        )
    check_layer_dtype(name, category, volume.dtype)
    bounding_box = BoundingBox(volume.offset, volume.finest.size)
    kind = SegmentationLayerProperties if category == SEGMENTATION_CATEGORY else LayerProperties
    properties = kind(
        name=name,
        category=category,
        bounding_box=bounding_box,
        data_format=volume.data_format,
        num_channels=volume.num_channels,
        dtype=volume.dtype.name,
        coordinate_transformations=None
        if volume.translation is None
        else [AffineCoordinateTransformation.from_translation(volume.translation)],
    )
    layer = dataset.make_layer(properties)
    with saves_deferred(layer, "save_properties"):
        for scale in volume.scales:
            entry = reference_path(scale.path, dataset.path, make_relative)
            # the stored axis order (if the volume names one) is what WEBKNOSSOS and the reference read
            axis_order = None if scale.axis_order is None else dict(scale.axis_order)
            try:
                mag_view = register_mag(layer, scale.mag, scale.path, entry, bounding_box, axis_order)
            except (ValueError, KeyError, OSError) as error:
                raise ForeignVolumeError(
                    f"Cannot open {scale.path} as mag {scale.mag}: {error}", path=scale.path
                ) from error
            _check_mag(mag_view, scale, volume)
    dataset.register_layer(layer)
    return layer


def import_volume(
    source: Any,
    target: Any,
    *,
    layer_name: str | None = None,
    category: str | None = None,
    copy: bool = False,
    voxel_size: Any = None,
    voxel_size_with_unit: VoxelSize | None = None,
    make_relative: bool = False,
    data_format: Any = None,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    compress: bool = True,
    executor: Any = None,
) -> Any:
    """Make a volume another tool wrote a layer of the dataset at ``target`` and return the layer.

    ``source`` is a folder or an http(s)/s3 URL holding an OME-Zarr image (NGFF 0.4 on zarr v2, 0.5 on zarr v3),
    a Neuroglancer precomputed volume (``info``), an N5 array or multiscale group (``s0``, ``s1``, ...) or one
    plain zarr v2/v3 array. Its levels become the mags (each level's scale a power-of-two multiple of the
    finest), its voxel type and channels those of the layer, its voxel size (OME-Zarr scale and unit,
    precomputed resolution in nm, N5 ``pixelResolution``/``resolution``) that of the dataset: ``voxel_size``
    (nanometers) or ``voxel_size_with_unit`` override it and are required for a plain zarr array. The dataset
    at ``target`` is created, or extended if it exists with the same voxel size.

    Placement: a precomputed ``voxel_offset`` is where the layer's bounding box starts; an OME-Zarr
    ``translation`` of the finest level becomes the layer's affine coordinate transformation (its arrays
    start at 0).

    By default the arrays are referenced in place: the properties name them by absolute path or URL
    (``make_relative``: local paths relative to the dataset) and the layer is read-only. With ``copy=True``
    every mag is recoded into the dataset as ``data_format`` (default zarr3) with ``chunk_shape`` (default 32³),
    ``shard_shape`` (default 1024³ for zarr3 and WKW) and ``compress``, in tasks on ``executor``.

    ``category`` defaults to segmentation for precomputed segmentations and OME-Zarr labels, else color;
    ``layer_name`` to the category's name.

    Metadata that is missing, malformed or not representable (non-whole scale ratios, axes other than c, x,
    y, z, unsupported voxel types) raises ``ForeignVolumeError`` (a ``ConversionInputError``) naming the file.
    """
    source_path = to_upath(source)
    volume = describe_volume(source_path)
    _check_group_axes(volume)
    size = _voxel_size(volume, voxel_size, voxel_size_with_unit)
    category = check_category(category) if category is not None else (volume.category or COLOR_CATEGORY)
    name = layer_name or category
    if not copy and (data_format is not None or chunk_shape is not None or shard_shape is not None):
        raise ValueError(
            "data_format, chunk_shape and shard_shape apply to copies only: pass copy=True, or leave them out to "
            "reference the arrays in place."
        )
    if not copy:
        if volume.gzipped_scales:
            raise ForeignVolumeError(
                f"{volume.source / 'info'}: the chunk files of scale {volume.gzipped_scales[0]!r} are stored as "
                "<chunk>.gz (cloud-volume's default compress), which tensorstore and WEBKNOSSOS do not read from a "
                "local disk. Import with copy=True (the chunks are decompressed while copying), or write the volume "
                "with CloudVolume(..., compress=False).",
                path=volume.source,
            )
        return _reference_layer(target_dataset(target, size), volume, name, category, make_relative)
    dataset = target_dataset(target, size)
    if name in dataset.layers:
        raise LayerExistsError(
            f"The dataset at {dataset.path} has a layer {name!r} already; choose another layer_name."
        )
    near = dataset.path.parent.path if is_local(dataset.path) else None  # staged chunks on the target's disk
    with tempfile.TemporaryDirectory(prefix=".daedalus-import-", dir=near) as staging_folder:
        if volume.gzipped_scales:  # cloud-volume's <chunk>.gz files: decompressed next to the staging dataset
            volume = stage_decompressed(volume, Path(staging_folder) / "precomputed")
        staging = Dataset(to_upath(staging_folder) / "staging", voxel_size_with_unit=size)
        referenced = _reference_layer(staging, volume, name, category, make_relative=False)
        return copy_layer(
            dataset,
            referenced,
            name,
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            compress=compress,
            executor=executor,
        )
