"""Segmentation-layer attachments: attachment values, the layer's Attachments API and agglomerate graphs."""

from typing import TYPE_CHECKING

from .agglomerate_attachment import AgglomerateAttachment
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

if TYPE_CHECKING:
    from .agglomerate_graph import AgglomerateGraph, AgglomerateGraphData


def __getattr__(name: str) -> object:
    """``AgglomerateGraph`` and ``AgglomerateGraphData`` are imported on first use: they load networkx."""
    if name in ("AgglomerateGraph", "AgglomerateGraphData"):
        from . import agglomerate_graph

        return getattr(agglomerate_graph, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The loaded names and every exported one (the agglomerate graph classes before they are loaded)."""
    return sorted({*globals(), *__all__})


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
