"""Annotations behave like the reference's: the fixture annotations (zips exported by WEBKNOSSOS, NMLs) loaded,
their volume layers, bounding boxes and metadata, saved and loaded again, and annotations built with the API."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

ZIPS = [
    "wk-testdata/annotations/bounding-boxes-example.zip",
    "wk-testdata/annotations/empty_volume_annotation.zip",
    "wk-testdata/annotations/l4_sample__explorational__suser__94b271.zip",
    "wk-testdata/annotations/l4dense_motta_et_al_demo_v2__explorational__4a6356.zip",
    "wk-testdata/annotations/multi_volume_example_CREMI.zip",
    "wk-testdata/annotations/nml_with_volumes.zip",
]
NMLS = ["wk-testdata/annotations/nml_with_volumes.nml", "generated/annotations/reference_skeleton.nml"]


def _present(relative):
    if not (ds.FIXTURES / relative).is_file():
        pytest.skip(f"fixture {relative} not found under {ds.FIXTURES}")


@pytest.mark.parametrize("relative", ZIPS + NMLS)
def test_load(differential, relative):
    _present(relative)
    differential.check("annotations:load", relative=relative)


@pytest.mark.parametrize("relative", ZIPS)
def test_volume_layers(differential, relative):
    _present(relative)
    differential.check("annotations:volume_layers", relative=relative)


@pytest.mark.parametrize("suffix", [".zip", ".nml"])
@pytest.mark.parametrize("relative", ZIPS + NMLS)
def test_save_and_load(differential, relative, suffix):
    _present(relative)
    differential.check("annotations:save_and_load", relative=relative, suffix=suffix)


box = st.tuples(ds.vec3(0, 100), ds.vec3(0, 50))


@ds.examples(12)
@given(
    name=st.sampled_from(["a", "name with space"]),  # "": test_unnamed_saved
    edit_position=st.one_of(st.none(), ds.vec3(0, 1000)),
    zoom_level=st.one_of(st.none(), st.sampled_from([0.5, 1.0, 2.75])),
    metadata=st.dictionaries(st.sampled_from(["k", "key two"]), st.sampled_from(["v", ""]), max_size=2),
    boxes=st.lists(box, max_size=3),
    task_box=st.one_of(st.none(), box),
    suffix=st.sampled_from([".zip", ".nml"]),
)
def test_built(differential, name, edit_position, zoom_level, metadata, boxes, task_box, suffix):
    differential.check(
        "annotations:built",
        name=name,
        edit_position=edit_position,
        zoom_level=zoom_level,
        metadata=metadata,
        boxes=boxes,
        task_box=task_box,
        suffix=suffix,
    )


def test_node_interpolation(differential):
    relative = "wk-testdata/annotations/l4_sample__explorational__suser__94b271.zip"
    _present(relative)
    assert differential.check("annotations:node_interpolation", relative=relative) == ["result"]


def test_unnamed_saved(differential):
    assert differential.check("annotations:unnamed_saved") == ["no-exception"]


@pytest.mark.parametrize("filled", [False, True])
@pytest.mark.parametrize("reload", [False, True])
def test_annotation_repr(differential, filled, reload):
    differential.check("annotations:annotation_repr", filled=filled, volume=False, reload=reload)


@pytest.mark.parametrize("reload", [False, True])
def test_annotation_repr_with_volume(differential, reload):
    differential.check("annotations:annotation_repr", filled=True, volume=True, reload=reload)
