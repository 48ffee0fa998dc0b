"""JSON codec of one entry of ``dataLayers`` (color or segmentation layer)."""

from __future__ import annotations

from typing import Any

from .categories import COLOR_CATEGORY, LAYER_CATEGORIES, SEGMENTATION_CATEGORY
from .codec_attachments import attachments_from_json, attachments_to_json
from .codec_bounding_box import bounding_box_from_json, bounding_box_to_json
from .codec_mag import LEGACY_MAG_LISTS, mag_to_json, mags_from_json
from .codec_view import layer_view_configuration_from_json, view_configuration_to_json
from .coordinate_transformations import (
    CoordinateTransformation,
    coordinate_transformations_from_json,
    coordinate_transformations_to_json,
)
from .data_formats import DataFormat
from .element_class import dtype_from_element_class
from .errors import InvalidLayerNameError
from .json_source import JsonSource
from .layer import LayerProperties, SegmentationLayerProperties

_LAYER_KEYS = {
    "name", "category", "boundingBox", "dataFormat", "mags", "numChannels", "elementClass",
    "defaultViewConfiguration", "additionalAxes", "coordinateTransformations",
}  # fmt: skip
_SEGMENTATION_KEYS = {"largestSegmentId", "mappings", "attachments"}


def _category(layer: dict, name: str, source: JsonSource, where: str) -> str:
    if "category" not in layer:
        # Old files leave out the category of segmentation layers, which are named so.
        looks_like_segmentation = "segmentation" in name.lower() or _SEGMENTATION_KEYS & layer.keys()
        return SEGMENTATION_CATEGORY if looks_like_segmentation else COLOR_CATEGORY
    category = layer["category"]
    if category not in LAYER_CATEGORIES:
        raise source.error(
            f"{where}.category",
            f"unknown category {category!r}; expected one of {', '.join(LAYER_CATEGORIES)}.",
        )
    return category


def _data_format(layer: dict, source: JsonSource, where: str) -> DataFormat:
    if "dataFormat" not in layer and "wkwResolutions" in layer:
        return DataFormat.WKW
    value = source.require(layer, "dataFormat", where)
    try:
        return DataFormat(value)
    except ValueError:
        allowed = ", ".join(f.value for f in DataFormat)
        raise source.error(
            f"{where}.dataFormat", f"unknown data format {value!r}; expected one of {allowed}."
        ) from None


def _voxel_type(layer: dict, source: JsonSource, where: str) -> tuple[str, int]:
    element_class = source.string(source.require(layer, "elementClass", where), f"{where}.elementClass")
    channels = layer.get("numChannels")
    if channels is not None:
        at = f"{where}.numChannels"
        fix = "set it to the number of channels of the layer's arrays (1 for grayscale, 3 for RGB)."
        channels = source.at_least(source.integer(channels, at), 1, at, fix)
    try:
        return dtype_from_element_class(element_class, channels)
    except ValueError as error:
        raise source.error(f"{where}.elementClass", str(error)) from None


def _xyz_index(mags: list) -> tuple[int, int, int] | None:
    """The array positions of x, y and z from the mags' axis order; None if no mag records one."""
    order = next((m.axis_order for m in mags if m.axis_order), None)
    if not order:
        return None
    return order.get("x", 1), order.get("y", 2), order.get("z", 3)


def layer_from_json(obj: object, source: JsonSource, where: str) -> LayerProperties:
    """Decode a layer, reading legacy variants (old mag lists, missing category or data format)."""
    layer = source.mapping(obj, where)
    name = source.name(source.require(layer, "name", where), f"{where}.name", "layer", InvalidLayerNameError)
    category = _category(layer, name, source, where)
    data_format = _data_format(layer, source, where)
    mags = mags_from_json(layer, source, where)
    if mags is None:
        raise source.error(f"{where}.mags", "required key is missing (no mags, wkwResolutions or resolutions).")
    bounding_box = bounding_box_from_json(layer, _xyz_index(mags), source, where)
    dtype, num_channels = _voxel_type(layer, source, where)
    view = layer.get("defaultViewConfiguration")
    if view is not None:
        view = layer_view_configuration_from_json(view, source, f"{where}.defaultViewConfiguration")
    transformations = _coordinate_transformations(layer, source, where)
    known = _LAYER_KEYS | ({"mags"} if "mags" in layer else set(LEGACY_MAG_LISTS))
    if category == SEGMENTATION_CATEGORY:
        known |= _SEGMENTATION_KEYS
    extra = {k: v for k, v in layer.items() if k not in known}
    common = dict(
        name=name, category=category, bounding_box=bounding_box, data_format=data_format, mags=mags,
        num_channels=num_channels, dtype=dtype, default_view_configuration=view,
        coordinate_transformations=transformations, extra=extra,
    )  # fmt: skip
    if category != SEGMENTATION_CATEGORY:
        return LayerProperties(**common)
    return SegmentationLayerProperties(**common, **_segmentation_fields(layer, source, where))


def _coordinate_transformations(layer: dict, source: JsonSource, where: str) -> list[CoordinateTransformation] | None:
    value = layer.get("coordinateTransformations")
    if value is None:
        return None
    at = f"{where}.coordinateTransformations"
    try:
        return coordinate_transformations_from_json(source.array(value, at))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise source.error(
            at, f"not a valid list of coordinate transformations ({type(error).__name__}: {error})."
        ) from None


def _segmentation_fields(layer: dict, source: JsonSource, where: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    largest = layer.get("largestSegmentId")
    fields["largest_segment_id"] = None if largest is None else source.integer(largest, f"{where}.largestSegmentId")
    mappings = layer.get("mappings")
    if mappings is not None:
        at = f"{where}.mappings"
        fields["mappings"] = [source.string(m, f"{at}[{i}]") for i, m in enumerate(source.array(mappings, at))]
    if layer.get("attachments") is not None:
        fields["attachments"] = attachments_from_json(layer["attachments"], source, f"{where}.attachments")
    return fields


def layer_to_json(layer: LayerProperties) -> dict[str, Any]:
    """Encode a layer with the keys and key order WEBKNOSSOS writes; unknown keys come last."""
    box, additional_axes = bounding_box_to_json(layer.bounding_box)
    out: dict[str, Any] = {
        "name": layer.name,
        "category": layer.category,
        "boundingBox": box,
        "dataFormat": DataFormat(layer.data_format).value,
        "mags": [mag_to_json(mag) for mag in layer.mags],
    }
    if additional_axes:
        out["additionalAxes"] = additional_axes
    if layer.default_view_configuration is not None:
        out["defaultViewConfiguration"] = view_configuration_to_json(layer.default_view_configuration)
    if isinstance(layer, SegmentationLayerProperties):
        if layer.largest_segment_id is not None:
            out["largestSegmentId"] = int(layer.largest_segment_id)
        if layer.mappings:
            out["mappings"] = list(layer.mappings)
        if not layer.attachments.is_empty():
            out["attachments"] = attachments_to_json(layer.attachments)
    if layer.coordinate_transformations:
        out["coordinateTransformations"] = coordinate_transformations_to_json(layer.coordinate_transformations)
    out["numChannels"] = int(layer.num_channels)
    out["elementClass"] = layer.element_class
    out.update(layer.extra)
    return out
