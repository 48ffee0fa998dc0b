"""What a dataset holds, as plain data: layers, voxel types, boxes, and per mag its layout and size on disk.

``dataset_summary`` backs ``daedalus info``; its result is JSON-ready (lists, numbers, strings, None).
"""

from __future__ import annotations

import os
from typing import Any

from .paths import is_local, local_path


def size_on_disk(path: Any) -> int | None:
    """Bytes of all files under ``path`` (symbolic links followed once, hard links counted once).

    Local folders are walked; other file systems are asked through fsspec's ``du``. None when the file system
    cannot tell (HTTP) or the path does not exist.
    """
    if is_local(path):
        return _local_size(str(local_path(path)))
    if getattr(path, "protocol", "") in ("http", "https"):
        return None  # a web server does not list folders; the size is unknown
    try:
        return int(path.fs.du(path.path, total=True))
    except Exception:  # noqa: BLE001 - many fsspec file systems do not implement du; the size is then unknown
        return None


def _local_size(root: str) -> int | None:
    if os.path.isfile(root):
        return os.stat(root).st_size
    if not os.path.isdir(root):
        return None
    total, seen = 0, set()
    for folder, _, files in os.walk(root, followlinks=True):
        for name in files:
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:  # a dangling link or a file removed meanwhile
                continue
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_size
    return total


def _box(bbox: Any) -> dict[str, Any]:
    axes = tuple(getattr(bbox, "axes", ("x", "y", "z")))
    return {"axes": list(axes), "topleft": [int(v) for v in bbox.topleft], "size": [int(v) for v in bbox.size]}


def _mag_summary(layer: Any, mag_view: Any, with_sizes: bool) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "mag": mag_view.mag.to_layer_name(),
        "path": str(mag_view.path),
        "foreign": bool(layer.is_mag_view_foreign(mag_view)),
    }
    try:
        info = mag_view.info
    except (OSError, ValueError) as error:  # listed in the properties, but its array is missing or unreadable
        summary.update(chunk_shape=None, shard_shape=None, compressed=None, error=str(error))
    else:
        summary.update(
            chunk_shape=[int(v) for v in info.chunk_shape],
            shard_shape=[int(v) for v in info.shard_shape],
            compressed=bool(info.compression_mode),
        )
    summary["size_on_disk"] = size_on_disk(mag_view.path) if with_sizes else None
    return summary


def _layer_summary(layer: Any, with_sizes: bool) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "name": layer.name,
        "category": str(layer.category),
        "dtype": str(layer.dtype),
        "num_channels": int(layer.num_channels),
        "data_format": str(layer.data_format),
        "bounding_box": _box(layer.bounding_box),
    }
    if str(layer.category) == "segmentation":
        summary["largest_segment_id"] = layer.largest_segment_id
    summary["mags"] = [_mag_summary(layer, layer.get_mag(mag), with_sizes) for mag in sorted(layer.mags)]
    return summary


def dataset_summary(dataset: Any, *, with_sizes: bool = True) -> dict[str, Any]:
    """A JSON-ready description of ``dataset`` (a Dataset, a RemoteDataset or a path).

    Keys: ``path``, ``name``, ``voxel_size`` and ``unit``, and ``layers``: per layer its ``name``, ``category``,
    ``dtype`` (per channel), ``num_channels``, ``data_format``, ``bounding_box`` (``axes``, ``topleft``, ``size``),
    ``largest_segment_id`` (segmentation layers) and ``mags``: per mag ``mag`` (e.g. ``"2-2-1"``), ``path``,
    ``foreign`` (stored outside the dataset folder), ``chunk_shape``, ``shard_shape``, ``compressed`` (all None, with
    the reason in ``error``, when the mag's array cannot be read) and ``size_on_disk`` in bytes (None when unknown or
    ``with_sizes`` is False). ``size_on_disk`` at the top is the sum
    over the mags (None if any is unknown).
    """
    if not hasattr(dataset, "layers"):
        from .dataset import Dataset

        dataset = Dataset.open(dataset, read_only=True)
    scale = dataset.voxel_size_with_unit
    layers = [_layer_summary(dataset.get_layer(name), with_sizes) for name in dataset.layers]
    sizes = [mag["size_on_disk"] for layer in layers for mag in layer["mags"]]
    return {
        "path": str(dataset.path),
        "name": dataset.name,
        "voxel_size": [float(v) for v in scale.factor],
        "unit": str(getattr(scale.unit, "value", scale.unit)),
        "layers": layers,
        "size_on_disk": sum(sizes) if sizes and None not in sizes else (0 if not sizes else None),
    }
