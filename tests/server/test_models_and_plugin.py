"""Every recorded reply parses into its model; models keep unknown keys; the transport is a registered plugin."""

from __future__ import annotations

import re

import pytest
from daedalus.core.client import models as m
from daedalus.core.client.serialization import ApiResponseError, from_json, to_json
from wk_replay import RECORDINGS, ReplayServer

import daedalus as wk

ID = r"[0-9a-f]{24}"
ROUTES = [  # (method, path pattern, model, is a list)
    ("GET", rf"/api/v12/users/{ID}", m.ApiUser, False),
    ("GET", r"/api/v12/user", m.ApiUser, False),
    ("GET", r"/api/v12/teams", m.ApiTeam, True),
    ("GET", rf"/api/v12/projects/{ID}", m.ApiProject, False),
    ("GET", r"/api/v12/projects/byName/\w+", m.ApiProject, False),
    ("GET", rf"/api/v12/tasks/{ID}", m.ApiTask, False),
    ("POST", r"/api/v12/tasks/list", m.ApiTask, True),
    ("POST", r"/api/v12/tasks", m.ApiTaskCreationResult, False),
    ("GET", r"/api/v12/taskTypes", m.ApiTaskType, True),
    ("GET", rf"/api/v12/folders/{ID}", m.ApiFolder, False),
    ("GET", r"/api/v12/folders/tree", m.ApiFolderWithParent, True),
    ("GET", rf"/api/v12/datasets/{ID}", m.ApiDataset, False),
    ("GET", r"/api/v12/datasets", m.ApiDataset, True),
    ("POST", r"/api/v12/annotations/upload", m.ApiAnnotationUploadResult, False),
]


def recorded_replies():
    if not RECORDINGS.is_dir():
        pytest.skip("the WEBKNOSSOS server recordings are absent")
    for path in sorted(RECORDINGS.rglob("*.yml")):
        for interaction in ReplayServer(path).interactions:
            for method, pattern, model, many in ROUTES:
                if (
                    interaction.method == method
                    and re.fullmatch(pattern, interaction.path)
                    and interaction.status == 200
                ):
                    yield path.relative_to(RECORDINGS), interaction, model, many
                    break


def test_every_recorded_reply_parses_into_its_model() -> None:
    import json

    counts: dict[str, int] = {}
    for name, interaction, model, many in recorded_replies():
        data = json.loads(interaction.reply)
        items = data if many else [data]
        try:
            parsed = [from_json(model, item) for item in items]
        except ApiResponseError as error:
            raise AssertionError(f"{name}: {interaction.describe()}: {error}") from None
        assert all(isinstance(p, model) for p in parsed)
        counts[model.__name__] = counts.get(model.__name__, 0) + 1
    assert counts["ApiUser"] >= 40 and counts["ApiDataset"] >= 100 and counts["ApiTask"] >= 2


def test_unknown_keys_are_kept_and_missing_required_keys_named() -> None:
    team = from_json(m.ApiTeam, {"id": "t", "name": "n", "organization": "o", "isOrganizationTeam": True})
    assert team.extra_json == {"isOrganizationTeam": True}
    assert to_json(team) == {"id": "t", "name": "n", "organization": "o"}
    assert to_json(team, include_extra=True)["isOrganizationTeam"] is True
    with pytest.raises(ApiResponseError, match="ApiTeam: the required key 'organization' is missing"):
        from_json(m.ApiTeam, {"id": "t", "name": "n"})


def test_payloads_are_camel_case_with_nulls_like_the_recorded_client() -> None:
    project = m.ApiProjectCreate("p", "team", 1, False, False, expected_time=1234, owner=None)
    assert to_json(project) == {
        "name": "p",
        "team": "team",
        "priority": 1,
        "paused": False,
        "isBlacklistedFromReport": False,
        "expectedTime": 1234,
        "owner": None,
    }


def test_requests_transport_is_a_registered_plugin() -> None:
    manager = wk.get_plugin_manager()
    provided = dict(manager.describe())
    assert "server transport requests" in provided["daedalus.plugins.builtin_transports"]
    transport = manager.transport("requests")(timeout_seconds=3)
    try:
        assert transport.timeout_seconds == 3 and transport.session.verify is True
    finally:
        transport.close()


def test_facade_exports() -> None:
    import daedalus.client

    assert daedalus.client.webknossos_context is wk.webknossos_context
    assert daedalus.client.WkApiClient is wk.WkApiClient
    assert {"webknossos_context", "WkApiClient"} <= set(wk.__all__)
