"""daedalus: volumetric microscopy data in the WEBKNOSSOS ecosystem (public facade).

``import daedalus as wk`` offers the names of the WEBKNOSSOS Python library's API reference.
"""

from daedalus.core.annotation import Annotation, AnnotationState, AnnotationType, SegmentInformation
from daedalus.core.array_info import ArrayInfo
from daedalus.core.dataset import (
    DEFAULT_CHUNK_SHAPE,
    DEFAULT_DATA_FORMAT,
    DEFAULT_SHARD_SHAPE,
    Dataset,
    Layer,
    MagView,
    SamplingModes,
    SegmentationLayer,
    TransferMode,
    View,
)
from daedalus.core.dataset.attachments import (
    AgglomerateAttachment,
    AgglomerateGraph,
    Attachment,
    Attachments,
    ConnectomeAttachment,
    CumsumAttachment,
    MeshAttachment,
    SegmentIndexAttachment,
)
from daedalus.core.dataset.image_import import ConversionLayerMapping
from daedalus.core.geometry import (
    BoundingBox,
    Mag,
    MagLike,
    NDBoundingBox,
    NormalizedBoundingBox,
    Vec3Float,
    Vec3FloatLike,
    Vec3Int,
    Vec3IntLike,
    VecInt,
    VecIntLike,
)
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
from daedalus.core.skeleton import Group, Node, Skeleton, Tree
from daedalus.plugins import configure_plugins, get_plugin_manager, set_engine

__version__ = "0.1.0"


def get_executor(name: str = "sequential", **kwargs: object) -> object:
    """A new executor registered under ``name`` (``sequential``, ``threads``, ``multiprocessing``, ...)."""
    return get_plugin_manager().executor(name, **kwargs)


get_plugin_manager()  # installs the plugin manager as core's adapter registry

__all__ = [
    "COLOR_CATEGORY",
    "DEFAULT_CHUNK_SHAPE",
    "DEFAULT_DATA_FORMAT",
    "DEFAULT_SHARD_SHAPE",
    "SEGMENTATION_CATEGORY",
    "AgglomerateAttachment",
    "AgglomerateGraph",
    "Annotation",
    "AnnotationState",
    "AnnotationType",
    "ArrayInfo",
    "Attachment",
    "AttachmentDataFormat",
    "AttachmentProperties",
    "AttachmentsProperties",
    "Attachments",
    "BoundingBox",
    "ConnectomeAttachment",
    "ConversionLayerMapping",
    "CumsumAttachment",
    "DataFormat",
    "Dataset",
    "DatasetProperties",
    "DatasetViewConfiguration",
    "Group",
    "Layer",
    "LayerCategoryType",
    "LayerProperties",
    "LayerViewConfiguration",
    "LengthUnit",
    "Mag",
    "MagLike",
    "MagView",
    "MagViewProperties",
    "MeshAttachment",
    "NDBoundingBox",
    "Node",
    "NormalizedBoundingBox",
    "SamplingModes",
    "SegmentIndexAttachment",
    "SegmentInformation",
    "SegmentationLayer",
    "SegmentationLayerProperties",
    "Skeleton",
    "TransferMode",
    "Tree",
    "Vec3Float",
    "Vec3FloatLike",
    "Vec3Int",
    "Vec3IntLike",
    "VecInt",
    "VecIntLike",
    "View",
    "VoxelSize",
    "configure_plugins",
    "get_executor",
    "get_plugin_manager",
    "set_engine",
]
