"""Datasets on s3:// against a local moto S3 server: create, write, reopen, copy both ways, references."""

import json
import os

import numpy as np
import pytest

import daedalus as wk

moto_server = pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 tests")
pytest.importorskip("s3fs", reason="s3fs is needed for s3:// paths")
from upath import UPath  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_root():
    saved = {key: os.environ.get(key) for key in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {"endpoint_url": f"http://{host}:{port}", "key": "testing", "secret": "testing"}
    root = UPath("s3://daedalus-tests", **options)
    root.fs.mkdir("daedalus-tests")
    yield root
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _data() -> np.ndarray:
    return np.random.default_rng(5).integers(1, 255, (48, 32, 32), dtype="uint8")


def test_create_write_and_reopen_on_s3(s3_root):
    ds = wk.Dataset(s3_root / "created", voxel_size=(2, 2, 2))
    seg = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=3)
    seg.add_mag(1, chunk_shape=16, shard_shape=32).write(
        np.full((32, 32, 32), 3, dtype="uint32"), absolute_offset=(0, 0, 0), allow_resize=True
    )
    doc = json.loads((s3_root / "created" / "datasource-properties.json").read_text())
    assert doc["dataLayers"][0]["largestSegmentId"] == 3
    reopened = wk.Dataset.open(s3_root / "created")
    assert int(reopened.get_layer("seg").get_mag(1).read().sum()) == 3 * 32**3


def test_round_trip_local_s3_local(s3_root, tmp_path):
    local = wk.Dataset(tmp_path / "local", voxel_size=(1, 1, 1))
    local.write_layer("color", "color", _data(), chunk_shape=16, shard_shape=32, downsample=False)
    local.copy_dataset(s3_root / "roundtrip")
    shard_key = "color/1/c/0/0/0/0"
    assert (s3_root / "roundtrip" / shard_key).read_bytes() == (tmp_path / "local" / shard_key).read_bytes()
    back = wk.Dataset.open(s3_root / "roundtrip").copy_dataset(tmp_path / "back", chunk_shape=8, shard_shape=16)
    np.testing.assert_array_equal(back.get_layer("color").get_mag(1).read()[0], _data())


def test_reference_to_s3_layer(s3_root, tmp_path):
    remote = wk.Dataset(s3_root / "referenced", voxel_size=(1, 1, 1))
    remote.write_layer("color", "color", _data(), chunk_shape=16, shard_shape=32, downsample=False)
    local = wk.Dataset(tmp_path / "local", voxel_size=(1, 1, 1))
    layer = local.add_layer_as_ref(remote.get_layer("color"))
    doc = json.loads((tmp_path / "local" / "datasource-properties.json").read_text())
    host = s3_root.storage_options["endpoint_url"].split("://", 1)[
        1
    ]  # the endpoint's host first, as WEBKNOSSOS writes it
    assert doc["dataLayers"][0]["mags"][0]["path"] == f"s3://{host}/daedalus-tests/referenced/color/1"
    assert layer.is_foreign
    np.testing.assert_array_equal(layer.get_mag(1).read()[0], _data())


def test_reopened_reference_to_s3_uses_the_aws_environment(s3_root, tmp_path):
    """A referenced s3 mag keeps only its URL; a new process finds the endpoint in AWS_ENDPOINT_URL."""
    import subprocess
    import sys

    remote = wk.Dataset(s3_root / "referenced_env", voxel_size=(1, 1, 1))
    remote.write_layer("color", "color", _data(), chunk_shape=16, shard_shape=32, downsample=False)
    local = wk.Dataset(tmp_path / "local", voxel_size=(1, 1, 1))
    local.add_layer_as_ref(remote.get_layer("color"))
    np.save(tmp_path / "expected.npy", _data())
    script = (
        "import sys, numpy as np, daedalus as wk\n"
        "data = wk.Dataset.open(sys.argv[1]).get_layer('color').get_mag(1).read()[0]\n"
        "assert np.array_equal(data, np.load(sys.argv[2])), 'data differs'\n"
        "print('same data')\n"
    )
    env = dict(os.environ, AWS_ENDPOINT_URL=s3_root.storage_options["endpoint_url"], **CREDENTIALS)
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "local"), str(tmp_path / "expected.npy")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0 and "same data" in result.stdout, result.stderr[-2000:]
