"""The local dataset API: Dataset, Layer, SegmentationLayer, MagView and View."""

from .dataset import Dataset
from .layer import Layer, SegmentationLayer
from .mag_view import MagView
from .sampling_modes import SamplingModes
from .storage_defaults import DEFAULT_CHUNK_SHAPE, DEFAULT_DATA_FORMAT, DEFAULT_SHARD_SHAPE
from .transfer_mode import TransferMode
from .view import View

__all__ = [
    "DEFAULT_CHUNK_SHAPE",
    "DEFAULT_DATA_FORMAT",
    "DEFAULT_SHARD_SHAPE",
    "Dataset",
    "Layer",
    "MagView",
    "SamplingModes",
    "SegmentationLayer",
    "TransferMode",
    "View",
]
