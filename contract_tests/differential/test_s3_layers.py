"""Datasets on S3 behave like the reference's: layers and mags in every format written and read at offsets,
mag folders named ``1-1-1``, references and copies between local folders and S3, attachments and renames.

Both sides talk to one moto S3 server on 127.0.0.1 (the ``s3`` fixture); the tests skip with the reason when
moto, s3fs or the reference venv (with s3fs) is missing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

KINDS = ["meshes", "agglomerates", "connectomes", "segment_index", "cumsum"]


@ds.examples(12)
@given(
    storage=ds.storage(small=True),
    category=ds.category,
    dtype=st.sampled_from(["uint8", "uint16", "uint32", "int16", "float32"]),
    offset=st.tuples(ds.aligned_or_not, ds.aligned_or_not, ds.aligned_or_not),
    shape=st.sampled_from([(8, 8, 8), (20, 12, 5), (33, 16, 16)]),
)
def test_create_write_read(differential, s3, storage, category, dtype, offset, shape):
    data_format, chunk_shape, shard_shape, compress = storage
    if category == "segmentation" and dtype.startswith("float"):
        dtype = "uint32"
    differential.check(
        "s3_layers:create_write_read",
        s3=s3,
        data_format=data_format,
        category=category,
        dtype=dtype,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        compress=compress,
        offset=offset,
        shape=shape,
    )


@pytest.mark.parametrize("data_format", ["zarr3", "zarr", "wkw"])
@pytest.mark.parametrize("target_mags", [["2"], ["2-2-1", "4-4-2"]])
def test_mags_and_downsampling(differential, s3, data_format, target_mags):
    differential.check("s3_layers:mags_and_downsampling", s3=s3, data_format=data_format, target_mags=target_mags)


@pytest.mark.parametrize("where", ["s3", "local"])
@pytest.mark.parametrize("data_format", ["zarr3", "zarr"])
@pytest.mark.parametrize(
    ("mag_names", "with_paths"),
    [(["1-1-1", "2-2-1"], False), (["1", "2-2-1"], False), (["1-1-1", "2-2-2"], True)],
)
def test_long_mag_names(differential, s3, where, data_format, mag_names, with_paths):
    differential.check(
        "s3_layers:long_mag_names",
        s3=s3,
        where=where,
        data_format=data_format,
        mag_names=mag_names,
        with_paths=with_paths,
    )


@pytest.mark.parametrize("how", ["add_mag_as_ref", "add_layer_as_ref", "add_mag_as_copy", "add_layer_as_copy"])
@pytest.mark.parametrize(("source_where", "target_where"), [("s3", "local"), ("local", "s3"), ("s3", "s3")])
def test_refs_and_copies(differential, s3, how, source_where, target_where):
    differential.check(
        "s3_layers:refs_and_copies",
        s3=s3,
        how=how,
        source_where=source_where,
        target_where=target_where,
        new_name="other",
    )


@pytest.mark.parametrize(("source_where", "target_where"), [("s3", "local"), ("local", "s3"), ("s3", "s3")])
@pytest.mark.parametrize(
    ("data_format", "chunk_shape", "shard_shape"),
    [(None, None, None), ("zarr", 16, 16), ("wkw", 16, 32), ("zarr3", 8, 32)],
)  # zarr from a sharded source without shard_shape: see copies:copy_to_zarr_from_sharded
def test_copy_dataset(differential, s3, source_where, target_where, data_format, chunk_shape, shard_shape):
    differential.check(
        "s3_layers:copy_dataset",
        s3=s3,
        source_where=source_where,
        target_where=target_where,
        data_format=data_format,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
    )


@ds.examples(16)
@given(
    kind=st.sampled_from([k for k in KINDS if k != "agglomerates"]),  # placeholder files are no agglomerates
    data_format=st.sampled_from(["hdf5", "zarr3"]),
    how=st.sampled_from(["ref", "copy"]),
    where=st.sampled_from([("s3", "local"), ("local", "s3"), ("s3", "s3")]),
)
def test_attachments(differential, s3, kind, data_format, how, where):
    differential.check(
        "s3_layers:attachments",
        s3=s3,
        kind=kind,
        data_format=data_format,
        how=how,
        source_where=where[0],
        target_where=where[1],
    )


@ds.examples(10)
@given(
    kind=st.sampled_from(KINDS),
    data_format=st.sampled_from(["hdf5", "zarr3"]),
    where=st.sampled_from(["inside", "relative", "elsewhere"]),
)
def test_attachment_by_path(differential, s3, kind, data_format, where):
    differential.check("s3_layers:attachment_by_path", s3=s3, kind=kind, data_format=data_format, where=where)


@pytest.mark.parametrize("data_format", ["zarr3", "zarr", "wkw"])
def test_rename_layer(differential, s3, data_format):
    differential.check("s3_layers:rename_layer", s3=s3, data_format=data_format)


RENAMED = [(kind, fmt, False) for kind in KINDS for fmt in ("hdf5", "zarr3")]
RENAMED += [(kind, "hdf5", True) for kind in KINDS if kind != "agglomerates"]  # a placeholder is no agglomerate


@pytest.mark.parametrize(("kind", "data_format", "exists"), RENAMED)
def test_rename_attachment(differential, s3, kind, data_format, exists):
    differential.check("s3_layers:rename_attachment", s3=s3, kind=kind, data_format=data_format, exists=exists)
