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
from daedalus.core.axis_names import (
    C_AXIS,
    CXYZ_AXES,
    T_AXIS,
    TCXYZ_AXES,
    TXYZ_AXES,
    X_AXIS,
    XY_AXES,
    XYZ_AXES,
    Y_AXIS,
    Z_AXIS,
    XYZAxis,
)
from daedalus.core.client import (
    ApiClientError,
    DatastoreApiClient,
    TracingStoreApiClient,
    WebknossosApiVersionError,
    WebknossosAuthError,
    WebknossosConnectionError,
    WkApiClient,
    login,
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
    SegmentStatisticsAttachment,
)
from daedalus.core.dataset.image_errors import (
    CorruptImageError,
    ImageConversionError,
    UnsupportedImageDataError,
    UnsupportedImageFormatError,
)
from daedalus.core.dataset.image_import import ConversionLayerMapping
from daedalus.core.dataset.storage_defaults import DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES
from daedalus.core.datastore import Datastore
from daedalus.core.export import LayerExport
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
    as_vec3_float_or_none,
    as_vec3_int_or_none,
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
    length_unit_from_str,
)
from daedalus.core.properties.coordinate_transformations import (
    AffineCoordinateTransformation,
    CoordinateTransformation,
    ThinPlateSplineCoordinateTransformation,
)
from daedalus.core.remote import (
    LayerToLink,
    RemoteAccessMode,
    RemoteAttachments,
    RemoteDataset,
    RemoteFolder,
    RemoteLayer,
    RemoteMagView,
    RemoteSegmentationLayer,
    StorageCredentials,
)
from daedalus.core.skeleton import Group, Node, Skeleton, Tree
from daedalus.plugins import configure_plugins, get_plugin_manager, set_engine

__version__ = "0.1.0"
current_version = __version__
"""The installed daedalus version (the reference's ``current_version`` names its own)."""


def get_executor(name: str = "sequential", **kwargs: object) -> object:
    """A new executor registered under ``name`` (``sequential``, ``threads``, ``multiprocessing``, ...)."""
    return get_plugin_manager().executor(name, **kwargs)


get_plugin_manager()  # installs the plugin manager as core's adapter registry

from daedalus.dataset_properties import get_dataset_converter  # noqa: E402 - needs the plugin manager
from daedalus.utils import check_version_in_background  # noqa: E402

__all__ = [
    "AffineCoordinateTransformation",
    "CXYZ_AXES",
    "C_AXIS",
    "CoordinateTransformation",
    "CorruptImageError",
    "DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES",
    "ImageConversionError",
    "TCXYZ_AXES",
    "TXYZ_AXES",
    "T_AXIS",
    "ThinPlateSplineCoordinateTransformation",
    "UnsupportedImageDataError",
    "UnsupportedImageFormatError",
    "XYZAxis",
    "XYZ_AXES",
    "XY_AXES",
    "X_AXIS",
    "Y_AXIS",
    "Z_AXIS",
    "check_version_in_background",
    "current_version",
    "get_dataset_converter",
    "length_unit_from_str",
    "login",
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
    "RemoteMagView",
    "RemoteSegmentationLayer",
    "StorageCredentials",
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
    "LayerExport",
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
    "SegmentStatisticsAttachment",
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
    "as_vec3_float_or_none",
    "as_vec3_int_or_none",
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
