"""Chunk-parallel dataset operations end to end on the dask and multiprocessing executors."""

from __future__ import annotations

import numpy as np
import pytest
from daedalus.core.ports import ExecutorUnavailableError

import daedalus as wk


@pytest.fixture(scope="module", params=["multiprocessing", "dask"])
def executor(request):
    try:
        instance = wk.get_executor(request.param, max_workers=2)
    except ExecutorUnavailableError as error:
        print(f"skipping the {request.param} executor: {error}")
        pytest.skip(str(error))
    with instance:
        yield instance


def test_merge_compare_largest_id_and_downsample_on_an_executor(tmp_path, executor) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), (64, 64, 64))
    layers = []
    for name in ("base", "overlay", "expected"):
        layer = ds.add_layer(name, "segmentation", dtype="uint32", bounding_box=box, largest_segment_id=0)
        layers.append(layer.add_mag(1, chunk_shape=16, shard_shape=32))
    base, overlay, expected = layers
    rng = np.random.default_rng(7)
    base_data = rng.integers(1, 50, (64, 64, 64), dtype=np.uint32)
    overlay_data = np.where(rng.random((64, 64, 64)) < 0.3, 77, 0).astype(np.uint32)
    base.write(base_data)
    overlay.write(overlay_data)
    expected.write(np.where(overlay_data != 0, overlay_data, base_data))

    assert not base.content_is_equal(expected, executor=executor)
    base.merge_with_view(overlay, executor)
    assert base.content_is_equal(expected, executor=executor)

    base.layer.refresh_largest_segment_id(executor=executor)
    assert base.layer.largest_segment_id == 77

    base.layer.downsample(coarsest_mag=wk.Mag(2), executor=executor)
    assert wk.Mag(2) in base.layer.mags
    assert base.layer.get_mag(2).read().shape == (1, 32, 32, 32)
