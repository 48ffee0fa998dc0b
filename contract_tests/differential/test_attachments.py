"""Attachments behave like the reference's: added by path (the files need not exist), as reference, as copy and
as symlink, renamed and deleted; what the layer lists and what the properties record."""

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
FORMATS = ["hdf5", "zarr3", "json", "neuroglancerPrecomputed"]


@ds.examples(20)
@given(
    kind=st.sampled_from(KINDS),
    data_format=st.sampled_from(FORMATS),
    where=st.sampled_from(["inside", "relative", "outside"]),
    name=st.sampled_from(["main", "agglomerate_view_5", "with space"]),
)
def test_add_by_path(differential, kind, data_format, where, name):
    differential.check("attachments:add_by_path", kind=kind, data_format=data_format, where=where, name=name)


@ds.examples(15)
@given(
    kind=st.sampled_from([k for k in KINDS if k != "agglomerates"]),  # placeholder files are no agglomerates
    data_format=st.sampled_from(["hdf5", "zarr3"]),
    how_name=st.sampled_from([("ref", None), ("ref", "renamed"), ("copy", None), ("symlink", None)]),
)
def test_as_ref_and_copy(differential, kind, data_format, how_name):
    how, new_name = how_name
    differential.check("attachments:as_ref_and_copy", kind=kind, data_format=data_format, how=how, new_name=new_name)


@ds.examples(10)
@given(kind=st.sampled_from(KINDS), data_format=st.sampled_from(FORMATS), relative=st.booleans())
def test_from_path_and_name(differential, kind, data_format, relative):
    differential.check("attachments:from_path_and_name", kind=kind, data_format=data_format, relative=relative)


@ds.examples(10)
@given(kind=st.sampled_from(KINDS), action=st.sampled_from(["rename", "delete"]))
def test_rename_and_delete(differential, kind, action):
    differential.check("attachments:rename_and_delete", kind=kind, data_format="zarr3", action=action)


@pytest.mark.parametrize("data_format", ["hdf5", "zarr3"])
def test_unreadable_agglomerate(differential, data_format):
    assert differential.check("attachments:unreadable_agglomerate", data_format=data_format) == ["exception"]
