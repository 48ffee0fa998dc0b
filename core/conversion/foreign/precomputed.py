"""Neuroglancer precomputed volumes: levels, resolution (nm), voxel offset and type from the ``info`` file."""

from __future__ import annotations

import math
import os
from typing import Any

from upath import UPath

from ...properties import COLOR_CATEGORY, SEGMENTATION_CATEGORY, DataFormat, LengthUnit, VoxelSize
from ..errors import SourceNotFoundError
from .metadata_files import child_path, numbers, whole_numbers
from .model import ForeignScale, ForeignVolume, ForeignVolumeError
from .scales import checked_scales, mag_of
from .zarr_arrays import voxel_type

_PRECOMPUTED_TYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "float32")
_COMPRESSED_SUFFIXES = (".gz", ".br", ".zst")


def _gzipped_chunks(folder: UPath, key: str, info_path: UPath) -> bool:
    """Whether a local scale's chunk files carry cloud-volume's ``.gz`` suffix (its default ``compress``).

    Readers that look for ``<chunk>`` (tensorstore, WEBKNOSSOS) would see such a scale as empty; over http
    servers decode them. Other suffixes (``.br``, ``.zst``) are refused.
    """
    if getattr(folder, "protocol", "") not in ("", "file", "local") or not folder.is_dir():
        return False
    names = [entry.name for entry, _ in zip(os.scandir(folder.path), range(64))]
    if not names or not all(name.endswith(_COMPRESSED_SUFFIXES) for name in names):
        return False
    if all(name.endswith(".gz") for name in names):
        return True
    raise ForeignVolumeError(
        f"{info_path}: the chunk files of scale {key!r} are stored compressed ({names[0]}), which tensorstore and "
        "WEBKNOSSOS do not read from a local disk. Write the volume with CloudVolume(..., compress=False), or "
        "serve it over http with Content-Encoding (as cloud storage does) and import its URL.",
        path=folder,
    )


def read_precomputed(root: UPath, info: dict[str, Any]) -> ForeignVolume:
    """The volume described by the precomputed ``info`` of the folder (or URL) ``root``."""
    info_path = root / "info"
    where = str(info_path)
    kind = info.get("type", "image")
    if kind not in ("image", "segmentation"):
        raise ForeignVolumeError(f"{where}: type {kind!r} is neither 'image' nor 'segmentation'.", path=root)
    dtype = voxel_type(info.get("data_type"), f"{where} data_type")
    if dtype.name not in _PRECOMPUTED_TYPES:
        raise ForeignVolumeError(f"{where}: data_type {dtype.name} is not a precomputed type.", path=root)
    (num_channels,) = whole_numbers([info.get("num_channels", 1)], 1, f"{where} num_channels", minimum=1)
    scales = info.get("scales")
    if not isinstance(scales, list) or not scales or not all(isinstance(s, dict) for s in scales):
        raise ForeignVolumeError(f"{where}: 'scales' must be a non-empty list of objects.", path=root)
    levels, gzipped = [], []
    for index, scale in enumerate(scales):
        at = f"{where} scales[{index}]"
        key = scale.get("key")
        path = child_path(root, key, f"{at} key")
        if "/" in key.rstrip("/"):
            raise ForeignVolumeError(f"{at}: key {key!r} must be the name of one folder.", path=root)
        size = whole_numbers(scale.get("size"), 3, f"{at} size", minimum=1)
        resolution = numbers(scale.get("resolution"), 3, f"{at} resolution", positive=True)
        voxel_offset = whole_numbers(scale.get("voxel_offset", [0, 0, 0]), 3, f"{at} voxel_offset", minimum=-(2**62))
        if scale.get("chunk_sizes") is None:
            raise ForeignVolumeError(f"{at}: 'chunk_sizes' is missing.", path=root)
        if not scale.get("sharding") and _gzipped_chunks(path, key, info_path):
            gzipped.append(key)
        levels.append((path, size, resolution, voxel_offset, at))
    finest_path, finest_size, finest_resolution, finest_offset, _ = min(levels, key=lambda level: math.prod(level[2]))
    result = []
    for path, size, resolution, voxel_offset, at in levels:
        mag = mag_of([r / f for r, f in zip(resolution, finest_resolution)], at)
        expected = [o / m for o, m in zip(finest_offset, mag.to_list())]
        if any(abs(v - e) >= 1 for v, e in zip(voxel_offset, expected)):
            raise ForeignVolumeError(
                f"{at}: voxel_offset {list(voxel_offset)} does not line up with the finest scale's "
                f"{list(finest_offset)} at mag {mag} (expected about {[round(e, 2) for e in expected]}).",
                path=root,
            )
        result.append(ForeignScale(mag, path, size))
    return ForeignVolume(
        kind="Neuroglancer precomputed",
        source=root,
        data_format=DataFormat.NeuroglancerPrecomputed,
        scales=checked_scales(result, root),
        dtype=dtype,
        num_channels=num_channels,
        voxel_size=VoxelSize(finest_resolution, LengthUnit.NANOMETER),
        offset=finest_offset,  # type: ignore[arg-type]
        category=SEGMENTATION_CATEGORY if kind == "segmentation" else COLOR_CATEGORY,
        gzipped_scales=tuple(gzipped),
    )


def missing_info(root: UPath) -> SourceNotFoundError:
    """The error for a folder without ``info``."""
    return SourceNotFoundError(f"{root / 'info'} does not exist.", path=root)
