"""Datasets and layers behave like the reference's: layer creation with every dtype, category, data format and
chunk/shard shape, argument validation, deprecated members, properties versions and the fixture datasets."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

FIXTURE_DATASETS = [
    "wk-testdata/simple_wkw_dataset",
    "wk-testdata/simple_zarr_dataset",
    "wk-testdata/simple_zarr3_dataset",
    "wk-testdata/simple_n5_dataset",
    "wk-testdata/simple_ng_dataset",
    "wk-testdata/old_wkw_dataset",
    "wk-testdata/complex_property_ds",
    "wk-testdata/e2006_knossos",
    "generated/datasets/zarr3_sharded",
    "generated/datasets/zarr3_unsharded",
    "generated/datasets/zarr2",
    "generated/datasets/wkw_compressed",
    "generated/datasets/wkw_uncompressed",
    "generated/datasets/zarr3_4d",
]
layer_names = st.one_of(
    st.sampled_from(["layer", "a-b_c.1", "with space", "ümlaut", "a/b", "", "..", ".hidden", "x" * 80, "tab\t"]),
    st.text(alphabet="abcXYZ019_-. /é", min_size=1, max_size=8),
)


@ds.examples(25)
@given(
    category=ds.category,
    dtype=ds.dtype,
    num_channels=st.sampled_from([1, 1, 2, 3, 4]),
    storage=ds.storage(),
)
def test_create_layer(differential, category, dtype, num_channels, storage):
    data_format, chunk_shape, shard_shape, compress = storage
    differential.check(
        "dataset_layers:create_layer",
        category=category,
        dtype=dtype,
        num_channels=num_channels,
        data_format=data_format,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        compress=compress,
    )


@ds.examples(25)
@given(
    name=layer_names,
    category=st.sampled_from(["color", "segmentation", "Color", "volume"]),
    dtype=st.sampled_from([*ds.ALL_DTYPES, "bool", "float16", "complex64", ">u2", "u1", "uint24"]),
    num_channels=st.sampled_from([None, 1, 2, 3, 4, 5]),
    data_format=st.sampled_from([*ds.WRITABLE_FORMATS, "Zarr3", "tiff", "neuroglancer_precomputed"]),
)
def test_add_layer_arguments(differential, name, category, dtype, num_channels, data_format):
    differential.check(
        "dataset_layers:add_layer_arguments",
        name=name,
        category=category,
        dtype=dtype,
        num_channels=num_channels,
        data_format=data_format,
    )


@ds.examples(4)
@given(first=ds.category, second=ds.category)
def test_duplicate_layer(differential, first, second):
    differential.check("dataset_layers:duplicate_layer", first_category=first, second_category=second)


@pytest.mark.parametrize(
    "member", ["dtype_per_channel_argument", "dtype_per_channel", "chunks_per_shard_argument", "get_mag_string"]
)
def test_deprecated_members(differential, member):
    differential.check("dataset_layers:deprecated_members", member=member)


@ds.examples(12)
@given(
    new_name=st.sampled_from(["seg", "renamed", "a/b", "with space", ""]),
    topleft=ds.vec3(0, 40),
    size=ds.vec3(0, 40),
    largest_segment_id=st.one_of(st.none(), st.integers(0, 2**40)),
)
def test_layer_changes(differential, new_name, topleft, size, largest_segment_id):
    differential.check(
        "dataset_layers:layer_changes",
        new_name=new_name,
        topleft=topleft,
        size=size,
        largest_segment_id=largest_segment_id,
    )


@ds.examples(6)
@given(
    names=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True),
    delete=st.sampled_from(["a", "b", "c"]),
)
def test_delete_layer(differential, names, delete):
    differential.check("dataset_layers:delete_layer", names=names, delete=delete)


@ds.examples(8)
@given(version=st.sampled_from([0, 1, 2, 3, "1", -1]), drop_version=st.booleans())
def test_properties_version(differential, version, drop_version):
    differential.check("dataset_layers:properties_version", version=version, drop_version=drop_version)


@pytest.mark.parametrize("relative", FIXTURE_DATASETS)
def test_open_fixture(differential, relative):
    if not (ds.FIXTURES / relative).is_dir():
        pytest.skip(f"fixture {relative} not found under {ds.FIXTURES}")
    differential.check("dataset_layers:open_fixture", relative=relative)


@pytest.mark.parametrize("num_channels", [0, -1])
def test_channel_count(differential, num_channels):
    assert differential.check("dataset_layers:channel_count", num_channels=num_channels) == ["exception"]


def test_create_n5(differential):
    assert differential.check("dataset_layers:create_n5", dtype="uint8") == ["no-exception"]
