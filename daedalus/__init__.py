"""daedalus: volumetric microscopy data in the WEBKNOSSOS ecosystem (public facade).

``import daedalus as wk`` offers the names of the WEBKNOSSOS Python library's API reference. They are loaded on
first use (PEP 562), so ``import daedalus`` stays cheap: ``wk.Dataset`` imports the dataset modules, the plugins
load when core first asks for an adapter.
"""

import importlib as _importlib
import typing as _typing

from daedalus.core import ports as _ports

__version__ = "0.1.0"
current_version = __version__
"""The installed daedalus version (the reference's ``current_version`` names its own)."""

_LAZY_NAMES: dict[str, str] = {
    "daedalus.core.administration": "Project Task TaskType Team User",
    "daedalus.core.ai_model": "AiModelCategory RemoteAiModel",
    "daedalus.core.annotation": "Annotation AnnotationState AnnotationType RemoteAnnotation SegmentInformation",
    "daedalus.core.annotation.annotation_info": "AnnotationInfo",
    "daedalus.core.array_info": "ArrayInfo",
    "daedalus.core.axis_names": (
        "C_AXIS CXYZ_AXES T_AXIS TCXYZ_AXES TXYZ_AXES X_AXIS XY_AXES XYZ_AXES Y_AXIS Z_AXIS XYZAxis"
    ),
    "daedalus.core.client": (
        "ApiClientError DatastoreApiClient TracingStoreApiClient WebknossosApiVersionError WebknossosAuthError "
        "WebknossosConnectionError WkApiClient login webknossos_context"
    ),
    "daedalus.core.dataset": (
        "DEFAULT_CHUNK_SHAPE DEFAULT_DATA_FORMAT DEFAULT_SHARD_SHAPE Dataset Layer MagView SamplingModes "
        "SegmentationLayer TransferMode View"
    ),
    "daedalus.core.dataset.attachments": (
        "AgglomerateAttachment AgglomerateGraph Attachment Attachments ConnectomeAttachment CumsumAttachment "
        "MeshAttachment SegmentIndexAttachment SegmentStatisticsAttachment"
    ),
    "daedalus.core.dataset.image_errors": (
        "CorruptImageError ImageConversionError UnsupportedImageDataError UnsupportedImageFormatError"
    ),
    "daedalus.core.dataset.image_import": "ConversionLayerMapping",
    "daedalus.core.dataset.storage_defaults": "DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES",
    "daedalus.core.datastore": "Datastore",
    "daedalus.core.export": "LayerExport",
    "daedalus.core.geometry": (
        "BoundingBox Mag MagLike NDBoundingBox NormalizedBoundingBox Vec3Float Vec3FloatLike Vec3Int Vec3IntLike "
        "VecInt VecIntLike as_vec3_float_or_none as_vec3_int_or_none"
    ),
    "daedalus.core.properties": (
        "COLOR_CATEGORY SEGMENTATION_CATEGORY AttachmentDataFormat AttachmentProperties AttachmentsProperties "
        "DataFormat DatasetProperties DatasetViewConfiguration LayerCategoryType LayerProperties "
        "LayerViewConfiguration LengthUnit MagViewProperties SegmentationLayerProperties VoxelSize "
        "length_unit_from_str"
    ),
    "daedalus.core.properties.coordinate_transformations": (
        "AffineCoordinateTransformation CoordinateTransformation ThinPlateSplineCoordinateTransformation"
    ),
    "daedalus.core.remote": (
        "LayerToLink RemoteAccessMode RemoteAttachments RemoteDataset RemoteFolder RemoteLayer RemoteMagView "
        "RemoteSegmentationLayer StorageCredentials"
    ),
    "daedalus.core.skeleton": "Group Node Skeleton Tree",
    "daedalus.plugins": "configure_plugins get_plugin_manager set_engine",
    "daedalus.dataset_properties": "get_dataset_converter",
    "daedalus.utils": "check_version_in_background",
}
"""Module -> the public names (space-separated) the facade re-exports from it, imported when one is first used."""

_MODULE_OF = {name: module for module, names in _LAZY_NAMES.items() for name in names.split()}

_PUBLIC_SUBMODULES = (
    "administration",
    "ai_model",
    "annotation",
    "client",
    "dataset",
    "dataset_properties",
    "datastore",
    "geometry",
    "proofreading",
    "skeleton",
    "utils",
)
"""The facade's submodules the reference offers as attributes of the package (``wk.dataset``, ``wk.geometry``)."""

# The same names for type checkers and IDEs; tests/test_lazy_imports.py keeps both lists equal.
if _typing.TYPE_CHECKING:
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
    from daedalus.dataset_properties import get_dataset_converter
    from daedalus.plugins import configure_plugins, get_plugin_manager, set_engine
    from daedalus.utils import check_version_in_background


def __getattr__(name: str) -> object:
    """Import a public name (or a submodule such as ``daedalus.dataset``) on its first use and keep it."""
    module_name = _MODULE_OF.get(name)
    if module_name is not None:
        value = getattr(_importlib.import_module(module_name), name)
    elif name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        try:
            value = _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The loaded names plus every public name and submodule, loaded or not (for ``dir()``, ``help()``, completion)."""
    return sorted({*globals(), *__all__, *_PUBLIC_SUBMODULES})


def _plugin_registry() -> object:
    """The process-wide plugin manager, built when core first asks for an adapter."""
    from daedalus.plugins.manager import get_plugin_manager

    return get_plugin_manager()


def get_executor(name: str = "sequential", **kwargs: object) -> object:
    """A new executor registered under ``name`` (``sequential``, ``threads``, ``multiprocessing``, ...)."""
    return _plugin_registry().executor(name, **kwargs)


_ports.install_registry_factory(_plugin_registry)

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
