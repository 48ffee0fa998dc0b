"""Errors of the WEBKNOSSOS client: each names the request (method, route), the status and the server's message.

Tokens never appear in them: URLs are redacted and headers are not included.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from .http import redact_url


def server_message(body: bytes | str, limit: int = 500) -> str:
    """The human-readable message in a WEBKNOSSOS error body (``{"messages": [{"error": ...}]}``) or its text."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        messages = data.get("messages")
        if isinstance(messages, list):
            parts = [str(v) for m in messages if isinstance(m, dict) for v in m.values()]
            if parts:
                return "; ".join(parts)[:limit]
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str):
                return data[key][:limit]
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _status_text(status_code: int) -> str:
    try:
        return f"{status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:
        return str(status_code)


class ApiClientError(Exception):
    """A request to a WEBKNOSSOS server failed: names method, route, status and the server's message."""

    def __init__(
        self,
        method: str,
        url: str,
        status_code: int | None,
        message: str = "",
        hint: str = "",
    ) -> None:
        self.method = method.upper()
        self.url = redact_url(url)
        self.status_code = status_code
        self.server_message = message
        self.hint = hint
        outcome = "failed" if status_code is None else f"failed with HTTP {_status_text(status_code)}"
        text = f"{self.method} {self.url} {outcome}"
        if message:
            text += f": {message}"
        if hint:
            text += f". {hint}"
        super().__init__(text)


class UnexpectedStatusError(ApiClientError):
    """The server answered with an error status (4xx or 5xx); the reference raises a class of this name too."""


class CannotHandleResponseError(ApiClientError):
    """The server's reply could not be read as what the route returns (e.g. another API version's JSON)."""


class WebknossosAuthError(UnexpectedStatusError, PermissionError):
    """The server refused the token (401/403): it is missing, wrong, expired or lacks the rights."""


class WebknossosApiVersionError(UnexpectedStatusError):
    """The server does not speak the API version the client asked for."""


class WebknossosConnectionError(ApiClientError, ConnectionError):
    """The server could not be reached (DNS, refused or reset connection, TLS) even after retries."""


class WebknossosTimeoutError(WebknossosConnectionError, TimeoutError):
    """The server did not answer within the context's timeout."""


def auth_hint(status_code: int) -> str:
    """What to do about a 401/403 reply."""
    if status_code == 401:
        return (
            "The server did not accept the token: pass a valid one with webknossos_context(token=...) or set "
            "WK_TOKEN (get it from <server>/account/token)"
        )
    return "The token's user may not do this: use a token of a user with the needed rights, or ask an admin"
