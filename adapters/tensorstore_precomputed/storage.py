"""PrecomputedStorage: creates and opens Neuroglancer precomputed scales; the encoding a new scale gets."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import tensorstore as ts
from daedalus.core.array_info import ArrayInfo
from daedalus.core.ports import ArrayStorageDefaults, StorageCapabilities

from .array import PrecomputedArray
from .sharding import INTENT_KEY, sharding_spec
from .volume_info import INFO, check_plain_chunk_files, local_path, read_info, scale_location, scale_of, write_info

__all__ = ["JPEG_QUALITY", "PrecomputedStorage", "encoding_for"]

VOXEL_TYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "float32")
JPEG_QUALITY = 90  # jpeg is lossy: at 90, EM-like data stays within a few grey values
SEGMENTATION_BLOCK = [8, 8, 8]  # compressed_segmentation's block edge, as Neuroglancer's own volumes use


def encoding_for(dtype: Any, num_channels: int, category: str | None, compress: bool) -> str:
    """The encoding of a new scale: jpeg for compressed single-channel uint8 colour data,
    compressed_segmentation for compressed uint32/uint64 segmentation data, raw for everything else.

    Three-channel jpeg is left out: tensorstore and cloud-volume lay such chunks out differently (each reads the
    other's as scrambled colours), so a viewer would show one of them wrong."""
    name = np.dtype(dtype).name
    if not compress:
        return "raw"
    if category == "segmentation":
        return "compressed_segmentation" if name in ("uint32", "uint64") else "raw"
    if category == "color" and name == "uint8" and num_channels == 1:
        return "jpeg"
    return "raw"


class PrecomputedStorage(ArrayStorageDefaults):
    """Neuroglancer precomputed scales through tensorstore (reads every encoding; writes raw, jpeg and
    compressed_segmentation scales, unsharded or sharded)."""

    data_format = "neuroglancerPrecomputed"
    engine = "tensorstore"
    # precomputed volumes are (x, y, z, channel); compress=True gives jpeg for uint8 colour data, which is lossy,
    # so compressed arrays do not round-trip exactly for every voxel type (supports_compression=False)
    capabilities = StorageCapabilities(supports_extra_axes=False, supports_compression=False, voxel_types=VOXEL_TYPES)
    # sibling scales share the volume's data type and channel count (one ``info`` per layer folder), so
    # arrays of different types need folders of their own, as the contract suite gives them

    def __repr__(self) -> str:
        return f"PrecomputedStorage(data_format={self.data_format!r}, engine={self.engine!r})"

    def create(self, path: Any, info: ArrayInfo) -> PrecomputedArray:
        """Add a scale named after ``path``'s folder to the ``info`` in its parent folder (made if missing).

        Resolution: ``info.voxel_size_nm`` (else the mag factors of the folder name, as 1 nm voxels); type:
        ``segmentation`` for segmentation layers, else ``image``; encoding: :func:`encoding_for`; sharded
        (``neuroglancer_uint64_sharded_v1``, shards = aligned boxes of ``shard_shape``) when the shard shape is
        larger than the chunk shape.
        """
        local = local_path(path)
        root, key = local.parent, local.name
        dtype = np.dtype(info.voxel_type)
        chunk = [int(c) for c in info.chunk_shape]
        size = [int(s) for s in info.shape[1:]]
        problem = None
        if tuple(info.dimension_names) != ("c", "x", "y", "z"):
            problem = f"axes {tuple(info.dimension_names)} are not ('c', 'x', 'y', 'z')"
        elif dtype.name not in VOXEL_TYPES:
            problem = f"voxel type {dtype} is not one of {', '.join(VOXEL_TYPES)}"
        elif info.shape[0] != info.num_channels:
            problem = f"shape {info.shape} does not have num_channels={info.num_channels} channels"
        elif any(int(g) for g in info.grid_offset):
            problem = f"grid_offset {tuple(info.grid_offset)} is not supported for new scales (they start at 0)"
        if problem:
            raise ValueError(f"Cannot create a precomputed scale at {path}: {problem}.")
        existing = read_info(root)
        if scale_of(existing, key) is not None:
            raise FileExistsError(f"The precomputed volume {root} already has a scale {key!r}; open it instead.")
        encoding = encoding_for(dtype, info.num_channels, info.category, info.compression_mode)
        scale: dict[str, Any] = {
            "key": key,
            "size": size,
            "resolution": _resolution(info, key),
            "encoding": encoding,
            "chunk_size": chunk,
            "voxel_offset": [0, 0, 0],
        }
        if encoding == "jpeg":
            scale["jpeg_quality"] = JPEG_QUALITY
        if encoding == "compressed_segmentation":
            scale["compressed_segmentation_block_size"] = SEGMENTATION_BLOCK
        edges = [s // c for s, c in zip(info.shard_shape, chunk)]
        if edges != [1, 1, 1]:
            data_encoding = "gzip" if info.compression_mode and encoding != "jpeg" else "raw"
            try:
                scale["sharding"] = sharding_spec(size, chunk, edges, data_encoding)
            except ValueError as error:
                raise ValueError(f"Cannot create a sharded precomputed scale at {path}: {error}.") from error
        multiscale = {"data_type": dtype.name, "num_channels": int(info.num_channels)}
        if existing is None:  # the volume's type is set by its first scale
            multiscale["type"] = "segmentation" if info.category == "segmentation" else "image"
        spec = {
            "driver": "neuroglancer_precomputed",
            "kvstore": {"driver": "file", "path": str(root) + "/"},
            "multiscale_metadata": multiscale,
            "scale_metadata": scale,
        }
        try:
            ts.open(spec, create=True).result()
        except ValueError as error:
            raise ValueError(f"tensorstore cannot create the precomputed scale {path}: {error}") from error
        if "sharding" in scale:  # tensorstore keeps members it does not know, but refuses them in a spec
            _note_shard_intent(root, key, edges)
        return PrecomputedArray(root, key)

    def open(self, path: Any) -> PrecomputedArray:
        """Open the scale at ``path`` (FileNotFoundError if no ``info`` lists it; ValueError for ``.gz`` chunks)."""
        root, key = scale_location(path)
        scale = scale_of(read_info(root), key)
        if scale is None:
            raise FileNotFoundError(f"No precomputed scale at {path}: {root / INFO} does not list {key!r}.")
        if not scale.get("sharding"):
            check_plain_chunk_files(root / str(scale.get("key", key)).strip("/"))
        return PrecomputedArray(root, key)

    def exists(self, path: Any) -> bool:
        """Whether ``path`` names a scale of a precomputed volume (local paths only)."""
        try:
            root, key = scale_location(path)
        except ValueError:
            return False
        return scale_of(read_info(root), key) is not None


def _note_shard_intent(root: Any, key: str, edges: list[int]) -> None:
    info = read_info(root)
    scale = scale_of(info, key)
    if info is not None and scale is not None:
        scale[INTENT_KEY] = edges
        write_info(root, info)


def _resolution(info: ArrayInfo, key: str) -> list[float]:
    """The scale's voxel edges in nanometres: from ``info``, else the mag factors of a folder name like ``2-2-1``."""
    if info.voxel_size_nm is not None:
        return [float(v) for v in info.voxel_size_nm]
    factors = [float(v) for v in key.split("-")] if re.fullmatch(r"\d+(-\d+-\d+)?", key) else [1.0]
    return factors * 3 if len(factors) == 1 else factors
