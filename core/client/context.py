"""``webknossos_context``: which WEBKNOSSOS server, token, timeout and API version the client uses right now.

Domain classes get their client with ``get_api_client()`` (or ``get_context()`` for more); contexts nest and
are per thread/task (a ``ContextVar``). The token never appears in a repr, a log line, an error or a URL.
"""

from __future__ import annotations

import os
from contextlib import ContextDecorator
from contextvars import ContextVar, Token
from typing import Any

from daedalus.core import ports

from .abstract_client import DEFAULT_API_VERSION
from .api_client import WkApiClient
from .dotenv import load_dotenv_once
from .store_clients import DatastoreApiClient, TracingStoreApiClient

DEFAULT_WEBKNOSSOS_URL = "https://webknossos.org"
DEFAULT_HTTP_TIMEOUT = 1800
AUTH_HEADER = "X-Auth-Token"


def _normalize_url(url: str, source: str) -> str:
    url = str(url).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(
            f"The WEBKNOSSOS URL {url!r} (from {source}) must start with http:// or https:// "
            f"(e.g. {DEFAULT_WEBKNOSSOS_URL})."
        )
    return url


def _positive_int(value: Any, source: str, what: str) -> int:
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{source}={value!r} is not a whole number of {what}; give e.g. 1800.") from None
    if number <= 0:
        raise ValueError(f"{source}={value!r} must be a positive number of {what}.")
    return number


class WebknossosContext:
    """One server context: url, token, timeout (s) and API version, with its clients and pooled connections."""

    def __init__(self, *, url: str, token: str | None, timeout: int, api_version: int = DEFAULT_API_VERSION) -> None:
        self.url = _normalize_url(url, "url")
        self.token = token or None
        self.timeout = timeout
        self.api_version = api_version
        self._transport: ports.WebknossosTransport | None = None
        self._api_client: WkApiClient | None = None
        self._organization_id: str | None = None
        self._datastores: dict[str, DatastoreApiClient] = {}
        self._tracingstore: TracingStoreApiClient | None = None

    def __repr__(self) -> str:
        token = None if self.token is None else "***"
        return (
            f"WebknossosContext(url={self.url!r}, token={token}, timeout={self.timeout}, "
            f"api_version={self.api_version})"
        )

    @property
    def headers(self) -> dict[str, str]:
        """The auth header for requests (empty without a token)."""
        return {} if self.token is None else {AUTH_HEADER: self.token}

    @property
    def transport(self) -> ports.WebknossosTransport:
        """The transport (one pooled session) shared by every client of this context."""
        if self._transport is None:
            self._transport = ports.resolve_transport(timeout_seconds=float(self.timeout))
        return self._transport

    @property
    def api_client(self) -> WkApiClient:
        """The WkApiClient of this context."""
        if self._api_client is None:
            self._api_client = WkApiClient(
                base_wk_url=self.url,
                timeout_seconds=self.timeout,
                headers=self.headers,
                webknossos_api_version=self.api_version,
                transport=self.transport,
            )
        return self._api_client

    @property
    def organization_id(self) -> str:
        """The organization of the token's user (asked once per context)."""
        if self._organization_id is None:
            self._organization_id = self.api_client.user_current().organization
        return self._organization_id

    def get_datastore_api_client(self, datastore_url: str) -> DatastoreApiClient:
        """A DatastoreApiClient for ``datastore_url`` (e.g. ``ApiDataStore.url``) sharing this context's connections."""
        key = datastore_url.rstrip("/")
        if key not in self._datastores:
            self._datastores[key] = DatastoreApiClient(
                datastore_base_url=key,
                timeout_seconds=self.timeout,
                headers=self.headers,
                webknossos_api_version=self.api_version,
                transport=self.transport,
            )
        return self._datastores[key]

    def get_tracingstore_api_client(self) -> TracingStoreApiClient:
        """The TracingStoreApiClient of the server's tracingstore (its URL is asked once)."""
        if self._tracingstore is None:
            self._tracingstore = TracingStoreApiClient(
                base_url=self.api_client.tracing_store().url,
                timeout_seconds=self.timeout,
                headers=self.headers,
                transport=self.transport,
            )
        return self._tracingstore

    def close(self) -> None:
        """Close the pooled connections (the context still works afterwards, opening new ones)."""
        if self._transport is not None:
            self._transport.close()


_current: ContextVar[WebknossosContext | None] = ContextVar("daedalus_webknossos_context", default=None)
_default_cache: dict[tuple[str | None, str | None, str | None], WebknossosContext] = {}


def _environment_context() -> WebknossosContext:
    """The outermost context, from ``WK_URL``, ``WK_TOKEN`` and ``WK_TIMEOUT`` (rebuilt when they change); on first
    use, a ``.env`` file in the working directory or above supplies those that are not set."""
    load_dotenv_once()
    key = (os.environ.get("WK_URL"), os.environ.get("WK_TOKEN"), os.environ.get("WK_TIMEOUT"))
    if key not in _default_cache:
        url, token, timeout = key
        _default_cache.clear()
        _default_cache[key] = WebknossosContext(
            url=_normalize_url(url, "WK_URL") if url else DEFAULT_WEBKNOSSOS_URL,
            token=token or None,
            timeout=_positive_int(timeout, "WK_TIMEOUT", "seconds") if timeout else DEFAULT_HTTP_TIMEOUT,
        )
    return _default_cache[key]


_login: list[WebknossosContext] = []  # the context of the last `login` (at most one)


def get_context() -> WebknossosContext:
    """The context in effect: the innermost ``webknossos_context``, else the last `login`'s, else the environment's."""
    return _current.get() or (_login[0] if _login else None) or _environment_context()


def login(
    *, url: str | None = None, token: str | None = None, timeout: int | None = None, api_version: int | None = None
) -> None:
    """Use a WEBKNOSSOS server for the rest of the session (not scoped like ``webknossos_context``).

    ``url``, ``timeout`` and ``api_version`` default to those of the context in effect; without ``token`` it is
    asked for on the terminal (the page ``<url>/account/token`` shows it). A later ``login`` replaces this one;
    ``webknossos_context`` blocks still take precedence inside them.
    """
    outer = get_context()
    server = outer.url if url is None else _normalize_url(url, "url")
    if token is None:
        import getpass

        token = getpass.getpass(f"WEBKNOSSOS token (see {server}/account/token): ").strip()
    context = WebknossosContext(
        url=server,
        token=token or None,
        timeout=outer.timeout if timeout is None else _positive_int(timeout, "timeout", "seconds"),
        api_version=outer.api_version if api_version is None else _positive_int(api_version, "api_version", "versions"),
    )
    for previous in _login:
        previous.close()
    _login[:] = [context]


_get_context = get_context  # the name scripts written for the reference use


def get_api_client() -> WkApiClient:
    """The WkApiClient of the context in effect (what domain classes call before every request)."""
    return get_context().api_client


def get_datastore_api_client(datastore_url: str) -> DatastoreApiClient:
    """A DatastoreApiClient for ``datastore_url`` in the context in effect."""
    return get_context().get_datastore_api_client(datastore_url)


def get_tracingstore_api_client() -> TracingStoreApiClient:
    """The TracingStoreApiClient of the context in effect."""
    return get_context().get_tracingstore_api_client()


def get_organization_id() -> str:
    """The organization of the current user in the context in effect."""
    return get_context().organization_id


class webknossos_context(ContextDecorator):  # noqa: N801 - the API's name
    """Use a WEBKNOSSOS server (url, token, timeout, api_version) inside a ``with`` block or a decorated function.

    ``url`` (trailing slashes dropped), ``timeout`` and ``api_version`` default to the enclosing context's (at
    the outermost level ``WK_URL``, ``WK_TIMEOUT``, https://webknossos.org, 1800 s, API version 12); ``token``
    is never inherited from an enclosing ``webknossos_context`` (only the outermost level reads ``WK_TOKEN``).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        timeout: int | None = None,
        api_version: int | None = None,
    ) -> None:
        self._url = None if url is None else _normalize_url(url, "url")
        self._token = token
        self._timeout = None if timeout is None else _positive_int(timeout, "timeout", "seconds")
        self._api_version = None if api_version is None else _positive_int(api_version, "api_version", "versions")
        self._entered: list[tuple[Token, WebknossosContext]] = []

    def __repr__(self) -> str:
        token = None if self._token is None else "***"
        return (
            f"webknossos_context(url={self._url!r}, token={token}, timeout={self._timeout}, "
            f"api_version={self._api_version})"
        )

    def __enter__(self) -> None:
        outer = get_context()
        context = WebknossosContext(
            url=self._url or outer.url,
            token=self._token,
            timeout=self._timeout or outer.timeout,
            api_version=self._api_version or outer.api_version,
        )
        self._entered.append((_current.set(context), context))

    def __exit__(self, *exc_info: object) -> None:
        token, context = self._entered.pop()
        _current.reset(token)
        context.close()


def clear_context_caches() -> None:
    """Close and forget the environment's context (rebuilt from ``WK_*`` at the next use) and any `login`."""
    for context in [*_default_cache.values(), *_login]:
        context.close()
    _default_cache.clear()
    _login.clear()
