"""``daedalus.dataset``: the names of the reference's ``webknossos.dataset`` (datasets, layers, mags, views)."""

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
from daedalus.core.dataset.equality import DatasetComparison, compare_datasets
from daedalus.core.dataset.image_errors import (
    CorruptImageError,
    ImageConversionError,
    UnsupportedImageDataError,
    UnsupportedImageFormatError,
)
from daedalus.core.dataset.image_import import ConversionLayerMapping
from daedalus.core.dataset.storage_defaults import DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES
from daedalus.core.dataset.summary import dataset_summary
from daedalus.core.export import LayerExport
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

__all__ = [
    "LayerToLink",
    "RemoteAccessMode",
    "RemoteAttachments",
    "RemoteDataset",
    "RemoteFolder",
    "RemoteLayer",
    "RemoteMagView",
    "RemoteSegmentationLayer",
    "StorageCredentials",
    "DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES",
    "DEFAULT_CHUNK_SHAPE",
    "DEFAULT_DATA_FORMAT",
    "DEFAULT_SHARD_SHAPE",
    "AgglomerateAttachment",
    "AgglomerateGraph",
    "Attachment",
    "Attachments",
    "ConnectomeAttachment",
    "ConversionLayerMapping",
    "CorruptImageError",
    "CumsumAttachment",
    "Dataset",
    "DatasetComparison",
    "ImageConversionError",
    "Layer",
    "LayerExport",
    "MagView",
    "MeshAttachment",
    "SamplingModes",
    "SegmentIndexAttachment",
    "SegmentStatisticsAttachment",
    "SegmentationLayer",
    "TransferMode",
    "UnsupportedImageDataError",
    "UnsupportedImageFormatError",
    "View",
    "compare_datasets",
    "dataset_summary",
]
