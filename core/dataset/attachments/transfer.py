"""Attachments travelling with their layer: copy them into another layer, or reference them from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .attachment import Attachment

if TYPE_CHECKING:
    from ..layer import SegmentationLayer


def copy_attachments(source_layer: SegmentationLayer, target_layer: SegmentationLayer) -> list[Attachment]:
    """Copy every attachment of ``source_layer`` into ``target_layer``'s folders (paths relative in its dataset)."""
    return [target_layer.attachments.add_attachment_as_copy(a) for a in source_layer.attachments]


def reference_attachments(
    source_layer: SegmentationLayer, target_layer: SegmentationLayer, make_relative: bool = False
) -> list[Attachment]:
    """Register every attachment of ``source_layer`` in ``target_layer`` where it is, without copying.

    Paths are absolute (or URLs); with ``make_relative`` local ones are relative to the target dataset.
    """
    return [
        target_layer.attachments.add_reference(a, None, make_relative=make_relative) for a in source_layer.attachments
    ]
