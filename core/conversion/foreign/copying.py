"""Copying a referenced foreign layer into a dataset: every mag recoded into daedalus' own layout.

Never a file copy: foreign arrays store their axes in their own order (z, y, x), with chunks of any shape, and
only their own metadata (or group) says so; recoded arrays are (c, x, y, z) with the chunks and shards asked for.
"""

from __future__ import annotations

from typing import Any

from ...dataset.array_copy import copy_mag_array
from ...dataset.copy_marker import claim_copy_target, finish_copy, release_copy, start_copy
from ...dataset.mag_registration import mag_entry_path, register_mag
from ...dataset.storage_defaults import DEFAULT_CHUNK_SHAPE, DEFAULT_DATA_FORMAT, default_shard_shape
from ...dataset.transfer_mode import remove_path
from ...geometry import Vec3Int
from ...properties import DataFormat


def copy_layer(
    dataset: Any,
    source: Any,
    name: str,
    *,
    data_format: Any,
    chunk_shape: Any,
    shard_shape: Any,
    compress: bool,
    executor: Any,
) -> Any:
    """Add the layer ``name`` to ``dataset`` holding a recoded copy of every mag of the layer ``source``."""
    target_format = DataFormat(data_format or DEFAULT_DATA_FORMAT)
    chunk = Vec3Int.from_vec_or_int(chunk_shape) if chunk_shape is not None else DEFAULT_CHUNK_SHAPE
    if shard_shape is not None:
        shard = Vec3Int.from_vec_or_int(shard_shape)
    else:
        shard = default_shard_shape(target_format, chunk)
    layer = dataset.add_layer(
        name,
        source.category,
        dtype=source.dtype,
        num_channels=source.num_channels,
        data_format=target_format,
        bounding_box=source.bounding_box,
    )
    try:
        if source.coordinate_transformations:
            layer.coordinate_transformations = source.coordinate_transformations
        for mag, mag_view in sorted(source.mags.items(), key=lambda item: (item[0].max_dim, item[0].to_list())):
            target_path = layer.path / mag.to_layer_name()
            claim_copy_target(target_path, f"Copying mag {mag.to_layer_name()} into layer {name!r}", False)
            try:
                start_copy(target_path, mag_view.path)
                copy_mag_array(
                    mag_view,
                    target_path,
                    data_format=target_format,
                    target_bbox=source.bounding_box,
                    chunk=chunk,
                    shard=shard,
                    compression=compress,
                    executor=executor,
                    progress_desc=f"Copying {mag_view.path} into {name}/{mag.to_layer_name()}",
                    force_recode=True,
                )
            except BaseException:
                remove_path(target_path)
                release_copy(target_path)
                raise
            register_mag(layer, mag, target_path, mag_entry_path(layer, mag), layer.bounding_box)
            finish_copy(target_path)
    except BaseException:
        dataset.delete_layer(name)  # no half-copied layer is left behind
        raise
    return layer
