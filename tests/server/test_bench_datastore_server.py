"""The benchmark's WEBKNOSSOS-like server (benchmarks/wk_datastore_server.py) answers as the datastore does: zarr
chunks from memory, the raw data route x fastest with zeros outside the layer, resumable multipart uploads written
byte for byte, and a request timeline whose entries add up to its counters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from bench_server import bench_server_module


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Any, Any, np.ndarray]]:
    """A running server (no added latency, timeline on) with a 40×70×33 uint8 layer "color"; stopped after."""
    module = bench_server_module()
    data = np.random.default_rng(7).integers(0, 256, size=(40, 70, 33), dtype=np.uint8)
    server = module.WkServer(latency_s=0.0, upload_root=tmp_path / "uploads", timeline=True).start()
    try:
        yield module, server, data
    finally:
        server.stop()


def test_zarr_chunks_are_the_layer_in_fortran_order_padded_with_zeros(served) -> None:
    _, server, data = served
    dataset = server.add_dataset("small", {"color": data})
    base = f"{server.url}/data/v12/zarr/{dataset.id}/color/1"
    with requests.Session() as session:
        for x, y, z in [(0, 0, 0), (1, 2, 1), (0, 1, 0)]:
            reply = session.get(f"{base}/0.{x}.{y}.{z}")
            assert reply.status_code == 200 and len(reply.content) == 32**3
            chunk = np.frombuffer(reply.content, dtype=np.uint8).reshape((32, 32, 32), order="F")
            part = data[x * 32 : (x + 1) * 32, y * 32 : (y + 1) * 32, z * 32 : (z + 1) * 32]
            expected = np.zeros((32, 32, 32), dtype=np.uint8)
            expected[: part.shape[0], : part.shape[1], : part.shape[2]] = part
            np.testing.assert_array_equal(chunk, expected)
        ranged = session.get(f"{base}/0.1.2.1", headers={"Range": "bytes=10-19"})
        assert ranged.status_code == 206 and len(ranged.content) == 10
        assert session.get(f"{base}/0.2.0.0").status_code == 404  # outside the layer


def test_raw_data_route_sends_x_fastest_with_zeros_outside_the_layer(served) -> None:
    _, server, data = served
    dataset = server.add_dataset("small", {"color": data})
    box = {"x": 30, "y": -2, "z": 5, "width": 16, "height": 9, "depth": 4}
    url = f"{server.url}/data/v12/datasets/{dataset.id}/layers/color/data"
    reply = requests.get(url, params={"mag": "1-1-1", **box})
    got = np.frombuffer(reply.content, dtype=np.uint8).reshape((4, 9, 16)).T  # x fastest on the wire
    expected = np.zeros((16, 9, 4), dtype=np.uint8)
    expected[:10, 2:, :] = data[30:40, 0:7, 5:9]
    np.testing.assert_array_equal(got, expected)
    inside = requests.get(url, params={"mag": "1", "x": 0, "y": 0, "z": 0, "width": 40, "height": 70, "depth": 33})
    np.testing.assert_array_equal(np.frombuffer(inside.content, dtype=np.uint8).reshape((33, 70, 40)).T, data)


def test_multipart_upload_chunks_are_written_byte_for_byte(served) -> None:
    _, server, _ = served
    content = b"\r\n--not-the-boundary\r\n" + bytes(range(256)) * 50 + b"\r\n"
    reservation = {"uploadId": "up-1", "name": "uploaded", "organization": "Organization_X", "totalFileCount": 1}
    with requests.Session() as session:
        assert session.post(f"{server.url}/data/v12/datasets/reserveUpload", json=reservation).status_code == 200
        half = len(content) // 2
        for number, piece in [(2, content[half:]), (1, content[:half])]:  # chunks may arrive in any order
            form = {
                "resumableChunkSize": str(half),
                "resumableIdentifier": "up-1/color/1/c/0/0/0",
                "resumableRelativePath": "color/1/c/0/0/0",
                "resumableChunkNumber": str(number),
                "name": "uploaded",
            }
            sent = session.post(f"{server.url}/data/datasets", data=form, files={"file": ("upload", piece)})
            assert sent.status_code == 200
        finished = session.post(f"{server.url}/data/v12/datasets/finishUpload", json={"uploadId": "up-1"}).json()
    dataset = server.datasets[finished["newDatasetId"]]
    assert (dataset.upload_folder / "color" / "1" / "c" / "0" / "0" / "0").read_bytes() == content


def test_timeline_entries_add_up_to_the_counters_and_summarize_phases(served) -> None:
    module, server, data = served
    dataset = server.add_dataset("small", {"color": data})
    before = server.stats.snapshot()
    with requests.Session() as session:
        session.get(f"{server.url}/api/v12/datasets/{dataset.id}")
        for x in range(2):
            session.get(f"{server.url}/data/v12/zarr/{dataset.id}/color/1/0.{x}.0.0")
    assert server.stats.wait_for_timeline(before["timeline_length"] + 3)  # entries are recorded after replying
    after = server.stats.snapshot()
    entries = server.stats.timeline_since(before)
    assert [e["kind"] for e in entries] == ["GET datasets/<id>", "GET zarr chunk", "GET zarr chunk"]
    assert sum(e["sent"] for e in entries) == after["sent"] - before["sent"]
    assert sum(e["received"] for e in entries) == after["received"] - before["received"]
    assert all(e["start"] <= e["end"] for e in entries)
    lines = module.timeline_summary(entries, t0=entries[0]["start"])
    phases = [line for line in lines if " × " in line]
    assert len(phases) == 2 and "1 × GET datasets/<id>" in phases[0] and "2 × GET zarr chunk" in phases[1]
    assert json.loads(json.dumps(entries)) == entries  # plain values: the benchmark can store them
