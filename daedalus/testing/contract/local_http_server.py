"""A scripted HTTP server on 127.0.0.1 for the transport suite: answers from a queue of replies, records requests."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs


@attrs.define
class Reply:
    """One scripted answer: status, headers and body (``body`` bytes, or ``json`` serialised)."""

    status: int = 200
    body: bytes = b""
    json: Any = None
    headers: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class RecordedRequest:
    """What the server received: method, path with query, headers (lower-case names) and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """The running server: ``url(path)``, ``script(*replies)`` for the next requests, ``requests`` received."""

    def __init__(self, httpd: http.server.ThreadingHTTPServer, host: str) -> None:
        self._httpd = httpd
        self.host = host
        self.replies: list[Reply] = []
        self.requests: list[RecordedRequest] = []
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://{self.host}:{self._httpd.server_address[1]}{path}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` in order (then 200 with an empty JSON object)."""
        with self.lock:
            self.replies.extend(replies)


def _handler(server: ScriptedServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            with server.lock:
                server.requests.append(RecordedRequest(self.command, self.path, headers, body))
                reply = server.replies.pop(0) if server.replies else Reply(json={})
            content = json.dumps(reply.json).encode() if reply.json is not None else reply.body
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.json is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _answer

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            """Stay quiet (pytest shows failures, not access logs)."""

    return Handler


@contextmanager
def scripted_server(host: str = "127.0.0.1") -> Iterator[ScriptedServer]:
    """Run a ScriptedServer bound to 127.0.0.1 (reachable as ``host``) for the block; stopped afterwards."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)  # handler set below, once the server exists
    server = ScriptedServer(httpd, host)
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
