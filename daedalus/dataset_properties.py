"""``daedalus.dataset_properties``: the names of the reference's ``webknossos.dataset_properties``."""

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
)

__all__ = [
    "COLOR_CATEGORY",
    "SEGMENTATION_CATEGORY",
    "AttachmentDataFormat",
    "AttachmentProperties",
    "AttachmentsProperties",
    "DataFormat",
    "DatasetProperties",
    "DatasetViewConfiguration",
    "LayerCategoryType",
    "LayerProperties",
    "LayerViewConfiguration",
    "LengthUnit",
    "MagViewProperties",
    "SegmentationLayerProperties",
    "VoxelSize",
]
