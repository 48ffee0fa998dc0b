"""merge_fallback_layer: a fallback segmentation layer overlaid by an annotation's volume layer."""

from __future__ import annotations

from typing import Any

from daedalus.core.dataset import Dataset
from daedalus.core.properties.files import PROPERTIES_FILE_NAME

from .volume_layer import VolumeLayer


def fallback_dataset_path(dataset_directory: Any, dataset_name: str | None) -> Any:
    """The fallback dataset: ``dataset_directory`` itself when it is a dataset, else its subfolder named like the
    annotation's dataset (the reference's layout: a folder of datasets by name)."""
    from daedalus.core.dataset.paths import to_upath

    directory = to_upath(dataset_directory)
    if (directory / PROPERTIES_FILE_NAME).exists() or not dataset_name:
        return directory
    nested = directory / dataset_name
    if (nested / PROPERTIES_FILE_NAME).exists():
        return nested
    raise FileNotFoundError(
        f"Cannot find the fallback dataset: neither {directory} nor {nested} holds a {PROPERTIES_FILE_NAME}; give the "
        f"dataset folder, or the folder holding the dataset {dataset_name!r}."
    )


def merge_with_fallback(
    annotation: Any, volume: VolumeLayer, target: Any, dataset_directory: Any, executor: Any
) -> None:
    """Copy the fallback layer of ``volume`` to a new dataset at ``target`` and merge the volume data into it."""
    if volume.fallback_layer_name is None:
        raise AssertionError(
            f"Volume layer {volume.name!r} of {annotation.name!r} has no fallback layer; nothing to merge into."
        )
    fallback_dataset = Dataset.open(fallback_dataset_path(dataset_directory, annotation.dataset_name))
    fallback = fallback_dataset.get_layer(volume.fallback_layer_name)
    output = Dataset(target, voxel_size_with_unit=fallback_dataset.voxel_size_with_unit)
    merged = output.add_layer_as_copy(fallback, fallback.name, executor=executor)
    if not volume.has_data:
        return
    with annotation.temporary_volume_layer_copy(volume_layer_id=volume.id) as source:
        for mag, source_mag in source.mags.items():
            if mag in merged.mags:
                merged.get_mag(mag).merge_with_view(source_mag, executor)
