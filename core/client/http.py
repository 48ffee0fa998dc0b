"""Value types shared by the WEBKNOSSOS client and its transport port: responses and the retry policy."""

from __future__ import annotations

import json as _json
import os
from collections.abc import Mapping
from typing import Any

import attrs

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
SECRET_HEADERS = frozenset({"x-auth-token", "authorization", "cookie"})
DEFAULT_MAX_RETRIES = 5
DEFAULT_RETRY_MAX_SECONDS = 300.0
SECRET_QUERY_PARAMS = frozenset({"token", "sharingtoken", "sharing_token"})


@attrs.frozen
class HttpResponse:
    """One complete HTTP response: status, headers (lower-case names) and body bytes."""

    status_code: int
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=lambda h: {k.lower(): v for k, v in h.items()})
    content: bytes = b""
    url: str = ""

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return _json.loads(self.content)

    @property
    def ok(self) -> bool:
        """True for a 2xx or 3xx status."""
        return self.status_code < 400


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(
            f"Environment variable {name}={raw!r} is not a number; unset it or give seconds/counts."
        ) from None


@attrs.frozen
class RetryPolicy:
    """How often and how long idempotent requests are retried on connection errors, 429 and 5xx.

    The wait before retry ``n`` (1-based) is ``min(backoff_max, backoff_base * 2**(n-1))`` times a random jitter
    factor in ``[1 - jitter, 1]``, or the server's ``Retry-After`` when it sends one. No retry starts once
    ``max_total_seconds`` (waits included) would be exceeded.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_total_seconds: float = DEFAULT_RETRY_MAX_SECONDS
    jitter: float = 0.5
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    @classmethod
    def from_environment(cls) -> RetryPolicy:
        """The default policy, overridden by ``DAEDALUS_HTTP_MAX_RETRIES`` and ``DAEDALUS_HTTP_RETRY_MAX_SECONDS``."""
        return cls(
            max_retries=int(_env_float("DAEDALUS_HTTP_MAX_RETRIES", DEFAULT_MAX_RETRIES)),
            max_total_seconds=_env_float("DAEDALUS_HTTP_RETRY_MAX_SECONDS", DEFAULT_RETRY_MAX_SECONDS),
        )

    def should_retry_status(self, method: str, status_code: int) -> bool:
        """Whether a reply with ``status_code`` to ``method`` is worth retrying."""
        return method.upper() in IDEMPOTENT_METHODS and (status_code in self.retry_statuses or status_code >= 500)

    def backoff(self, attempt: int, random_fraction: float) -> float:
        """The wait in seconds before retry ``attempt`` (1-based), given a random number in [0, 1)."""
        base = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return base * (1 - self.jitter * random_fraction)


def redact_url(url: str) -> str:
    """``url`` with the values of token-like query parameters replaced by ``***``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [(k, "***" if k.lower() in SECRET_QUERY_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))
