"""Properties of segmentation-layer attachments (meshes, agglomerates, segment index, segment statistics, cumsum,
connectomes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from .data_formats import AttachmentDataFormat


@attrs.define
class AttachmentProperties:
    """One attachment file or directory: ``name``, ``path`` (relative to the dataset or a URL), format."""

    name: str
    path: str
    data_format: AttachmentDataFormat = attrs.field(converter=AttachmentDataFormat)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)


# Python attribute -> JSON key, in the order WEBKNOSSOS writes them; True marks a list of attachments.
ATTACHMENT_KINDS: dict[str, tuple[str, bool]] = {
    "meshes": ("meshes", True),
    "agglomerates": ("agglomerates", True),
    "segment_index": ("segmentIndex", False),
    "segment_statistics": ("segmentStatistics", False),
    "cumsum": ("cumsum", False),
    "connectomes": ("connectomes", True),
}


@attrs.define
class AttachmentsProperties:
    """All attachments of a segmentation layer; list kinds hold several files, the others at most one."""

    meshes: list[AttachmentProperties] | None = None
    agglomerates: list[AttachmentProperties] | None = None
    segment_index: AttachmentProperties | None = None
    segment_statistics: AttachmentProperties | None = None
    cumsum: AttachmentProperties | None = None
    connectomes: list[AttachmentProperties] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)

    def __iter__(self) -> Iterator[AttachmentProperties]:
        """Iterate over every attachment of every kind."""
        for attribute, (_, is_list) in ATTACHMENT_KINDS.items():
            value = getattr(self, attribute)
            if value is None:
                continue
            yield from (value if is_list else [value])

    def is_empty(self) -> bool:
        """True if there is no attachment (and no unknown attachment key) at all."""
        return not self.extra and next(iter(self), None) is None
