"""Datasets over http(s): read-only access to a served fixture; writes fail before anything is written."""

import functools
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

pytest.importorskip("aiohttp", reason="fsspec's http file system needs aiohttp")
FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "generated"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # fsspec fetches many keys at once; the default backlog of 5 drops connections


@pytest.fixture(scope="module")
def base_url():
    root = FIXTURES / "datasets"
    if not root.exists():
        pytest.skip(f"fixture datasets {root} are absent")
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_open_and_read_over_http(base_url):
    ds = wk.Dataset.open(f"{base_url}/zarr3_sharded")
    assert ds.read_only
    assert sorted(ds.layers) == ["color", "rgb", "segmentation"]
    expected = np.load(FIXTURES / "expected" / "color__2-2-1.npy")
    np.testing.assert_array_equal(ds.get_layer("color").get_mag("2-2-1").read(), expected)


def test_writes_fail_clearly_before_writing(base_url):
    ds = wk.Dataset.open(f"{base_url}/zarr3_sharded")
    with pytest.raises(RuntimeError, match="http\\(s\\) locations are read-only"):
        ds.add_layer("new", "color")
    with pytest.raises(RuntimeError, match="read-only"):
        ds.get_layer("color").add_mag(8)
    with pytest.raises(RuntimeError, match="read-only"):
        ds.get_layer("color").get_mag(1).write(np.zeros((8, 8, 8), "uint8"), absolute_offset=(32, 64, 16))
    with pytest.raises(ValueError, match="read-only"):
        wk.Dataset(f"{base_url}/new_dataset", voxel_size=(1, 1, 1))
    with pytest.raises(ValueError, match="read-only"):
        wk.Dataset.open(FIXTURES / "datasets" / "zarr2").copy_dataset(f"{base_url}/copy")
    assert not (FIXTURES / "datasets" / "new_dataset").exists()
    assert not (FIXTURES / "datasets" / "copy").exists()


def test_copy_from_http_to_local(base_url, tmp_path):
    ds = wk.Dataset.open(f"{base_url}/zarr2")
    copy = ds.copy_dataset(tmp_path / "copy", data_format="zarr3", layers_to_ignore=["color", "segmentation"])
    expected = np.load(FIXTURES / "expected" / "rgb__1.npy")
    np.testing.assert_array_equal(wk.Dataset.open(copy.path).get_layer("rgb").get_mag(1).read(), expected)


def test_copy_from_http_keeps_attachment_folders(base_url, tmp_path):
    ds = wk.Dataset.open(f"{base_url}/zarr3_sharded")
    copy = ds.copy_dataset(tmp_path / "copy", layers_to_ignore=["color", "rgb"])
    layer = wk.Dataset.open(copy.path).get_segmentation_layer("segmentation")
    (agglomerate,) = layer.attachments.agglomerates
    assert agglomerate.name == "agglomerate_view_5"
    assert (copy.path / "segmentation" / "agglomerates" / "agglomerate_view_5" / "segment_to_agglomerate").is_dir()
    graph = agglomerate.to_graph()
    assert graph.number_of_nodes() > 0
    expected = np.load(FIXTURES / "expected" / "segmentation__1.npy")
    np.testing.assert_array_equal(layer.get_mag(1).read(), expected)
