"""test_cli/test_convert_upload_downsample.yml: the CLI converted TIFFs to a zarr3 dataset, uploaded it, then
downsampled the remote dataset. The upload part replays with Dataset.upload: the dataset is rebuilt from the
recorded chunk forms (13 files) and daedalus must send the same files, sizes and reserve payload."""

from __future__ import annotations

import email
import email.policy
import json

from recorded import body, interactions

import daedalus as wk

RECORDING = "test_cli/test_convert_upload_downsample.yml"
RESERVE = "/data/v12/datasets/reserveUpload"


def _form(content_type: str, raw: bytes) -> dict[str, bytes]:
    message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw, policy=email.policy.HTTP)
    return {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in message.iter_parts()}


def _recorded_files() -> dict[str, bytes]:
    files = {}
    for item in interactions(RECORDING):
        request = item["request"]
        if request["method"] == "POST" and request["path"] == "/data/datasets":
            form = _form(request["headers"]["content-type"], body(request))
            files[form["resumableRelativePath"].decode()] = form["file"]
    return files


def test_upload_of_the_converted_dataset_sends_the_recorded_files(wk_server, tmp_path) -> None:
    recorded_files = _recorded_files()
    assert len(recorded_files) == 13
    for relative, content in recorded_files.items():
        (tmp_path / "converted" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "converted" / relative).write_bytes(content)
    server = wk_server(RECORDING, match_body=False)  # the upload id is random: the payloads are compared below

    remote = wk.Dataset.open(tmp_path / "converted").upload(new_dataset_name="test_remote_convert")

    assert remote.dataset_id == "69aefb7b6eb20603afef7735"
    assert sorted(remote.layers) == ["tiff"]
    assert remote.get_layer("tiff").bounding_box == wk.BoundingBox((0, 0, 0), (265, 265, 257))
    (reserve,) = [r for r in server.received if r.path == RESERVE]
    recorded = json.loads(body(next(i for i in interactions(RECORDING) if i["request"]["path"] == RESERVE)["request"]))
    sent = json.loads(reserve.body)
    assert sent.pop("uploadId") != recorded.pop("uploadId")
    assert sent == recorded  # 13 files, 2741679 bytes, no teams, links or folder
    chunks = [_form(r.headers["content-type"], r.body) for r in server.received if r.path == "/data/datasets"]
    assert {c["resumableRelativePath"].decode(): c["file"] for c in chunks} == recorded_files
