"""Downsampling scenarios at the border of an unaligned bounding box: coarse voxels the box covers only partly,
for median, mode, max and min, with the work units (target shards or ``buffer_shape``) the box is cut into."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)


def partial_voxels(
    wk, tmp, category, data_format, offset, shape, steps, interpolation, shard_shape, buffer_shape, seed
):
    """``downsample_mag`` along ``steps`` (from Mag 1) of a layer with an unaligned box: every mag's box and data."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    kwargs = {"largest_segment_id": 9} if category == "segmentation" else {}
    layer = ds.add_layer("layer", category, dtype="uint8", data_format=data_format, **kwargs)
    source_shard = None if data_format == "zarr" else 64
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 10 if category == "segmentation" else 250, size=shape).astype("uint8")
    layer.add_mag(1, chunk_shape=8, shard_shape=source_shard).write(
        data, absolute_offset=offset, allow_resize=True, allow_unaligned=True
    )
    previous = wk.Mag(1)
    with wk.utils.get_executor("sequential") as executor:
        for step in steps:
            layer.downsample_mag(
                previous,
                wk.Mag(step),
                interpolation_mode=interpolation,
                chunk_shape=8,
                shard_shape=None if data_format == "zarr" else shard_shape,
                buffer_shape=buffer_shape,
                executor=executor,
            )
            previous = wk.Mag(step)
    return {
        mag.to_layer_name(): [facts.box(view.bounding_box), view.read()] for mag, view in sorted(layer.mags.items())
    }
