"""AbstractLayer and AbstractSegmentationLayer: what every layer offers, local (Layer) or on a server (RemoteLayer).

They read the layer's properties (name, category, dtype, bounding box, mags, transformations) and give access to
its mags; changing a layer is up to the subclasses.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..geometry import Mag, NDBoundingBox
from ..properties import (
    SEGMENTATION_CATEGORY,
    DataFormat,
    LayerProperties,
    LayerViewConfiguration,
    SegmentationLayerProperties,
)
from ..properties.coordinate_transformations import CoordinateTransformation
from .deprecation import deprecated

if TYPE_CHECKING:
    from ..export.layer_export import LayerExport
    from .mag_view import MagView


class AbstractLayer:
    """A named volume of a dataset: its voxel type, channels, bounding box, data format and mags."""

    def __init__(self, dataset: Any, properties: LayerProperties, read_only: bool) -> None:
        self._dataset = dataset
        self._properties = properties
        self._read_only = read_only
        self._mags: dict[Mag, MagView] = {}

    @property
    def dataset(self) -> Any:
        """The dataset this layer belongs to."""
        return self._dataset

    @property
    def name(self) -> str:
        """The layer's name."""
        return self._properties.name

    @property
    def category(self) -> str:
        """``"color"`` or ``"segmentation"``."""
        return self._properties.category

    @property
    def dtype(self) -> np.dtype:
        """The dtype of one channel (e.g. uint8)."""
        return self._properties.dtype_np

    @property
    def dtype_per_channel(self) -> np.dtype:
        """Deprecated alias of ``dtype``."""
        deprecated("Layer.dtype_per_channel", "Layer.dtype")
        return self.dtype

    @property
    def num_channels(self) -> int:
        """Number of channels."""
        return self._properties.num_channels

    @property
    def data_format(self) -> DataFormat:
        """The storage format of the layer's mags."""
        return self._properties.data_format

    @property
    def read_only(self) -> bool:
        """Whether changes are refused."""
        return self._read_only

    @property
    def default_view_configuration(self) -> LayerViewConfiguration | None:
        """How WEBKNOSSOS shows the layer by default."""
        return self._properties.default_view_configuration

    @property
    def bounding_box(self) -> NDBoundingBox:
        """The layer's extent in Mag(1) voxels."""
        return self._properties.bounding_box

    @property
    def normalized_bounding_box(self) -> Any:
        """The bounding box with the channel axis added."""
        return self.bounding_box.normalize_axes(self.num_channels)

    @property
    def coordinate_transformations(self) -> tuple[CoordinateTransformation, ...]:
        """How WEBKNOSSOS places the layer in the dataset's space (applied in order; empty: not transformed)."""
        return tuple(self._properties.coordinate_transformations or ())

    def copy_properties(self) -> LayerProperties:
        """Internal (not webknossos API): a deep copy of this layer's properties entry."""
        return copy.deepcopy(self._properties)

    def mag_entry(self, mag: Mag) -> Any:
        """Internal (not webknossos API): the properties entry of ``mag``."""
        return self._properties.get_mag(mag)

    @property
    def properties_data_format(self) -> DataFormat:
        """Internal (not webknossos API): the data format the layer's properties name (a remote layer's
        mags are streamed in it; its ``data_format`` is the server's storage format)."""
        return self._properties.data_format

    @property
    def mags(self) -> Mapping[Mag, MagView]:
        """The layer's mags by Mag."""
        return dict(self._mags)

    def get_mag(self, mag: Any) -> MagView:
        """The MagView of ``mag`` (``1``, ``"2-2-1"``, ``(2, 2, 1)`` or a Mag); IndexError if absent."""
        mag = Mag(mag)
        if mag not in self._mags:
            raise IndexError(
                f"Layer {self.name!r} has no mag {mag.to_layer_name()}; mags: "
                f"{[m.to_layer_name() for m in sorted(self._mags, key=lambda m: m.to_list())]}."
            )
        return self._mags[mag]

    def get_finest_mag(self) -> MagView:
        """The mag with the finest resolution."""
        if not self._mags:
            raise IndexError(f"Layer {self.name!r} has no mags yet; add one with add_mag().")
        return self._mags[min(self._mags, key=lambda m: (m.max_dim, m.to_list()))]

    @property
    def export(self) -> LayerExport:
        """Export this layer's data to common bioimaging file formats: a LayerExport (``as_tiff_stack``,
        ``as_ome_tiff``, ``as_ozx``)."""
        from ..export.layer_export import LayerExport

        return LayerExport(self)

    def as_segmentation_layer(self) -> Any:
        """This layer as a segmentation layer (TypeError if it is not one)."""
        if not isinstance(self, AbstractSegmentationLayer):
            raise TypeError(f"Layer {self.name!r} is a {self.category} layer, not a segmentation layer.")
        return self


class AbstractSegmentationLayer(AbstractLayer):
    """A layer of segment ids: adds the largest segment id and the attachments (meshes, agglomerates, ...)."""

    _properties: SegmentationLayerProperties

    @property
    def category(self) -> str:
        """Always ``"segmentation"``."""
        return SEGMENTATION_CATEGORY

    @property
    def largest_segment_id(self) -> int | None:
        """The largest segment id in the data (None when unknown)."""
        return self._properties.largest_segment_id

    @property
    def attachments_properties(self) -> Any:
        """Internal (not webknossos API): the attachments entry of this layer's properties."""
        return self._properties.attachments

    @property
    def attachments(self) -> Any:
        """The layer's attachments (provided by the local and remote subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} does not offer attachments.")

    def refresh_largest_segment_id(self, *, chunk_shape: Any = None, executor: Any = None) -> None:
        """Scan the data and set ``largest_segment_id`` to its maximum (provided by the subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} cannot scan its data for the largest segment id.")
