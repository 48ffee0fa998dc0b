"""Transient reads into reused per-thread buffers (``read_reusing``), as downsampling reads its source blocks:
the same voxels as ``View.read``, one buffer per thread and shape, and downsampled mags identical to those
computed from fresh reads in every interpolation mode."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from daedalus.core.dataset import downsampling
from daedalus.core.dataset.view import ReadBuffers, read_reusing

import daedalus as wk


def _layer(tmp_path, name="ds", category=wk.COLOR_CATEGORY, dtype="uint8"):
    ds = wk.Dataset(tmp_path / name, voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), (256, 192, 100))  # whole blocks (one read shape again and again), z cut
    layer = ds.add_layer("data", category, dtype=dtype, data_format="zarr3", bounding_box=box)
    rng = np.random.default_rng(11)
    values = rng.integers(0, 6 if category == wk.SEGMENTATION_CATEGORY else 250, size=tuple(box.size), dtype=dtype)
    layer.add_mag(1, chunk_shape=32, shard_shape=64).write(values, absolute_offset=box.topleft)
    return layer, values


def test_read_reusing_reads_what_read_reads_into_one_buffer_per_thread_and_shape(tmp_path):
    layer, _ = _layer(tmp_path)
    mag = layer.get_mag(1)
    buffers = ReadBuffers()
    box = wk.BoundingBox((10, 10, 10), (64, 32, 16))
    first = read_reusing(mag, box, buffers)
    np.testing.assert_array_equal(first, mag.read(absolute_bounding_box=box))
    second = read_reusing(mag, box.offset((40, 40, 40)), buffers)
    assert second is first  # the same memory, now holding the second box
    np.testing.assert_array_equal(second, mag.read(absolute_bounding_box=box.offset((40, 40, 40))))
    padded = wk.BoundingBox((240, 180, 90), (32, 32, 32))  # reaches past the layer: zeros there
    np.testing.assert_array_equal(read_reusing(mag, padded, buffers), mag.read(absolute_bounding_box=padded))
    other = []
    thread = threading.Thread(target=lambda: other.append(read_reusing(mag, box, buffers)))
    thread.start()
    thread.join()
    assert other[0] is not first and np.array_equal(other[0], mag.read(absolute_bounding_box=box))


@pytest.mark.parametrize(
    "mode, category, dtype",
    [
        ("median", wk.COLOR_CATEGORY, "uint8"),
        ("mode", wk.SEGMENTATION_CATEGORY, "uint32"),
        ("nearest", wk.SEGMENTATION_CATEGORY, "uint32"),
        ("max", wk.COLOR_CATEGORY, "uint16"),
        ("min", wk.COLOR_CATEGORY, "uint8"),
        ("bilinear", wk.COLOR_CATEGORY, "uint8"),
        ("bicubic", wk.COLOR_CATEGORY, "uint8"),
    ],
)
def test_downsampling_from_reused_buffers_equals_downsampling_from_fresh_reads(
    tmp_path, monkeypatch, mode, category, dtype
):
    reused, _ = _layer(tmp_path, "reused", category, dtype)
    fresh, _ = _layer(tmp_path, "fresh", category, dtype)
    reused.downsample(coarsest_mag=4, interpolation_mode=mode, sampling_mode="isotropic", buffer_shape=(32, 32, 32))
    monkeypatch.setattr(downsampling, "read_reusing", lambda view, box, _: view.read(absolute_bounding_box=box))
    fresh.downsample(coarsest_mag=4, interpolation_mode=mode, sampling_mode="isotropic", buffer_shape=(32, 32, 32))
    for mag in (2, 4):
        np.testing.assert_array_equal(reused.get_mag(mag).read(), fresh.get_mag(mag).read(), err_msg=f"mag {mag}")
