"""zarr arrays on s3:// through tensorstore's native s3 kvstore: byte-range reads, per-shard PUTs, bridge interop.

A moto S3 server runs on 127.0.0.1 behind a small counting proxy, so the tests see every request and how many
body bytes went over the wire.
"""

import http.client
import http.server
import os
import threading

import numpy as np
import pytest

import daedalus as wk

moto_server = pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 tests")
pytest.importorskip("s3fs", reason="s3fs is needed for s3:// paths")
from daedalus.adapters import tensorstore_zarr  # noqa: E402
from upath import UPath  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
BUCKET = "daedalus-native"
# a botocore option tensorstore cannot express: such file systems must keep using the fsspec bridge
BRIDGE_ONLY = {"config_kwargs": {"retries": {"max_attempts": 2}}}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class _CountingProxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to moto and records (method, path, response body bytes)."""

    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int] = ("127.0.0.1", 0)
    log: list = []
    log_lock = threading.Lock()

    def log_message(self, *args):
        pass

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _forward(self):
        body = self._body()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            reply_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
        finally:
            connection.close()
        with self.log_lock:  # before replying: once the client has its answer, the request is in the log
            self.log.append((self.command, self.path, len(payload)))
        self.send_response(response.status, response.reason)
        for name, value in reply_headers:
            if self.command == "HEAD" or name.lower() != "content-length":
                self.send_header(name, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward  # noqa: N815 - http.server's naming


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


@pytest.fixture(scope="module")
def s3_proxy():
    """(endpoint URL of the counting proxy in front of moto, the proxy's request log)."""
    saved = {key: os.environ.get(key) for key in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    handler = type("Proxy", (_CountingProxy,), {"upstream": server.get_host_and_port(), "log": []})
    proxy = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{proxy.server_address[1]}"
    UPath(f"s3://{BUCKET}", endpoint_url=endpoint, key="testing", secret="testing").fs.mkdir(BUCKET)
    yield endpoint, handler.log
    proxy.shutdown()
    proxy.server_close()
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _root(endpoint: str, **extra) -> UPath:
    return UPath(f"s3://{BUCKET}", endpoint_url=endpoint, key="testing", secret="testing", **extra)


def _location(mag):
    return mag._array._location


def _data(shape=(128, 128, 128)) -> np.ndarray:
    return np.random.default_rng(11).integers(1, 255, shape, dtype="uint8")  # incompressible


def _fresh_read(path: UPath, **read_args) -> np.ndarray:
    """Read layer "color" mag 1 from a newly opened dataset with an empty tensorstore cache."""
    tensorstore_zarr.reset_tensorstore_context()
    return wk.Dataset.open(path).get_layer("color").get_mag(1).read(**read_args)


def test_native_round_trip_of_sharded_compressed_layer(s3_proxy):
    endpoint, log = s3_proxy
    root = _root(endpoint)
    ds = wk.Dataset(root / "roundtrip", voxel_size=(1, 1, 1))
    mag = ds.add_layer("color", "color", dtype="uint8").add_mag(1, chunk_shape=32, shard_shape=64, compress=True)
    assert isinstance(_location(mag), tensorstore_zarr._S3Location)
    data = _data((128, 64, 64))
    mag.write(data, absolute_offset=(0, 0, 0), allow_resize=True)
    assert mag.get_zarr_array().kvstore.spec().to_json()["driver"] == "s3"
    assert mag.info.compression_mode
    np.testing.assert_array_equal(_fresh_read(root / "roundtrip")[0], data)

    # a small write PUTs only the one shard object it touches
    log.clear()
    mag.write(np.full((8, 8, 8), 7, dtype="uint8"), absolute_offset=(70, 0, 0), allow_unaligned=True)
    puts = [path for method, path, _ in log if method == "PUT"]
    assert puts == [f"/{BUCKET}/roundtrip/color/1/c/0/1/0/0"]
    data[70:78, :8, :8] = 7
    np.testing.assert_array_equal(_fresh_read(root / "roundtrip")[0], data)
    # listings see what tensorstore wrote
    assert len(list(mag.get_bounding_boxes_on_disk())) == 2


def test_small_read_fetches_byte_ranges_not_the_shard(s3_proxy):
    endpoint, log = s3_proxy
    root = _root(endpoint)
    data = _data()
    ds = wk.Dataset(root / "ranges", voxel_size=(1, 1, 1))
    ds.write_layer("color", "color", data, chunk_shape=32, shard_shape=128, downsample=False)
    shard = root.fs.size(f"{BUCKET}/ranges/color/1/c/0/0/0/0")
    assert shard > 2_000_000  # one 2 MiB shard of incompressible data

    def transferred(path: UPath) -> int:
        log.clear()
        cube = _fresh_read(path, absolute_offset=(32, 64, 96), size=(32, 32, 32))
        np.testing.assert_array_equal(cube[0], data[32:64, 64:96, 96:128])
        return sum(size for method, _, size in log if method == "GET")

    native = transferred(root / "ranges")
    bridged = transferred(_root(endpoint, **BRIDGE_ONLY) / "ranges")
    print(f"bytes transferred for a 32^3 read from a {shard} B shard: native {native}, bridge {bridged}")
    assert native < shard / 16  # one 32 KiB chunk, the shard index and metadata
    assert bridged >= shard  # the bridge downloads the whole shard: the assertion above would fail


def test_native_and_bridge_write_the_same_bytes_and_read_each_other(s3_proxy):
    endpoint, _ = s3_proxy
    native_root, bridge_root = _root(endpoint), _root(endpoint, **BRIDGE_ONLY)
    data = _data((64, 64, 64))
    for root, name in ((native_root, "by-native"), (bridge_root, "by-bridge")):
        ds = wk.Dataset(root / name, voxel_size=(1, 1, 1))
        layer = ds.write_layer("color", "color", data, chunk_shape=16, shard_shape=32, downsample=False)
        expected = tensorstore_zarr._S3Location if root is native_root else tensorstore_zarr._FsspecLocation
        assert isinstance(_location(layer.get_mag(1)), expected)
    fs = native_root.fs
    keys = sorted(p.split("/color/1/", 1)[1] for p in fs.find(f"{BUCKET}/by-native/color/1"))
    assert keys == sorted(p.split("/color/1/", 1)[1] for p in fs.find(f"{BUCKET}/by-bridge/color/1"))
    assert len([k for k in keys if k.startswith("c/")]) == 8
    for key in keys:
        assert fs.cat_file(f"{BUCKET}/by-native/color/1/{key}") == fs.cat_file(f"{BUCKET}/by-bridge/color/1/{key}")
    for root in (native_root, bridge_root):
        for name in ("by-native", "by-bridge"):
            np.testing.assert_array_equal(_fresh_read(root / name)[0], data)


def test_unmappable_options_fall_back_to_the_bridge_and_work(s3_proxy):
    endpoint, _ = s3_proxy
    for extra in (BRIDGE_ONLY, {"s3_additional_kwargs": {"ACL": "private"}}, {"profile": "someone"}):
        path = _root(endpoint, **extra) / "fallback"
        assert isinstance(tensorstore_zarr._location(path / "color" / "1"), tensorstore_zarr._FsspecLocation)
    odd_key = UPath(f"s3://{BUCKET}/fallback", endpoint_url=endpoint, key="bad\nkey", secret="s")  # no file line
    assert isinstance(tensorstore_zarr._location(odd_key), tensorstore_zarr._FsspecLocation)
    root = _root(endpoint, s3_additional_kwargs={"ACL": "private"})
    data = _data((32, 32, 32))
    layer = wk.Dataset(root / "fallback", voxel_size=(1, 1, 1)).write_layer(
        "color", "color", data, chunk_shape=16, shard_shape=32, downsample=False
    )
    assert isinstance(_location(layer.get_mag(1)), tensorstore_zarr._FsspecLocation)
    np.testing.assert_array_equal(_fresh_read(root / "fallback")[0], data)
    np.testing.assert_array_equal(_fresh_read(_root(endpoint) / "fallback")[0], data)


def test_options_map_onto_the_tensorstore_spec(s3_proxy, monkeypatch):
    endpoint, _ = s3_proxy
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)

    def spec(path):
        location = tensorstore_zarr._location(path)
        assert isinstance(location, tensorstore_zarr._S3Location)
        return location.kvstore_spec

    # keys given as options map when they are the environment's (the fixture sets AWS_ACCESS_KEY_ID=testing)
    explicit = spec(UPath(f"s3://{BUCKET}/a/b", endpoint_url=endpoint, key="testing", secret="testing"))
    assert (explicit["bucket"], explicit["path"], explicit["endpoint"]) == (BUCKET, "a/b/", endpoint)
    assert explicit["aws_region"] == "us-east-1"
    assert explicit["aws_credentials"] == {"type": "environment"}
    # other keys are never written anywhere for tensorstore: the bridge passes them to s3fs
    other = tensorstore_zarr._location(UPath(f"s3://{BUCKET}/a/b", endpoint_url=endpoint, key="K1", secret="S1"))
    assert isinstance(other, tensorstore_zarr._FsspecLocation)
    with_token = UPath(f"s3://{BUCKET}/a", endpoint_url=endpoint, key="testing", secret="testing", token="T1")
    assert isinstance(tensorstore_zarr._location(with_token), tensorstore_zarr._FsspecLocation)

    client = spec(
        UPath(
            f"s3://{BUCKET}/x",
            anon=True,
            requester_pays=True,
            client_kwargs={"endpoint_url": endpoint, "region_name": "eu-west-1"},
        )
    )
    assert client["endpoint"] == endpoint and client["aws_region"] == "eu-west-1"
    assert client["aws_credentials"] == {"type": "anonymous"} and client["requester_pays"] is True

    from_environment = spec(UPath(f"s3://{BUCKET}/y", endpoint_url=endpoint))  # keys only in the environment
    assert from_environment["aws_credentials"] == {"type": "environment"}
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    assert spec(UPath(f"s3://{BUCKET}/z", endpoint_url=endpoint))["aws_credentials"] == {"type": "default"}

    # the environment-only dataset is served natively and works against the server
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    data = _data((32, 32, 32))
    layer = wk.Dataset(UPath(f"s3://{BUCKET}/envonly", endpoint_url=endpoint), voxel_size=(1, 1, 1)).write_layer(
        "color", "color", data, chunk_shape=16, shard_shape=32, downsample=False
    )
    assert isinstance(_location(layer.get_mag(1)), tensorstore_zarr._S3Location)
    np.testing.assert_array_equal(_fresh_read(UPath(f"s3://{BUCKET}/envonly", endpoint_url=endpoint))[0], data)
