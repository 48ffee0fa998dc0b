"""webknossos_context: url/token/timeout/api_version, nesting, environment variables, and the token's secrecy."""

from __future__ import annotations

import pytest
from daedalus.core.client import context as ctx
from daedalus.core.client import get_api_client, get_context, get_organization_id
from wk_replay import RECORDED_TOKEN

import daedalus as wk


def test_trailing_slash_in_url_is_dropped(replay, wk_env) -> None:
    server = replay("test_context/test_trailing_slash_in_url.yml")
    with wk.webknossos_context(url=server.url + "//", token=RECORDED_TOKEN):
        assert get_context().url == server.url
        assert get_api_client().base_wk_url == server.url
        assert get_api_client().url_prefix == f"{server.url}/api/v12"
        assert get_api_client().url_from_route("/user") == f"{server.url}/api/v12/user"
    assert server.received == []


def test_user_organization_is_asked_once_per_context(replay, wk_env) -> None:
    server = replay("test_context/test_user_organization.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        assert get_organization_id() == "Organization_X"
        assert get_organization_id() == "Organization_X"  # cached: a second request would find no recording
    server.assert_all_used()
    assert [r.path for r in server.received] == ["/api/v12/user"]


def test_defaults_without_environment(wk_env) -> None:
    context = get_context()
    assert (context.url, context.token, context.timeout, context.api_version) == (
        "https://webknossos.org",
        None,
        1800,
        12,
    )
    assert get_api_client().headers == {}


def test_environment_variables_make_the_outermost_context(wk_env) -> None:
    wk_env.setenv("WK_URL", "http://env.example/")
    wk_env.setenv("WK_TOKEN", "env-token")
    wk_env.setenv("WK_TIMEOUT", "7")
    context = get_context()
    assert (context.url, context.token, context.timeout) == ("http://env.example", "env-token", 7)
    assert get_api_client().headers == {"X-Auth-Token": "env-token"}
    with wk.webknossos_context(token="inner"):
        assert (get_context().url, get_context().token, get_context().timeout) == ("http://env.example", "inner", 7)
    with wk.webknossos_context():
        assert get_context().token is None  # the token is never inherited


def test_bad_timeout_in_environment_names_the_variable(wk_env) -> None:
    wk_env.setenv("WK_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="WK_TIMEOUT='soon' is not a whole number of seconds"):
        get_context()


def test_url_without_scheme_is_refused_with_an_example() -> None:
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        wk.webknossos_context(url="webknossos.org")


def test_nested_contexts_inherit_url_timeout_and_api_version_but_not_the_token(wk_env) -> None:
    with wk.webknossos_context(url="http://a.example/", token="T1", timeout=5, api_version=11):
        outer = get_context()
        assert (outer.url, outer.token, outer.timeout, outer.api_version) == ("http://a.example", "T1", 5, 11)
        assert get_api_client().url_prefix == "http://a.example/api/v11"
        with wk.webknossos_context(url="http://b.example"):
            inner = get_context()
            assert (inner.url, inner.token, inner.timeout, inner.api_version) == ("http://b.example", None, 5, 11)
        assert get_context() is outer
    assert get_context().url == "https://webknossos.org"


def test_decorator_enters_the_context_on_every_call(wk_env) -> None:
    @wk.webknossos_context(url="http://d.example", token="D")
    def where() -> tuple[str, str | None]:
        return get_context().url, get_context().token

    assert where() == where() == ("http://d.example", "D")
    assert get_context().url == "https://webknossos.org"


def test_one_transport_per_context_shared_by_its_clients(wk_env) -> None:
    with wk.webknossos_context(url="http://a.example", token="T"):
        context = get_context()
        assert context.api_client.transport is context.transport
        assert context.get_datastore_api_client("http://ds.example/").transport is context.transport
        assert context.get_datastore_api_client("http://ds.example").url_prefix == "http://ds.example/data/v12"
        with wk.webknossos_context(url="http://a.example", token="T"):
            assert get_context().transport is not context.transport


def test_the_token_is_in_no_repr(wk_env) -> None:
    secret = "very-secret-token-123"
    manager = wk.webknossos_context(url="http://a.example", token=secret)
    assert secret not in repr(manager)
    with manager:
        assert secret not in repr(get_context())
        assert secret not in repr(get_api_client())
        assert secret not in repr(get_context().transport)
        assert "***" in repr(get_context())


def test_environment_context_follows_changed_variables(wk_env) -> None:
    wk_env.setenv("WK_URL", "http://first.example")
    assert get_context().url == "http://first.example"
    wk_env.setenv("WK_URL", "http://second.example")
    assert get_context().url == "http://second.example"
    ctx.clear_context_caches()
