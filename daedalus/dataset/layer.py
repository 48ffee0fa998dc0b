"""``daedalus.dataset.layer``: the names of the reference's ``webknossos.dataset.layer`` (layers, mags, views)."""

from daedalus.core.array_info import ArrayInfo
from daedalus.core.dataset import Layer, MagView, SegmentationLayer, View
from daedalus.core.dataset.abstract_layer import AbstractLayer, AbstractSegmentationLayer
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
from daedalus.core.errors import ArrayException
from daedalus.core.export import LayerExport
from daedalus.core.remote import LayerToLink, RemoteAttachments, RemoteLayer, RemoteMagView, RemoteSegmentationLayer
from daedalus.core.zarr3_config import Zarr3ArrayInfo, Zarr3Config

__all__ = [
    "AbstractLayer",
    "AbstractSegmentationLayer",
    "AgglomerateAttachment",
    "AgglomerateGraph",
    "ArrayException",
    "ArrayInfo",
    "Attachment",
    "Attachments",
    "ConnectomeAttachment",
    "CumsumAttachment",
    "Layer",
    "LayerExport",
    "LayerToLink",
    "MagView",
    "MeshAttachment",
    "RemoteAttachments",
    "RemoteLayer",
    "RemoteMagView",
    "RemoteSegmentationLayer",
    "SegmentIndexAttachment",
    "SegmentStatisticsAttachment",
    "SegmentationLayer",
    "View",
    "Zarr3ArrayInfo",
    "Zarr3Config",
]
