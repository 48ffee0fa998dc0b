"""Properties of one layer and its mags as recorded in ``datasource-properties.json``."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from ..geometry import Mag, NDBoundingBox
from .attachments import AttachmentsProperties
from .categories import LayerCategoryType, check_category
from .coordinate_transformations import CoordinateTransformation
from .data_formats import DataFormat
from .element_class import element_class_for, normalize_dtype
from .view_configuration import LayerViewConfiguration


def _mag(value: Any) -> Mag:
    return value if isinstance(value, Mag) else Mag(value)


@attrs.define
class MagViewProperties:
    """One mag of a layer: the ``mag``, where its array lives and how its axes are ordered.

    ``path`` is relative to the dataset (``"./color/2-2-1"``) or absolute / a URL; it is None in old files.
    ``cube_length`` is the WKW file edge in voxels (WKW only). ``axis_order`` maps ``c``/``x``/``y``/``z``
    to the array's axis positions (no ``c`` when the array has no channel axis).
    """

    mag: Mag = attrs.field(converter=_mag)
    path: str | None = None
    cube_length: int | None = None
    axis_order: dict[str, int] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)


def _category(value: str) -> LayerCategoryType:
    return check_category(value)


@attrs.define
class LayerProperties:
    """A layer: name, category, Mag(1) bounding box, data format, mags and voxel type.

    ``dtype`` is the numpy name of one channel's type (``"uint8"``), ``num_channels`` the number of
    channels; ``element_class`` derives the JSON ``elementClass`` from both. ``extra`` keeps unknown
    JSON keys so that they survive a rewrite. ``coordinate_transformations`` place the layer in the dataset's
    space (None: the key is absent).
    """

    name: str
    category: LayerCategoryType = attrs.field(converter=_category)
    bounding_box: NDBoundingBox
    data_format: DataFormat = attrs.field(converter=DataFormat)
    mags: list[MagViewProperties] = attrs.field(factory=list)
    num_channels: int = attrs.field(default=1, converter=int)
    dtype: str = attrs.field(default="uint8", converter=normalize_dtype)
    default_view_configuration: LayerViewConfiguration | None = None
    coordinate_transformations: list[CoordinateTransformation] | None = attrs.field(default=None, kw_only=True)
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)

    @property
    def dtype_np(self) -> np.dtype:
        """``dtype`` as a numpy dtype."""
        return np.dtype(self.dtype)

    @property
    def element_class(self) -> str:
        """The JSON ``elementClass``: ``uint24`` for 3 × uint8, ``float``/``double`` for floats."""
        return element_class_for(self.dtype, self.num_channels)

    def get_mag(self, mag: Any) -> MagViewProperties:
        """The properties of ``mag``; raises KeyError naming the layer if it has no such mag."""
        wanted = _mag(mag)
        for entry in self.mags:
            if entry.mag == wanted:
                return entry
        raise KeyError(f"Layer {self.name!r} has no mag {wanted}.")


@attrs.define
class SegmentationLayerProperties(LayerProperties):
    """A segmentation layer: adds the largest segment id, mapping names and attachments."""

    largest_segment_id: int | None = None
    mappings: list[str] = attrs.field(factory=list)
    attachments: AttachmentsProperties = attrs.field(factory=AttachmentsProperties)
