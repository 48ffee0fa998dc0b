"""The requests transport under faults: retries with backoff, Retry-After, resets, timeouts, clean errors."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from daedalus.adapters.requests_transport import RequestsTransport
from daedalus.core.client import (
    ApiClientError,
    WebknossosApiVersionError,
    WebknossosAuthError,
    WebknossosConnectionError,
    WebknossosTimeoutError,
    WkApiClient,
)
from daedalus.core.client.http import RetryPolicy
from wk_replay import RECORDED_TOKEN

USER = "test_user/test_get_current_user.yml"
FAST = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05, max_total_seconds=5, jitter=0.5)


class FakeClock:
    """A monotonic clock that only moves when the transport sleeps (no real waiting in tests)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def make_client(url: str, policy: RetryPolicy = FAST, timeout: float = 10, clock: FakeClock | None = None):
    clock = clock or FakeClock()
    transport = RequestsTransport(timeout_seconds=timeout, retry_policy=policy, sleep=clock.sleep, clock=clock)
    client = WkApiClient(
        base_wk_url=url, timeout_seconds=timeout, headers={"X-Auth-Token": RECORDED_TOKEN}, transport=transport
    )
    return client, clock


def assert_clean(error: BaseException, *parts: str) -> None:
    text = str(error)
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"
    assert RECORDED_TOKEN not in text and RECORDED_TOKEN not in repr(error.args)


def test_500s_are_retried_with_growing_backoff(replay) -> None:
    server = replay(USER)
    server.fail_next(times=2, status=500)
    client, clock = make_client(server.url)
    assert client.user_current().id == "570b9f4d2a7c0e4d008da6ef"
    assert len(server.received) == 3
    assert len(clock.waits) == 2 and 0.005 <= clock.waits[0] <= 0.01 and 0.01 <= clock.waits[1] <= 0.02
    server.assert_all_used()


def test_429_waits_as_long_as_retry_after_says(replay) -> None:
    server = replay(USER)
    server.fail_next(times=1, status=429, retry_after="3")
    client, clock = make_client(server.url)
    assert client.user_current().organization == "Organization_X"
    assert clock.waits == [3.0]


def test_retry_after_beyond_the_budget_gives_up_at_once(replay) -> None:
    server = replay(USER)
    server.fail_next(times=1, status=503, retry_after="3600")
    client, clock = make_client(server.url)
    with pytest.raises(ApiClientError) as raised:
        client.user_current()
    assert_clean(raised.value, "GET", "/api/v12/user", "503", "retry after 3600 s", "retry budget")
    assert clock.waits == [] and len(server.received) == 1


def test_connection_resets_are_retried(replay) -> None:
    server = replay(USER)
    server.reset_next(times=2)
    client, clock = make_client(server.url)
    assert client.user_current().email == "user_a@scalableminds.com"
    assert len(server.received) == 3 and len(clock.waits) == 2


def test_retries_are_bounded_in_count_and_the_error_names_request_and_status(replay) -> None:
    server = replay(USER)
    server.fail_next(times=100, status=502)
    client, clock = make_client(server.url)
    with pytest.raises(ApiClientError) as raised:
        client.user_current()
    assert raised.value.status_code == 502
    assert_clean(raised.value, "GET", f"{server.url}/api/v12/user", "502 Bad Gateway", "injected failure", "4 attempts")
    assert len(server.received) == FAST.max_retries + 1


def test_retries_are_bounded_in_total_time(replay) -> None:
    server = replay(USER)
    server.fail_next(times=100, status=500)
    policy = RetryPolicy(max_retries=50, backoff_base=1, backoff_max=1, max_total_seconds=3.5, jitter=0)
    client, clock = make_client(server.url, policy)
    with pytest.raises(ApiClientError):
        client.user_current()
    assert clock.waits == [1, 1, 1] and len(server.received) == 4


def test_post_is_not_retried(replay) -> None:
    server = replay("default.yml")
    server.fail_next(times=5, status=500, method="POST")
    client, clock = make_client(server.url)
    with pytest.raises(ApiClientError) as raised:
        client.task_list()
    assert_clean(raised.value, "POST", "/api/v12/tasks/list", "500")
    assert len(server.received) == 1 and clock.waits == []


def test_slow_reply_raises_a_timeout_naming_the_setting(replay) -> None:
    server = replay(USER)
    server.delay_next(1.0)
    client, _ = make_client(server.url, timeout=0.2)
    with pytest.raises(WebknossosTimeoutError) as raised:
        client.user_current()
    assert_clean(raised.value, "GET", "/api/v12/user", "0.2 s", "webknossos_context(timeout=...)")


def test_unreachable_server(wk_env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client, clock = make_client(f"http://127.0.0.1:{port}")
    with pytest.raises(WebknossosConnectionError) as raised:
        client.build_info()
    assert_clean(raised.value, "GET", f"127.0.0.1:{port}/api/v12/buildinfo", "connection refused", "WK_URL")
    assert len(clock.waits) == FAST.max_retries


@pytest.mark.parametrize(("status", "advice"), [(401, "WK_TOKEN"), (403, "rights")])
def test_wrong_token_is_one_clear_error(replay, status: int, advice: str) -> None:
    server = replay(USER)
    server.reply_next(status, '{"messages":[{"error":"Access denied. Log in to access this resource."}]}')
    client, clock = make_client(server.url)
    with pytest.raises(WebknossosAuthError) as raised:
        client.user_current()
    assert_clean(raised.value, "GET", "/api/v12/user", str(status), "Access denied", advice)
    assert len(server.received) == 1 and clock.waits == []


def test_server_refusing_the_api_version(replay) -> None:
    server = replay(USER)
    message = "This WEBKNOSSOS instance does not yet support this API version (requested 12, current 9)."
    server.reply_next(400, json.dumps({"messages": [{"error": message}]}))
    client, _ = make_client(server.url)
    with pytest.raises(WebknossosApiVersionError) as raised:
        client.user_current()
    assert_clean(raised.value, "GET", "/api/v12/user", "400", "requested 12", "api_version=")


def test_server_without_the_versioned_routes_is_diagnosed_from_its_build_info(replay) -> None:
    server = replay("default.yml")
    server.reply_next(404, "<html><body>Not found</body></html>", path_prefix="/api/v12/")
    build = json.dumps(
        {
            "webknossos": {"name": "webknossos", "version": "1"},
            "httpApiVersioning": {"currentApiVersion": 9, "oldestSupportedApiVersion": 5},
            "localDataStoreEnabled": True,
            "localTracingStoreEnabled": True,
        }
    )
    server.reply_next(200, build, path_prefix="/api/buildinfo")
    client, _ = make_client(server.url)
    with pytest.raises(WebknossosApiVersionError) as raised:
        client.user_current()
    assert_clean(raised.value, "GET", "/api/v12/user", "404", "API versions 5 to 9", "api_version=9")


def test_redirect_to_another_host_drops_the_token(replay) -> None:
    target = replay(USER)
    other_host = target.url.replace("127.0.0.1", "localhost")
    origin = replay("default.yml")
    origin.reply_next(302, "", headers={"Location": f"{other_host}/api/v12/user"})
    client, _ = make_client(origin.url)
    client.user_current()
    assert origin.received[0].headers["x-auth-token"] == RECORDED_TOKEN
    (followed,) = target.received
    assert "x-auth-token" not in followed.headers


def test_connections_are_reused_and_logs_carry_no_token(replay, caplog) -> None:
    server = replay("test_api_client/test_current_user_info_and_user_logged_time.yml")
    server.fail_next(times=1, status=500)
    client, _ = make_client(server.url)
    with caplog.at_level(logging.DEBUG):
        user = client.user_current()
        client.user_logged_time(user_id=user.id)
    assert "retry 1 of 3" in caplog.text and RECORDED_TOKEN not in caplog.text
    assert len({request.client_port for request in server.received}) == 1


def test_streamed_annotation_download(replay) -> None:
    server = replay("test_annotation/test_annotation_upload_download_roundtrip.yml")
    client, _ = make_client(server.url)
    content, filename = client.annotation_download(annotation_id="69270ba1010000ca00110a99", skip_volume_data=False)
    assert filename == "l4_sample__explorational__suser__94b271.zip"
    assert content[:2] == b"PK" and len(content) > 1000
    (request,) = server.received
    assert dict(request.query) == {"skipVolumeData": "false", "volumeDataZipFormat": "zarr3"}
