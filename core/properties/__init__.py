"""The ``datasource-properties.json`` model and its JSON codec.

Implements the ``webknossos.dataset_properties`` section of the API reference.
"""

from .attachments import AttachmentProperties, AttachmentsProperties
from .categories import COLOR_CATEGORY, SEGMENTATION_CATEGORY, LayerCategoryType
from .codec import dataset_properties_from_json, dataset_properties_to_json, dataset_properties_to_text
from .data_formats import AttachmentDataFormat, DataFormat
from .dataset import DatasetProperties
from .element_class import dtype_from_element_class, element_class_for
from .errors import DatasetPropertiesError
from .files import (
    PROPERTIES_FILE_NAME,
    properties_file_path,
    read_dataset_properties,
    write_dataset_properties,
)
from .layer import LayerProperties, MagViewProperties, SegmentationLayerProperties
from .length_unit import DEFAULT_LENGTH_UNIT, DEFAULT_LENGTH_UNIT_STR, LengthUnit, length_unit_from_str
from .view_configuration import DatasetViewConfiguration, LayerViewConfiguration
from .voxel_size import VoxelSize

__all__ = [
    "COLOR_CATEGORY",
    "DEFAULT_LENGTH_UNIT",
    "DEFAULT_LENGTH_UNIT_STR",
    "PROPERTIES_FILE_NAME",
    "SEGMENTATION_CATEGORY",
    "AttachmentDataFormat",
    "AttachmentProperties",
    "AttachmentsProperties",
    "DataFormat",
    "DatasetProperties",
    "DatasetPropertiesError",
    "DatasetViewConfiguration",
    "LayerCategoryType",
    "LayerProperties",
    "LayerViewConfiguration",
    "LengthUnit",
    "MagViewProperties",
    "SegmentationLayerProperties",
    "VoxelSize",
    "dataset_properties_from_json",
    "dataset_properties_to_json",
    "dataset_properties_to_text",
    "dtype_from_element_class",
    "element_class_for",
    "length_unit_from_str",
    "properties_file_path",
    "read_dataset_properties",
    "write_dataset_properties",
]
