"""``MagView.to_dask()`` / ``View.to_dask()``: lazy dask arrays for napari and dask pipelines.

The array has the shape, axes and dtype ``read()`` returns, blocks on the shard grid (chunk grid when unsharded)
cut at the view's edges, reads through ``View.read`` (a slice reads only its box), and pickles, so dask's
process and distributed schedulers compute it in other processes.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from daedalus.core.dataset.lazy_array import ViewArray
from daedalus.core.dataset.view import View

import daedalus as wk

from .conftest import COLOR_BOX, MAGS, build_dataset

da = pytest.importorskip("dask.array")
pytestmark = pytest.mark.filterwarnings("ignore:.*chunk_shape.*is recommended:UserWarning")

# small shards so that the layer spans several blocks: 8³ chunks, 16³ shards
SHARDED = {"chunk_shape": 8, "shard_shape": 16}


@pytest.fixture(scope="module", params=["zarr3", "zarr", "wkw"])
def dataset(request, tmp_path_factory):
    """The test dataset with 16³ shards (zarr3, wkw) or 8³ chunks (zarr), in every format daedalus writes."""
    options = {"chunk_shape": 8} if request.param == "zarr" else SHARDED
    return build_dataset(tmp_path_factory.mktemp(request.param) / "ds", request.param, **options)


def _block_edges(array) -> list[list[int]]:
    return [list(itertools.accumulate(sizes, initial=0)) for sizes in array.chunks]


def test_napari_multiscale_list_matches_read(dataset):
    layer = dataset.get_layer("color")
    pyramid = [layer.get_mag(mag).to_dask() for mag in sorted(layer.mags)]
    assert [mag.to_layer_name() for mag in sorted(layer.mags)] == MAGS
    for mag, level in zip(sorted(layer.mags), pyramid):
        mag_view = layer.get_mag(mag)
        expected = mag_view.read()
        assert isinstance(level, da.Array)
        assert (level.shape, level.dtype) == (expected.shape, expected.dtype)
        np.testing.assert_array_equal(level.compute(), expected)
        # block edges fall on the shard grid of the stored array (offset by where the layer starts)
        grid = mag_view.info.shard_shape
        starts = mag_view.bounding_box.in_mag(mag).topleft
        assert level.chunks[0] == (1,)
        for edges, start, shard in zip(_block_edges(level)[1:], starts, grid):
            assert all((start + edge) % shard == 0 for edge in edges[1:-1])
            assert max(b - a for a, b in zip(edges, edges[1:])) <= shard
    assert len(pyramid[0].chunks[1]) > 1  # the finest level really spans several shards along x


def test_sub_box_compute_equals_read_of_that_box(dataset):
    mag_view = dataset.get_layer("color").get_mag("2-2-1")
    array = mag_view.to_dask()
    box = wk.BoundingBox((30, 40, 35), (50, 30, 20))  # Mag(1), inside the layer, aligned to mag 2-2-1
    start = box.in_mag(wk.Mag("2-2-1")).topleft - mag_view.bounding_box.in_mag(wk.Mag("2-2-1")).topleft
    size = box.in_mag(wk.Mag("2-2-1")).size
    part = array[:, start.x : start.x + size.x, start.y : start.y + size.y, start.z : start.z + size.z]
    np.testing.assert_array_equal(part.compute(), mag_view.read(absolute_bounding_box=box))
    np.testing.assert_array_equal(array[0, ::-3, 5, 2:9:2].compute(), mag_view.read()[0, ::-3, 5, 2:9:2])


def test_view_and_multichannel_arrays(dataset):
    mag_view = dataset.get_layer("color").get_mag(1)
    view = mag_view.get_view(absolute_offset=(13, 25, 37), size=(45, 30, 20), read_only=True)
    np.testing.assert_array_equal(view.to_dask().compute(), view.read())
    rgb = dataset.get_layer("rgb").get_mag(1)
    array = rgb.to_dask()
    assert array.shape == (3, 40, 30, 20) and array.chunks[0] == (3,)
    np.testing.assert_array_equal(array[1:].compute(), rgb.read()[1:])


def test_a_plane_reads_only_that_plane(dataset, monkeypatch):
    """napari shows one z plane at a time: computing it must not read whole blocks."""
    mag_view = dataset.get_layer("color").get_mag(1)
    expected = mag_view.read()[0, :, :, 17]
    boxes = []
    read = View.read

    def recording_read(self, *args, **kwargs):
        boxes.append(kwargs["absolute_bounding_box"])
        return read(self, *args, **kwargs)

    monkeypatch.setattr(View, "read", recording_read)
    plane = mag_view.to_dask()[0, :, :, 17].compute(scheduler="sync")
    np.testing.assert_array_equal(plane, expected)
    assert boxes and all(box.size.z == 1 and box.topleft.z == COLOR_BOX.topleft.z + 17 for box in boxes)


def test_nd_layer_array_has_read_axes(tmp_path):
    box = wk.NDBoundingBox(topleft=(0, 0, 0, 0), size=(3, 40, 30, 20), axes=("t", "x", "y", "z"), index=(0, 1, 2, 3))
    layer = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1)).add_layer(
        "timeseries", wk.COLOR_CATEGORY, data_format="zarr3", bounding_box=box
    )
    mag_view = layer.add_mag(1, **SHARDED)
    data = np.random.default_rng(3).integers(0, 255, (3, 40, 30, 20), dtype="uint8")
    mag_view.write(data, absolute_bounding_box=box)
    array = mag_view.to_dask()
    assert array.shape == mag_view.read().shape == (3, 40, 30, 20)
    assert array.chunks == ((1, 1, 1), (16, 16, 8), (16, 14), (16, 4))
    np.testing.assert_array_equal(array[1:].compute(), data[1:])


def test_process_and_distributed_schedulers_compute_it(tmp_path):
    mag_view = build_dataset(tmp_path / "ds", "zarr3", **SHARDED).get_layer("color").get_mag(1)
    expected = mag_view.read()
    array = mag_view.to_dask()
    np.testing.assert_array_equal(array.compute(scheduler="processes", num_workers=2), expected)
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        np.testing.assert_array_equal(client.compute(array).result(), expected)


def test_without_dask_the_error_says_how_to_install_it(dataset, monkeypatch):
    for name in [m for m in sys.modules if m == "dask" or m.startswith("dask.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask now raises ImportError
    with pytest.raises(ImportError, match=r"pip install dask"):
        dataset.get_layer("color").get_mag(1).to_dask()


@pytest.mark.parametrize(
    "key",
    [
        (Ellipsis, 3),
        (0, -1, slice(None, None, -4)),
        (slice(None), slice(5, 2)),  # empty
        (0, slice(-7, None, 2), Ellipsis, slice(1, 40, 13)),
        (0, [3, 1, 4], slice(2, 6)),
        (np.int64(0), np.arange(5) * 7),
    ],
)
def test_view_array_indexing_matches_numpy(dataset, key):
    """dask's getter (and fused slices) index the array like numpy, reading only the box the index touches."""
    view = dataset.get_layer("color").get_mag(1)
    expected = view.read()[key]
    result = ViewArray(view)[key]
    assert result.shape == expected.shape and result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
