"""Zarr group markers and the OME-NGFF multiscales model (axes, mags and their scales) of datasets and layers;
the data format's FormatMetadata adapter writes them (OME 0.5 in ``zarr.json``, 0.4 in ``.zattrs``)."""

from __future__ import annotations

from typing import Any

from upath import UPath

from .. import ports

_AXIS_TYPES = {"c": "channel", "t": "time", "x": "space", "y": "space", "z": "space"}


def write_dataset_group(dataset_path: UPath, data_format: str) -> None:
    """Mark the dataset folder as a group of its data format (zarr3: ``zarr.json``, zarr: ``.zgroup``) if not yet
    marked; formats without groups (wkw, ...) get nothing. The format's FormatMetadata adapter writes the files."""
    metadata = ports.format_metadata(data_format)
    if metadata is not None:
        metadata.mark_group(dataset_path)


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


def _stored_axes(info: Any) -> tuple[str, ...]:
    """The axes of an array in stored order (without a channel axis it does not store)."""
    if info.stored_dimension_names is not None:
        return tuple(info.stored_dimension_names)
    return tuple(info.dimension_names if info.has_channel_axis else info.dimension_names[1:])


def write_layer_metadata(layer: Any) -> None:
    """Write the layer's group with OME-NGFF multiscales listing its mags (formats with groups: zarr and zarr3)."""
    metadata = ports.format_metadata(layer.data_format)
    if metadata is None or not layer.mags:
        return
    orders = {_stored_axes(mag_view.info) for mag_view in layer.mags.values()}
    if len(orders) != 1:  # mags stored in different axis orders (e.g. a z, y, x array referenced in place)
        return  # one multiscales lists one axis order: it would misdescribe some of them
    dimension_names = orders.pop()
    voxel_size = layer.dataset.voxel_size_with_unit
    unit = voxel_size.unit.value if hasattr(voxel_size.unit, "value") else str(voxel_size.unit)
    multiscale = {
        "axes": _axes(dimension_names, unit),
        "datasets": _datasets(layer, voxel_size.factor, dimension_names),
    }
    metadata.write_multiscales(layer.path, multiscale)
