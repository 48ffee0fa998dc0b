"""Sharded arrays over http(s) are read with byte ranges: a small read fetches the chunks it needs, not shards."""

import functools
import http.server
import os
import re
import threading

import numpy as np
import pytest

import daedalus as wk

pytest.importorskip("aiohttp", reason="fsspec's http file system needs aiohttp")

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that answers ``Range: bytes=...`` with 206 and counts the body bytes it sends."""

    sent = [0]

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        match = _RANGE.match(self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not match or not os.path.isfile(path):
            return super().do_GET()
        size = os.path.getsize(path)
        first, last = match.groups()
        if first == "":
            start, stop = max(0, size - int(last)), size
        else:
            start, stop = int(first), min(size, int(last) + 1 if last else size)
        with open(path, "rb") as handle:
            handle.seek(start)
            body = handle.read(stop - start)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)
        self.sent[0] += len(body)

    def copyfile(self, source, outputfile):  # whole-file answers count too
        data = source.read()
        outputfile.write(data)
        self.sent[0] += len(data)


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256


@pytest.fixture
def served(tmp_path):
    """A dataset with one 256³ shard of noise (chunks 32³, compressed), served over http with byte ranges."""
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (256,) * 3))
    data = np.random.default_rng(7).integers(0, 255, (256, 256, 256), dtype=np.uint8)
    layer.add_mag(1, chunk_shape=32, shard_shape=256).write(data, absolute_offset=(0, 0, 0))
    _RangeHandler.sent = [0]
    server = _Server(("127.0.0.1", 0), functools.partial(_RangeHandler, directory=tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shard_file = tmp_path / "ds" / "color" / "1" / "c" / "0" / "0" / "0" / "0"
    yield f"http://127.0.0.1:{server.server_address[1]}/ds", data, shard_file
    server.shutdown()
    thread.join()


def test_small_read_fetches_only_what_it_needs(served):
    url, data, shard_file = served
    mag = wk.Dataset.open(url).get_layer("color").get_mag(1)
    _RangeHandler.sent[0] = 0
    box = mag.read(absolute_offset=(40, 70, 100), size=(20, 20, 20))
    np.testing.assert_array_equal(box[0], data[40:60, 70:90, 100:120])
    shard_bytes = shard_file.stat().st_size
    # the shard index (8³ entries) plus the one chunk holding the box, not the 16 MiB shard
    assert _RangeHandler.sent[0] < shard_bytes / 50, (_RangeHandler.sent[0], shard_bytes)


def test_whole_reads_over_http_equal_the_data(served):
    url, data, _ = served
    mag = wk.Dataset.open(url).get_layer("color").get_mag(1)
    np.testing.assert_array_equal(mag.read()[0], data)
    box = mag.read(absolute_offset=(31, 31, 31), size=(66, 2, 70))
    np.testing.assert_array_equal(box[0], data[31:97, 31:33, 31:101])


def test_servers_without_byte_ranges_still_serve_sharded_arrays(served):
    """Python's own file server ignores Range headers: daedalus falls back to fetching whole shard files."""
    _, data, shard_file = served
    root = shard_file.parents[7]  # the folder holding ds/

    class _Plain(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = _Server(("127.0.0.1", 0), functools.partial(_Plain, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        mag = wk.Dataset.open(f"http://127.0.0.1:{server.server_address[1]}/ds").get_layer("color").get_mag(1)
        np.testing.assert_array_equal(mag.read(absolute_offset=(5, 6, 7), size=(40, 3, 9))[0], data[5:45, 6:9, 7:16])
    finally:
        server.shutdown()
        thread.join()
