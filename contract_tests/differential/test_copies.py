"""Copies and references behave like the reference's: copy_dataset with format/chunk/shard/compression changes,
add_layer_as_copy/ref, add_mag_as_copy/ref and the deprecated ways of sharing a layer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

target_storage = st.sampled_from(
    [(None, None, None, None), ("zarr3", 32, 32, True), ("zarr3", 16, 64, None), ("wkw", 32, 64, False),
     ("zarr", 32, 32, True), ("zarr3", None, 64, False)]
)  # fmt: skip


@ds.examples(10)
@given(source_format=ds.data_format, target=target_storage, voxel_size=st.sampled_from([None, (3, 3, 3)]))
def test_copy_dataset(differential, source_format, target, voxel_size):
    data_format, chunk_shape, shard_shape, compress = target
    differential.check(
        "copies:copy_dataset",
        source_format=source_format,
        data_format=data_format,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        compress=compress,
        voxel_size=voxel_size,
    )


@ds.examples(10)
@given(
    source_format=ds.data_format,
    target=target_storage,
    new_name=st.sampled_from([None, "renamed", "with space"]),
    category=ds.category,
)
def test_add_layer_as_copy(differential, source_format, target, new_name, category):
    data_format, chunk_shape, shard_shape, _ = target
    differential.check(
        "copies:add_layer_as_copy",
        source_format=source_format,
        data_format=data_format,
        new_name=new_name,
        category=category,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
    )


@ds.examples(8)
@given(source_format=ds.data_format, new_name=st.sampled_from([None, "other"]), by_path=st.booleans())
def test_add_layer_as_ref(differential, source_format, new_name, by_path):
    differential.check("copies:add_layer_as_ref", source_format=source_format, new_name=new_name, by_path=by_path)


@ds.examples(12)
@given(
    how=st.sampled_from(["copy", "ref"]),
    source_format=st.sampled_from(["zarr3", "wkw"]),
    mag=st.sampled_from([1, 2]),
    extend_layer_bounding_box=st.booleans(),
    target_box=st.sampled_from([((0, 0, 0), (0, 0, 0)), ((0, 0, 0), (16, 16, 16)), ((20, 0, 0), (64, 64, 64))]),
)
def test_add_mag_as(differential, how, source_format, mag, extend_layer_bounding_box, target_box):
    differential.check(
        "copies:add_mag_as",
        how=how,
        source_format=source_format,
        mag=mag,
        extend_layer_bounding_box=extend_layer_bounding_box,
        target_box=target_box,
    )


@pytest.mark.parametrize(
    ("how", "make_relative"),
    [("symlink", False), ("symlink", True), ("copy", False), ("remote", False), ("like", False)],
)  # make_relative only applies to add_symlink_layer
def test_layer_links(differential, how, make_relative):
    differential.check("copies:layer_links", how=how, make_relative=make_relative)


def test_copy_to_zarr_from_sharded(differential):
    assert differential.check("copies:copy_to_zarr_from_sharded", source_format="zarr3") == ["no-exception"]


def test_fs_copy_layer(differential):
    assert differential.check("copies:fs_copy_layer") == ["no-exception"]
