"""What a RemoteAnnotation asks the tracingstore: agglomerate graphs of proofreading annotations, meshes.

No recording asks the tracingstore for an agglomerate graph or a mesh (the recorded annotations have neither).
The server is the upload/download roundtrip recording plus synthetic replies: the annotation info with a volume
layer added, the tracingstore's address, and an AgglomerateGraph protobuf message at the route the reference
library requests (``GET /tracings/mapping/<tracingId>/agglomerateGraph/<id>``, observed on a capturing server).
The protobuf bytes are encoded below by hand, independently of daedalus' decoder. Meshes: the reference POSTs the
mesh request as JSON to ``/tracings/volume/<tracingId>/fullMesh.stl`` (observed on a capturing server).
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from annotation_recordings import annotation_info_replies
from wk_replay import Interaction

import daedalus as wk

ROUNDTRIP = "test_annotation/test_annotation_upload_download_roundtrip.yml"
ANNOTATION_ID = "69270ba1010000ca00110a99"
TRACING_ID = "volume-tracing-1"
VOLUME_LAYER = {"tracingId": TRACING_ID, "typ": "Volume", "name": "Volume", "stats": {}}


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = _varint(number << 3 | wire)
    return key + (_varint(len(payload)) + payload if wire == 2 else payload)


def encode_graph(segments, edges, positions, affinities, packed: bool = False) -> bytes:
    """An AgglomerateGraph message (fields 1 segments, 2 edges, 3 positions, 4 affinities)."""
    out = b""
    if packed:
        out += _field(1, 2, b"".join(_varint(s) for s in segments))
    else:
        out += b"".join(_field(1, 0, _varint(s)) for s in segments)
    for source, target in edges:
        out += _field(2, 2, _field(1, 0, _varint(source)) + _field(2, 0, _varint(target)))
    for x, y, z in positions:
        out += _field(3, 2, _field(1, 0, _varint(x)) + _field(2, 0, _varint(y)) + _field(3, 0, _varint(z)))
    if packed:
        out += _field(4, 2, b"".join(struct.pack("<f", a) for a in affinities))
    else:
        out += b"".join(_field(4, 5, struct.pack("<f", a)) for a in affinities)
    return out


GRAPH = encode_graph([7, 3, 9], [(7, 3), (3, 9)], [(1, 2, 3), (4, -5, 6), (7, 8, 2**31 - 1)], [0.5, 0.25])


def _reply(method: str, path: str, body: bytes, content_type: str) -> Interaction:
    return Interaction(
        method=method, path=path, query=[], body=b"", content_type="", status=200,
        headers={"content-type": content_type}, reply=body,
    )  # fmt: skip


def _open(wk_replay, layers: list[dict], more: list[Interaction] = ()):
    extra = [
        *more,
        *annotation_info_replies(6, ANNOTATION_ID, "proofread", layers),
        _reply("GET", "/api/v12/tracingstore", json.dumps({"name": "localhost", "url": "http://localhost:9000"}).encode(),
               "application/json"),  # fmt: skip
        _reply("GET", f"/tracings/mapping/{TRACING_ID}/agglomerateGraph/42", GRAPH, "application/x-protobuf"),
    ]
    server = wk_replay(ROUNDTRIP, extra=extra)
    return wk.Annotation.open_remote(f"{server.url}/annotations/{ANNOTATION_ID}"), server


def test_the_agglomerate_graph_comes_from_the_tracingstore(wk_replay) -> None:
    annotation, server = _open(wk_replay, [VOLUME_LAYER])
    data = annotation.get_agglomerate_graph_data(42)
    assert data.segments.dtype == np.uint64 and data.segments.tolist() == [7, 3, 9]
    assert data.edges.dtype == np.uint64 and data.edges.tolist() == [[7, 3], [3, 9]]
    assert data.positions.dtype == np.int64 and data.positions.tolist() == [[1, 2, 3], [4, -5, 6], [7, 8, 2**31 - 1]]
    assert data.affinities.dtype == np.float32 and data.affinities.tolist() == [0.5, 0.25]
    graph = data.to_agglomerate_graph()
    assert isinstance(graph, wk.AgglomerateGraph)
    assert graph.nodes[3]["position"] == wk.Vec3Int(4, -5, 6)
    assert graph.edges[7, 3]["affinity"] == 0.5
    requests = [r for r in server.received if "agglomerateGraph" in r.path]
    assert len(requests) == 1 and requests[0].headers.get("x-auth-token")


def test_an_annotation_without_exactly_one_volume_layer_is_refused(wk_replay) -> None:
    annotation, server = _open(wk_replay, [])
    with pytest.raises(ValueError, match="0 volume layers"):
        annotation.get_agglomerate_graph(42)
    assert not any("agglomerateGraph" in r.path for r in server.received)


def test_packed_repeated_fields_decode_alike() -> None:
    packed = encode_graph([7, 3, 9], [(7, 3), (3, 9)], [(1, 2, 3), (4, -5, 6), (7, 8, 9)], [0.5, 0.25], packed=True)
    from daedalus.core.dataset.attachments.agglomerate_graph import AgglomerateGraphData

    data = AgglomerateGraphData.from_proto(packed)
    assert data.segments.tolist() == [7, 3, 9]
    assert data.positions.tolist()[1] == [4, -5, 6]
    assert data.affinities.tolist() == [0.5, 0.25]


@pytest.mark.parametrize("cut", [1, 5, len(GRAPH) - 2])
def test_a_truncated_message_is_a_clear_error(cut: int) -> None:
    from daedalus.core.dataset.attachments.agglomerate_graph import AgglomerateGraphData

    with pytest.raises(ValueError, match="Malformed AgglomerateGraph"):
        AgglomerateGraphData.from_proto(GRAPH[:cut])


def test_a_precomputed_mesh_is_downloaded_from_the_tracingstore(wk_replay, tmp_path) -> None:
    request = {"lod": 0, "meshFileName": "meshfile", "segmentId": 5, "mappingName": None}
    mesh = _reply("POST", f"/tracings/volume/{TRACING_ID}/fullMesh.stl", b"solid mesh\nendsolid\n", "application/sla")
    mesh.body, mesh.content_type = json.dumps(request).encode(), "application/json"
    annotation, server = _open(wk_replay, [VOLUME_LAYER], [mesh])
    path = annotation.download_mesh(5, tmp_path / "meshes", TRACING_ID, mesh_file_name="meshfile")
    assert path.name == "5.stl"
    assert path.read_bytes() == b"solid mesh\nendsolid\n"
    (sent,) = [r for r in server.received if r.path.endswith("fullMesh.stl")]
    assert json.loads(sent.body) == request


def test_an_ad_hoc_mesh_needs_a_mag_and_a_seed_position(wk_replay, tmp_path) -> None:
    annotation, server = _open(wk_replay, [VOLUME_LAYER])
    with pytest.raises(ValueError, match="seed_position"):
        annotation.download_mesh(5, tmp_path, TRACING_ID)
    assert not any(r.path.endswith("fullMesh.stl") for r in server.received)
    assert not (tmp_path / "5.stl").exists()
