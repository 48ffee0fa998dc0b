"""RemoteAnnotation (Annotation.open_remote): name and description synchronized with the server, volume data on
demand, remote datasets.

No recording opens a remote annotation, so the server is the upload/download roundtrip recording plus the
annotation-info reply of test_api_client/test_annotation_info.yml, re-addressed to the uploaded annotation (its id,
dataset id and name replaced). The reply to the ``PATCH .../edit`` is synthetic (no recording has one).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from annotation_recordings import FIXTURE_ZIP, L4_SAMPLE_ID, annotation_info_replies

import daedalus as wk

ROUNDTRIP = "test_annotation/test_annotation_upload_download_roundtrip.yml"
ANNOTATION_ID = "69270ba1010000ca00110a99"
SERVER_NAME = "named on the server"


def _info_replies(count: int) -> list:
    return annotation_info_replies(count, ANNOTATION_ID, SERVER_NAME)


@pytest.fixture
def remote(wk_replay):
    """A RemoteAnnotation of the uploaded roundtrip annotation, and its replay server."""
    server = wk_replay(ROUNDTRIP, extra=_info_replies(4))
    server.reply_next(200, '{"messages":[{"success":"edited"}]}', times=2, method="PATCH")
    annotation = wk.Annotation.open_remote(f"{server.url}/annotations/{ANNOTATION_ID}")
    return annotation, server


def _edits(server) -> list[dict]:
    return [json.loads(r.body) for r in server.received if r.method == "PATCH"]


def test_open_remote_downloads_the_skeleton_without_volume_data(remote) -> None:
    annotation, server = remote
    assert isinstance(annotation, wk.RemoteAnnotation) and isinstance(annotation, wk.Annotation)
    assert annotation.annotation_id == ANNOTATION_ID
    assert annotation.url == f"{server.url}/annotations/{ANNOTATION_ID}"
    assert (annotation.organization_id, annotation.dataset_id, annotation.dataset_name) == (
        "Organization_X",
        L4_SAMPLE_ID,
        "l4_sample",
    )
    assert annotation.owner_name == "user_A last_A"
    assert [len(t.nodes) for t in annotation.skeleton.flattened_trees()] == [3]
    assert list(annotation.get_volume_layer_names()) == ["Volume"]
    assert not annotation.get_volume_layer("Volume").has_data
    (download,) = server.received
    assert ("skipVolumeData", "true") in download.query
    assert ANNOTATION_ID in repr(annotation)


def test_name_and_description_are_read_from_and_written_to_the_server(remote) -> None:
    annotation, server = remote
    assert annotation.name == SERVER_NAME
    assert annotation.description == "from the server"
    annotation.name = "renamed"
    annotation.description = "new description"
    renamed, described = _edits(server)
    assert (renamed["id"], renamed["typ"], renamed["name"], renamed["description"]) == (
        ANNOTATION_ID,
        "Explorational",
        "renamed",
        "from the server",
    )
    assert (described["name"], described["description"]) == (SERVER_NAME, "new description")
    edit_paths = {r.path for r in server.received if r.method == "PATCH"}
    assert edit_paths == {f"/api/v12/annotations/Explorational/{ANNOTATION_ID}/edit"}


def test_volume_data_is_downloaded_when_first_needed(remote) -> None:
    annotation, server = remote
    with annotation.temporary_volume_layer_copy("Volume") as layer:
        data = layer.get_mag(1).read(absolute_offset=(3328, 3712, 1016), size=(128, 128, 16))
    assert np.count_nonzero(data == 1) == 4240
    with annotation.temporary_volume_layer_copy("Volume"):
        pass  # the data is kept: no second download
    full = [r for r in server.received if ("skipVolumeData", "false") in r.query]
    assert len(full) == 1


def test_remote_annotation_dataset_streams_from_the_annotation_server(remote) -> None:
    annotation, _ = remote
    dataset = annotation.get_remote_annotation_dataset()
    assert dataset.annotation_id == ANNOTATION_ID and dataset.dataset_id == L4_SAMPLE_ID
    assert sorted(dataset.layers) == ["Volume", "color", "segmentation"]


def test_changes_that_cannot_reach_the_server_are_refused_with_what_to_do(remote) -> None:
    annotation, server = remote
    with pytest.raises(NotImplementedError, match=r"Annotation\.download\("):
        annotation.save("copy.zip")
    with pytest.raises(NotImplementedError, match="upload"):
        annotation.add_volume_layer("more", dtype="uint32")
    with pytest.raises(NotImplementedError, match="upload"):
        annotation.delete_volume_layer("Volume")
    assert list(annotation.get_volume_layer_names()) == ["Volume"]
    assert _edits(server) == []


def test_upload_sends_a_copy_with_the_volume_data(wk_replay) -> None:
    server = wk_replay(ROUNDTRIP, extra=_info_replies(1))
    first = wk.Annotation.load(FIXTURE_ZIP).upload()
    remote = wk.Annotation.open_remote(first)
    # the recording holds one upload; the copy's upload is answered like it
    server.reply_next(
        200, '{"annotation":{"typ":"Explorational","id":"69270ba1010000ca00110aff"},"messages":[]}', method="POST"
    )
    url = remote.upload()
    assert url == f"{server.url}/annotations/69270ba1010000ca00110aff"
    uploads = [r for r in server.received if r.path.endswith("/upload")]
    assert len(uploads) == 2 and f'filename="{SERVER_NAME}.zip"'.encode() in uploads[1].body
    assert b"Volume.zip" in uploads[1].body  # the volume data, downloaded for the copy


def test_constructing_directly_asks_nothing_and_reads_the_name_from_the_server(wk_replay) -> None:
    server = wk_replay("default.yml", extra=_info_replies(1))
    skeleton = wk.Skeleton(voxel_size=(11.24, 11.24, 28), dataset_name="l4_sample")
    annotation = wk.RemoteAnnotation(ANNOTATION_ID, "Organization_X", L4_SAMPLE_ID, name="local", skeleton=skeleton,
                                     owner_name="user_A last_A")  # fmt: skip
    assert server.received == []
    assert (annotation.organization_id, annotation.dataset_id) == ("Organization_X", L4_SAMPLE_ID)
    assert annotation.url == f"{server.url}/annotations/{ANNOTATION_ID}"
    assert annotation.name == SERVER_NAME
