"""WebknossosTransport on ``requests``: one pooled session, timeouts, bounded retries with backoff, clean errors."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from daedalus.core.client.errors import (
    ApiClientError,
    UnexpectedStatusError,
    WebknossosAuthError,
    WebknossosConnectionError,
    WebknossosTimeoutError,
    auth_hint,
    server_message,
)
from daedalus.core.client.http import IDEMPOTENT_METHODS, SECRET_HEADERS, HttpResponse, RetryPolicy, redact_url

logger = logging.getLogger("daedalus.client.http")

DEFAULT_TIMEOUT_SECONDS = 1800.0
_REACH_HINT = (
    "Check the server URL (webknossos_context(url=...) or WK_URL), that the server is running and that this "
    "machine can reach it"
)


class _AuthStrippingSession(requests.Session):
    """A session that drops every auth header (not only ``Authorization``) when a redirect leaves the host."""

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        """Strip ``X-Auth-Token``, ``Authorization`` and cookies headers on a redirect to another host or to http."""
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in [n for n in prepared_request.headers if n.lower() in SECRET_HEADERS]:
                del prepared_request.headers[name]


def _connection_reason(error: BaseException) -> str:
    """A short description of why a connection failed, without the URL (which may carry a token)."""
    text = str(error).lower()
    for needle, reason in (
        ("refused", "connection refused"),
        ("reset", "connection reset by the server"),
        ("aborted", "connection aborted by the server"),
        ("name or service not known", "unknown host name"),
        ("nodename nor servname", "unknown host name"),
        ("failed to resolve", "unknown host name"),
        ("certificate", "TLS certificate verification failed"),
        ("remote end closed", "the server closed the connection without a reply"),
        ("timed out", "connection timed out"),
    ):
        if needle in text:
            return reason
    return type(error).__name__


def _retry_after_seconds(response: requests.Response, now: Callable[[], float] = time.time) -> float | None:
    """The wait the server asked for in ``Retry-After`` (seconds or an HTTP date), or None."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def _http_error(method: str, url: str, response: requests.Response, note: str = "") -> ApiClientError:
    message = server_message(response.content or b"")
    status = response.status_code
    if status in (401, 403):
        return WebknossosAuthError(method, url, status, message, auth_hint(status))
    return UnexpectedStatusError(method, url, status, message, note)


class _Streamed:
    """A StreamedResponse over a ``requests`` response opened with ``stream=True``."""

    def __init__(self, response: requests.Response, method: str, url: str) -> None:
        self._response = response
        self._method = method
        self._url = url
        self.status_code = response.status_code
        self.headers: Mapping[str, str] = {k.lower(): v for k, v in response.headers.items()}

    def iter_bytes(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The body in pieces of at most ``chunk_size`` bytes."""
        try:
            yield from self._response.iter_content(chunk_size=chunk_size)
        except requests.exceptions.RequestException as error:
            raise WebknossosConnectionError(
                self._method, self._url, None, f"the download broke off ({_connection_reason(error)})", _REACH_HINT
            ) from None


class RequestsTransport:
    """A WebknossosTransport on one ``requests.Session`` (connection reuse); see ``core.ports.WebknossosTransport``."""

    name = "requests"

    def __init__(
        self,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self.timeout_seconds = float(timeout_seconds)
        self.retry_policy = retry_policy or RetryPolicy.from_environment()
        self._sleep = sleep
        self._clock = clock
        self._random = random_fraction
        self.session = _AuthStrippingSession()
        self.session.verify = True

    def __repr__(self) -> str:
        return f"RequestsTransport(timeout_seconds={self.timeout_seconds}, retry_policy={self.retry_policy!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        timeout: float | None = None,
        retry: bool | None = None,
    ) -> HttpResponse:
        """Send one request and return the complete response; raises ApiClientError for status >= 400."""
        kwargs = {"params": params, "headers": headers, "json": json, "data": data, "files": files}
        response = self._send(method, url, kwargs, timeout=timeout, retry=retry, stream=False)
        return HttpResponse(
            status_code=response.status_code,
            headers=dict(response.headers),
            content=response.content,
            url=redact_url(response.url or url),
        )

    @contextmanager
    def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[_Streamed]:
        """Send one request and yield its body as a stream; the connection is released when the block ends."""
        response = self._send(
            method, url, {"params": params, "headers": headers}, timeout=timeout, retry=None, stream=True
        )
        try:
            yield _Streamed(response, method.upper(), response.url or url)
        finally:
            response.close()

    # ------------------------------------------------------------------ retry loop

    def _send(
        self, method: str, url: str, kwargs: dict[str, Any], *, timeout: float | None, retry: bool | None, stream: bool
    ) -> requests.Response:
        method = method.upper()
        policy = self.retry_policy
        may_retry = retry if retry is not None else method in IDEMPOTENT_METHODS
        timeout = self.timeout_seconds if timeout is None else float(timeout)
        started = self._clock()
        attempt = 0
        shown = redact_url(url)
        while True:
            attempt += 1
            try:
                response = self.session.request(method, url, timeout=timeout, stream=stream, **kwargs)
            except requests.exceptions.ConnectTimeout as error:
                failure: ApiClientError = WebknossosTimeoutError(
                    method, url, None, f"no connection within {timeout:g} s ({_connection_reason(error)})", _REACH_HINT
                )
                wait = policy.backoff(attempt, self._random())
            except requests.exceptions.Timeout:
                raise WebknossosTimeoutError(
                    method,
                    url,
                    None,
                    f"the server sent no reply within the timeout of {timeout:g} s",
                    "Retry later, or raise the timeout with webknossos_context(timeout=...) or WK_TIMEOUT",
                ) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                failure = WebknossosConnectionError(
                    method, url, None, f"could not reach the server ({_connection_reason(error)})", _REACH_HINT
                )
                wait = policy.backoff(attempt, self._random())
            except requests.exceptions.InvalidURL:
                raise ApiClientError(
                    method, url, None, "the URL is not valid", "Check webknossos_context(url=...)"
                ) from None
            else:
                logger.debug("%s %s -> %s", method, shown, response.status_code)
                if response.status_code < 400:
                    return response
                if not (may_retry and policy.should_retry_status(method, response.status_code)):
                    raise _http_error(method, url, response)
                asked = _retry_after_seconds(response)
                if asked is not None and asked > policy.max_total_seconds:
                    raise _http_error(
                        method,
                        url,
                        response,
                        f"The server asked to retry after {asked:g} s, longer than the retry budget of "
                        f"{policy.max_total_seconds:g} s; try again later",
                    )
                wait = asked if asked is not None else policy.backoff(attempt, self._random())
                failure = _http_error(method, url, response)
                response.close()
            elapsed = self._clock() - started
            if not may_retry or attempt > policy.max_retries or elapsed + wait > policy.max_total_seconds:
                if may_retry and attempt > 1:
                    failure.args = (f"{failure.args[0]} (gave up after {attempt} attempts in {elapsed:.1f} s)",)
                raise failure
            logger.warning(
                "%s %s failed (%s); retry %d of %d in %.2f s",
                method,
                shown,
                failure.status_code or failure.server_message,
                attempt,
                policy.max_retries,
                wait,
            )
            self._sleep(wait)


def make_requests_transport(*, timeout_seconds: float, retry_policy: RetryPolicy | None = None) -> RequestsTransport:
    """The factory registered as the ``requests`` transport."""
    return RequestsTransport(timeout_seconds=timeout_seconds, retry_policy=retry_policy)
