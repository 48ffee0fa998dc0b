"""Imports of foreign volumes into WEBKNOSSOS datasets: raw binary files, plain zarr arrays and KNOSSOS cubes.

Each import writes one layer in shard-aligned tasks, sequentially or on an executor, with a progress bar.
"""

from .errors import ConversionInputError, SourceNotFoundError
from .knossos import KNOSSOS_CUBE_EDGE, convert_knossos, find_knossos_cubes
from .raw_volume import convert_raw
from .zarr_array import convert_zarr

__all__ = [
    "KNOSSOS_CUBE_EDGE",
    "ConversionInputError",
    "SourceNotFoundError",
    "convert_knossos",
    "convert_raw",
    "convert_zarr",
    "find_knossos_cubes",
]
