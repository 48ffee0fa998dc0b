"""Volumes other tools wrote (OME-Zarr 0.4/0.5, Neuroglancer precomputed, N5, plain zarr) as daedalus layers.

``describe_volume`` reads a volume's metadata; ``import_volume`` makes it a layer, referenced in place or copied.
"""

from .detect import describe_volume
from .importing import import_volume
from .model import ForeignScale, ForeignVolume, ForeignVolumeError

__all__ = ["ForeignScale", "ForeignVolume", "ForeignVolumeError", "describe_volume", "import_volume"]
