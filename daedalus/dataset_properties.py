"""``daedalus.dataset_properties``: the names of the reference's ``webknossos.dataset_properties``."""

from __future__ import annotations

import functools
from typing import Any

from daedalus.core.geometry import Mag, Vec3Int
from daedalus.core.properties import (
    COLOR_CATEGORY,
    SEGMENTATION_CATEGORY,
    AttachmentDataFormat,
    AttachmentProperties,
    AttachmentsProperties,
    DataFormat,
    DatasetProperties,
    DatasetViewConfiguration,
    LayerCategoryType,
    LayerProperties,
    LayerViewConfiguration,
    LengthUnit,
    MagViewProperties,
    SegmentationLayerProperties,
    VoxelSize,
    dataset_properties_from_json,
    dataset_properties_to_json,
    length_unit_from_str,
)
from daedalus.core.properties.codec_layer import layer_from_json, layer_to_json
from daedalus.core.properties.coordinate_transformations import (
    AffineCoordinateTransformation,
    CoordinateTransformation,
    ThinPlateSplineCoordinateTransformation,
)
from daedalus.core.properties.json_source import JsonSource


@functools.lru_cache(maxsize=1)
def get_dataset_converter() -> Any:
    """The cattrs Converter between the properties classes and the JSON of ``datasource-properties.json``.

    ``unstructure(properties)`` gives the JSON dict, ``structure(data, DatasetProperties)`` the properties; layers,
    voxel sizes, Vec3Int and Mag convert the same way.
    """
    import cattrs

    converter = cattrs.Converter()
    source = JsonSource(None)
    converter.register_unstructure_hook(DatasetProperties, dataset_properties_to_json)
    converter.register_structure_hook(DatasetProperties, lambda data, _: dataset_properties_from_json(data))
    for layer_class in (LayerProperties, SegmentationLayerProperties):
        converter.register_unstructure_hook(layer_class, layer_to_json)
        converter.register_structure_hook(layer_class, lambda data, _: layer_from_json(data, source, "layer"))
    converter.register_unstructure_hook(VoxelSize, lambda size: {"factor": list(size.factor), "unit": size.unit.value})
    converter.register_structure_hook(
        VoxelSize, lambda data, _: VoxelSize(tuple(data["factor"]), LengthUnit(data.get("unit", "nanometer")))
    )
    for vector_class in (Vec3Int, Mag):
        converter.register_unstructure_hook(vector_class, lambda vector: list(vector.to_list()))
        converter.register_structure_hook(vector_class, lambda data, cls: cls(data))
    for enum_class in (DataFormat, AttachmentDataFormat, LengthUnit):
        converter.register_unstructure_hook(enum_class, lambda value: value.value)
    return converter


__all__ = [
    "COLOR_CATEGORY",
    "SEGMENTATION_CATEGORY",
    "AffineCoordinateTransformation",
    "AttachmentDataFormat",
    "AttachmentProperties",
    "AttachmentsProperties",
    "CoordinateTransformation",
    "DataFormat",
    "DatasetProperties",
    "DatasetViewConfiguration",
    "LayerCategoryType",
    "LayerProperties",
    "LayerViewConfiguration",
    "LengthUnit",
    "MagViewProperties",
    "SegmentationLayerProperties",
    "ThinPlateSplineCoordinateTransformation",
    "VoxelSize",
    "get_dataset_converter",
    "length_unit_from_str",
]
