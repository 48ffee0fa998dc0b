"""Shared observers of the dataset scenarios: what a user sees of a dataset, a layer and a mag, as plain data.

Loaded by path from the scenario modules (stdlib + numpy only, it runs with daedalus and with the reference).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def properties(dataset_path) -> dict:
    """``datasource-properties.json`` of ``dataset_path`` as loaded JSON, layers and mags sorted by name."""
    data = json.loads((Path(dataset_path) / "datasource-properties.json").read_text())
    layers = sorted(data.get("dataLayers", []), key=lambda layer: layer.get("name", ""))
    for layer in layers:
        if "mags" in layer:
            layer["mags"] = sorted(layer["mags"], key=lambda mag: mag.get("mag", []))
    for layer in layers:  # the reference repeats the axis order in the box of layers without mags: not semantic
        if isinstance(layer.get("boundingBox"), dict):
            layer["boundingBox"].pop("axisOrder", None)
    data["dataLayers"] = layers
    return data


def box(bounding_box) -> list:
    """A (ND)BoundingBox as [axes, topleft, size] (plain lists)."""
    return [list(bounding_box.axes), list(bounding_box.topleft), list(bounding_box.size)]


def mag_info(mag_view) -> dict:
    """What ``MagView.info`` tells about the stored array (format, dtype, chunk and shard shape, compression)."""
    info = mag_view.info
    return {
        "data_format": str(info.data_format),
        "voxel_type": str(np.dtype(info.voxel_type)),
        "chunk_shape": list(info.chunk_shape),
        "shard_shape": list(info.shard_shape),
        "compression_mode": bool(info.compression_mode),
    }


def layer_facts(layer) -> dict:
    """Name, category, dtype, channels, data format, bounding box and mags (with their infos) of ``layer``."""
    return {
        "name": layer.name,
        "category": layer.category,
        "dtype": str(layer.dtype),
        "num_channels": layer.num_channels,
        "data_format": str(layer.data_format),
        "bounding_box": box(layer.bounding_box),
        "mags": {mag.to_layer_name(): mag_info(view) for mag, view in sorted(layer.mags.items())},
    }
