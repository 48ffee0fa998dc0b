"""RemoteDataset.open with RemoteAccessMode.PROXY_PATH: layers, boxes and mags from the proxy's properties, and reads
of sharded zarr3 arrays through the proxy equal to what the recorded shard index and chunk bytes decode to."""

from __future__ import annotations

import functools
import json

import numcodecs
import numpy as np
import pytest
import recorded
from recorded import TOKEN, body

import daedalus as wk

interactions = functools.lru_cache(recorded.interactions)  # the recordings are large: parse each once

DATASET_ID = "59e9cfbdba632ac2ab8b23b5"
PROXY = f"/data/v12/datasets/{DATASET_ID}/proxy"
MAG1 = f"{PROXY}/layers/color/mags/1"
BOX = wk.BoundingBox((3164, 3212, 1017), (10, 10, 10))
MAGS = [wk.Mag(m) for m in ("1", "2-2-1", "4-4-1", "8-8-2", "16-16-4")]


def _recording(name: str) -> str:
    return f"test_remote_dataset/test_url_open_remote[RemoteAccessMode.PROXY_PATH-{name}].yml"


def _range_reply(recording: str, path: str, byte_range: str | None) -> bytes:
    """The recorded reply to ``GET path`` with ``Range: byte_range``."""
    for item in interactions(recording):
        request = item["request"]
        if request["path"] == path and (request.get("headers") or {}).get("range") == byte_range:
            return body(item["response"])
    raise KeyError(f"GET {path} with range {byte_range} is not in {recording}")


def _decode_recorded_chunk(recording: str, shard: tuple[int, int, int], chunk: tuple[int, int, int]) -> np.ndarray:
    """Chunk ``chunk`` (position inside the shard) of color mag 1, decoded from the recorded shard index and chunk
    bytes as the recorded zarr.json says (transpose [3,2,1,0], bytes, blosc), as (c, x, y, z)."""
    meta = json.loads(_range_reply(recording, f"{MAG1}/zarr.json", None))
    sharding = meta["codecs"][0]["configuration"]
    inner = sharding["chunk_shape"]
    assert [c["name"] for c in sharding["codecs"]] == ["transpose", "bytes", "blosc"]
    assert sharding["codecs"][0]["configuration"]["order"] == [3, 2, 1, 0]
    per_shard = [s // c for s, c in zip(meta["chunk_grid"]["configuration"]["chunk_shape"], inner)]  # 1, 32, 32, 32
    key = f"{MAG1}/c/0/{shard[0]}/{shard[1]}/{shard[2]}"
    index_bytes = _range_reply(recording, key, f"bytes=-{int(np.prod(per_shard)) * 16 + 4}")
    index = np.frombuffer(index_bytes[:-4], dtype="<u8").reshape(*per_shard, 2)
    offset, length = (int(v) for v in index[(0, *chunk)])
    raw = _range_reply(recording, key, f"bytes={offset}-{offset + length - 1}")
    decoded = numcodecs.Blosc().decode(raw)
    return np.frombuffer(decoded, dtype=meta["data_type"]).reshape(inner[::-1]).transpose(3, 2, 1, 0)


def _expected_box(recording: str) -> np.ndarray:
    """The box read from the four recorded chunks it touches (x 98-99, y 100, z 31-32 of 32³; shards of 1024³)."""
    expected = np.zeros((1, 64, 32, 64), dtype=np.uint8)  # chunks x 98-99, y 100, z 31-32
    for ix in (0, 1):
        for iz, (shard_z, chunk_z) in enumerate([(0, 31), (1, 0)]):
            chunk = _decode_recorded_chunk(recording, (3, 3, shard_z), (2 + ix, 4, chunk_z))
            expected[:, ix * 32 : ix * 32 + 32, :, iz * 32 : iz * 32 + 32] = chunk
    return expected[:, 3164 - 3136 : 3174 - 3136, 3212 - 3200 : 3222 - 3200, 1017 - 992 : 1027 - 992]


def _recorded_data_route(recording: str) -> np.ndarray:
    """The same box as the recording's data-route replies for mag 1 (x fastest), from its earlier download."""
    result = np.zeros((10, 10, 10), dtype=np.uint8)
    prefix = f"/data/v12/datasets/{DATASET_ID}/layers/color/data?mag=1-1-1&x=3164&y=3212&"
    for item in interactions(recording):
        path = item["request"]["path"]
        if path.startswith(prefix):
            query = dict(part.split("=") for part in path[len(prefix) :].split("&"))
            z, depth = int(query["z"]), int(query["depth"])
            block = np.frombuffer(body(item["response"]), dtype=np.uint8).reshape(depth, 10, 10).T
            result[:, :, z - 1017 : z - 1017 + depth] = block
    return result


@pytest.mark.parametrize("name", ["l4_sample", "l4_sample__view"])
def test_proxy_path_layers_and_reads_equal_the_recorded_shards(wk_server, name: str) -> None:
    recording = _recording(name)
    server = wk_server(recording)
    suffix = "/view" if name.endswith("__view") else ""

    ds = wk.RemoteDataset.open(
        f"{server.url}/datasets/Organization_X/l4_sample{suffix}", access_mode=wk.RemoteAccessMode.PROXY_PATH
    )

    assert ds.dataset_id == DATASET_ID and ds.annotation_id is None
    assert str(ds.path) == f"{server.url}{PROXY}/"
    assert sorted(ds.layers) == ["color", "segmentation"]
    for layer_name, dtype in (("color", np.uint8), ("segmentation", np.uint32)):
        layer = ds.get_layer(layer_name)
        assert layer.bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))
        assert layer.dtype == dtype and layer.num_channels == 1
        assert layer.data_format == wk.DataFormat.Zarr3  # the proxy serves the stored arrays, not a zarr v2 view
        assert list(layer.mags) == MAGS
        for mag in MAGS:
            assert str(layer.get_mag(mag).path) == f"{server.url}{PROXY}/layers/{layer_name}/mags/{mag.to_layer_name()}"
    assert ds.get_segmentation_layer("segmentation").largest_segment_id == 2504697
    assert ds.voxel_size == pytest.approx((11.24, 11.24, 28.0))

    before = len(server.received)
    data = ds.get_layer("color").get_mag(1).read(absolute_bounding_box=BOX)

    expected = _expected_box(recording)
    assert data.shape == (1, 10, 10, 10) and expected.any()
    np.testing.assert_array_equal(data, expected)
    np.testing.assert_array_equal(data[0], _recorded_data_route(recording))  # the datastore's data route agrees
    fetched = server.received[before:]
    assert sorted((r.path.rsplit("/mags/1/", 1)[1], r.headers.get("range")) for r in fetched) == sorted(
        [("zarr.json", None)]
        + [(f"c/0/3/3/{z}", "bytes=-524292") for z in (0, 1)]
        + [
            (item["request"]["path"].rsplit("/mags/1/", 1)[1], item["request"]["headers"]["range"])
            for item in interactions(recording)
            if item["request"]["path"].startswith(f"{MAG1}/c/")
            and item["request"]["headers"].get("range", "").startswith("bytes=")
            and not item["request"]["headers"]["range"].startswith("bytes=-")
        ]
    )  # the array metadata, two shard indexes and the four chunks: nothing else
    assert all(r.headers.get("x-auth-token") == TOKEN for r in fetched)


def test_proxy_path_mag_outside_the_recording_fails_with_the_path(wk_server) -> None:
    server = wk_server(_recording("l4_sample"))
    ds = wk.RemoteDataset.open(
        f"{server.url}/datasets/Organization_X/l4_sample", access_mode=wk.RemoteAccessMode.PROXY_PATH
    )
    server.reply_next(404, '{"messages":[{"error":"not found"}]}', path_prefix=f"{PROXY}/layers/color/mags/2-2-1")
    with pytest.raises(Exception, match="2-2-1"):
        ds.get_layer("color").get_mag("2-2-1").read(absolute_bounding_box=BOX.align_with_mag(wk.Mag("2-2-1")))
