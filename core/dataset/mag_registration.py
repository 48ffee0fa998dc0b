"""Shared steps of adding an existing array as a mag: resolving foreign mags/layers and registering mags."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any

from ..geometry import Mag, NDBoundingBox
from ..properties import AttachmentsProperties, DataFormat, SegmentationLayerProperties
from .dataset import Dataset
from .layer import Layer
from .mag_view import MagView
from .paths import is_local, local_path, to_upath, url_for_properties


def resolve_foreign_mag(value: Any) -> MagView:
    """A MagView, or the mag at a path ``<dataset>/<layer>/<mag>`` opened read-only."""
    if isinstance(value, MagView):
        return value
    path = to_upath(value)
    try:
        dataset = Dataset.open(path.parent.parent, read_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} is not a mag of a dataset: pass a MagView or a path <dataset>/<layer>/<mag> whose "
            "dataset folder holds a datasource-properties.json."
        ) from None
    layer = dataset.get_layer(path.parent.name)
    for mag_view in layer.mags.values():
        if str(mag_view.path).rstrip("/") == str(path).rstrip("/"):
            return mag_view
    return layer.get_mag(path.name)


def resolve_foreign_layer(value: Any) -> Any:
    """A Layer, or the layer at a path ``<dataset>/<layer>`` opened read-only."""
    if isinstance(value, Layer):
        return value
    path = to_upath(value)
    try:
        dataset = Dataset.open(path.parent, read_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} is not a layer of a dataset: pass a Layer or a path <dataset>/<layer> whose dataset "
            "folder holds a datasource-properties.json."
        ) from None
    return dataset.get_layer(path.name)


def check_compatible(layer: Any, source: MagView) -> None:
    """Raise ValueError if the mag ``source`` has another voxel type or channel count than ``layer``."""
    info = source.info
    if info.voxel_type != layer.dtype or info.num_channels != layer.num_channels:
        raise ValueError(
            f"Cannot add the mag at {source.path} to layer {layer.name!r}: it holds {info.num_channels} × "
            f"{info.voxel_type}, the layer {layer.num_channels} × {layer.dtype}."
        )


def extended(bbox: NDBoundingBox, other: NDBoundingBox) -> NDBoundingBox:
    """``bbox`` grown to contain ``other`` (an empty ``bbox`` becomes ``other``)."""
    if bbox.is_empty():
        return other
    if other.is_empty():
        return bbox
    return bbox.extended_by(other)


def source_layer_bbox(source: MagView) -> NDBoundingBox:
    """The bounding box of the layer ``source`` belongs to (the mag's own box if the layer is unknown)."""
    try:
        return source.layer.bounding_box
    except RuntimeError:
        return source.bounding_box


def mag_entry_path(layer: Any, mag: Mag) -> str:
    """The properties path of a mag stored in the layer's own folder: ``./<layer>/<mag>``."""
    return f"./{layer.name}/{mag.to_layer_name()}"


def register_mag(
    layer: Any, mag: Mag, path: Any, entry_path: str, new_bbox: NDBoundingBox, axis_order: dict | None = None
) -> MagView:
    """Add the array at ``path`` as ``mag`` of ``layer`` (properties entry ``entry_path``, ``axis_order`` if the
    array's own is not the one to record) and persist."""
    mag_view = layer.new_mag_view(mag, path)
    layer.register_mag(mag_view, entry_path, axis_order)
    if new_bbox != layer.bounding_box:
        layer.bounding_box = new_bbox  # persists and grows the layer's own arrays
    else:
        layer.save_properties()
    return mag_view


def staged_layer_properties(foreign: Any, name: str, data_format: Any) -> Any:
    """A copy of ``foreign``'s layer properties renamed to ``name``, without mags and attachments."""
    properties = foreign.copy_properties()
    properties.name = name
    properties.data_format = DataFormat(data_format)
    properties.mags = []
    if isinstance(properties, SegmentationLayerProperties):
        properties.attachments = AttachmentsProperties()
    return properties


def _no_save() -> None:
    """Stand-in for a save while a copy is staged: nothing is persisted until the data is complete."""


@contextmanager
def saves_deferred(obj: Any, method: str):  # noqa: ANN201 - a context manager
    """Turn ``obj.<method>`` (``_save`` / ``save_properties``) into a no-op inside the block."""
    setattr(obj, method, _no_save)
    try:
        yield obj
    finally:
        delattr(obj, method)


def reference_path(target: Any, dataset_path: Any, make_relative: bool) -> str:
    """How the properties name a referenced array: relative to the dataset, absolute, or its URL."""
    target, dataset_path = to_upath(target), to_upath(dataset_path)
    if is_local(target):
        if make_relative and is_local(dataset_path):
            return os.path.relpath(local_path(target), local_path(dataset_path))
        return str(local_path(target))
    return url_for_properties(target)
