"""Segmentation-layer attachments: attachment values, the layer's Attachments API and agglomerate graphs."""

from .agglomerate_attachment import AgglomerateAttachment
from .agglomerate_graph import AgglomerateGraph, AgglomerateGraphData
from .attachment import (
    Attachment,
    ConnectomeAttachment,
    CumsumAttachment,
    MeshAttachment,
    SegmentIndexAttachment,
    SegmentStatisticsAttachment,
)
from .attachments import Attachments
from .transfer import copy_attachments, reference_attachments

__all__ = [
    "AgglomerateAttachment",
    "AgglomerateGraph",
    "AgglomerateGraphData",
    "Attachment",
    "Attachments",
    "ConnectomeAttachment",
    "CumsumAttachment",
    "MeshAttachment",
    "SegmentIndexAttachment",
    "SegmentStatisticsAttachment",
    "copy_attachments",
    "reference_attachments",
]
