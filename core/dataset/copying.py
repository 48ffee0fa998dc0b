"""Copying mags, layers and whole datasets: file copies where the layout matches, recoding otherwise.

Nothing is registered before its data is complete: a mag or layer enters the properties only after all of
its data is copied, a copied dataset's ``datasource-properties.json`` is written last, and a failed copy
removes what it created. A copy killed before it could clean up leaves its folder marked as an interrupted
copy (``copy_marker``); the same call then replaces that folder instead of refusing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import ports
from ..errors import LayerExistsError
from ..geometry import BoundingBox, Mag
from ..properties import DataFormat, properties_file_path
from .array_copy import copy_mag_array, mag_folder_is_free, target_layout
from .attachments import copy_attachments
from .copy_marker import claim_copy_target, finish_copy, reclaim_interrupted_copy, release_copy, start_copy
from .dataset import Dataset
from .layer import SegmentationLayer
from .layer_checks import check_layer_name, check_layer_name_characters
from .locations import check_writable_location
from .mag_registration import (
    check_compatible,
    extended,
    mag_entry_path,
    register_mag,
    resolve_foreign_layer,
    resolve_foreign_mag,
    saves_deferred,
    source_layer_bbox,
    staged_layer_properties,
)
from .ome_metadata import write_dataset_group
from .paths import is_local, local_path, to_upath
from .transfer_mode import copy_tree, remove_path


def add_mag_as_copy(
    layer: Any,
    foreign_mag_view_or_path: Any,
    *,
    mag: Any = None,
    extend_layer_bounding_box: bool = True,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    chunks_per_shard: Any = None,
    compress: Any = None,
    exists_ok: bool = False,
    executor: Any = None,
    progress_desc: str | None = None,
) -> Any:
    """Copy a foreign mag into ``layer`` (see ``Layer.add_mag_as_copy``); ``mag`` stores it as another mag."""
    layer.check_writable()
    source = resolve_foreign_mag(foreign_mag_view_or_path)
    check_compatible(layer, source)
    check_writable_location(layer.path, layer.data_format)
    mag = source.mag if mag is None else Mag(mag)
    if mag in layer.mags:
        if not exists_ok:
            raise IndexError(
                f"Copying mag {mag.to_layer_name()} into layer {layer.name!r} failed: the layer has it already. "
                "Pass exists_ok=True to replace it."
            )
        layer.delete_mag(mag)
    target_path = layer.path / mag.to_layer_name()
    chunk, shard, compression = target_layout(
        source.info, layer.data_format, chunk_shape, shard_shape, chunks_per_shard, compress
    )
    source_bbox = source_layer_bbox(source)
    if mag != source.mag:  # the voxels stay the same, they now stand for ``mag``: the Mag(1) box scales
        source_bbox = source_bbox.align_with_mag(source.mag, ceil=True).in_mag(source.mag).from_mag_to_mag1(mag)
    new_bbox = extended(layer.bounding_box, source_bbox) if extend_layer_bounding_box else layer.bounding_box
    array_bbox = extended(new_bbox, source_bbox)
    if mag != source.mag:  # copy_mag_array sizes the array in the source's mag
        array_bbox = array_bbox.align_with_mag(mag, ceil=True).in_mag(mag).from_mag_to_mag1(source.mag)
    claim_copy_target(target_path, f"Copying mag {mag.to_layer_name()} into layer {layer.name!r}", exists_ok)
    try:
        start_copy(target_path, source.path)
        copy_mag_array(
            source,
            target_path,
            data_format=layer.data_format,
            target_bbox=array_bbox,
            chunk=chunk,
            shard=shard,
            compression=compression,
            executor=executor,
            progress_desc=progress_desc,
        )
    except BaseException:
        remove_path(target_path)
        release_copy(target_path)
        raise
    mag_view = register_mag(layer, mag, target_path, mag_entry_path(layer, mag), new_bbox)
    finish_copy(target_path)
    return mag_view


def add_layer_as_copy(
    dataset: Any,
    foreign_layer: Any,
    new_layer_name: str | None = None,
    *,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    chunks_per_shard: Any = None,
    data_format: Any = None,
    compress: Any = None,
    exists_ok: bool = False,
    executor: Any = None,
    with_attachments: bool = True,
) -> Any:
    """Copy a foreign layer with all its mags into ``dataset`` (see ``Dataset.add_layer_as_copy``)."""
    dataset.check_writable()
    foreign = resolve_foreign_layer(foreign_layer)
    name = new_layer_name or foreign.name
    check_layer_name(name)
    check_layer_name_characters(name)
    fmt = DataFormat(data_format if data_format is not None else foreign.data_format)
    check_writable_location(dataset.path, fmt)
    ports.resolve_storage(fmt.value)
    if name in dataset.layers:
        if not exists_ok:
            raise LayerExistsError(
                f"Copying layer {foreign.name!r} failed: the dataset at {dataset.path} has a layer {name!r} "
                "already. Pass exists_ok=True to replace it, or choose another new_layer_name."
            )
        dataset.delete_layer(name)
    layer_path = dataset.path / name
    claim_copy_target(layer_path, f"Copying layer {foreign.name!r} to {name!r}", exists_ok)
    properties = staged_layer_properties(foreign, name, fmt)
    layer = dataset.make_layer(properties)
    try:
        with saves_deferred(layer, "save_properties"):
            start_copy(layer_path, foreign.path)
            for mag_view in foreign.mags.values():
                add_mag_as_copy(
                    layer,
                    mag_view,
                    extend_layer_bounding_box=False,
                    chunk_shape=chunk_shape,
                    shard_shape=shard_shape,
                    chunks_per_shard=chunks_per_shard,
                    compress=compress,
                    executor=executor,
                    progress_desc=f"Copying {foreign.name}/{mag_view.name}",
                )
            if with_attachments and isinstance(foreign, SegmentationLayer):
                copy_attachments(foreign, layer)
    except BaseException:
        remove_path(layer_path)
        release_copy(layer_path)
        raise
    write_dataset_group(dataset.path, fmt.value)
    dataset.register_layer(layer)
    finish_copy(layer_path)
    return layer


def copy_dataset(
    dataset: Any,
    new_dataset_path: Any,
    *,
    voxel_size: Any = None,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    chunks_per_shard: Any = None,
    data_format: Any = None,
    compress: Any = None,
    exists_ok: bool = False,
    executor: Any = None,
    voxel_size_with_unit: Any = None,
    layers_to_ignore: Iterable[str] | None = None,
) -> Any:
    """Copy ``dataset`` with all layers to ``new_dataset_path`` (see ``Dataset.copy_dataset``)."""
    target_path = to_upath(new_dataset_path)
    ignored = set(layers_to_ignore or ())
    layers = [layer for name, layer in dataset.layers.items() if name not in ignored]
    check_writable_location(target_path)
    for layer in layers:  # fail before anything is written
        check_writable_location(target_path, data_format if data_format is not None else layer.data_format)
    if voxel_size is None and voxel_size_with_unit is None:
        voxel_size_with_unit = dataset.voxel_size_with_unit
    properties_file = properties_file_path(target_path)
    # a copy killed mid-way (its properties, if any, are a placeholder) is emptied and taken over; a running one
    # raises CopyInProgressError
    reclaimed = reclaim_interrupted_copy(target_path, f"Copying the dataset to {target_path}")
    existed = properties_file.exists()
    if existed and not exists_ok:
        raise RuntimeError(
            f"Copying the dataset to {target_path} failed: a dataset exists there. Pass exists_ok=True to "
            "copy into it, or choose another path."
        )
    created_folder = not target_path.exists()
    marked = reclaimed or (not existed and mag_folder_is_free(target_path))  # an empty folder: nothing to protect
    if marked:
        start_copy(target_path, dataset.path)
    target = Dataset(
        new_dataset_path,  # as given (not made absolute), so its repr shows it as the reference's does
        voxel_size=voxel_size,
        voxel_size_with_unit=voxel_size_with_unit,
        name=None,  # the copy is named after its folder, as in the reference
        exist_ok=exists_ok,
    )
    if not existed:
        properties_file.unlink()  # written again once every layer is complete
    try:
        with saves_deferred(target, "save_properties"):
            for layer in layers:
                add_layer_as_copy(
                    target,
                    layer,
                    chunk_shape=chunk_shape,
                    shard_shape=shard_shape,
                    chunks_per_shard=chunks_per_shard,
                    data_format=data_format,
                    compress=compress,
                    exists_ok=exists_ok,
                    executor=executor,
                )
            if dataset.default_view_configuration is not None:
                target.default_view_configuration = dataset.default_view_configuration  # saved below
    except BaseException:
        if created_folder:
            remove_path(target_path)
        if marked:
            release_copy(target_path)  # a marker left behind marks the folder as an interrupted copy
        raise
    target.save_properties()
    if marked:
        finish_copy(target_path)
    return target


def add_mag_from_zarrarray(
    layer: Any, mag: Any, path: Any, *, move: bool = False, extend_layer_bounding_box: bool = True
) -> Any:
    """Copy (or move) the array at ``path`` into ``layer`` as ``mag`` (see ``Layer.add_mag_from_zarrarray``)."""
    layer.check_writable()
    mag, source = Mag(mag), to_upath(path)
    storage = ports.resolve_storage(layer.data_format.value)
    if not storage.exists(source):
        raise FileNotFoundError(
            f"There is no {layer.data_format.value} array at {source}; add_mag_from_zarrarray needs an array of "
            f"the layer's data format."
        )
    info = storage.open(source).info
    if info.voxel_type != layer.dtype or info.num_channels != layer.num_channels:
        raise ValueError(
            f"The array at {source} holds {info.num_channels} × {info.voxel_type}, layer {layer.name!r} "
            f"{layer.num_channels} × {layer.dtype}."
        )
    if mag in layer.mags:
        raise IndexError(f"Adding mag {mag.to_layer_name()} to layer {layer.name!r} failed: it exists.")
    target = layer.path / mag.to_layer_name()
    if not mag_folder_is_free(target):
        raise FileExistsError(f"Adding mag {mag.to_layer_name()} failed: {target} already holds files.")
    if move and is_local(source) and is_local(target):
        ports.file_transfer().move(local_path(source), local_path(target))
    else:
        try:
            copy_tree(source, target)
        except BaseException:
            remove_path(target)
            raise
        if move:
            remove_path(source)
    size = [s * f for s, f in zip(info.shape[-3:], mag.to_list())]
    array_bbox = BoundingBox((0, 0, 0), size)
    current = layer.bounding_box
    if extend_layer_bounding_box and set(current.axes) == {"x", "y", "z"}:
        new_bbox = extended(current, array_bbox)
    else:
        new_bbox = current
    return register_mag(layer, mag, target, mag_entry_path(layer, mag), new_bbox)
