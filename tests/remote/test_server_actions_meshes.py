"""RemoteSegmentationLayer.download_mesh (and the deprecated RemoteDataset.download_mesh): the datastore's mesh
route with the request bodies the reference sends, the STL written under the reference's file name."""

from __future__ import annotations

import json

import pytest
from recorded import interactions
from wk_replay import Interaction

import daedalus as wk

RECORDING = "test_remote_dataset/test_url_open_remote[RemoteAccessMode.ZARR_STREAMING-l4_sample].yml"
DATASET_ID = "59e9cfbdba632ac2ab8b23b5"
MESH = f"/data/v12/datasets/{DATASET_ID}/layers/segmentation/meshes/fullMesh.stl"
STL = b"solid segment\nendsolid segment\n"


def _info() -> Interaction:
    item = next(i for i in interactions(RECORDING) if i["request"]["path"] == f"/api/v12/datasets/{DATASET_ID}")
    raw = item["response"]["body"]["data"].encode()
    return Interaction(
        "GET", f"/api/v12/datasets/{DATASET_ID}", [], b"", "", 200, {"content-type": "application/json"}, raw
    )


def _mesh(query=(), status: int = 200, body: bytes = STL) -> Interaction:
    return Interaction("POST", MESH, list(query), b"", "", status, {"content-type": "application/octet-stream"}, body)


def _open(wk_server, *extra: Interaction):
    server = wk_server(RECORDING, match_body=False, extra=[_info(), _info(), *extra])
    return server, wk.RemoteDataset.open(f"{server.url}/datasets/Organization_X/l4_sample/view")


def _sent(server) -> list[tuple[dict, list]]:
    return [(json.loads(r.body), r.query) for r in server.received if r.path == MESH]


def test_precomputed_mesh_is_written_as_dataset_layer_segment_stl(wk_server, tmp_path) -> None:
    server, ds = _open(wk_server, _mesh())
    path = ds.get_segmentation_layer("segmentation").download_mesh(12, tmp_path / "meshes", mesh_file_name="meshfile")

    assert str(path) == str(tmp_path / "meshes" / "l4_sample_segmentation_12.stl")
    assert path.read_bytes() == STL
    assert _sent(server) == [({"lod": 0, "meshFileName": "meshfile", "segmentId": 12, "mappingName": None}, [])]


def test_ad_hoc_mesh_sends_mag_and_seed_and_the_sharing_token(wk_server, tmp_path) -> None:
    server, ds = _open(wk_server, _mesh(query=[("token", "shr")]))
    layer = ds.get_segmentation_layer("segmentation")
    layer.download_mesh(
        14,
        tmp_path,
        mag=wk.Mag(2),
        seed_position=wk.Vec3Int(3100, 3100, 600),
        mapping_name="agg",
        mapping_type="agglomerate",
        lod=1,
        sharing_token="shr",
        datastore_url=server.url,
    )
    assert _sent(server) == [
        (
            {
                "lod": 1,
                "segmentId": 14,
                "mappingName": "agg",
                "mappingType": "agglomerate",
                "mag": [2, 2, 2],
                "seedPosition": [3100, 3100, 600],
            },
            [("token", "shr")],
        )
    ]


def test_dataset_download_mesh_is_deprecated_and_finds_the_segmentation_layer(wk_server, tmp_path) -> None:
    server, ds = _open(wk_server, _mesh())
    with pytest.warns(DeprecationWarning, match="RemoteSegmentationLayer.download_mesh") as caught:
        path = ds.download_mesh(13, tmp_path, mesh_file_name="meshfile")
    assert caught[0].filename == __file__
    assert path.name == "l4_sample_segmentation_13.stl" and path.read_bytes() == STL
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="'color' is a color layer"):
        ds.download_mesh(13, tmp_path, layer_name="color", mesh_file_name="meshfile")
    assert len(_sent(server)) == 1


def test_bad_mesh_requests_are_refused_and_server_failures_leave_no_file(wk_server, tmp_path) -> None:
    server, ds = _open(wk_server, _mesh(status=404, body=b'{"messages":[{"error":"mesh file not found"}]}'))
    layer = ds.get_segmentation_layer("segmentation")
    with pytest.raises(ValueError, match="mag= and seed_position="):
        layer.download_mesh(15, tmp_path)
    assert _sent(server) == []
    with pytest.raises(RuntimeError, match=r"segment 16 .*mesh file 'nope'.*mesh file not found"):
        layer.download_mesh(16, tmp_path / "out", mesh_file_name="nope")
    assert not (tmp_path / "out").exists()
