"""AbstractDataset: what every dataset offers, local (Dataset) or on a server (RemoteDataset).

It reads the dataset's properties (voxel size) and gives access to its layers; changing a dataset and where its
layers live are up to the subclasses.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from ..geometry import BoundingBox, NDBoundingBox
from ..properties import COLOR_CATEGORY, DatasetProperties, VoxelSize
from .abstract_layer import AbstractLayer, AbstractSegmentationLayer

LayerT = TypeVar("LayerT", bound=AbstractLayer)
SegmentationLayerT = TypeVar("SegmentationLayerT", bound=AbstractSegmentationLayer)


class AbstractDataset(Generic[LayerT, SegmentationLayerT]):
    """A set of named layers with one voxel size; subclasses fill ``_properties`` and ``_layers``."""

    _properties: DatasetProperties
    _layers: dict[str, LayerT]

    def _title(self) -> str:
        """How error messages name the dataset ("The dataset at <path>", "The remote dataset <url>")."""
        raise NotImplementedError

    @property
    def voxel_size(self) -> tuple[float, float, float]:
        """Voxel edge lengths in nanometers."""
        return self._properties.scale.to_nanometer()

    @property
    def voxel_size_with_unit(self) -> VoxelSize:
        """Voxel edge lengths with their unit."""
        return self._properties.scale

    @property
    def layers(self) -> Mapping[str, LayerT]:
        """The layers by name."""
        return dict(self._layers)

    def get_layer(self, layer_name: str) -> LayerT:
        """The layer named ``layer_name``; IndexError listing the layers if there is none."""
        if layer_name not in self._layers:
            raise IndexError(f"{self._title()} has no layer {layer_name!r}; layers: {sorted(self._layers)}.")
        return self._layers[layer_name]

    def get_color_layers(self) -> builtins.list[LayerT]:
        """All color layers."""
        return [layer for layer in self._layers.values() if layer.category == COLOR_CATEGORY]

    def get_segmentation_layers(self) -> builtins.list[SegmentationLayerT]:
        """All segmentation layers."""
        layers = self._layers.values()
        found: builtins.list[Any] = [layer for layer in layers if isinstance(layer, AbstractSegmentationLayer)]
        return found

    def get_segmentation_layer(self, layer_name: str) -> SegmentationLayerT:
        """The segmentation layer named ``layer_name`` (TypeError if it is a color layer)."""
        return self.get_layer(layer_name).as_segmentation_layer()

    def calculate_bounding_box(self) -> NDBoundingBox:
        """The smallest box containing every layer's bounding box."""
        boxes = [layer.bounding_box for layer in self._layers.values() if not layer.bounding_box.is_empty()]
        if not boxes:
            return BoundingBox((0, 0, 0), (0, 0, 0))
        result = boxes[0]
        for bbox in boxes[1:]:
            result = result.extended_by(bbox)
        return result
