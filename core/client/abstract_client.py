"""The shared machinery of the WEBKNOSSOS, datastore and tracingstore clients: URLs, JSON calls, error mapping."""

from __future__ import annotations

import abc
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from daedalus.core import ports

from .errors import ApiClientError, CannotHandleResponseError, WebknossosApiVersionError
from .http import HttpResponse
from .serialization import ApiResponseError, from_json, to_json

T = TypeVar("T")
DEFAULT_API_VERSION = 12
_VERSIONED = re.compile(r"/(?:api|data)/v(\d+)(?:/|$)")


def segment(value: object) -> str:
    """``value`` quoted for use as one URL path segment (``l4 sample`` -> ``l4%20sample``)."""
    return quote(str(value), safe="")


def query_string(params: Mapping[str, Any] | None) -> str:
    """``?a=1&b=true`` from ``params`` in their order; None values are left out, booleans are lower case."""
    if not params:
        return ""
    parts = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        parts.append(f"{quote(str(key), safe='')}={quote(str(value), safe='')}")
    return "?" + "&".join(parts) if parts else ""


class AbstractApiClient(abc.ABC):
    """Base of the API clients: knows its URL prefix, headers and timeout, and sends through a transport."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout_seconds: float,
        headers: dict[str, str] | None = None,
        transport: ports.WebknossosTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.headers = dict(headers or {})
        self._transport = transport

    @property
    @abc.abstractmethod
    def url_prefix(self) -> str:
        """The URL every route of this client is appended to."""

    def url_from_route(self, route: str) -> str:
        """The absolute URL of ``route`` (which starts with ``/``)."""
        return f"{self.url_prefix}{route}"

    def __repr__(self) -> str:
        shown = {k: ("***" if k.lower() in ("x-auth-token", "authorization") else v) for k, v in self.headers.items()}
        name = type(self).__name__
        return f"{name}(url_prefix={self.url_prefix!r}, timeout_seconds={self.timeout_seconds}, headers={shown})"

    @property
    def transport(self) -> ports.WebknossosTransport:
        """The transport requests go through (made on first use when none was given)."""
        if self._transport is None:
            self._transport = ports.resolve_transport(timeout_seconds=self.timeout_seconds)
        return self._transport

    # ------------------------------------------------------------------ requests

    def _request(
        self,
        method: str,
        route: str,
        *,
        query: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        retry: bool | None = None,
    ) -> HttpResponse:
        url = self.url_from_route(route) + query_string(query)
        body = None if json_body is None else to_json(json_body)
        try:
            return self.transport.request(
                method,
                url,
                headers=self.headers,
                json=body,
                data=data,
                files=files,
                timeout=self.timeout_seconds,
                retry=retry,
            )
        except ApiClientError as error:
            raise self._version_error(error) or error from None

    def _stream(self, method: str, route: str, *, query: Mapping[str, Any] | None = None) -> Any:
        url = self.url_from_route(route) + query_string(query)
        return self.transport.stream(method, url, headers=self.headers, timeout=self.timeout_seconds)

    def _iter_bytes(self, method: str, route: str, *, query: Mapping[str, Any] | None = None) -> Iterator[bytes]:
        with self._stream(method, route, query=query) as response:
            yield from response.iter_bytes()

    def _parse(self, model: type[T], response: HttpResponse, method: str, route: str) -> T:
        try:
            return from_json(model, response.json())
        except (ApiResponseError, ValueError) as error:
            raise CannotHandleResponseError(
                method,
                self.url_from_route(route),
                response.status_code,
                f"the reply could not be read as {model.__name__} ({error})",
                "The server may speak another API version; check webknossos_context(api_version=...)",
            ) from None

    def _parse_list(self, model: type[T], response: HttpResponse, method: str, route: str) -> list[T]:
        data = response.json()
        if not isinstance(data, list):
            raise CannotHandleResponseError(
                method, self.url_from_route(route), response.status_code, f"expected a list, got {data!r:.200}"
            )
        try:
            return [from_json(model, item) for item in data]
        except ApiResponseError as error:
            raise CannotHandleResponseError(
                method,
                self.url_from_route(route),
                response.status_code,
                f"a list item is no {model.__name__} ({error})",
            ) from None

    def _get_json(self, route: str, model: type[T], query: Mapping[str, Any] | None = None) -> T:
        return self._parse(model, self._request("GET", route, query=query), "GET", route)

    def _get_json_list(self, route: str, model: type[T], query: Mapping[str, Any] | None = None) -> list[T]:
        return self._parse_list(model, self._request("GET", route, query=query), "GET", route)

    def _json_value(self, response: HttpResponse) -> Any:
        try:
            return response.json()
        except ValueError:
            return response.text

    # ------------------------------------------------------------------ API versions

    def _version_error(self, error: ApiClientError) -> WebknossosApiVersionError | None:
        """A clear error when a failure means the server does not speak the API version asked for."""
        match = _VERSIONED.search(error.url)
        if match is None or error.status_code not in (400, 404, 410):
            return None
        asked = int(match.group(1))
        message = error.server_message.lower()
        if "version" in message and "api" in message:
            return WebknossosApiVersionError(
                error.method,
                error.url,
                error.status_code,
                error.server_message,
                f"daedalus asked for API version {asked}; choose one the server speaks with "
                "webknossos_context(api_version=...) or update the server",
            )
        if error.status_code == 404 and not _is_wk_message(error.server_message):
            versions = self._server_versions()
            if versions is not None and not versions[0] <= asked <= versions[1]:
                return WebknossosApiVersionError(
                    error.method,
                    error.url,
                    error.status_code,
                    f"the server speaks API versions {versions[0]} to {versions[1]}, not {asked}",
                    f"Use webknossos_context(api_version={versions[1]}) or a server that speaks version {asked}",
                )
        return None

    def _server_versions(self) -> tuple[int, int] | None:
        """``(oldest, current)`` API version of the server from its unversioned build info, or None."""
        prefix = _VERSIONED.split(self.url_prefix)[0]
        try:
            reply = self.transport.request("GET", f"{prefix}/api/buildinfo", headers={}, retry=False)
            versioning = reply.json()["httpApiVersioning"]
            return int(versioning["oldestSupportedApiVersion"]), int(versioning["currentApiVersion"])
        except Exception:  # noqa: BLE001 - only a diagnosis; the original error is raised either way
            return None


def _is_wk_message(text: str) -> bool:
    """Whether ``text`` came from WEBKNOSSOS' own JSON error (a route that exists) rather than a missing route."""
    lowered = text.lower()
    return (
        bool(text) and "<html" not in lowered and "action not found" not in lowered and "not found" != lowered.strip()
    )


def dumps(value: Any) -> str:
    """``value`` encoded as JSON text (for multipart form fields)."""
    return json.dumps(to_json(value))
