"""A real HTTP server on 127.0.0.1 that answers requests from one WEBKNOSSOS server recording (YAML).

Requests are matched by method, path and query (volatile parameters such as ``timestamp`` ignored) and, for
JSON bodies, by body; each recorded interaction answers once. A request with a Range header is answered by a
recorded request with the same range if there is one (else, as before, by the first that matches otherwise).
Faults (5xx, 429 with Retry-After, connection resets, slow replies) can be injected in front of the recording.
``replace`` substitutes text in every reply (e.g. the recording machine's storage paths by a test's tmp_path).
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

RECORDINGS = Path(__file__).resolve().parents[2].parent / "shared" / "wk-server-recordings"
RECORDED_HOST = "http://localhost:9000"
VOLATILE_QUERY = frozenset({"timestamp"})
RECORDED_TOKEN = "secrettoken-for-replay-tests"  # what tests send; the recordings hold other tokens


def _body_bytes(body: dict[str, Any] | None) -> bytes:
    if not body:
        return b""
    data = body.get("data") or ""
    if body.get("encoding") == "base64":
        return base64.b64decode(data)
    return data.encode("utf-8")


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


@dataclass
class Interaction:
    """One recorded request and the server's reply."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: bytes
    content_type: str
    status: int
    headers: dict[str, str]
    reply: bytes
    used: bool = False
    range: str = ""  # the recorded request's Range header ("" if none)

    @classmethod
    def from_yaml(cls, item: dict[str, Any]) -> Interaction:
        """Build from one entry of ``http_interactions``."""
        request, response = item["request"], item["response"]
        parts = urlsplit(request["path"])
        headers = {k.lower(): str(v) for k, v in (response.get("headers") or {}).items()}
        request_headers = {k.lower(): str(v) for k, v in (request.get("headers") or {}).items()}
        return cls(
            method=request["method"].upper(),
            path=parts.path,
            query=sorted(parse_qsl(parts.query, keep_blank_values=True)),
            body=_body_bytes(request.get("body")),
            content_type=str((request.get("headers") or {}).get("content-type", "")),
            status=int(response["status"]["code"]),
            headers=headers,
            reply=_body_bytes(response.get("body")),
            range=request_headers.get("range", ""),
        )

    def describe(self) -> str:
        """``METHOD /path?query`` for messages."""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}{'?' + query if query else ''}"


@dataclass
class ReceivedRequest:
    """A request the replay server received."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    client_port: int = 0

    def describe(self) -> str:
        """Method, path, query and a body excerpt, for failure messages."""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        text = f"{self.method} {self.path}{'?' + query if query else ''}"
        if self.body:
            text += f"\n    body: {self.body[:500]!r}"
        return text


@dataclass
class Fault:
    """A misbehaviour answered instead of the recording for the next ``times`` matching requests."""

    kind: str  # "status", "reset", "delay"
    times: int = 1
    status: int = 500
    body: bytes = b'{"messages":[{"error":"injected failure"}]}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    method: str | None = None
    path_prefix: str | None = None
    hits: int = 0

    def matches(self, request: ReceivedRequest) -> bool:
        """Whether this fault applies to ``request``."""
        return (
            self.times > 0
            and (self.method is None or self.method.upper() == request.method)
            and (self.path_prefix is None or request.path.startswith(self.path_prefix))
        )


class ReplayServer:
    """Serves one recording on ``http://127.0.0.1:<port>``; see the module docstring."""

    def __init__(
        self,
        recording: str | Path,
        *,
        ignore_query: frozenset[str] = VOLATILE_QUERY,
        match_body: bool = True,
        rewrite_host: bool = True,
        replace: dict[str, str] | None = None,
    ) -> None:
        path = Path(recording)
        if not path.is_absolute():
            path = RECORDINGS / path
        self.recording_path = path
        document = yaml.safe_load(path.read_text()) or {}
        self.interactions = [Interaction.from_yaml(i) for i in document.get("http_interactions") or []]
        self.ignore_query = ignore_query
        self.match_body = match_body
        self.rewrite_host = rewrite_host
        self.replace = dict(replace or {})  # recorded text -> what replies say instead (e.g. storage paths)
        self.received: list[ReceivedRequest] = []
        self.unmatched: list[ReceivedRequest] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        """The base URL (``http://127.0.0.1:<port>``)."""
        assert self._server is not None, "the replay server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        """Bind to a free port on 127.0.0.1 and serve in a daemon thread."""
        handler = type("Handler", (_Handler,), {"replay": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ faults

    def fail_next(self, times: int = 1, status: int = 500, *, retry_after: str | None = None, **match: Any) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (and a ``Retry-After`` header if given)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return self._add(Fault("status", times=times, status=status, headers=headers, **match))

    def reply_next(
        self,
        status: int,
        body: bytes | str,
        times: int = 1,
        *,
        headers: dict[str, str] | None = None,
        **match: Any,
    ) -> Fault:
        """Answer the next matching requests with a fixed status, body and headers (e.g. a 401, a redirect)."""
        raw = body.encode() if isinstance(body, str) else body
        return self._add(Fault("status", times=times, status=status, body=raw, headers=dict(headers or {}), **match))

    def reset_next(self, times: int = 1, **match: Any) -> Fault:
        """Reset the connection (TCP RST, no reply) for the next ``times`` matching requests."""
        return self._add(Fault("reset", times=times, **match))

    def delay_next(self, seconds: float, times: int = 1, **match: Any) -> Fault:
        """Wait ``seconds`` before answering the next matching requests (from the recording)."""
        return self._add(Fault("delay", times=times, delay=seconds, **match))

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def _take_fault(self, request: ReceivedRequest) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(request):
                    fault.times -= 1
                    fault.hits += 1
                    return fault
        return None

    # ------------------------------------------------------------------ matching

    def _query_key(self, query: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in query if k not in self.ignore_query)

    def _body_matches(self, interaction: Interaction, request: ReceivedRequest) -> bool:
        if not self.match_body or "multipart" in interaction.content_type:
            return True
        recorded, received = _json_or_none(interaction.body), _json_or_none(request.body)
        if recorded is not None or received is not None:
            return recorded == received
        return True

    def match(self, request: ReceivedRequest) -> Interaction | None:
        """The first unused interaction answering ``request`` (marked used), or None."""
        with self._lock:
            candidates = [
                interaction
                for interaction in self.interactions
                if not interaction.used
                and interaction.method == request.method
                and interaction.path == request.path
                and self._query_key(interaction.query) == self._query_key(request.query)
                and self._body_matches(interaction, request)
            ]
            wanted = request.headers.get("range", "")
            same_range = [i for i in candidates if wanted and i.range == wanted]
            chosen = (same_range or candidates or [None])[0]
            if chosen is not None:
                chosen.used = True
            return chosen

    def reply_body(self, interaction: Interaction) -> bytes:
        """The recorded reply, with the recorded server's address replaced by this server's and each key of
        ``replace`` by its value."""
        reply = interaction.reply
        for recorded, substitute in self.replace.items():
            reply = reply.replace(recorded.encode(), substitute.encode())
        if not self.rewrite_host:
            return reply
        return reply.replace(RECORDED_HOST.encode(), self.url.encode())

    # ------------------------------------------------------------------ assertions

    def unused(self) -> list[Interaction]:
        """Recorded interactions nobody asked for yet."""
        return [i for i in self.interactions if not i.used]

    def assert_all_used(self) -> None:
        """Fail unless every recorded interaction was requested."""
        missing = self.unused()
        assert not missing, (
            f"{len(missing)} recorded interactions of {self.recording_path.name} were not requested:\n"
            + ("\n".join("  " + i.describe() for i in missing))
        )

    def assert_no_unmatched(self) -> None:
        """Fail, printing the requests, if some request found no recorded interaction."""
        assert not self.unmatched, (
            f"requests not in recording {self.recording_path.name}:\n"
            + "\n".join("  " + r.describe() for r in self.unmatched)
            + "\nunused recorded interactions:\n"
            + ("\n".join("  " + i.describe() for i in self.unused()) or "  (none)")
        )


class _Handler(BaseHTTPRequestHandler):
    """Answers one request from the replay server's recording or faults."""

    replay: ReplayServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        """Stay quiet (pytest shows failures through the replay server's own messages)."""

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = ReceivedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_port=self.client_address[1],
        )
        with self.replay._lock:
            self.replay.received.append(request)
        fault = self.replay._take_fault(request)
        if fault is not None and fault.kind == "reset":
            self._reset()
            return
        if fault is not None and fault.kind == "status":
            self._send(fault.status, {"content-type": "application/json", **fault.headers}, fault.body)
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
        interaction = self.replay.match(request)
        if interaction is None:
            with self.replay._lock:
                self.replay.unmatched.append(request)
            message = f"replay server: no recorded interaction for {request.describe()}"
            self._send(599, {"content-type": "text/plain"}, message.encode())
            return
        # The handler sends its own Date and Content-Length; a second, recorded Date makes tensorstore refuse a reply.
        skipped = ("content-length", "transfer-encoding", "content-encoding", "date")
        headers = {k: v for k, v in interaction.headers.items() if k not in skipped}
        self._send(interaction.status, headers, self.replay.reply_body(interaction) if self.command != "HEAD" else b"")

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _reset(self) -> None:
        """Close with SO_LINGER 0, which sends a TCP RST instead of a reply."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def open_replay(recording: str | Path, **options: Any) -> ReplayServer:
    """A started ReplayServer for ``recording`` (relative to the recordings folder); stop it when done."""
    return ReplayServer(recording, **options).start()


ReplayFactory = Callable[..., ReplayServer]


def context_replays(monkeypatch: Any, token: str = RECORDED_TOKEN) -> Iterator[Callable[..., ReplayServer]]:
    """Body of a fixture: yields ``start(recording, extra=[interactions], **options)``, which runs a replay server
    and makes it the context in effect (``WK_URL``, ``WK_TOKEN``); afterwards stops every server and fails on
    requests that matched no interaction."""
    from daedalus.core.client.context import clear_context_caches

    servers: list[ReplayServer] = []

    def start(recording: str, extra: list[Interaction] | None = None, **options: Any) -> ReplayServer:
        server = ReplayServer(recording, **options)
        server.interactions.extend(extra or [])
        server.start()
        servers.append(server)
        monkeypatch.setenv("WK_URL", server.url)
        monkeypatch.setenv("WK_TOKEN", token)
        monkeypatch.delenv("WK_TIMEOUT", raising=False)
        clear_context_caches()
        return server

    yield start
    clear_context_caches()
    for server in servers:
        server.stop()
    for server in servers:
        server.assert_no_unmatched()
