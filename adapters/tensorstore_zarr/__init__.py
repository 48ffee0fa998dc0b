"""ArrayStorage adapters for zarr3 and zarr (v2) arrays, with tensorstore as the chunk engine.

The package reads and writes the metadata files (``zarr.json`` / ``.zarray``) itself, in the layout WEBKNOSSOS
writes (``layout``); chunk and shard data go through tensorstore (``array``) on file, http and s3 kvstores, with an
fsspec bridge for other locations (``locations``); ``context`` holds the process-wide cache and thread pools.
"""

from .array import TensorstoreZarrArray
from .context import cache_bytes, reset_tensorstore_context, tensorstore_context
from .locations import (
    _FsspecLocation,
    _HttpLocation,
    _LocalLocation,
    _location,
    _S3Location,
)
from .storage import Zarr3Storage, ZarrStorage

__all__ = [
    "TensorstoreZarrArray",
    "Zarr3Storage",
    "ZarrStorage",
    "_FsspecLocation",
    "_HttpLocation",
    "_LocalLocation",
    "_S3Location",
    "_location",
    "cache_bytes",
    "reset_tensorstore_context",
    "tensorstore_context",
]
