"""Referencing data instead of copying it: mags and layers of other datasets, and shallow dataset copies.

A referenced mag's properties ``path`` is absolute (or a URL), or relative to the dataset with
``make_relative``; its data stays where it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import LayerExistsError
from ..geometry import Mag
from .attachments import reference_attachments
from .dataset import Dataset
from .layer import SegmentationLayer
from .layer_checks import check_layer_name, check_layer_name_characters
from .mag_registration import (
    check_compatible,
    extended,
    reference_path,
    register_mag,
    resolve_foreign_layer,
    resolve_foreign_mag,
    saves_deferred,
    source_layer_bbox,
    staged_layer_properties,
)
from .ome_metadata import write_dataset_group
from .paths import to_upath


def add_mag_as_ref(
    layer: Any,
    foreign_mag_view_or_path: Any,
    *,
    mag: Any = None,
    extend_layer_bounding_box: bool = True,
    make_relative: bool = False,
) -> Any:
    """Add a foreign mag to ``layer`` by reference (see ``Layer.add_mag_as_ref``)."""
    layer.check_writable()
    source = resolve_foreign_mag(foreign_mag_view_or_path)
    if str(source.data_format.value) != str(layer.data_format.value):
        raise ValueError(
            f"Cannot reference the {source.data_format.value} mag at {source.path} from the "
            f"{layer.data_format.value} layer {layer.name!r}: a layer holds one data format. Use "
            "add_mag_as_copy to convert it."
        )
    check_compatible(layer, source)
    mag = Mag(mag) if mag is not None else source.mag
    if mag in layer.mags:
        raise IndexError(f"Adding mag {mag.to_layer_name()} to layer {layer.name!r} failed: it exists.")
    entry_path = reference_path(source.path, layer.dataset.path, make_relative)
    current = layer.bounding_box
    source_bbox = source_layer_bbox(source)
    if mag != source.mag:  # the referenced voxels stand for ``mag``: the Mag(1) box scales
        source_bbox = source_bbox.align_with_mag(source.mag, ceil=True).in_mag(source.mag).from_mag_to_mag1(mag)
    new_bbox = extended(current, source_bbox) if extend_layer_bounding_box else current
    return register_mag(layer, mag, source.path, entry_path, new_bbox)


def add_layer_as_ref(
    dataset: Any, foreign_layer: Any, new_layer_name: str | None = None, *, make_relative: bool = False
) -> Any:
    """Add a foreign layer to ``dataset`` by referencing its mags and attachments."""
    dataset.check_writable()
    foreign = resolve_foreign_layer(foreign_layer)
    name = new_layer_name or foreign.name
    check_layer_name(name)
    check_layer_name_characters(name)
    if name in dataset.layers:
        raise LayerExistsError(
            f"Adding layer {name!r} by reference failed: the dataset at {dataset.path} has it already; "
            "choose another new_layer_name."
        )
    # the referencing layer holds the format of the mags it references (a remote layer's mags are streamed in
    # another format than the one the server stores the layer in, which ``foreign.data_format`` names)
    views = list(foreign.mags.values())
    properties = staged_layer_properties(foreign, name, views[0].data_format if views else foreign.data_format)
    layer = dataset.make_layer(properties)
    with saves_deferred(layer, "save_properties"):
        for mag_view in foreign.mags.values():
            add_mag_as_ref(layer, mag_view, extend_layer_bounding_box=False, make_relative=make_relative)
        if isinstance(foreign, SegmentationLayer):
            reference_attachments(foreign, layer, make_relative=make_relative)
    dataset.register_layer(layer)
    write_dataset_group(dataset.path, str(properties.data_format.value))  # as add_layer does (and the reference)
    return layer


def shallow_copy_dataset(
    dataset: Any,
    new_dataset_path: Any,
    *,
    name: str | None = None,
    layers_to_ignore: Iterable[str] | None = None,
    make_relative: bool | None = None,
) -> Any:
    """A new dataset at ``new_dataset_path`` whose layers reference this dataset's mags and attachments."""
    ignored = set(layers_to_ignore or ())
    target = Dataset(
        to_upath(new_dataset_path), voxel_size_with_unit=dataset.voxel_size_with_unit, name=name or dataset.name
    )
    with saves_deferred(target, "save_properties"):
        for layer_name, layer in dataset.layers.items():
            if layer_name not in ignored:
                add_layer_as_ref(target, layer, make_relative=bool(make_relative))
        if dataset.default_view_configuration is not None:
            target.default_view_configuration = dataset.default_view_configuration  # saved below
    target.save_properties()
    return target
