"""Zarr group markers and OME-NGFF multiscales metadata (0.5 for zarr3, 0.4 for zarr) for datasets and layers."""

from __future__ import annotations

import json
from typing import Any

from upath import UPath

from ..properties.files import write_text_atomically

_AXIS_TYPES = {"c": "channel", "t": "time", "x": "space", "y": "space", "z": "space"}
# zarr v2 group marker: ``zarr_format`` is the integer 2 (the zarr v2 spec); the reference writes the string "2",
# which zarr-python, ome-zarr-py and ome-zarr-models refuse, while the reference reads either.
_ZARR2_GROUP = {"zarr_format": 2}


def _write_json(path: UPath, content: dict[str, Any]) -> None:
    """Write zarr/OME metadata atomically: a killed writer never leaves a half-written ``zarr.json``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(content, indent=4))


def _read_json(path: UPath) -> Any:
    """The parsed JSON at ``path``, or None when it is missing or not valid JSON."""
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def write_dataset_group(dataset_path: UPath, data_format: str) -> None:
    """Mark the dataset folder as a zarr group (zarr3: ``zarr.json``, zarr: ``.zgroup``) if not yet marked.

    A ``.zgroup`` with the string ``"2"`` (as the reference writes it) is rewritten with the integer.
    """
    if data_format == "zarr3" and not (dataset_path / "zarr.json").exists():
        _write_json(dataset_path / "zarr.json", {"zarr_format": 3, "node_type": "group"})
    elif data_format == "zarr" and _read_json(dataset_path / ".zgroup") != _ZARR2_GROUP:
        _write_json(dataset_path / ".zgroup", _ZARR2_GROUP)


def _axes(dimension_names: tuple[str, ...], unit: str) -> list[dict[str, str]]:
    """NGFF axes: x/y/z are space axes in ``unit``; c and t channel and time; other axes have no type."""
    axes = []
    for name in dimension_names:
        entry = {"name": name}
        if name in _AXIS_TYPES:
            entry["type"] = _AXIS_TYPES[name]
        if entry.get("type") == "space":
            entry["unit"] = unit
        axes.append(entry)
    return axes


def _datasets(layer: Any, voxel_size: tuple[float, float, float], dimension_names: tuple[str, ...]) -> list:
    datasets = []
    for mag, mag_view in sorted(layer.mags.items(), key=lambda item: (item[0].max_dim, item[0].to_list())):
        factors = dict(zip(("x", "y", "z"), (v * m for v, m in zip(voxel_size, mag.to_list()))))
        scale = [float(factors.get(axis, 1.0)) for axis in dimension_names]
        datasets.append({"path": mag_view.path.name, "coordinateTransformations": [{"type": "scale", "scale": scale}]})
    return datasets


def write_layer_metadata(layer: Any) -> None:
    """Write the layer's zarr group with OME-NGFF multiscales listing its mags (zarr and zarr3 only)."""
    data_format = str(getattr(layer.data_format, "value", layer.data_format))
    if data_format not in ("zarr", "zarr3") or not layer.mags:
        return
    finest = layer.get_finest_mag()
    dimension_names = finest.info.dimension_names
    if not finest.info.has_channel_axis:
        dimension_names = dimension_names[1:]
    voxel_size = layer.dataset.voxel_size_with_unit
    unit = voxel_size.unit.value if hasattr(voxel_size.unit, "value") else str(voxel_size.unit)
    multiscale = {
        "axes": _axes(dimension_names, unit),
        "datasets": _datasets(layer, voxel_size.factor, dimension_names),
    }
    if data_format == "zarr3":
        content = {
            "zarr_format": 3,
            "node_type": "group",
            "attributes": {"ome": {"version": "0.5", "multiscales": [multiscale]}},
        }
        _write_json(layer.path / "zarr.json", content)
    else:
        _write_json(layer.path / ".zgroup", _ZARR2_GROUP)
        _write_json(layer.path / ".zattrs", {"multiscales": [{"version": "0.4", **multiscale}]})
