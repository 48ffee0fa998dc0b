"""``Layer.export`` behaves like the reference's: the TIFF stacks, OME-TIFF files and .ozx archives of 3-d layers
and of layers with extra axes (t, ...) hold the same files, metadata and voxels, also for boxes and mags that do
not align (the coarse voxels of an .ozx pyramid that the box covers only partly included)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("tifffile", reason="the export scenarios read the TIFF files with tifffile")
pytest.importorskip("tensorstore", reason="the export scenarios read the .ozx arrays with tensorstore")

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

offset = st.tuples(st.sampled_from([0, 1, 3, 8]), st.sampled_from([0, 2, 5]), st.sampled_from([0, 1, 4]))
size = st.tuples(st.sampled_from([9, 33, 50, 70]), st.sampled_from([7, 32, 49]), st.sampled_from([1, 3, 10, 21]))
extra = st.sampled_from([None, None, {"t": [0, 2]}, {"t": [3, 2]}, {"t": [1, 1]}, {"t": [0, 2], "s": [5, 2]}])
box = st.sampled_from([None, None, [[2, 4, 6], [9, 9, 3]], [[0, 3, 1], [40, 20, 10]]])


def _check(differential, method, category, offset, size, extra, mag, box, options):
    differential.check(
        "layer_export:export",
        method=method,
        category=category,
        offset=offset,
        size=size,
        extra=extra,
        mag=mag,
        box=box,
        options=options,
    )


@ds.examples(14)
@given(
    category=ds.category,
    offset=offset,
    size=size,
    extra=extra,
    mag=st.sampled_from(["1", "1", "2-2-1", "2"]),
    box=box,
    downsample=st.sampled_from([True, True, False]),
)
def test_as_ozx(differential, category, offset, size, extra, mag, box, downsample):
    _check(differential, "as_ozx", category, offset, size, extra, mag, box, {"downsample": downsample})


@ds.examples(10)
@given(
    category=ds.category,
    offset=offset,
    size=size,
    extra=extra,
    mag=st.sampled_from(["1", "2-2-1"]),
    box=box,
    downsample=st.booleans(),
)
def test_as_ome_tiff(differential, category, offset, size, extra, mag, box, downsample):
    _check(differential, "as_ome_tiff", category, offset, size, extra, mag, box, {"downsample": downsample})


@ds.examples(10)
@given(
    category=ds.category,
    offset=offset,
    size=size,
    extra=extra,
    mag=st.sampled_from(["1", "2-2-1"]),
    box=box,
    prefix=st.sampled_from(["", "img"]),
)
def test_as_tiff_stack(differential, category, offset, size, extra, mag, box, prefix):
    _check(differential, "as_tiff_stack", category, offset, size, extra, mag, box, {"filename_prefix": prefix})
