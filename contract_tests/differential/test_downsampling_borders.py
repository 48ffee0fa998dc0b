"""Downsampling behaves like the reference's where the layer's box covers a coarse voxel only partly: the missing
voxels are mirrored from the box's border (numpy's ``symmetric`` padding) within the reference's work units, the
target shards (zarr: chunks) or ``buffer_shape``, counted from the box's first coarse voxel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

edge_offset = st.sampled_from([0, 1, 2, 3, 5, 31, 60, 63])
edge_size = st.sampled_from([1, 2, 3, 9, 17, 33, 41, 49])
steps = st.sampled_from([["4"], ["8"], ["2", "4"], ["4-4-2"], ["2-1-1", "4-4-2"], ["2", "8"], ["8-8-4"]])


@ds.examples(30)
@given(
    category_mode=st.sampled_from(
        [("color", "default"), ("color", "median"), ("color", "max"), ("color", "min"), ("color", "mode"),
         ("segmentation", "default"), ("segmentation", "mode")]
    ),
    data_format=ds.data_format,
    offset=st.tuples(edge_offset, edge_offset, edge_offset),
    shape=st.tuples(edge_size, edge_size, edge_size),
    steps=steps,
    shard_shape=st.sampled_from([8, 16, 32]),
    buffer_shape=st.sampled_from([None, None, 8, 12, (8, 16, 24)]),
    seed=st.integers(0, 5),
)  # fmt: skip
def test_partial_voxels(
    differential, category_mode, data_format, offset, shape, steps, shard_shape, buffer_shape, seed
):
    category, interpolation = category_mode
    differential.check(
        "downsampling_borders:partial_voxels",
        category=category,
        data_format=data_format,
        offset=offset,
        shape=shape,
        steps=steps,
        interpolation=interpolation,
        shard_shape=shard_shape,
        buffer_shape=buffer_shape,
        seed=seed,
    )
