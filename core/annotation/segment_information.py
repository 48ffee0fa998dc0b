"""SegmentInformation: name, anchor position, color and metadata of one segment of a volume layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from daedalus.core.geometry import Vec3Int
from daedalus.core.nml import Segment
from daedalus.core.nml.model import metadata_dict, metadata_entries


def _to_vec3_int(value: Any) -> Vec3Int | None:
    return None if value is None else Vec3Int(value)


def _to_color(value: Any) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    color = tuple(float(c) for c in value)
    if len(color) == 3:
        color = (*color, 1.0)
    if len(color) != 4:
        raise ValueError(f"A segment color needs 3 or 4 components (r, g, b[, a]), got {value!r}.")
    return color  # type: ignore[return-value]


@attrs.define
class SegmentInformation:
    """Information about one segment id of a volume layer (stored in the NML's ``<segments>``)."""

    name: str | None
    anchor_position: Vec3Int | None = attrs.field(converter=_to_vec3_int)
    color: tuple[float, float, float, float] | None = attrs.field(converter=_to_color)
    metadata: dict[str, str | int | float | Sequence[str]] = attrs.field(factory=dict)
    _created: int | None = attrs.field(default=None, eq=False, repr=False)  # NML <segment created>, kept

    @classmethod
    def from_nml_segment(cls, segment: Segment) -> SegmentInformation:
        """The information held by an NML ``<segment>``."""
        return cls(
            segment.name,
            segment.anchor_position,
            segment.color,
            metadata_dict(segment.metadata),
            created=segment.created,
        )

    def to_nml_segment(self, segment_id: int) -> Segment:
        """This information as the NML ``<segment>`` of ``segment_id``."""
        return Segment(
            id=int(segment_id),
            name=self.name,
            anchor_position=self.anchor_position,
            color=self.color,
            metadata=metadata_entries(self.metadata),
            created=self._created,
        )
