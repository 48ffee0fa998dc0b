"""RemoteDataset's server-synchronized properties: reads, changes sent as the recordings show, read-only refusals."""

from __future__ import annotations

import json

import pytest
from daedalus.core.remote import RemoteDatasetNotFoundError
from recorded import interactions

import daedalus as wk

DATASET_ID = "59e9cfbdba632ac2ab8b23b5"


def _sent(server, method: str, path: str) -> list[dict]:
    return [json.loads(r.body) for r in server.received if r.method == method and r.path == path]


def test_changing_description_sends_a_partial_update(wk_server) -> None:
    server = wk_server("test_remote_dataset/test_changing_properties_on_remote_dataset.yml")
    ds = wk.RemoteDataset.open(dataset_id=DATASET_ID)
    ds.description = "This is a test description"
    assert _sent(server, "PATCH", f"/api/v12/datasets/{DATASET_ID}/updatePartial") == [
        {"description": "This is a test description"}
    ]
    assert ds.description == "This is a test description"  # read back from the server's reply


def test_read_only_remote_dataset_refuses_changes_without_a_request(wk_server) -> None:
    server = wk_server("test_remote_dataset/test_changing_properties_on_read_only_remote_dataset.yml")
    ds = wk.RemoteDataset.open(dataset_id=DATASET_ID, read_only=True)
    assert ds.read_only
    for name, value in [("description", "x"), ("is_public", False), ("tags", ["a"]), ("name", "n")]:
        with pytest.raises(RuntimeError, match="read-only"):
            setattr(ds, name, value)
    assert ds.description == "This is a test description"
    with pytest.raises(RuntimeError, match="read-only"):
        ds.metadata["key"] = "other"  # reads the metadata (one GET), refuses the change
    assert not [r for r in server.received if r.method in ("PATCH", "PUT", "POST", "DELETE")]


def test_default_view_configuration_cannot_be_changed_over_zarr_streaming(wk_server) -> None:
    # The reference 3.2.4 refuses this too (RuntimeError), observed against the same replay.
    server = wk_server("test_remote_dataset/test_changing_properties_on_remote_dataset.yml")
    ds = wk.RemoteDataset.open(dataset_id=DATASET_ID)
    with pytest.raises(RuntimeError, match="default view configuration.*WEBKNOSSOS dataset settings"):
        ds.default_view_configuration = wk.DatasetViewConfiguration(zoom=2.0)
    assert not [r for r in server.received if r.method in ("PATCH", "PUT", "POST", "DELETE")]


@pytest.mark.parametrize("recording", ["test_dataset/test_remote_dataset_access_metadata.yml"])
def test_metadata_changes_are_sent_as_recorded(wk_server, recording: str) -> None:
    server = wk_server(recording, match_body=False)
    ds = wk.RemoteDataset.open("l4_sample", organization_id="Organization_X")
    ds.metadata["key"] = "value"
    ds.metadata["number"] = 42
    ds.metadata["list"] = ["a", "b", "c"]
    recorded = [
        json.loads(i["request"]["body"]["data"]) for i in interactions(recording) if i["request"]["method"] == "PATCH"
    ]
    sent = _sent(server, "PATCH", f"/api/v12/datasets/{DATASET_ID}")
    assert [s["metadata"] for s in sent] == [r["metadata"] for r in recorded]
    assert all(s["id"] == DATASET_ID and s["folderId"] == r["folderId"] for s, r in zip(sent, recorded))
    assert ds.metadata == {
        "species": "mouse",
        "acquisition": "SBEM",
        "key": "value",
        "number": 42,
        "list": ["a", "b", "c"],
    }

    folder = ds.folder
    assert folder.name == "Organization_X" and folder.parent is None
    assert folder.metadata == {"key": 10}
    ds.folder.metadata["folder_key"] = "folder_value"
    (put,) = _sent(server, "PUT", "/api/v12/folders/570b9f4e4bb848d0885ea917")
    assert put["metadata"] == [
        {"key": "key", "type": "number", "value": 10},
        {"key": "folder_key", "type": "string", "value": "folder_value"},
    ]
    assert ds.folder.metadata == {"key": 10, "folder_key": "folder_value"}


def test_metadata_values_are_checked_before_sending(wk_server) -> None:
    server = wk_server("test_dataset/test_remote_dataset_access_metadata.yml", match_body=False)
    ds = wk.RemoteDataset.open("l4_sample", organization_id="Organization_X")
    with pytest.raises(TypeError, match="not supported"):
        ds.metadata["bad"] = {"nested": 1}
    assert not [r for r in server.received if r.method == "PATCH"]


def test_urls_ids_and_server_facts(wk_server) -> None:
    server = wk_server("test_dataset/test_remote_dataset_urls.yml")
    ds = wk.RemoteDataset.open(f"{server.url}/datasets/Organization_X/l4_sample/view")
    assert ds.url == f"{server.url}/datasets/{DATASET_ID}"
    assert (ds.name, ds.created, ds.used_storage_bytes) == ("l4_sample", "October 20, 2017 10:28:13", 0)
    again = wk.RemoteDataset.open(ds.url)  # the dataset's own URL opens it by id
    assert again.dataset_id == DATASET_ID and again.url == ds.url
    by_id = wk.Dataset.open_remote(dataset_id=DATASET_ID)
    assert str(by_id.get_layer("color").get_mag(1).path) == f"{server.url}/data/v12/zarr/{DATASET_ID}/color/1"
    assert by_id.get_layer("color").bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))


def test_opening_by_url_refuses_extra_arguments() -> None:
    with pytest.raises(ValueError, match="do not pass organization_id"):
        wk.RemoteDataset.open("https://example.org/datasets/Org/name/view", organization_id="Org")
    with pytest.raises(ValueError, match="not a WEBKNOSSOS dataset URL"):
        wk.RemoteDataset.open("https://example.org/somewhere/else")


def test_unknown_or_unshared_dataset_is_a_clear_error(wk_server) -> None:
    server = wk_server("test_dataset/test_remote_dataset_urls.yml")
    missing = "000000000000000000000000"
    server.reply_next(404, '{"messages":[{"error":"Dataset not found"}]}', path_prefix=f"/api/v12/datasets/{missing}")
    with pytest.raises(RemoteDatasetNotFoundError, match="does not exist or is not shared") as error:
        wk.RemoteDataset.open(dataset_id=missing)
    assert isinstance(error.value, FileNotFoundError) and "Dataset not found" in str(error.value)
    with pytest.raises(RemoteDatasetNotFoundError, match="'no_such_dataset' of organization 'Organization_X'"):
        server.reply_next(200, "[]", path_prefix="/api/v12/datasets")
        # not found by the search: the server's own lookup of the directory name is asked, as the reference does
        server.reply_next(404, '{"messages":[{"error":"Dataset not found"}]}', path_prefix="/api/v12/datasets/disamb")
        wk.RemoteDataset.open("no_such_dataset", organization_id="Organization_X")
