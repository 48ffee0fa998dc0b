"""Storage formats of layers (``DataFormat``) and of segmentation attachments (``AttachmentDataFormat``)."""

from __future__ import annotations

from enum import Enum


class DataFormat(str, Enum):
    """The array format a layer's mags are stored in; the value is the JSON string."""

    WKW = "wkw"
    Zarr = "zarr"
    Zarr3 = "zarr3"
    N5 = "n5"
    NeuroglancerPrecomputed = "neuroglancerPrecomputed"

    def __str__(self) -> str:
        return self.value


class AttachmentDataFormat(str, Enum):
    """The container format of a segmentation attachment; the value is the JSON string."""

    Zarr3 = "zarr3"
    HDF5 = "hdf5"
    JSON = "json"
    NeuroglancerPrecomputed = "neuroglancerPrecomputed"

    def __str__(self) -> str:
        return self.value
