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
)
from daedalus.core.dataset.image_import import ConversionLayerMapping
from daedalus.core.remote import (
    LayerToLink,
    RemoteAccessMode,
    RemoteAttachments,
    RemoteDataset,
    RemoteFolder,
    RemoteLayer,
    RemoteSegmentationLayer,
)

__all__ = [
    "LayerToLink",
    "RemoteAccessMode",
    "RemoteAttachments",
    "RemoteDataset",
    "RemoteFolder",
    "RemoteLayer",
    "RemoteSegmentationLayer",
    "DEFAULT_CHUNK_SHAPE",
    "DEFAULT_DATA_FORMAT",
    "DEFAULT_SHARD_SHAPE",
    "AgglomerateAttachment",
    "AgglomerateGraph",
    "Attachment",
    "Attachments",
    "ConnectomeAttachment",
    "ConversionLayerMapping",
    "CumsumAttachment",
    "Dataset",
    "Layer",
    "MagView",
    "MeshAttachment",
    "SamplingModes",
    "SegmentIndexAttachment",
    "SegmentationLayer",
    "TransferMode",
    "View",
]
