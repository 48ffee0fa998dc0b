"""DatasetProperties: the whole content of a dataset's ``datasource-properties.json``."""

from __future__ import annotations

from typing import Any

import attrs

from .layer import LayerProperties, SegmentationLayerProperties
from .view_configuration import DatasetViewConfiguration
from .voxel_size import VoxelSize

CURRENT_VERSION = 1


def _voxel_size(value: Any) -> VoxelSize:
    return value if isinstance(value, VoxelSize) else VoxelSize(value)


@attrs.define
class DatasetProperties:
    """A dataset's metadata: legacy ``id``, voxel size ``scale``, layers, format ``version``, view settings.

    ``id`` is a legacy field ({"name": dataset directory name, "team": organization}); WEBKNOSSOS takes
    both from the dataset path instead. ``extra`` keeps unknown JSON keys for rewriting.
    """

    id: dict[str, str]
    scale: VoxelSize = attrs.field(converter=_voxel_size)
    data_layers: list[SegmentationLayerProperties | LayerProperties] = attrs.field(factory=list)
    version: int = CURRENT_VERSION
    default_view_configuration: DatasetViewConfiguration | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)

    def get_layer(self, layer_name: str) -> LayerProperties:
        """The properties of the layer named ``layer_name``; KeyError if there is none."""
        for layer in self.data_layers:
            if layer.name == layer_name:
                return layer
        raise KeyError(f"The dataset has no layer {layer_name!r}; layers: {[x.name for x in self.data_layers]}.")

    def update_for_layer(self, layer_name: str, layer_properties: LayerProperties) -> None:
        """Replace the properties of the layer currently named ``layer_name`` (it may be renamed).

        Raises KeyError if no layer has that name.
        """
        for position, layer in enumerate(self.data_layers):
            if layer.name == layer_name:
                self.data_layers[position] = layer_properties
                return
        raise KeyError(f"Cannot update layer {layer_name!r}: the dataset has no layer of that name.")
