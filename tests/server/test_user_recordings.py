"""The user routes against the recordings of test_user/ (what User and friends will be built on)."""

from __future__ import annotations

from daedalus.core.client import get_api_client
from wk_replay import RECORDED_TOKEN

import daedalus as wk


def test_get_current_user(replay, wk_env) -> None:
    server = replay("test_user/test_get_current_user.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        user = get_api_client().user_current()
    assert (user.id, user.first_name, user.last_name) == ("570b9f4d2a7c0e4d008da6ef", "user_A", "last_A")
    assert user.is_active and user.is_admin and user.created == 1460379469000
    server.assert_all_used()


def test_get_all_managed_users(replay, wk_env) -> None:
    server = replay("test_user/test_get_all_managed_users.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        users = get_api_client().user_list()
    by_email = {user.email: user for user in users}
    assert len(by_email) == 6
    assert by_email["user_d@scalableminds.com"].teams[0].name == "team_X2"
    assert by_email["user_e@scalableminds.com"].teams == []
    assert by_email["user_e@scalableminds.com"].extra_json["isGuest"] is True
    assert sorted(u.first_name for u in users if u.is_dataset_manager) == ["user_A", "user_B"]
    server.assert_all_used()


def test_get_logged_time_of_the_current_user(replay, wk_env) -> None:
    server = replay("test_user/test_get_logged_time.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        api = get_api_client()
        months = api.user_logged_time(user_id=api.user_current().id).logged_time
    assert len(months) == 9
    assert [(m.payment_interval.year, m.payment_interval.month) for m in months][-2:] == [(2024, 2), (2024, 3)]
    assert max(months, key=lambda m: m.duration_in_seconds).duration_in_seconds == 265
    server.assert_all_used()
    assert [r.path for r in server.received] == ["/api/v12/user", "/api/v12/users/570b9f4d2a7c0e4d008da6ef/loggedTime"]
