"""RemoteDataset, RemoteLayer, RemoteMagView and RemoteAttachments members added for parity with the reference:
access modes, view URLs, deleting a dataset, storage credentials for explore_and_add_remote, and login."""

from __future__ import annotations

import json

import pytest
from daedalus.core.client.context import get_context
from daedalus.core.errors import LayerExistsError
from recorded import TOKEN
from wk_replay import Interaction

import daedalus as wk

EXPLORE = "test_dataset/test_explore_and_add_remote.yml"
ADDED_ID = "697b6387d0000004f600e965"
REMOTE_URI = "http://localhost:9000/data/v9/zarr/Organization_X/l4_sample/"


def _reply(method: str, path: str, status: int = 200, body: bytes = b"") -> Interaction:
    return Interaction(method, path, [], b"", "", status, {"content-type": "application/json"}, body)


def _added(server) -> wk.RemoteDataset:
    return wk.RemoteDataset.explore_and_add_remote(REMOTE_URI, "added_remote_ds", folder="Organization_X")


def test_storage_credentials_are_sent_with_explore_and_add_remote(wk_server) -> None:
    server = wk_server(EXPLORE, match_body=False)
    credentials = wk.StorageCredentials("key-id", "key-secret")
    assert "key-secret" not in repr(credentials)
    wk.RemoteDataset.explore_and_add_remote(
        REMOTE_URI, "added_remote_ds", folder="Organization_X", credentials=credentials
    )
    (post,) = [r for r in server.received if r.path.endswith("/datasets/exploreAndAddRemote")]
    sent = json.loads(post.body)
    assert (sent["credentialIdentifier"], sent["credentialSecret"]) == ("key-id", "key-secret")


def test_a_dataset_is_deleted_on_the_server(wk_server) -> None:
    server = wk_server(EXPLORE, extra=[_reply("DELETE", f"/api/v12/datasets/{ADDED_ID}")])
    assert _added(server).delete() is None
    assert [r.path for r in server.received if r.method == "DELETE"] == [f"/api/v12/datasets/{ADDED_ID}"]


def test_a_read_only_dataset_is_not_deleted(wk_server) -> None:
    server = wk_server(EXPLORE)
    read_only = wk.RemoteDataset.open(dataset_id=ADDED_ID, read_only=True)
    with pytest.raises(RuntimeError, match="read-only"):
        read_only.delete()
    assert not [r for r in server.received if r.method == "DELETE"]


def test_view_urls_and_access_modes(wk_server) -> None:
    server = wk_server(EXPLORE)
    dataset = _added(server)
    assert dataset.generate_url() == f"{server.url}/datasets/{ADDED_ID}/view"
    assert dataset.generate_url(position=(1, 2, 3)) == f"{server.url}/datasets/{ADDED_ID}/view#1,2,3,0,1"
    assert dataset.access_mode is wk.RemoteAccessMode.ZARR_STREAMING
    assert dataset.with_access_mode(wk.RemoteAccessMode.ZARR_STREAMING) is dataset
    layer = dataset.get_layer("color")
    mag = layer.get_mag(1)
    assert isinstance(mag, wk.RemoteMagView) and mag.access_mode is wk.RemoteAccessMode.ZARR_STREAMING
    assert layer.get_mag(1, access_mode=wk.RemoteAccessMode.ZARR_STREAMING) is mag
    assert layer.get_finest_mag(access_mode=wk.RemoteAccessMode.ZARR_STREAMING) is mag
    assert mag.with_access_mode(wk.RemoteAccessMode.ZARR_STREAMING) is mag
    attachments = dataset.get_segmentation_layer("segmentation").attachments
    assert attachments.access_mode is wk.RemoteAccessMode.DIRECT_PATH
    streamed = attachments.with_access_mode(wk.RemoteAccessMode.ZARR_STREAMING)
    assert streamed.access_mode is wk.RemoteAccessMode.ZARR_STREAMING and list(streamed) == []
    with pytest.raises(ValueError, match="datastore proxy"):
        attachments.with_access_mode(wk.RemoteAccessMode.PROXY_PATH)
    with pytest.raises(LayerExistsError, match="already has a layer 'color'"):  # copies: test_remote_copies.py
        dataset.add_layer_as_copy(layer, transfer_mode=wk.TransferMode.HTTP, overwrite_pending=False)


def test_login_sets_the_server_for_the_rest_of_the_session(wk_server) -> None:
    server = wk_server(EXPLORE)
    wk.login(url=server.url, token=TOKEN, timeout=30)
    context = get_context()
    assert (context.url, context.token, context.timeout) == (server.url, TOKEN, 30)
    with wk.webknossos_context(url="http://127.0.0.1:9", token="other"):
        assert get_context().url == "http://127.0.0.1:9"  # a with-block still takes precedence
    assert get_context().url == server.url
    _added(server)  # requests go to the logged-in server
    assert server.received


def test_annotation_ids_and_urls_without_a_request() -> None:
    url = "https://webknossos.org/annotations/6114d9410100009f0096c640#1,2,3,0,1"
    assert wk.Annotation.id_from_url(url) == "6114d9410100009f0096c640"
    assert wk.RemoteAnnotation.id_from_url("https://h.org/annotations/Explorational/abc123?token=x") == "abc123"
    assert wk.Annotation.id_from_url("6114d9410100009f0096c640") == "6114d9410100009f0096c640"
    assert wk.Annotation.id_from_url("not a url at all") == "not a url at all"


def test_remote_folder_takes_its_parent() -> None:
    root = wk.RemoteFolder("root", "Organization_X", None)
    child = wk.RemoteFolder("f1", "sub", root)
    assert (child._parent_id, wk.RemoteFolder("f2", "x", "root")._parent_id, root._parent_id) == ("root", "root", None)
