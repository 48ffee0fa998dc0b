"""WkApiClient against the recorded exchanges of test_api_client/: what the server said, parsed into models."""

from __future__ import annotations

import pytest
from daedalus.core.client import get_api_client
from daedalus.core.properties import DatasetProperties
from wk_replay import RECORDED_TOKEN

import daedalus as wk

L4_SAMPLE_ID = "59e9cfbdba632ac2ab8b23b5"


@pytest.fixture
def client(replay, wk_env):
    """Start a replay of the requested recording and enter a context for it; yields (server, client)."""

    def start(recording: str):
        server = replay(recording)
        context = wk.webknossos_context(url=server.url, token=RECORDED_TOKEN)
        context.__enter__()
        started.append(context)
        return server, get_api_client()

    started: list = []
    yield start
    for context in reversed(started):
        context.__exit__(None, None, None)


def test_build_info_names_the_server_and_its_api_versions(client) -> None:
    server, api = client("test_api_client/test_build_info.yml")
    info = api.build_info()
    assert info.webknossos.name == "webknossos"
    assert info.webknossos.version == "19701880048"
    assert info.local_data_store_enabled and info.local_tracing_store_enabled
    assert info.api_versions == (5, 12)
    assert info.webknossos.extra_json["commitHash"] == "1b4f2402e8bc2a3a9e7e1584b1e5dc9b3bb0813c"
    server.assert_all_used()


def test_health_sends_the_token_as_header_only(client) -> None:
    server, api = client("test_api_client/test_health.yml")
    assert api.health() is None
    (request,) = server.received
    assert request.path == "/api/v12/health" and request.query == []
    assert request.headers["x-auth-token"] == RECORDED_TOKEN
    server.assert_all_used()


def test_current_user_and_logged_time(client) -> None:
    server, api = client("test_api_client/test_current_user_info_and_user_logged_time.yml")
    user = api.user_current()
    assert (user.id, user.email, user.organization) == (
        "570b9f4d2a7c0e4d008da6ef",
        "user_a@scalableminds.com",
        "Organization_X",
    )
    assert (user.first_name, user.last_name, user.is_admin, user.is_dataset_manager) == ("user_A", "last_A", True, True)
    assert [t.name for t in user.teams] == ["team_X1", "team_X3", "team_X4"]
    assert [t.is_team_manager for t in user.teams] == [True, False, True]
    assert user.experiences == {"abc": 5}
    assert user.extra_json["isSuperUser"] is True  # unknown keys are kept
    logged = api.user_logged_time(user_id=user.id).logged_time
    assert len(logged) == 10
    assert (logged[0].payment_interval.month, logged[0].payment_interval.year, logged[0].duration_in_seconds) == (
        4,
        2016,
        58,
    )
    assert sum(month.duration_in_seconds for month in logged) == 957
    server.assert_all_used()


def test_dataset_id_from_name_and_dataset_info(client) -> None:
    server, api = client("test_api_client/test_dataset_info.yml")
    dataset_id = api.dataset_id_from_name(directory_name="l4_sample", organization_id="Organization_X")
    assert dataset_id == L4_SAMPLE_ID
    info = api.dataset_info(dataset_id=dataset_id)
    assert (info.id, info.name, info.directory_name, info.owning_organization) == (
        L4_SAMPLE_ID,
        "l4_sample",
        "l4_sample",
        "Organization_X",
    )
    assert info.is_public and info.description == "This is a test description"
    assert info.folder_id == "570b9f4e4bb848d0885ea917"
    assert [team.name for team in info.allowed_teams] == ["team_X1"]
    assert info.data_store.name == "localhost" and info.data_store.url == server.url
    assert [(md.key, md.value) for md in info.metadata] == [("key", "value"), ("number", 42), ("list", ["a", "b", "c"])]
    assert isinstance(info.data_source, DatasetProperties)
    assert [layer.name for layer in info.data_source.data_layers] == ["color", "segmentation"]
    assert info.data_source.scale.factor == pytest.approx((11.24, 11.24, 28))
    assert info.extra_json["isVirtual"] is False
    server.assert_all_used()


def test_datastore_list(client) -> None:
    server, api = client("test_api_client/test_datastore_list.yml")
    (store,) = api.datastore_list()
    assert (store.name, store.url, store.allows_upload) == ("localhost", server.url, True)
    assert store.extra_json["jobsEnabled"] is False
    server.assert_all_used()


def test_user_list_has_every_user_of_the_organization(client) -> None:
    server, api = client("test_api_client/test_user_list.yml")
    users = api.user_list()
    emails = [user.email for user in users]
    assert emails[:5] == [f"user_{c}@scalableminds.com" for c in "abcde"]
    assert len(users) == len(set(emails)) == 6
    assert {user.organization for user in users} == {"Organization_X"}
    assert [user.is_admin for user in users].count(True) == 1
    server.assert_all_used()


def test_annotation_info(client) -> None:
    server, api = client("test_api_client/test_annotation_info.yml")
    annotation = api.annotation_info(annotation_id="570ba0092a7c0e980056fe9b")
    assert (annotation.id, annotation.typ, annotation.state) == ("570ba0092a7c0e980056fe9b", "Explorational", "Active")
    assert annotation.owner.first_name == "user_A" and annotation.owner.email == "user_a@scalableminds.com"
    (layer,) = annotation.annotation_layers
    assert (layer.typ, layer.name, layer.tracing_id) == ("Skeleton", "Skeleton", "ae417175-f7bb-4a34-8187-d9c3b50143ae")
    assert annotation.data_store is not None and annotation.data_store.name == "localhost"
    assert annotation.extra_json["dataSetName"] == "2012-06-28_Cortex"
    (request,) = server.received
    assert [key for key, _ in request.query] == ["timestamp"]  # the recorded client sent a millisecond timestamp
    server.assert_all_used()
