"""Argument checks and notices of ``add_layer`` / ``add_mag``, as the reference library gives them: the dtypes
WEBKNOSSOS supports per layer category, the characters of layer names, channel counts and chunk/shard shapes."""

from __future__ import annotations

import re
import warnings

import numpy as np

from ..errors import InvalidArgumentError
from ..geometry import Vec3Int
from ..properties import SEGMENTATION_CATEGORY, DataFormat
from ..properties.names import name_problem

COLOR_DTYPES = ("uint8", "uint16", "uint32", "int8", "int16", "int32", "float32")
SEGMENTATION_DTYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
RECOMMENDED_CHUNK_SHAPES = (Vec3Int(32, 32, 32), Vec3Int(64, 64, 64))
_LAYER_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_LAYER_NAME_EXTRA = re.compile(r"[A-Za-z0-9_.\-$@]+")  # the reference also accepts $ and @ in layer names


class UnsupportedLayerDtypeError(ValueError):
    """A dtype WEBKNOSSOS cannot show in a layer of that category."""


def check_layer_name(name: str) -> None:
    """Refuse a layer name given to the API that is no plain folder name (the rule properties files obey too)."""
    problem = name_problem(name)
    if problem is not None:
        raise InvalidArgumentError(f"{name!r} is not a valid layer name: {problem}.")


def check_layer_name_characters(name: str) -> None:
    """Refuse names with characters other than ASCII letters, digits, ``_``, ``-``, ``.``, ``$`` and ``@``."""
    if not _LAYER_NAME_EXTRA.fullmatch(name):
        raise InvalidArgumentError(
            f"The layer name {name!r} is invalid. It must only contain letters, numbers, underscores, hyphens and "
            "dots; rename it, e.g. to " + repr(re.sub(r"[^A-Za-z0-9_.\-]", "_", name) or "layer") + "."
        )


def check_attachment_name(name: str) -> None:
    """Refuse attachment names with characters other than ASCII letters, digits, ``_``, ``-`` and ``.``."""
    if not _LAYER_NAME.fullmatch(name):
        raise InvalidArgumentError(
            f"Name {name} is not allowed. It must only contain letters, numbers, underscores, hyphens and dots; "
            "rename it, e.g. to " + repr(re.sub(r"[^A-Za-z0-9_.\-]", "_", name) or "attachment") + "."
        )


def check_layer_dtype(layer_name: str, category: str, dtype: np.dtype) -> None:
    """Refuse a dtype WEBKNOSSOS cannot show: floats in segmentation layers, 64-bit and other types in color layers."""
    supported = SEGMENTATION_DTYPES if category == SEGMENTATION_CATEGORY else COLOR_DTYPES
    if dtype.name not in supported:
        raise UnsupportedLayerDtypeError(
            f"Cannot add {category} layer {layer_name!r} with dtype {dtype.name}. Supported dtypes are: "
            f"{', '.join(supported)}. For an overview of supported dtypes, see "
            "https://docs.webknossos.org/webknossos/data/upload_ui.html"
        )


def check_num_channels(layer_name: str, num_channels: int) -> None:
    """Refuse fewer than one channel (the reference writes such a layer but cannot open it again)."""
    if num_channels < 1:
        raise InvalidArgumentError(
            f"Cannot add layer {layer_name!r} with num_channels={num_channels}: a layer has at least one channel."
        )


def warn_unsupported_channels(dtype: np.dtype, num_channels: int) -> None:
    """UserWarning for channel counts WEBKNOSSOS does not show: more than one channel, except 3 × uint8 (RGB)."""
    if num_channels != 1 and not (dtype == np.uint8 and num_channels == 3):
        warnings.warn(
            f"Data type {dtype.name} with multiple channels (got {num_channels}) not supported by WEBKNOSSOS. "
            "Create multiple layers instead.",
            UserWarning,
            stacklevel=3,
        )


def warn_chunk_shape(chunk_shape: Vec3Int) -> None:
    """UserWarning (an [INFO] notice) for chunk shapes other than 32³ and 64³."""
    if Vec3Int(chunk_shape) not in RECOMMENDED_CHUNK_SHAPES:
        warnings.warn(
            "[INFO] `chunk_shape` of `32, 32, 32` or `64, 64, 64` is recommended for optimal performance in "
            f"WEBKNOSSOS. Got {tuple(chunk_shape)}.",
            UserWarning,
            stacklevel=3,
        )


def check_storage_shapes(data_format: DataFormat, chunk_shape: Vec3Int, shard_shape: Vec3Int) -> None:
    """Refuse shapes a format cannot store: WKW needs cubic chunks and shards, zarr (v2) has no shards."""
    if data_format == DataFormat.WKW:
        for what, shape in (("chunk_shape", chunk_shape), ("shard_shape", shard_shape)):
            if len(set(shape)) != 1:
                raise InvalidArgumentError(
                    f"`{what}` needs to be uniform for WKW storage. Got {tuple(shape)}; use a cube, e.g. "
                    f"{(max(shape),) * 3}, or another data format."
                )
    if data_format == DataFormat.Zarr and Vec3Int(shard_shape) != Vec3Int(chunk_shape):
        raise InvalidArgumentError(
            f"Zarr (version 2) doesn't support sharding (got shard_shape {tuple(shard_shape)} for chunk_shape "
            f"{tuple(chunk_shape)}); use data_format='zarr3' instead, or leave shard_shape unset."
        )
