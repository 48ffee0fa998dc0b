"""Dataset.upload against recorded uploads: the reserve payload, every chunk's form and bytes, finish and reopen."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.remote.upload import UploadError
from recorded import body, interactions
from wk_replay import RECORDINGS

import daedalus as wk

FIXTURE = RECORDINGS.parent / "fixtures" / "wk-testdata" / "simple_wkw_dataset"
CLI_UPLOAD = "test_cli/test_upload.yml"
RESERVE = "/data/v12/datasets/reserveUpload"
FINISH = "/data/v12/datasets/finishUpload"


def _form(request) -> dict[str, bytes]:
    """The fields of a multipart/form-data request body, by name."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


def _recorded_json(recording: str, path: str) -> dict:
    return json.loads(body(next(i for i in interactions(recording) if i["request"]["path"] == path)["request"]))


def _received(server, path: str) -> list:
    return [r for r in server.received if r.method == "POST" and r.path == path]


def test_cli_upload_sends_the_recorded_reserve_chunks_and_finish(wk_server) -> None:
    if not FIXTURE.is_dir():
        pytest.skip(f"fixture {FIXTURE} is absent")
    server = wk_server(CLI_UPLOAD, match_body=False)  # upload ids are random: the payloads are checked below

    remote = wk.Dataset.open(FIXTURE).upload(new_dataset_name="test_upload_cli")

    assert isinstance(remote, wk.RemoteDataset) and remote.dataset_id == "69aed5416eb20671afef7730"
    assert sorted(remote.layers) == ["color"]
    (reserve,) = _received(server, RESERVE)
    sent, recorded = json.loads(reserve.body), _recorded_json(CLI_UPLOAD, RESERVE)
    upload_id = sent.pop("uploadId")
    recorded.pop("uploadId")
    assert sent == recorded  # name, organization, 3 files of 98974 bytes, no teams, links or folder
    assert upload_id.count("__") == 1

    chunks = {_form(r)["resumableRelativePath"].decode(): _form(r) for r in _received(server, "/data/datasets")}
    assert sorted(chunks) == ["color/1/header.wkw", "color/1/z0/y0/x0.wkw", "datasource-properties.json"]
    for relative, form in chunks.items():
        content = (FIXTURE / relative).read_bytes()
        assert form["file"] == content
        assert form["resumableIdentifier"].decode() == f"{upload_id}/{relative}"
        assert form["resumableTotalSize"] == form["resumableCurrentChunkSize"] == str(len(content)).encode()
        assert (form["resumableChunkNumber"], form["resumableTotalChunks"]) == (b"1", b"1")
        assert form["resumableChunkSize"] == b"104857600"
        assert (form["owningOrganization"], form["name"], form["totalFileCount"]) == (
            b"Organization_X",
            b"test_upload_cli",
            b"3",
        )
    assert chunks["datasource-properties.json"]["resumableType"] == b"application/json"
    assert chunks["color/1/header.wkw"]["resumableType"] == b""
    (finish,) = _received(server, FINISH)
    assert json.loads(finish.body) == {"uploadId": upload_id}


def test_an_interrupted_upload_is_reported_and_never_finished(wk_server) -> None:
    if not FIXTURE.is_dir():
        pytest.skip(f"fixture {FIXTURE} is absent")
    server = wk_server(CLI_UPLOAD, match_body=False)
    server.reply_next(400, '{"messages":[{"error":"chunk refused"}]}', method="POST", path_prefix="/data/datasets")

    with pytest.raises(UploadError, match=r"interrupted: 2 of 3 chunks arrived.*no dataset was created"):
        wk.Dataset.open(FIXTURE).upload(new_dataset_name="test_upload_cli", jobs=1)
    assert _received(server, FINISH) == []
    assert len(_received(server, "/data/datasets")) == 3


def _download_box(server, tmp_path: Path) -> wk.Dataset:
    box = wk.BoundingBox((3164, 3212, 1017), (10, 10, 10))
    return wk.Dataset.download(f"{server.url}/datasets/Organization_X/l4_sample", path=tmp_path / "down", bbox=box)


def test_upload_download_roundtrip(wk_server, tmp_path) -> None:
    recording = "test_remote_dataset/test_upload_download_roundtrip.yml"
    server = wk_server(recording, match_body=False)
    original = _download_box(server, tmp_path)
    files = sorted(p for p in (tmp_path / "down").rglob("*") if p.is_file())

    remote = original.upload(new_dataset_name="test_upload_download_roundtrip", jobs=4)

    assert remote.dataset_id == "6980c803d10000d7de2cc080"
    sent = json.loads(_received(server, RESERVE)[0].body)
    assert sent["name"] == "test_upload_download_roundtrip" and sent["organization"] == "Organization_X"
    assert sent["totalFileCount"] == len(files) == 32
    assert sent["totalFileSizeInBytes"] == sum(p.stat().st_size for p in files)
    assert (sent["initialTeams"], sent["layersToLink"]) == ([], [])
    chunk_forms = [_form(r) for r in _received(server, "/data/datasets")]
    assert sorted(f["resumableRelativePath"].decode() for f in chunk_forms) == sorted(
        str(p.relative_to(tmp_path / "down")) for p in files
    )
    assert all(f["file"] == (tmp_path / "down" / f["resumableRelativePath"].decode()).read_bytes() for f in chunk_forms)
    assert json.loads(_received(server, FINISH)[0].body) == {"uploadId": sent["uploadId"]}

    # the recording then downloaded the uploaded dataset again: mag 1 holds the same voxels; for the coarse mags the
    # server zeroed the voxels reaching beyond the uploaded box, so they are compared with the recorded replies
    box = wk.BoundingBox((3164, 3212, 1017), (10, 10, 10))
    again = wk.RemoteDataset.open(dataset_id=remote.dataset_id).download(bbox=box, path=tmp_path / "again")
    for name, dtype in (("color", np.uint8), ("segmentation", np.uint32)):
        np.testing.assert_array_equal(
            again.get_layer(name).get_mag(1).read(), original.get_layer(name).get_mag(1).read()
        )
        for mag in original.get_layer(name).mags:
            expected = _recorded_mag(recording, remote.dataset_id, name, mag, box, dtype)
            np.testing.assert_array_equal(
                again.get_layer(name).get_mag(mag).read(absolute_bounding_box=box.align_with_mag(mag, True))[0],
                expected,
            )


def _recorded_mag(recording: str, dataset_id: str, layer: str, mag: wk.Mag, box: wk.BoundingBox, dtype) -> np.ndarray:
    """The recorded data route replies for ``mag`` of the box, assembled (x, y, z)."""
    aligned = box.align_with_mag(mag, True)
    result = np.zeros(aligned.in_mag(mag).size_xyz.to_tuple(), dtype=dtype)
    prefix = f"/data/v12/datasets/{dataset_id}/layers/{layer}/data?mag={mag.to_long_layer_name()}&"
    for item in interactions(recording):
        path = item["request"]["path"]
        if path.startswith(prefix):
            q = dict(part.split("=") for part in path[len(prefix) :].split("&"))
            size = (int(q["width"]), int(q["height"]), int(q["depth"]))
            at = [(int(q[k]) - t) // m for k, t, m in zip("xyz", aligned.topleft_xyz, mag.to_list())]
            block = np.frombuffer(body(item["response"]), dtype=dtype).reshape(size[::-1]).T
            result[at[0] : at[0] + size[0], at[1] : at[1] + size[1], at[2] : at[2] + size[2]] = block
    return result


def test_upload_twice_creates_two_datasets_asking_datastores_and_user_once(wk_server, tmp_path) -> None:
    server = wk_server("test_remote_dataset/test_upload_twice.yml", match_body=False)
    local = _download_box(server, tmp_path)

    first = local.upload(new_dataset_name="test_upload_twice")
    second = local.upload(new_dataset_name="test_upload_twice")

    assert (first.dataset_id, second.dataset_id) == ("6980c80ad1000047df2cc081", "6980c80cd1000042df2cc082")
    reserves = [json.loads(r.body) for r in _received(server, RESERVE)]
    assert len({r["uploadId"] for r in reserves}) == 2  # each upload has its own id
    assert [r["totalFileCount"] for r in reserves] == [32, 32]
    forms = [_form(r) for r in _received(server, "/data/datasets")]
    assert len(forms) == 64
    for reserve in reserves:
        mine = [f for f in forms if f["resumableIdentifier"].decode().startswith(reserve["uploadId"] + "/")]
        assert len(mine) == 32
    assert [json.loads(r.body)["uploadId"] for r in _received(server, FINISH)] == [r["uploadId"] for r in reserves]
    assert [r.path for r in server.received].count("/api/v12/datastores") == 1
    assert [r.path for r in server.received].count("/api/v12/user") == 1


def test_large_files_are_split_into_numbered_chunks(tmp_path) -> None:
    from daedalus.core.remote.upload import plan_chunks, upload_files

    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "big").write_bytes(bytes(range(10)))
    (tmp_path / "empty").write_bytes(b"")
    chunks = plan_chunks(upload_files(tmp_path), chunk_bytes=4)
    assert [(c.relative_path, c.number, c.total_chunks, c.offset, c.size) for c in chunks] == [
        ("empty", 1, 1, 0, 0),
        ("layer/big", 1, 3, 0, 4),
        ("layer/big", 2, 3, 4, 4),
        ("layer/big", 3, 3, 8, 2),
    ]
