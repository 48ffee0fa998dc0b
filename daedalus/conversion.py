"""``daedalus.conversion``: import foreign volumes into WEBKNOSSOS datasets (the Python API of the convert commands).

- ``convert_raw(source_raw_path, target_path, shape=..., ...)``: a raw binary volume (``daedalus convert-raw``);
- ``convert_zarr(source_zarr_path, target_path, ...)``: a plain zarr v2/v3 array (``daedalus convert-zarr``);
- ``convert_knossos(source_path, target_path, ...)``: one magnification of KNOSSOS cubes (``daedalus convert-knossos``);
- ``find_knossos_cubes(mag_path)``: the cube files of a KNOSSOS magnification folder, by cube index;
- ``import_volume(source, target, ...)``: an OME-Zarr 0.4/0.5 image, Neuroglancer precomputed volume, N5 or zarr
  array (folder or URL) as a layer, referenced in place or copied (``daedalus import-volume``); ``describe_volume``
  reads such a volume's metadata.

Image stacks (``daedalus convert``) go through ``Dataset.from_images``. Each function creates the dataset (or opens
an existing one with the same voxel size), adds one layer and returns its MagView; ``executor`` runs the
shard-aligned tasks in parallel. A source that cannot be imported raises ``ConversionInputError`` (a ValueError;
``SourceNotFoundError`` also a FileNotFoundError) naming the file.
"""

from daedalus.core.conversion import (
    KNOSSOS_CUBE_EDGE,
    ConversionInputError,
    SourceNotFoundError,
    convert_knossos,
    convert_raw,
    convert_zarr,
    find_knossos_cubes,
)
from daedalus.core.conversion.foreign import ForeignVolume, ForeignVolumeError, describe_volume, import_volume

__all__ = [
    "KNOSSOS_CUBE_EDGE",
    "ConversionInputError",
    "ForeignVolume",
    "ForeignVolumeError",
    "SourceNotFoundError",
    "convert_knossos",
    "convert_raw",
    "convert_zarr",
    "describe_volume",
    "find_knossos_cubes",
    "import_volume",
]
