"""merge_fallback_layer: a fallback segmentation layer overlaid by an annotation's volume layer."""

from __future__ import annotations

from typing import Any

from daedalus.core.dataset import Dataset

from .volume_layer import VolumeLayer


def merge_with_fallback(
    annotation: Any, volume: VolumeLayer, target: Any, dataset_directory: Any, executor: Any
) -> None:
    """Copy the fallback layer of ``volume`` to a new dataset at ``target`` and merge the volume data into it."""
    if volume.fallback_layer_name is None:
        raise AssertionError(
            f"Volume layer {volume.name!r} of {annotation.name!r} has no fallback layer; nothing to merge into."
        )
    fallback_dataset = Dataset.open(dataset_directory)
    fallback = fallback_dataset.get_layer(volume.fallback_layer_name)
    output = Dataset(target, voxel_size_with_unit=fallback_dataset.voxel_size_with_unit)
    merged = output.add_layer_as_copy(fallback, fallback.name, executor=executor)
    if not volume.has_data:
        return
    with annotation.temporary_volume_layer_copy(volume_layer_id=volume.id) as source:
        for mag, source_mag in source.mags.items():
            if mag in merged.mags:
                merged.get_mag(mag).merge_with_view(source_mag, executor)
