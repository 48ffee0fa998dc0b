"""Reprs behave like the reference's: ``Dataset(PosixUPath(...))``, ``Layer('name', dtype=..., num_channels=...)``
for color and segmentation layers, ``MagView(name='2-2-1', bounding_box=...)`` and ``View(PosixUPath(...),
bounding_box=...)``, also for layers with a time axis."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)


@ds.examples(8)
@given(
    mag=st.sampled_from(["2", "2-2-1", "4-4-2"]),
    num_channels=st.sampled_from([1, 3]),
    category=ds.category,
    view_offset=st.sampled_from([(8, 8, 8), (5, 6, 7), (12, 10, 16)]),
    view_size=st.sampled_from([(4, 4, 4), (8, 8, 2)]),
)
def test_dataset_objects(differential, mag, num_channels, category, view_offset, view_size):
    if category == "segmentation":
        num_channels = 1
    differential.check(
        "reprs:dataset_objects",
        mag=mag,
        num_channels=num_channels,
        category=category,
        view_offset=view_offset,
        view_size=view_size,
    )


@pytest.mark.parametrize("t_size", [1, 3])
def test_nd_objects(differential, t_size):
    differential.check("reprs:nd_objects", t_size=t_size)


@pytest.mark.parametrize("form", ["plain", "dot", "parent", "slash", "plain-path", "parent-path"])
def test_relative_paths(differential, form):
    differential.check("reprs:relative_paths", form=form)
