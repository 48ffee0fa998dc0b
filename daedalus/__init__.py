"""daedalus: volumetric microscopy data in the WEBKNOSSOS ecosystem (public facade).

``import daedalus as wk`` offers the names of the WEBKNOSSOS Python library's API reference.
"""

from daedalus.core.administration import Project, Task, TaskType, Team, User
from daedalus.core.ai_model import AiModelCategory, RemoteAiModel
from daedalus.core.annotation import (
    Annotation,
    AnnotationState,
    AnnotationType,
    RemoteAnnotation,
    SegmentInformation,
)
from daedalus.core.annotation.annotation_info import AnnotationInfo
from daedalus.core.array_info import ArrayInfo
from daedalus.core.client import (
    ApiClientError,
    DatastoreApiClient,
    TracingStoreApiClient,
    WebknossosApiVersionError,
    WebknossosAuthError,
    WebknossosConnectionError,
    WkApiClient,
    webknossos_context,
)
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
from daedalus.core.datastore import Datastore
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
from daedalus.core.remote import (
    LayerToLink,
    RemoteAccessMode,
    RemoteAttachments,
    RemoteDataset,
    RemoteFolder,
    RemoteLayer,
    RemoteSegmentationLayer,
)
from daedalus.core.skeleton import Group, Node, Skeleton, Tree
from daedalus.plugins import configure_plugins, get_plugin_manager, set_engine

__version__ = "0.1.0"


def get_executor(name: str = "sequential", **kwargs: object) -> object:
    """A new executor registered under ``name`` (``sequential``, ``threads``, ``multiprocessing``, ...)."""
    return get_plugin_manager().executor(name, **kwargs)


get_plugin_manager()  # installs the plugin manager as core's adapter registry

__all__ = [
    "AiModelCategory",
    "AnnotationInfo",
    "Datastore",
    "Project",
    "RemoteAiModel",
    "Task",
    "TaskType",
    "Team",
    "User",
    "LayerToLink",
    "RemoteAccessMode",
    "RemoteAttachments",
    "RemoteDataset",
    "RemoteFolder",
    "RemoteLayer",
    "RemoteSegmentationLayer",
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
    "RemoteAnnotation",
    "ApiClientError",
    "ArrayInfo",
    "Attachment",
    "AttachmentDataFormat",
    "AttachmentProperties",
    "Attachments",
    "AttachmentsProperties",
    "BoundingBox",
    "ConnectomeAttachment",
    "ConversionLayerMapping",
    "CumsumAttachment",
    "DataFormat",
    "Dataset",
    "DatasetProperties",
    "DatasetViewConfiguration",
    "DatastoreApiClient",
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
    "TracingStoreApiClient",
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
    "WebknossosApiVersionError",
    "WebknossosAuthError",
    "WebknossosConnectionError",
    "WkApiClient",
    "configure_plugins",
    "get_executor",
    "get_plugin_manager",
    "set_engine",
    "webknossos_context",
]
