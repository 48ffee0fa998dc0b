"""User, LoggedTime and Team against the test_user/ recordings and hand-written replies (unknown ids, roles)."""

from __future__ import annotations

import json

import pytest
from admin_flows import TEAM_X1_ID, USER_A_ID, recorded_reply, write_recording
from daedalus.core.administration import LoggedTime, NoSuchItemError, NotFoundError
from daedalus.core.client import ApiClientError, WebknossosAuthError
from wk_replay import RECORDED_TOKEN

import daedalus as wk

USERS = "test_user/test_get_all_managed_users.yml"
USER_B_ID = "670b9f4d2a7c0e4d008da6ef"
TEAM_X3_ID = "59882b370d889b84020efd3f"


def test_get_current_user(replay, wk_env) -> None:
    server = replay("test_user/test_get_current_user.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        user = wk.User.get_current_user()
    assert (user.user_id, user.email, user.first_name, user.last_name) == (
        USER_A_ID,
        "user_a@scalableminds.com",
        "user_A",
        "last_A",
    )
    assert user.organization_id == "Organization_X"
    assert (user.is_admin, user.is_active, user.is_dataset_manager) == (True, True, True)
    assert (user.created, user.last_activity, user.experiences) == (1460379469000, 1460379469053, {"abc": 5})
    assert [t.name for t in user.teams] == ["team_X1", "team_X3", "team_X4"]
    assert user.teams[0] == wk.Team(id=TEAM_X1_ID, name="team_X1", organization_id="Organization_X")
    server.assert_all_used()


def test_get_all_managed_users(replay, wk_env) -> None:
    server = replay(USERS)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        users = wk.User.get_all_managed_users()
    assert [u.email[:6] for u in users] == ["user_a", "user_b", "user_c", "user_d", "user_e", "user_f"]
    by_email = {u.email: u for u in users}
    assert by_email["user_e@scalableminds.com"].teams == ()
    assert by_email["user_d@scalableminds.com"].teams[0].name == "team_X2"
    assert sorted(u.first_name for u in users if u.is_dataset_manager) == ["user_A", "user_B"]
    assert [u.user_id for u in users if u.is_admin] == [USER_A_ID]
    server.assert_all_used()


def test_get_logged_times_of_the_current_user(replay, wk_env) -> None:
    server = replay("test_user/test_get_logged_time.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        times = wk.User.get_current_user().get_logged_times()
    assert len(times) == 9
    assert times[0] == LoggedTime(duration_in_seconds=58, year=2016, month=4)
    assert times[-1] == LoggedTime(duration_in_seconds=200, year=2024, month=3)
    assert sum(t.duration_in_seconds for t in times) == 957
    server.assert_all_used()


def test_unknown_user_id_names_the_id_and_what_to_do(replay, wk_env, tmp_path) -> None:
    reply = {"messages": [{"error": "User not found"}]}
    recording = write_recording(tmp_path / "r.yml", [("GET", "/api/v12/users/nope", 404, reply)])
    server = replay(recording)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.raises(NotFoundError) as caught:
        wk.User.get_by_id("nope")
    message = str(caught.value)
    assert "/api/v12/users/nope" in message and "404" in message and "User not found" in message
    assert "user with id 'nope' does not exist" in message and "User.get_all_managed_users()" in message
    assert isinstance(caught.value, ApiClientError) and isinstance(caught.value, LookupError)


def test_wrong_token_is_one_clear_auth_error(replay, wk_env) -> None:
    server = replay("test_user/test_get_current_user.yml")
    server.reply_next(401, '{"messages":[{"error":"Invalid token"}]}', path_prefix="/api/v12/user")
    with wk.webknossos_context(url=server.url, token="wrong"), pytest.raises(WebknossosAuthError) as caught:
        wk.User.get_current_user()
    message = str(caught.value)
    assert "GET" in message and "/api/v12/user" in message and "401" in message and "Invalid token" in message
    assert "token" in caught.value.hint and "WK_TOKEN" in caught.value.hint
    assert "wrong" not in message


def _user_b() -> dict:
    return recorded_reply(USERS, "GET", "/api/v12/users")[1]


def _patched_user_b(team_x3_manager: bool) -> dict:
    body = {k: v for k, v in _user_b().items() if k in ("id", "email", "firstName", "lastName", "created")}
    body |= {"organization": "Organization_X", "lastActivity": 1460465869053, "isActive": True, "isAdmin": False}
    body |= {"isDatasetManager": True, "experiences": {}}
    body["teams"] = [
        {"id": TEAM_X1_ID, "name": "team_X1", "isTeamManager": True},
        {"id": TEAM_X3_ID, "name": "team_X3", "isTeamManager": team_x3_manager},
    ]
    return body


def test_assign_team_roles_and_add_user_patch_the_users_teams(replay, wk_env, tmp_path) -> None:
    teams = recorded_reply("test_project/test_get_project.yml", "GET", "/api/v12/teams")
    user_route = f"/api/v12/users/{USER_B_ID}"
    recording = write_recording(
        tmp_path / "roles.yml",
        [
            ("GET", user_route, 200, _user_b()),
            ("GET", user_route, 200, _user_b()),
            ("GET", "/api/v12/teams", 200, teams),
            ("PATCH", user_route, 200, _user_b(), _patched_user_b(True)),
            ("GET", user_route, 200, _user_b()),
            ("PATCH", user_route, 200, _user_b(), _patched_user_b(False)),
        ],
    )
    server = replay(recording)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        user = wk.User.get_by_id(USER_B_ID)
        assert [t.name for t in user.teams] == ["team_X1"]
        user.assign_team_roles("team_X3", True)
        wk.Team(id=TEAM_X3_ID, name="team_X3", organization_id="Organization_X").add_user(user)
    server.assert_all_used()
    patches = [json.loads(r.body) for r in server.received if r.method == "PATCH"]
    assert [[t["isTeamManager"] for t in p["teams"]] for p in patches] == [[True, True], [True, False]]


def test_teams_listed_found_by_id_and_name(replay, wk_env) -> None:
    server = replay("test_project/test_get_project.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        teams = wk.Team.get_list()
        assert [t.name for t in teams] == ["team_X1", "team_X3", "team_X4", "team_X2"]
        assert {t.organization_id for t in teams} == {"Organization_X"}
    for team in teams:
        server.interactions[0].used = False  # the recording lists the teams once; answer again
        with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
            assert wk.Team.get_by_name(team.name) == team
    server.interactions[0].used = False
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        assert wk.Team.get_by_id(TEAM_X3_ID).name == "team_X3"


def test_unknown_team_name_lists_the_known_teams(replay, wk_env) -> None:
    server = replay("test_project/test_get_project.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.raises(NoSuchItemError) as caught:
        wk.Team.get_by_name("team_Y")
    message = str(caught.value)
    assert "'team_Y'" in message and "team_X1, team_X2, team_X3, team_X4" in message
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, ValueError)


def test_team_add_and_delete(replay, wk_env, tmp_path) -> None:
    teams = recorded_reply("test_project/test_get_project.yml", "GET", "/api/v12/teams")
    new = {"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "name": "team_new", "organization": "Organization_X"}
    recording = write_recording(
        tmp_path / "teams.yml",
        [
            ("POST", "/api/v12/teams", 200, new, {"name": "team_new"}),
            ("GET", "/api/v12/teams", 200, [*teams, new]),
            ("DELETE", f"/api/v12/teams/{new['id']}", 200, {"messages": [{"success": "Team deleted"}]}),
        ],
    )
    server = replay(recording)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        team = wk.Team.add("team_new")
        assert team == wk.Team(id=new["id"], name="team_new", organization_id="Organization_X")
        team.delete()
    server.assert_all_used()
