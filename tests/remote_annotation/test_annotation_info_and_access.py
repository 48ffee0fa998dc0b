"""AnnotationInfo.get_remote_annotations / download_annotation, and datasets reached through an annotation."""

from __future__ import annotations

import json

from annotation_recordings import FIXTURE_ZIP, L4_SAMPLE_ID, USER_A_ID, body_bytes, borrowed, recorded

import daedalus as wk

LISTING = "test_annotation/test_remote_annotation_list.yml"
UPLOADED_ID = "69270ba0010000d100110a98"


def test_remote_annotations_of_the_current_user_are_what_the_server_listed(wk_replay) -> None:
    wk_replay(LISTING)
    assert wk.Annotation.load(FIXTURE_ZIP).upload().endswith(f"/annotations/{UPLOADED_ID}")
    infos = wk.AnnotationInfo.get_remote_annotations()
    listed = json.loads(body_bytes(recorded(LISTING)[2]["response"]))
    assert [i.id for i in infos] == [a["id"] for a in listed] and len(infos) == 5
    uploaded = next(i for i in infos if i.id == UPLOADED_ID)
    assert uploaded.name == "l4_sample__explorational__suser__94b271" and uploaded.description == ""
    assert (uploaded.type, uploaded.state) == (wk.AnnotationType.EXPLORATIONAL, wk.AnnotationState.ACTIVE)
    assert (uploaded.modified, uploaded.duration_in_seconds, uploaded.owner_id) == (1764166561235, 0.0, USER_A_ID)


def test_remote_annotations_of_another_owner_are_filtered_out(wk_replay) -> None:
    server = wk_replay(LISTING)
    assert wk.AnnotationInfo.get_remote_annotations(owner="someone-else") == []
    assert [r.query for r in server.received if r.path.endswith("/readable")] == [[("isFinished", "false")]]


def test_download_annotation_downloads_the_described_annotation(wk_replay) -> None:
    # the listing recording has no download: the roundtrip's (skeleton-only) reply answers for the listed id
    download = borrowed("test_annotation/test_annotation_upload_download_roundtrip.yml", 1)
    download.path = download.path.replace("69270ba1010000ca00110a99", UPLOADED_ID)
    server = wk_replay(LISTING, extra=[download])
    info = next(i for i in wk.AnnotationInfo.get_remote_annotations() if i.id == UPLOADED_ID)
    annotation = info.download_annotation()
    assert [r.path for r in server.received][-1] == f"/api/v12/annotations/{UPLOADED_ID}/download"
    assert annotation.name == info.name and list(annotation.get_volume_layer_names()) == ["Volume"]


def test_renamed_dataset_is_what_the_annotation_and_its_remote_dataset_name(wk_replay) -> None:
    wk_replay("test_annotation/test_dataset_access_via_annotation.yml")
    base = wk.RemoteDataset.open("l4_sample")
    url = wk.Annotation.load(FIXTURE_ZIP).upload()
    annotation_id = url.rsplit("/", 1)[1]
    assert annotation_id == "69270b9f010000cd00110a97"
    base.name = "some_other_name"
    downloaded = wk.Annotation.download(annotation_id, skip_volume_data=True)
    assert (downloaded.dataset_name, downloaded.dataset_id) == ("some_other_name", L4_SAMPLE_ID)
    dataset = wk.Annotation.open_as_remote_dataset(annotation_id)
    assert dataset.dataset_id == base.dataset_id and dataset.annotation_id == annotation_id
    assert sorted(dataset.layers) == ["Volume", "color", "segmentation"]
    assert dataset.get_layer("Volume").bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))
    assert dataset.name == "some_other_name"
    base.name = "l4_sample"


def test_remote_base_dataset_is_the_annotation_dataset(wk_replay) -> None:
    wk_replay("test_annotation/test_bounding_box_roundtrip.yml")
    annotation = wk.Annotation(
        name="by_id", dataset_name="l4_sample", voxel_size=(11.24, 11.24, 28), organization_id="Organization_X"
    )
    annotation.dataset_id = L4_SAMPLE_ID
    base = annotation.get_remote_base_dataset()
    assert base.dataset_id == L4_SAMPLE_ID and sorted(base.layers) == ["color", "segmentation"]
    assert base.annotation_id is None
