"""RemoteDataset.explore_and_add_remote and trigger_reload_in_datastore (and Dataset's deprecated aliases) against
the recorded exchanges, with synthetic replies only where a variant was not recorded."""

from __future__ import annotations

import json
import warnings

import pytest
from recorded import TOKEN, interactions
from wk_replay import Interaction

import daedalus as wk

EXPLORE = "test_dataset/test_explore_and_add_remote.yml"
ROUNDTRIP = "test_remote_dataset/test_upload_download_roundtrip.yml"
REMOTE_URI = "http://localhost:9000/data/v9/zarr/Organization_X/l4_sample/"  # the recorded URI (not requested)
ROOT_FOLDER = "570b9f4e4bb848d0885ea917"
ADDED_ID = "697b6387d0000004f600e965"
OLDER_ID, NEWER_ID = "6980c7cfd1000048df2cc07b", "6980c803d10000d7de2cc080"  # both named test_upload_download_roundtrip


def _reply(method: str, path: str, body: bytes = b"", status: int = 200, query=()) -> Interaction:
    return Interaction(method, path, list(query), b"", "", status, {"content-type": "application/json"}, body)


def _posts(server, path: str) -> list:
    return [r for r in server.received if r.method == "POST" and r.path == path]


# ------------------------------------------------------------------ explore_and_add_remote


def test_explore_and_add_remote_sends_the_recorded_request_and_opens_the_new_dataset(wk_server) -> None:
    server = wk_server(EXPLORE)  # bodies matched: the POST must be exactly the recorded one

    ds = wk.RemoteDataset.explore_and_add_remote(REMOTE_URI, "added_remote_ds", folder="Organization_X")

    assert isinstance(ds, wk.RemoteDataset) and ds.dataset_id == ADDED_ID
    assert ds.name == "added_remote_ds"
    assert sorted(ds.layers) == ["color", "segmentation"]
    assert list(ds.get_layer("color").mags) == [wk.Mag(m) for m in ("1", "2-2-1", "4-4-1", "8-8-2", "16-16-4")]
    (post,) = _posts(server, "/api/v12/datasets/exploreAndAddRemote")
    assert json.loads(post.body) == {
        "remoteUri": REMOTE_URI,
        "datasetName": "added_remote_ds",
        "folderId": ROOT_FOLDER,  # the folder path, looked up in the folder tree
        "dataStoreName": None,
    }
    assert not [r for r in server.received if "/data/v9/" in r.path]  # the server explores the URI, not the client


def test_explore_and_add_remote_takes_a_remote_folder_or_none_and_upaths(wk_server) -> None:
    from upath import UPath

    server = wk_server(EXPLORE, match_body=False)
    ds = wk.RemoteDataset.explore_and_add_remote(
        UPath("s3://bucket/l4_sample"), "added_remote_ds", folder=wk.RemoteFolder(ROOT_FOLDER, "Organization_X")
    )
    assert ds.dataset_id == ADDED_ID
    assert not [r for r in server.received if r.path == "/api/v12/folders/tree"]  # the folder's id is known
    sent = json.loads(_posts(server, "/api/v12/datasets/exploreAndAddRemote")[0].body)
    assert (sent["remoteUri"], sent["folderId"]) == ("s3://bucket/l4_sample", ROOT_FOLDER)


def test_explore_and_add_remote_refuses_bad_input_without_a_request(wk_server) -> None:
    server = wk_server(EXPLORE)
    with pytest.raises(ValueError, match="dataset_name"):
        wk.RemoteDataset.explore_and_add_remote(REMOTE_URI, "")
    with pytest.raises(ValueError, match="dataset_uri is empty"):
        wk.RemoteDataset.explore_and_add_remote(" ", "x")
    with pytest.raises(ValueError, match="not both"):
        wk.RemoteDataset.explore_and_add_remote(REMOTE_URI, "x", folder="a", folder_path="a")
    with pytest.raises(TypeError, match="folder must be"):
        wk.RemoteDataset.explore_and_add_remote(REMOTE_URI, "x", folder=17)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dataset_uri must be"):
        wk.RemoteDataset.explore_and_add_remote(17, "x")  # type: ignore[arg-type]
    assert server.received == []


def test_explore_and_add_remote_folder_path_is_deprecated_and_unknown_folders_are_named(wk_server) -> None:
    server = wk_server(EXPLORE, extra=[_reply("GET", "/api/v12/folders/tree", json.dumps([]).encode())])
    with pytest.warns(DeprecationWarning, match="folder_path"), pytest.raises(KeyError, match="Nope"):
        wk.RemoteDataset.explore_and_add_remote(REMOTE_URI, "x", folder_path="Organization_X/Nope")
    assert _posts(server, "/api/v12/datasets/exploreAndAddRemote") == []


def test_explore_and_add_remote_reports_what_the_server_refused(wk_server) -> None:
    server = wk_server(EXPLORE)
    server.reply_next(400, '{"messages":[{"error":"Exploring failed: no dataset found"}]}', method="POST")
    with pytest.raises(RuntimeError, match=r"could not add 's3://nothing' .*Exploring failed: no dataset found"):
        wk.RemoteDataset.explore_and_add_remote("s3://nothing", "x")


# ------------------------------------------------------------------ trigger_reload_in_datastore


def test_trigger_reload_by_name_takes_the_first_of_several_like_the_recording(wk_server) -> None:
    server = wk_server(ROUNDTRIP)

    with pytest.warns(UserWarning, match=f"Several datasets .*using {OLDER_ID}"):
        result = wk.RemoteDataset.trigger_reload_in_datastore(
            dataset_name_or_url="test_upload_download_roundtrip", organization_id="Organization_X"
        )

    assert result is None
    recorded = [i["request"]["path"] for i in interactions(ROUNDTRIP) if "/triggers/reload/" in i["request"]["path"]]
    assert (
        [r.path for r in _posts(server, recorded[0])]
        == recorded
        == [f"/data/v12/triggers/reload/Organization_X/{OLDER_ID}"]
    )
    assert [r.path for r in server.received].count("/api/v12/datastores") == 1  # the datastore to ask


def test_trigger_reload_by_id_or_url_uses_the_users_organization_and_a_given_datastore(wk_server) -> None:
    reload = f"/data/v12/triggers/reload/Organization_X/{NEWER_ID}"
    server = wk_server(ROUNDTRIP, extra=[_reply("POST", reload), _reply("POST", reload)])

    wk.RemoteDataset.trigger_reload_in_datastore(dataset_id=NEWER_ID, datastore_url=server.url)
    wk.RemoteDataset.trigger_reload_in_datastore(
        dataset_name_or_url=f"{server.url}/datasets/test_upload_download_roundtrip-{NEWER_ID}/view",
        datastore_url=server.url,
    )

    assert len(_posts(server, reload)) == 2
    paths = [r.path for r in server.received]
    assert paths.count("/api/v12/user") == 1 and "/api/v12/datastores" not in paths  # organization asked once


def test_dataset_trigger_reload_and_import_are_deprecated_aliases(wk_server) -> None:
    reload = f"/data/v12/triggers/reload/Organization_X/{OLDER_ID}"
    datastores = next(i for i in interactions(ROUNDTRIP) if i["request"]["path"] == "/api/v12/datastores")
    again = _reply("GET", "/api/v12/datastores", datastores["response"]["body"]["data"].encode())
    server = wk_server(ROUNDTRIP, extra=[_reply("POST", reload), again])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wk.Dataset.trigger_reload_in_datastore(dataset_id=OLDER_ID, organization="Organization_X")
        wk.Dataset.trigger_dataset_import("test_upload_download_roundtrip", "Organization_X", "other-token")

    messages = [str(w.message) for w in caught]
    assert [m.split(" is deprecated")[0] for m in messages if "deprecated" in m] == [
        "Dataset.trigger_reload_in_datastore",
        "organization",
        "Dataset.trigger_dataset_import",
        "token",
    ]
    assert all(w.filename == __file__ for w in caught if w.category is DeprecationWarning)  # point at the caller
    assert any(m.startswith("Several datasets") for m in messages)
    posts = _posts(server, reload)
    assert len(posts) == 2
    assert [p.headers["x-auth-token"] for p in posts] == [TOKEN, "other-token"]  # trigger_dataset_import's token
    assert again.used  # the token's own context asked for the datastores again


def test_trigger_reload_refuses_bad_input(wk_server) -> None:
    server = wk_server(ROUNDTRIP)
    with pytest.raises(ValueError, match="Pass dataset_id"):
        wk.RemoteDataset.trigger_reload_in_datastore()
    with pytest.raises(ValueError, match="not both"):
        wk.RemoteDataset.trigger_reload_in_datastore(dataset_id=NEWER_ID, organization_id="a", organization="b")
    with pytest.raises(ValueError, match="names the server"):
        wk.RemoteDataset.trigger_reload_in_datastore(
            dataset_name_or_url=f"{server.url}/datasets/x-{NEWER_ID}", webknossos_url="http://elsewhere:1"
        )
    assert server.received == []


def test_trigger_reload_of_an_unknown_dataset_names_it(wk_server) -> None:
    server = wk_server(
        ROUNDTRIP,
        extra=[
            _reply(
                "GET",
                "/api/v12/datasets",
                b"[]",
                query=[("isActive", "true"), ("organizationId", "Organization_X"), ("searchQuery", "nope")],
            ),
            # not found by the search: the server's lookup of the directory name is asked too (as the reference)
            _reply(
                "GET",
                "/api/v12/datasets/disambiguate/Organization_X/nope/toId",
                b'{"messages":[{"error":"Dataset not found"}]}',
                status=404,
            ),
        ],
    )
    with pytest.raises(FileNotFoundError, match="'nope' of organization 'Organization_X'"):
        wk.RemoteDataset.trigger_reload_in_datastore(dataset_name_or_url="nope", organization_id="Organization_X")
    assert not [r for r in server.received if "/triggers/" in r.path]
