"""Dataset.write_layer: turn one numpy array into a new layer with a single mag."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..geometry import BoundingBox, Mag, NDBoundingBox

_XYZ = ("x", "y", "z")


def _layer_box(axes: tuple[str, ...], shape: tuple[int, ...], offset: Any, mag: Mag) -> NDBoundingBox:
    spatial = [a for a in axes if a != "c"]
    sizes = dict(zip([a for a in axes], shape))
    factors = dict(zip(_XYZ, mag.to_list()))
    if offset is None:
        offset_values = {a: 0 for a in spatial}
    else:
        values = list(offset)
        names = _XYZ if len(values) == 3 else spatial
        if len(values) != len(names):
            raise ValueError(f"absolute_offset {offset} needs 3 values or one per axis of {spatial}.")
        offset_values = {a: 0 for a in spatial} | dict(zip(names, (int(v) for v in values)))
    if spatial == list(_XYZ):
        return BoundingBox(tuple(offset_values[a] for a in _XYZ), tuple(sizes[a] * factors[a] for a in _XYZ))
    index = tuple(range(1, len(spatial) + 1))
    return NDBoundingBox(
        topleft=tuple(offset_values[a] for a in spatial),
        size=tuple(sizes[a] * factors.get(a, 1) for a in spatial),
        axes=tuple(spatial),
        index=index,
    )


def write_new_layer(
    dataset: Any,
    layer_name: str,
    category: str,
    data: np.ndarray,
    *,
    data_format: Any,
    chunk_shape: Any,
    shard_shape: Any,
    chunks_per_shard: Any,
    axes: Any,
    absolute_offset: Any,
    mag: Mag,
) -> Any:
    """Create ``layer_name`` sized to ``data`` and write it at ``mag``; returns the layer."""
    if axes is None:
        if data.ndim == 3:
            axes = _XYZ
        elif data.ndim == 4:
            axes = ("c", *_XYZ)
        else:
            raise ValueError(f"Data with {data.ndim} axes needs axes=(...) naming them, e.g. ('t','x','y','z').")
    axes = tuple(axes)
    if len(axes) != data.ndim or not set(_XYZ) <= set(axes):
        raise ValueError(f"axes {axes} must name each of the data's {data.ndim} axes and include x, y and z.")
    spatial = [a for a in axes if a != "c"]
    order = (["c"] if "c" in axes else []) + [a for a in spatial if a not in _XYZ] + list(_XYZ)
    data = np.transpose(data, [axes.index(a) for a in order])
    num_channels = data.shape[0] if "c" in axes else 1
    bbox = _layer_box(tuple(order), data.shape, absolute_offset, mag)
    layer = dataset.add_layer(
        layer_name,
        category,
        dtype=data.dtype,
        num_channels=num_channels,
        data_format=data_format,
        bounding_box=bbox,
    )
    mag_view = layer.add_mag(mag, chunk_shape=chunk_shape, shard_shape=shard_shape, chunks_per_shard=chunks_per_shard)
    if "c" not in axes:
        data = data[np.newaxis]
    mag_view.write(data, absolute_bounding_box=bbox)
    if category == "segmentation":
        layer.largest_segment_id = int(data.max()) if data.size else None
    return layer
