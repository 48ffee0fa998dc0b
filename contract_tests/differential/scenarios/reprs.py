"""Repr scenarios: what ``repr()`` shows of datasets, layers, mags and views (3-d and with extra axes), as a user
sees it printed in a notebook or a log."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def dataset_objects(wk, tmp, mag, num_channels, category, view_offset, view_size):
    """The reprs of a dataset, its layers (dict and one), its mags (dict and one), views of a mag and of a view."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 2, 3))
    kwargs = {"largest_segment_id": 5} if category == "segmentation" else {}
    layer = ds.add_layer(
        "layer",
        category,
        dtype="uint8" if num_channels == 3 else "uint16",
        num_channels=num_channels,
        bounding_box=wk.BoundingBox((5, 6, 7), (20, 21, 22)),
        **kwargs,
    )
    finest = layer.add_mag(1, chunk_shape=32, shard_shape=64)
    coarse = layer.add_mag(mag, chunk_shape=32, shard_shape=64)
    view = coarse.get_view(absolute_offset=view_offset, size=view_size, read_only=True)
    nested = view.get_view(absolute_offset=view_offset, size=(2, 2, 2), read_only=True)
    relative = finest.get_view(relative_offset=(1, 1, 1), size=view_size, read_only=True)
    reopened = wk.Dataset.open(tmp / "ds")
    objects = [ds, ds.layers, layer, layer.mags, finest, coarse, view, nested, relative, reopened]
    return [repr(obj) for obj in objects]


def nd_objects(wk, tmp, t_size):
    """The reprs of a layer with a time axis, its mag and a view of one time point."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    data = np.zeros((t_size, 8, 8, 4), dtype=np.uint8)
    layer = ds.write_layer(
        "ts", "color", data, axes=("t", "x", "y", "z"), absolute_offset=(0, 1, 2, 3), downsample=False
    )
    mag = layer.get_mag(1)
    box = wk.NDBoundingBox((0, 1, 2, 3), (1, 8, 8, 4), axes=("t", "x", "y", "z"), index=(0, 1, 2, 3))
    return [repr(layer), repr(mag), repr(mag.get_view(absolute_bounding_box=box, read_only=True))]


def relative_paths(wk, tmp, form):
    """Reprs (and ``str``) of a dataset created, opened and copied with a path relative to the working directory (in
    the ``form`` given: plain, ``./``-prefixed, with ``..`` or a trailing slash, as str or Path) and of its layer,
    mag and view."""
    import os

    given = {"plain": "sub/ds", "dot": "./sub/ds", "parent": "sub/../sub/ds", "slash": "sub/ds/"}[form.split("-")[0]]
    path = Path(given) if form.endswith("-path") else given
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        ds = wk.Dataset(path, voxel_size=(1, 1, 1))
        layer = ds.add_layer("color", "color", dtype="uint8")
        mag = layer.add_mag(1)
        view = mag.get_view(absolute_offset=(0, 0, 0), size=(4, 4, 4), read_only=True)
        with wk.utils.get_executor("sequential") as executor:
            copy = ds.copy_dataset("sub/copy", executor=executor)
        opened = [wk.Dataset.open(path), wk.Dataset.open(os.path.abspath(given)), layer.dataset]
        objects = [ds, layer, mag, view, copy, *opened]
        return [repr(obj) for obj in objects] + [str(ds)]
    finally:
        os.chdir(cwd)
