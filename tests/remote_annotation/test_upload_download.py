"""Annotation.upload / download / open_as_remote_dataset against the recorded test_annotation/ exchanges."""

from __future__ import annotations

import numpy as np
import pytest
from annotation_recordings import FIXTURE_ZIP, L4_SAMPLE_ID, uploaded_zip

import daedalus as wk

ROUNDTRIP = "test_annotation/test_annotation_upload_download_roundtrip.yml"
ROUNDTRIP_ID = "69270ba1010000ca00110a99"
# the four zarr chunks (x, y in 6..7, z 8) of the annotation's Volume layer the recording streamed at mag 16-16-4
STREAMED_BOX = {"absolute_offset": (3072, 3072, 1024), "size": (1024, 1024, 128)}


def _trees(annotation: wk.Annotation) -> list[tuple[str, int, int]]:
    return [(t.name, len(t.nodes), t.number_of_edges()) for t in annotation.skeleton.flattened_trees()]


def _upload_request(server):
    (request,) = [r for r in server.received if r.path == "/api/v12/annotations/upload"]
    return request


def test_upload_then_download_returns_the_annotation_the_server_stored(wk_replay) -> None:
    server = wk_replay(ROUNDTRIP)
    local = wk.Annotation.load(FIXTURE_ZIP)
    url = local.upload()
    assert url == f"{server.url}/annotations/{ROUNDTRIP_ID}"
    request = _upload_request(server)
    assert b'name="createGroupForEachFile"\r\n\r\nfalse' in request.body
    filename, archive = uploaded_zip(request.body)
    assert filename == "l4_sample__explorational__suser__94b271.zip"
    assert sorted(n.rsplit(".", 1)[-1] for n in archive.namelist()) == ["nml", "zip"]  # the NML and Volume's data

    downloaded = wk.Annotation.download(url)
    assert downloaded.annotation_id == ROUNDTRIP_ID
    assert (downloaded.dataset_id, downloaded.dataset_name, downloaded.organization_id) == (
        L4_SAMPLE_ID,
        "l4_sample",
        "Organization_X",
    )
    assert downloaded.name == "l4_sample__explorational__suser__94b271"
    assert downloaded.owner_name == "user_A last_A"
    assert _trees(downloaded) == [("explorative_2023-10-11_Sample_User_001", 3, 2)]
    assert list(downloaded.get_volume_layer_names()) == ["Volume"]
    assert downloaded.get_volume_layer_segments("Volume")[1].anchor_position == (3395, 3761, 1024)
    box = {"absolute_offset": (3328, 3712, 1016), "size": (128, 128, 16)}
    with downloaded.temporary_volume_layer_copy("Volume") as volume, local.temporary_volume_layer_copy() as original:
        data = volume.get_mag(1).read(**box)
        assert np.count_nonzero(data == 1) == 4240 and set(np.unique(data)) == {0, 1}
        assert np.array_equal(data, original.get_mag(1).read(**box))


def test_open_as_remote_dataset_streams_the_volume_layer_the_server_holds(wk_replay) -> None:
    server = wk_replay(ROUNDTRIP)
    url = wk.Annotation.load(FIXTURE_ZIP).upload()
    downloaded = wk.Annotation.download(url)
    dataset = wk.Annotation.open_as_remote_dataset(ROUNDTRIP_ID)
    assert isinstance(dataset, wk.RemoteDataset)
    assert dataset.dataset_id == L4_SAMPLE_ID and dataset.annotation_id == ROUNDTRIP_ID
    assert sorted(dataset.layers) == ["Volume", "color", "segmentation"]
    volume = dataset.get_segmentation_layer("Volume")
    assert volume.bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))
    streamed = volume.get_mag("16-16-4").read(**STREAMED_BOX)
    assert streamed.shape == (1, 64, 64, 32) and np.count_nonzero(streamed == 1) == 333
    with downloaded.temporary_volume_layer_copy("Volume") as local:
        assert np.array_equal(streamed, local.get_mag("16-16-4").read(**STREAMED_BOX))
    skipped = [r for r in server.received if r.path.endswith("/download") and ("skipVolumeData", "true") in r.query]
    assert len(skipped) == 1  # the annotation was fetched without its volume data


def test_bounding_boxes_survive_the_roundtrip_with_the_task_box_as_a_user_box(wk_replay) -> None:
    server = wk_replay("test_annotation/test_bounding_box_roundtrip.yml")
    base = wk.RemoteDataset.open("l4_sample")
    annotation = wk.Annotation(
        name="test_bounding_box_roundtrip",
        dataset_name="l4_sample",
        voxel_size=base.voxel_size,
        organization_id="Organization_X",
    )
    annotation.skeleton.add_group("a group").add_tree("a tree").add_node(position=(0, 0, 0), comment="node 1")
    annotation.task_bounding_box = wk.BoundingBox((10, 10, 10), (5, 5, 5)).with_name("task_bbox")
    annotation.user_bounding_boxes = [wk.BoundingBox((1024, 512, 128), (64, 64, 64))]
    url = annotation.upload()
    assert url.endswith("/annotations/69270ba2010000ca00110a9a")
    filename, archive = uploaded_zip(_upload_request(server).body)
    assert filename == "test_bounding_box_roundtrip.zip" and archive.namelist() == ["test_bounding_box_roundtrip.nml"]

    dataset = wk.Annotation.open_as_remote_dataset(url)
    assert sorted(dataset.layers) == ["color", "segmentation"]  # a skeleton-only annotation adds no layer

    downloaded = wk.Annotation.download(url)  # the server answers with a bare NML
    assert downloaded.name == "test_bounding_box_roundtrip"
    assert downloaded.task_bounding_box is None
    boxes = [(tuple(b.topleft), tuple(b.size), b.name) for b in downloaded.user_bounding_boxes]
    assert boxes == [
        ((1024, 512, 128), (64, 64, 64), "Unnamed Bounding Box"),
        ((10, 10, 10), (5, 5, 5), "task bounding box"),
    ]
    assert _trees(downloaded) == [("a tree", 1, 0)]
    assert [g.name for g in downloaded.skeleton.flattened_groups()] == ["a group"]


def test_edited_volume_layer_is_uploaded_and_downloaded_with_its_data(wk_replay) -> None:
    server = wk_replay("test_annotation/test_edited_volume_annotation_upload_download.yml")
    annotation = wk.Annotation.load(FIXTURE_ZIP)
    annotation.add_volume_layer("segmentation", dtype=np.uint32)
    with annotation.temporary_volume_layer_copy("segmentation", read_only=False) as layer:
        layer.bounding_box = wk.BoundingBox((0, 0, 0), (10, 10, 10))
        layer.add_mag(1).write(np.ones((10, 10, 10), dtype=np.uint32), absolute_offset=(0, 0, 0))
    url = annotation.upload()
    _, archive = uploaded_zip(_upload_request(server).body)
    assert len([n for n in archive.namelist() if n.endswith(".zip")]) == 2

    downloaded = wk.Annotation.download(url)
    assert downloaded.annotation_id == "69270bb7010000cf00110a9b"
    assert list(downloaded.get_volume_layer_names()) == ["Volume", "segmentation"]
    with downloaded.temporary_volume_layer_copy("segmentation") as layer:
        data = layer.get_mag(1).read(absolute_offset=(0, 0, 0), size=(12, 12, 12))
    assert np.count_nonzero(data == 1) == 1000 and np.count_nonzero(data) == 1000
    assert np.all(data[0, :10, :10, :10] == 1)
    with downloaded.temporary_volume_layer_copy("Volume") as layer:
        volume = layer.get_mag(1).read(absolute_offset=(3328, 3712, 1016), size=(128, 128, 16))
    assert np.count_nonzero(volume == 1) == 4240


def test_download_by_typed_url_skipping_volume_data_keeps_the_layer_definitions(wk_replay) -> None:
    server = wk_replay(ROUNDTRIP)
    wk.Annotation.load(FIXTURE_ZIP).upload()
    url = f"{server.url}/annotations/Explorational/{ROUNDTRIP_ID}"
    annotation = wk.Annotation.download(url, skip_volume_data=True)
    assert annotation.annotation_id == ROUNDTRIP_ID
    volume = annotation.get_volume_layer("Volume")
    assert not volume.has_data and volume.largest_segment_id == 1
    with pytest.raises(ValueError, match="no data"):
        annotation.export_volume_layer_to_dataset(wk.Dataset("memory://unused", voxel_size=(1, 1, 1)))
