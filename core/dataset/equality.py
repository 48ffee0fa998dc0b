"""Whether two datasets hold the same data: layer names, bounding boxes, mags and voxel values (``check-equality``).

Like the reference CLI, the comparison looks at what WEBKNOSSOS shows, not at how it is stored: voxel types, chunk and
shard shapes, compression and data formats may differ between two datasets that compare equal.
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class DatasetComparison:
    """What :func:`compare_datasets` found: the layers compared and the first difference (None when equal)."""

    layer_names: tuple[str, ...]
    difference: str | None = None

    @property
    def equal(self) -> bool:
        """Whether the datasets compared equal."""
        return self.difference is None

    def __bool__(self) -> bool:
        return self.equal


def _opened(dataset_or_path: Any) -> Any:
    from .dataset import Dataset

    if hasattr(dataset_or_path, "layers"):
        return dataset_or_path
    return Dataset.open(dataset_or_path, read_only=True)


def _layers_to_compare(source: Any, target: Any, layer_name: str | None) -> tuple[tuple[str, ...], str | None]:
    """The layer names to compare, or the difference between the datasets' layer names."""
    source_names, target_names = set(source.layers), set(target.layers)
    if layer_name is None:
        if source_names != target_names:
            only_source = ", ".join(sorted(source_names - target_names)) or "none"
            only_target = ", ".join(sorted(target_names - source_names)) or "none"
            return (), (
                f"The datasets have different layers: only in {source.path}: {only_source}; "
                f"only in {target.path}: {only_target}."
            )
        return tuple(sorted(source_names)), None
    if layer_name not in source_names and layer_name not in target_names:
        raise ValueError(
            f"Neither {source.path} nor {target.path} has a layer {layer_name!r} (their layers: "
            f"{', '.join(sorted(source_names | target_names)) or 'none'}); give one of their layers or none."
        )
    for dataset, names in ((source, source_names), (target, target_names)):
        if layer_name not in names:
            return (layer_name,), f"The layer {layer_name!r} exists only in one dataset: {dataset.path} lacks it."
    return (layer_name,), None


def _layer_difference(name: str, source_layer: Any, target_layer: Any, executor: Any) -> str | None:
    """The first difference between two layers of the same name, or None."""
    if source_layer.bounding_box != target_layer.bounding_box:
        return (
            f"The bounding boxes of layer {name!r} differ: {source_layer.bounding_box} != {target_layer.bounding_box}."
        )
    source_mags, target_mags = set(source_layer.mags), set(target_layer.mags)
    if source_mags != target_mags:
        return (
            f"The mags of layer {name!r} differ: {', '.join(m.to_layer_name() for m in sorted(source_mags))} != "
            f"{', '.join(m.to_layer_name() for m in sorted(target_mags))}."
        )
    if source_layer.num_channels != target_layer.num_channels:
        return f"The layers {name!r} have {source_layer.num_channels} and {target_layer.num_channels} channels."
    for mag in sorted(source_mags):
        source_mag, target_mag = source_layer.get_mag(mag), target_layer.get_mag(mag)
        label = f"{name}/{mag.to_layer_name()}"
        if not source_mag.content_is_equal(target_mag, executor=executor, progress_desc=f"Comparing {label}"):
            return f"The voxels of mag {label} differ between {source_mag.path} and {target_mag.path}."
    return None


def compare_datasets(
    source: Any, target: Any, *, layer_name: str | None = None, executor: Any = None
) -> DatasetComparison:
    """Compare two datasets (Dataset objects or paths): the same layers, and per layer the same bounding box,
    the same mags and the same voxel values in every mag.

    ``layer_name`` compares only that layer; a name neither dataset has is a ValueError. The voxels are compared
    shard by shard on ``executor`` (default: in this process) with a progress bar per mag. The result is truthy when
    the datasets are equal; otherwise its ``difference`` names the first difference found.
    """
    source, target = _opened(source), _opened(target)
    names, difference = _layers_to_compare(source, target, layer_name)
    if difference is not None:
        return DatasetComparison(names, difference)
    for name in names:
        difference = _layer_difference(name, source.get_layer(name), target.get_layer(name), executor)
        if difference is not None:
            return DatasetComparison(names, difference)
    return DatasetComparison(names)
