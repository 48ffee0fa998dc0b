"""Exports of layer data: TIFF stacks per z-slice or tiled (optionally downsampled or mapped), OME-TIFF, OZX."""

from .bilinear import downsample_image
from .layer_export import LayerExport
from .segment_mapping import AgglomerateLookup, ArrayLookup, map_segments
from .tiff_export import TiffStack, export_tiff_stack
from .tiff_layout import TiffStackLayout

__all__ = [
    "AgglomerateLookup",
    "ArrayLookup",
    "LayerExport",
    "TiffStack",
    "TiffStackLayout",
    "downsample_image",
    "export_tiff_stack",
    "map_segments",
]
