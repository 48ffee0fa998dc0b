"""Contract suite of the WebknossosTransport port, run against every transport the plugins offer.

Each transport talks to a real HTTP server on 127.0.0.1 that answers scripted replies (local_http_server.py).
Run it with ``python -m pytest --pyargs daedalus.testing.contract.test_transport -k <transport name>``.
"""

from __future__ import annotations

import json
import socket

import pytest

from daedalus.core.client.errors import ApiClientError, WebknossosAuthError, WebknossosConnectionError
from daedalus.core.client.http import HttpResponse, RetryPolicy
from daedalus.core.ports import WebknossosTransport

from .adapters import transport_params
from .local_http_server import Reply, scripted_server

QUICK_RETRIES = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05, max_total_seconds=10, jitter=0)
SECRET = "secret-token-1234"


@pytest.fixture(params=transport_params())
def transport(request):
    instance = request.param(timeout_seconds=10, retry_policy=QUICK_RETRIES)
    yield instance
    instance.close()


@pytest.fixture
def server():
    with scripted_server() as running:
        yield running


def test_transport_implements_the_port(transport) -> None:
    assert isinstance(transport, WebknossosTransport)


def test_get_returns_the_complete_response(transport, server) -> None:
    server.script(Reply(json={"name": "l4_sample"}, headers={"X-Custom": "yes"}))
    response = transport.request("GET", server.url("/api/datasets"), params={"isActive": "true"})
    assert isinstance(response, HttpResponse)
    assert response.status_code == 200 and response.json() == {"name": "l4_sample"}
    assert response.headers["x-custom"] == "yes"
    assert server.requests[0].path == "/api/datasets?isActive=true"


def test_json_body_and_headers_are_sent(transport, server) -> None:
    transport.request("POST", server.url("/api/tasks"), json={"a": [1, 2]}, headers={"X-Auth-Token": SECRET})
    sent = server.requests[0]
    assert sent.method == "POST" and json.loads(sent.body) == {"a": [1, 2]}
    assert sent.headers["x-auth-token"] == SECRET
    assert sent.headers["content-type"].startswith("application/json")


def test_error_status_raises_naming_method_url_and_message(transport, server) -> None:
    server.script(Reply(status=404, json={"messages": [{"error": "Dataset not found"}]}))
    with pytest.raises(ApiClientError) as raised:
        transport.request("GET", server.url("/api/datasets/missing"), params={"token": SECRET}, retry=False)
    message = str(raised.value)
    assert "GET" in message and "/api/datasets/missing" in message and "404" in message
    assert SECRET not in message


def test_unauthorised_raises_the_auth_error(transport, server) -> None:
    server.script(Reply(status=403, body=b"Forbidden"))
    with pytest.raises(WebknossosAuthError):
        transport.request("GET", server.url("/api/user"), headers={"X-Auth-Token": SECRET})


def test_idempotent_requests_are_retried_on_5xx(transport, server) -> None:
    server.script(Reply(status=503), Reply(status=502), Reply(json={"ok": True}))
    assert transport.request("GET", server.url("/api/health")).json() == {"ok": True}
    assert len(server.requests) == 3


def test_retry_false_gives_up_at_once(transport, server) -> None:
    server.script(Reply(status=503), Reply(json={"ok": True}))
    with pytest.raises(ApiClientError):
        transport.request("GET", server.url("/api/health"), retry=False)
    assert len(server.requests) == 1


def test_post_is_not_retried_by_default(transport, server) -> None:
    server.script(Reply(status=503), Reply(json={"ok": True}))
    with pytest.raises(ApiClientError):
        transport.request("POST", server.url("/api/tasks"), json={})
    assert len(server.requests) == 1


def test_stream_yields_the_body_in_pieces(transport, server) -> None:
    body = bytes(range(256)) * 40
    server.script(Reply(body=body))
    with transport.stream("GET", server.url("/data/download")) as response:
        assert response.status_code == 200
        pieces = list(response.iter_bytes(chunk_size=1000))
    assert b"".join(pieces) == body and max(len(p) for p in pieces) <= 1000


def test_unreachable_server_raises_the_connection_error(transport) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(WebknossosConnectionError):
        transport.request("GET", f"http://127.0.0.1:{port}/api/health", retry=False)


def test_redirect_to_another_host_drops_the_auth_headers(transport, server) -> None:
    with scripted_server(host="localhost") as other:
        server.script(Reply(status=302, headers={"Location": other.url("/elsewhere")}))
        transport.request("GET", server.url("/api/start"), headers={"X-Auth-Token": SECRET})
        assert other.requests and other.requests[0].path == "/elsewhere"
        assert "x-auth-token" not in other.requests[0].headers
