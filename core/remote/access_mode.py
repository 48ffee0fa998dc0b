"""RemoteAccessMode: how the voxel data of a remote dataset is reached (zarr streaming, proxy or direct paths)."""

from __future__ import annotations

from enum import Enum


class RemoteAccessMode(Enum):
    """Determines how data of a remote dataset is accessed.

    ``ZARR_STREAMING`` reads the datastore's zarr v2 view of the dataset; ``PROXY_PATH`` reads the stored arrays
    through the datastore's proxy; ``DIRECT_PATH`` reads the stored arrays at their own paths (the client needs
    access to that storage).
    """

    DIRECT_PATH = "direct_path"
    PROXY_PATH = "proxy_path"
    ZARR_STREAMING = "zarr_streaming"
