"""A WEBKNOSSOS server on 127.0.0.1 for differential scenarios: answers daedalus and the reference from recordings.

The recordings (``../shared/wk-server-recordings``) speak API version 12, the version daedalus asks for. The
reference (webknossos 4.3.3) first asks ``/api/buildinfo`` and refuses servers older than API version 13, so this
server says it speaks versions 5 to 13 and answers ``/api/v13/...`` and ``/data/v13/...`` from the recorded
``v12`` exchanges: 4.3.3 sends the same routes, queries and bodies under the newer prefix for everything these
scenarios do (a request the recording cannot answer is listed in `ScenarioServer.unmatched` and fails the test).

Both sides of a run talk to the same server (same URL, so URLs in results compare equal); `ScenarioServer.side`
resets it in between, so each side sees the recording from its start. Matching follows the recorded state: a
change (POST, PUT, PATCH, DELETE) is answered once, in recorded order; a read (GET, HEAD) is answered with the
reply recorded after the latest change the client made (as often as it asks), so two clients that read a
different number of times see the same server.

Stand-ins where no recording holds the answer, each named by the test that uses it: `STAND_IN_TOKEN_MISSING` (a
request without token is answered 401 when ``require_token`` is set) and `not_found` (any other request of an
unknown id answered 404 with the body the recorded "could not be found" replies have).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_REPLAY_PATH = Path(__file__).resolve().parents[2] / "tests" / "server" / "wk_replay.py"
_REPLAY_MODULE = "daedalus_differential_wk_replay"


def _replay_module() -> Any:
    module = sys.modules.get(_REPLAY_MODULE)
    if module is None:
        spec = importlib.util.spec_from_file_location(_REPLAY_MODULE, _REPLAY_PATH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_REPLAY_MODULE] = module
        spec.loader.exec_module(module)
    return module


replay = _replay_module()
RECORDINGS: Path = replay.RECORDINGS
RECORDED_VERSION = 12
ADVERTISED_VERSION = 13
"""The newest API version this server claims: the oldest that webknossos 4.3.3 accepts."""
TOKEN = "secrettoken-for-differential-scenarios"
_VERSION_PREFIX = re.compile(r"^/(api|data)/v(\d+)/")
_ANSWERED_VERSIONS = range(RECORDED_VERSION, 17)
"""Route versions answered from the recording: 12 (daedalus), 13 (4.3.3 after asking ``/api/buildinfo``) and up
to 16 (4.3.3's newest, which a WkApiClient made directly asks without asking the server first)."""
_READS = frozenset({"GET", "HEAD"})
IGNORED_QUERY = frozenset({"timestamp", "compact"})
"""Query parameters not matched: ``timestamp`` changes per request; 4.3.3 lists datasets with ``compact=true`` (API
13), whose reply holds a subset of the fields of the recorded (full) reply."""
NULL_FIELDS_ADDED = frozenset({"credentialIdentifier", "credentialSecret"})
"""Body fields 4.3.3 sends as ``null`` where the recorded client left them out (exploreAndAddRemote without
credentials): a null one of these matches its absence."""
STAND_IN_TOKEN_MISSING = b'{"messages":[{"error":"Access denied: no token was given"}]}'
STAND_IN_NOT_FOUND = b'{"messages":[{"error":"Resource could not be found"}]}'


@functools.cache
def _recorded(recording: str) -> tuple[Any, ...]:
    """The interactions of one recording, parsed once per process (copied for every server)."""
    return tuple(replay.ReplayServer(recording).interactions)


def _json_reply(status: int, body: bytes) -> Any:
    return replay.Interaction("GET", "", [], b"", "", status, {"content-type": "application/json"}, body)


def recorded_reply(recording: str, method: str, path: str) -> Any:
    """The JSON of the first recorded reply to ``method path`` (query ignored) in ``recording``."""
    for interaction in _recorded(recording):
        if interaction.method == method and interaction.path == path:
            return json.loads(interaction.reply)
    raise KeyError(f"{method} {path} is not in {recording}")


def interaction(method: str, path: str, reply: Any, *, status: int = 200, query: str = "") -> Any:
    """An extra exchange (JSON reply) for a request no recording holds; tests name why they add it."""
    raw = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
    pairs = sorted(tuple(part.split("=", 1)) for part in query.split("&") if part)
    return replay.Interaction(method, path, pairs, b"", "", status, {"content-type": "application/json"}, raw)


class ScenarioServer(replay.ReplayServer):
    """One or more recordings (merged in order) served to both sides of a differential run (module docstring)."""

    def __init__(
        self,
        *recordings: str,
        extra: Iterable[Any] = (),
        require_token: bool = False,
        not_found: bool = False,
    ) -> None:
        super().__init__("default.yml", ignore_query=IGNORED_QUERY)  # the interactions are the parsed ones
        self.interactions = [dataclasses.replace(i, used=False) for name in recordings for i in _recorded(name)]
        self.interactions.extend(dataclasses.replace(i, used=False) for i in extra)
        self.require_token = require_token
        self.not_found = not_found
        self.current_side = ""
        self.unmatched_by_side: dict[str, list[str]] = {}
        self.stand_ins_by_side: dict[str, list[str]] = {}
        self._cursor = -1
        self._buildinfo = self._advertised_buildinfo()

    def _advertised_buildinfo(self) -> bytes:
        info = recorded_reply("test_api_client/test_build_info.yml", "GET", f"/api/v{RECORDED_VERSION}/buildinfo")
        info["httpApiVersioning"]["currentApiVersion"] = ADVERTISED_VERSION
        return json.dumps(info).encode()

    @contextlib.contextmanager
    def side(self, name: str) -> Iterator[None]:
        """Serve the recording from its start to the side ``name`` ("reference" or "daedalus") of one run."""
        with self._lock:
            for item in self.interactions:
                item.used = False
            self._cursor = -1
            self.current_side = name
            self.unmatched.clear()
        try:
            yield
        finally:
            with self._lock:
                if self.unmatched:
                    self.unmatched_by_side[name] = [request.describe() for request in self.unmatched]

    def match(self, request: Any) -> Any:
        """The exchange answering ``request`` (see the module docstring), or None."""
        version = _VERSION_PREFIX.match(request.path)
        if version is not None and int(version.group(2)) in _ANSWERED_VERSIONS:
            request.path = f"/{version.group(1)}/v{RECORDED_VERSION}/" + request.path[version.end() :]
        if request.path == "/api/buildinfo":
            return _json_reply(200, self._buildinfo)
        if self.require_token and not self._has_token(request):
            return self._stand_in(request, 401, STAND_IN_TOKEN_MISSING)
        chosen = self._choose(request)
        if chosen is None and self.not_found:
            return self._stand_in(request, 404, STAND_IN_NOT_FOUND)
        if chosen is None:  # answered at once (a 5xx would be retried for seconds); the test fails on it
            with self._lock:
                self.unmatched.append(request)
            return _json_reply(400, f"scenario server: no recorded exchange for {request.describe()}".encode())
        return chosen

    @staticmethod
    def _has_token(request: Any) -> bool:
        return bool(request.headers.get("x-auth-token")) or any(key == "token" for key, _ in request.query)

    def _body_matches(self, interaction: Any, request: Any) -> bool:
        """As the replay server, after the client's echo of this server's address is turned back into the
        recorded one (a dataset's JSON sent back holds the datastore URL the replies were rewritten to)."""
        body = request.body.replace(self._own, self._host)
        try:
            decoded = json.loads(body) if body else None
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and any(decoded.get(key, 0) is None for key in NULL_FIELDS_ADDED):
            body = json.dumps({k: v for k, v in decoded.items() if not (k in NULL_FIELDS_ADDED and v is None)}).encode()
        echoed = replay.ReceivedRequest(request.method, request.path, request.query, request.headers, body)
        return super()._body_matches(interaction, echoed)

    @property
    def _own(self) -> bytes:
        return self.url.encode()

    _host = replay.RECORDED_HOST.encode()

    def _stand_in(self, request: Any, status: int, body: bytes) -> Any:
        with self._lock:
            self.stand_ins_by_side.setdefault(self.current_side, []).append(f"{status} {request.describe()}")
        return _json_reply(status, body)

    def _choose(self, request: Any) -> Any:
        with self._lock:
            hits = [
                (index, item)
                for index, item in enumerate(self.interactions)
                if item.method == request.method
                and item.path == request.path
                and self._query_key(item.query) == self._query_key(request.query)
                and self._body_matches(item, request)
            ]
            wanted = request.headers.get("range", "")
            if wanted and any(item.range == wanted for _, item in hits):
                hits = [(index, item) for index, item in hits if item.range == wanted]
            if request.method not in _READS:
                for index, item in hits:
                    if not item.used:
                        item.used = True
                        self._cursor = index
                        return item
                return None
            return self._read_reply(hits)

    def _read_reply(self, hits: list[tuple[int, Any]]) -> Any:
        """The recorded read reply for the server's state: after the latest change, before the next one."""
        following = [i for i, item in enumerate(self.interactions) if i > self._cursor and item.method not in _READS]
        window_end = following[0] if following else len(self.interactions)
        window = [item for index, item in hits if self._cursor < index < window_end]
        for item in window:
            if not item.used:
                item.used = True
                return item
        if window:
            return window[-1]
        earlier = [item for index, item in hits if index <= self._cursor]
        if earlier:
            return earlier[-1]
        later = [item for index, item in hits if index >= window_end]
        return later[0] if later else None

    def answered_everything(self) -> str:
        """ "" when every request of both sides found a recorded exchange; else what was not found, by side."""
        lines = [f"{side}: {request}" for side, requests in self.unmatched_by_side.items() for request in requests]
        return "\n".join(lines)
