"""A small WEBKNOSSOS-like server on 127.0.0.1 for benchmarks: the routes clients use to open, stream, download
and upload a dataset, with a fixed added latency per request and byte counters.

What it answers (routes, queries and reply shapes as in the server recordings of API v12):
- ``GET /api/v12/datasets/<id>`` and ``GET /api/v12/datasets?...&searchQuery=<name>``: dataset info whose
  ``dataStore.url`` is this server; ``GET /api/v12/datastores``, ``/api/v12/user``,
  ``/api/v12/datasets/<name>/isValidNewName``, ``/api/v12/buildinfo``;
- zarr streaming (``/data/v12/zarr/<id>/...``): ``datasource-properties.json`` (HEAD and GET), ``.zgroup``,
  ``.zattrs``, ``.zarray`` and the chunks ``<c>.<x>.<y>.<z>`` of a zarr v2 view of every mag (chunks 1×32³,
  Fortran order, no compressor, as the datastore serves them); ``Range: bytes=a-b`` is honoured (206);
- the raw data route ``/data/v12/datasets/<id>/layers/<layer>/data?mag=..&x=..&y=..&z=..&width=..&height=..&depth=..``
  (voxels x fastest, ``MISSING-BUCKETS: []``);
- uploads: ``POST /data/v12/datasets/reserveUpload``, the resumable multipart chunks ``POST /data/datasets``
  (written into a folder per upload) and ``POST /data/v12/datasets/finishUpload`` (answers ``newDatasetId``; the
  uploaded dataset can be opened afterwards, its metadata only).

Every request waits ``latency_s`` before it is answered (in its own thread, so concurrent requests overlap).
Like a fast datastore it keeps little per-request work: the zarr chunks are prepared in memory when a dataset is
added (and sent without a copy), request headers are parsed by a lean parser, headers and small bodies go out in
one send, raw-data replies are one copy of the box, upload parts are not copied again.
``python wk_datastore_server.py`` measures its capacity (chunk GETs per second with 128 keep-alive clients in another
process, and the server's CPU time per request).
``stats`` counts requests, request bytes received and response bytes sent (status line, headers and bodies).
With ``timeline=True`` it also records every request (arrival and end as ``time.time()``, method, kind, path,
bytes received and sent) for ``timeline_summary``: sequential round trips, requests in flight, client gaps.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

ORGANIZATION = "Organization_X"
API = "v12"
CHUNK = 32
VOXEL_SIZE = [11.24, 11.24, 28.0]
AXIS_ORDER = {"x": 1, "y": 2, "z": 3, "c": 0}
USER = {
    "id": "570b9f4d2a7c0e4d008da6ef",
    "email": "user_a@scalableminds.com",
    "firstName": "user_A",
    "lastName": "last_A",
    "isAdmin": True,
    "isOrganizationOwner": True,
    "isDatasetManager": True,
    "isActive": True,
    "teams": [{"id": "570b9f4b2a7c0e3b008da6ec", "name": "team_X1", "isTeamManager": True}],
    "experiences": {},
    "lastActivity": 1460379469053,
    "isAnonymous": False,
    "isEditable": True,
    "organization": ORGANIZATION,
    "novelUserExperienceInfos": {},
    "selectedTheme": "auto",
    "created": 1460379469000,
    "lastTaskTypeId": None,
    "isSuperUser": True,
    "isEmailVerified": True,
    "isUnlisted": False,
    "isGuest": False,
}
TEAM = {"id": "570b9f4b2a7c0e3b008da6ec", "name": "team_X1", "organization": ORGANIZATION, "isOrganizationTeam": True}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
_ONE_WRITE_BYTES = 1 << 20  # replies up to this size go out in one send with their headers


class Stats:
    """Request count and bytes on the wire (both directions), thread-safe; `snapshot` for differences; with
    ``timeline`` a list of every request (see ``record``)."""

    def __init__(self, timeline: bool = False) -> None:
        self.lock = threading.Lock()
        self.recorded = threading.Condition(self.lock)
        self.requests = 0
        self.received = 0
        self.sent = 0
        self.paths: dict[str, int] = {}
        self.timeline: list[dict[str, Any]] | None = [] if timeline else None

    def record(self, entry: dict[str, Any]) -> None:
        """Append one request's timeline entry (``start``, ``end``, ``kind``, ``path``, ``received``, ``sent``)."""
        if self.timeline is not None:
            with self.recorded:
                self.timeline.append(entry)
                self.recorded.notify_all()

    def wait_for_timeline(self, length: int, timeout: float = 10.0) -> bool:
        """Wait until ``length`` requests are on the timeline (a reply reaches the client before its entry)."""
        with self.recorded:
            return self.recorded.wait_for(lambda: len(self.timeline or ()) >= length, timeout)

    def add(self, received: int = 0, sent: int = 0, kind: str | None = None) -> None:
        """Count bytes (and, with `kind`, one request of that kind)."""
        with self.lock:
            self.received += received
            self.sent += sent
            if kind is not None:
                self.requests += 1
                self.paths[kind] = self.paths.get(kind, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        """The counters now."""
        with self.lock:
            return {
                "requests": self.requests,
                "received": self.received,
                "sent": self.sent,
                "kinds": dict(self.paths),
                "timeline_length": len(self.timeline or ()),
            }

    def timeline_since(self, before: dict[str, Any]) -> list[dict[str, Any]]:
        """The timeline entries recorded after the snapshot ``before``, by arrival."""
        with self.lock:
            return sorted((self.timeline or [])[before["timeline_length"] :], key=lambda e: e["start"])


def timeline_summary(entries: list[dict[str, Any]], t0: float | None = None, gap_s: float = 0.005) -> list[str]:
    """Lines describing a request timeline: consecutive requests of one kind as one phase (count, first arrival
    and last end relative to ``t0`` (the client's start; default the first arrival), most requests in flight,
    MB in and out, wall time spent), and every gap of more than ``gap_s`` with no request in flight."""
    if not entries:
        return ["(no requests)"]
    origin = entries[0]["start"] if t0 is None else t0
    lines = [f"first request {1000 * (entries[0]['start'] - origin):.1f} ms after the client's start"]
    phases: list[list[dict[str, Any]]] = []
    for entry in entries:
        if phases and phases[-1][0]["kind"] == entry["kind"]:
            phases[-1].append(entry)
        else:
            phases.append([entry])
    busy_until = entries[0]["start"]
    for phase in phases:
        first, end = phase[0]["start"], max(e["end"] for e in phase)
        if first - busy_until > gap_s:
            lines.append(f"  gap {1000 * (first - busy_until):7.1f} ms (no request in flight: client work)")
        events = sorted([(e["start"], 1) for e in phase] + [(e["end"], -1) for e in phase])
        flight = peak = 0
        for _, step in events:
            flight += step
            peak = max(peak, flight)
        duration = [e["end"] - e["start"] for e in phase]
        lines.append(
            f"  {1000 * (first - origin):7.1f} → {1000 * (end - origin):7.1f} ms  "
            f"{len(phase):4d} × {phase[0]['kind']:<36}"
            f" peak {peak:3d} in flight, server time/request {1000 * min(duration):.1f}-{1000 * max(duration):.1f} ms,"
            f" in {sum(e['received'] for e in phase) / 1e6:.2f} MB, out {sum(e['sent'] for e in phase) / 1e6:.2f} MB"
        )
        busy_until = max(busy_until, end)
    lines.append(f"last reply ends {1000 * (busy_until - origin):.1f} ms after the client's start")
    return lines


def _chunk_table(layer: np.ndarray) -> np.ndarray:
    """Every zarr chunk of the ``(x, y, z)`` layer as bytes in memory, as a fast datastore keeps its buckets: an
    array ``[cx, cy, cz]`` of ``CHUNK³`` voxels each, x fastest (Fortran order), padded with zeros at the border."""
    counts = [-(-s // CHUNK) for s in layer.shape]
    padded = np.zeros([c * CHUNK for c in counts], dtype=layer.dtype, order="F")
    padded[: layer.shape[0], : layer.shape[1], : layer.shape[2]] = layer
    # (x, y, z) Fortran == (z, y, x) C; split each axis into (chunk index, offset) and put the indices first
    blocks = padded.T.reshape(counts[2], CHUNK, counts[1], CHUNK, counts[0], CHUNK)
    return np.ascontiguousarray(blocks.transpose(4, 2, 0, 1, 3, 5)).reshape(*counts, -1)


def diff(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """Counters of `after` minus those of `before`."""
    kinds = {k: v - before["kinds"].get(k, 0) for k, v in after["kinds"].items()}
    out = {k: after[k] - before[k] for k in ("requests", "received", "sent")}
    return {**out, "kinds": {k: v for k, v in kinds.items() if v}}


class ServedDataset:
    """One dataset of the server: layers of in-memory ``(x, y, z)`` arrays (mag 1) or uploaded properties only."""

    def __init__(self, dataset_id: str, name: str, layers: dict[str, np.ndarray], properties: dict | None = None):
        self.id = dataset_id
        self.name = name
        self.layers = layers
        self._properties = properties
        self.chunks = {key: _chunk_table(value) for key, value in layers.items()}

    def properties(self) -> dict[str, Any]:
        """The ``datasource-properties.json`` the zarr route serves (layers as zarr v2)."""
        if self._properties is not None:
            props = json.loads(json.dumps(self._properties))
            for layer in props.get("dataLayers", []):
                layer["dataFormat"] = "zarr"
                for mag in layer.get("mags", []):
                    mag["path"] = f"./{layer['name']}/{'-'.join(str(m) for m in mag['mag'])}"
            props["id"] = {"name": self.name, "team": ORGANIZATION}
            return props
        layers = []
        for name, data in self.layers.items():
            layers.append(
                {
                    "category": "color",
                    "name": name,
                    "dataFormat": "zarr",
                    "boundingBox": {
                        "topLeft": [0, 0, 0],
                        "width": data.shape[0],
                        "height": data.shape[1],
                        "depth": data.shape[2],
                    },
                    "elementClass": str(data.dtype),
                    "mags": [{"mag": [1, 1, 1], "path": f"./{name}/1", "axisOrder": AXIS_ORDER}],
                    "resolutions": [[1, 1, 1]],
                    "numChannels": 1,
                }
            )
        return {
            "id": {"name": self.name, "team": ORGANIZATION},
            "dataLayers": layers,
            "scale": {"factor": VOXEL_SIZE, "unit": "nanometer"},
        }

    def info(self, datastore_url: str) -> dict[str, Any]:
        """The dataset info of ``/api/v12/datasets/<id>``, shaped as the recorded replies."""
        source = self.properties()
        for layer in source["dataLayers"]:
            layer["dataFormat"] = "zarr" if self._properties is None else layer.get("dataFormat", "zarr3")
            for mag in layer["mags"]:
                mag["path"] = f"/srv/binaryData/{ORGANIZATION}/{self.name}/{mag['path'][2:]}"
        return {
            "id": self.id,
            "name": self.name,
            "dataSource": source,
            "dataStore": {
                "name": "localhost",
                "url": datastore_url,
                "allowsUpload": True,
                "jobsSupportedByAvailableWorkers": [],
                "jobsEnabled": False,
            },
            "owningOrganization": ORGANIZATION,
            "allowedTeams": [TEAM],
            "allowedTeamsCumulative": [TEAM],
            "isActive": True,
            "isPublic": True,
            "description": None,
            "directoryName": self.name,
            "created": 1508495293789,
            "isEditable": True,
            "lastUsedByUser": int(time.time() * 1000),
            "logoUrl": "/assets/images/mpi-logos.svg",
            "sortingKey": 1508495293789,
            "metadata": [],
            "isUnreported": False,
            "tags": [],
            "folderId": "570b9f4e4bb848d0885ea917",
            "usedStorageBytes": 0,
            "isVirtual": False,
        }


class WkServer(ThreadingHTTPServer):
    """The server: datasets by id, uploads in progress, latency and counters."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, latency_s: float = 0.02, upload_root: Path | None = None, timeline: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.latency_s = latency_s
        self.stats = Stats(timeline)
        self.datasets: dict[str, ServedDataset] = {}
        self.upload_root = Path(upload_root or tempfile.mkdtemp(prefix="daedalus-wk-uploads-"))
        self.uploads: dict[str, dict[str, Any]] = {}
        self.upload_lock = threading.Lock()
        self.unknown: list[str] = []  # requests no route answered (for debugging the benchmark)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add_dataset(self, name: str, layers: dict[str, np.ndarray]) -> ServedDataset:
        """Serve `layers` (name → ``(x, y, z)`` array of mag 1) as dataset `name`; returns it (``.id``)."""
        # Fortran order, like the datastore's buckets: x-fastest replies are then copies of contiguous x runs
        layers = {key: np.asfortranarray(value) for key, value in layers.items()}
        dataset = ServedDataset(secrets.token_hex(12), name, layers)
        self.datasets[dataset.id] = dataset
        return dataset

    def start(self) -> WkServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and delete the uploaded files."""
        self.shutdown()
        self.server_close()
        shutil.rmtree(self.upload_root, ignore_errors=True)


def _multipart(body: bytes, content_type: str) -> tuple[dict[str, str], bytes | memoryview]:
    """The text fields and the ``file`` part of a multipart/form-data body."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("multipart body without boundary")
    delimiter = b"--" + match.group(1).encode()
    fields: dict[str, str] = {}
    content: bytes | memoryview = b""
    view = memoryview(body)
    start = body.find(delimiter)
    while start >= 0 and not body.startswith(b"--", start + len(delimiter)):
        head_start = start + len(delimiter)
        head_end = body.find(b"\r\n\r\n", head_start)
        following = body.find(delimiter, head_end)
        if head_end < 0 or following < 0:
            break
        head = body[head_start:head_end]
        value = view[head_end + 4 : following - 2 if body[following - 2 : following] == b"\r\n" else following]
        name = re.search(rb'name="([^"]*)"', head)
        if name is not None and b"filename=" in head:
            content = value  # a view of the body, no copy (as a server streaming the part to disk)
        elif name is not None:
            fields[name.group(1).decode()] = bytes(value).decode()
        start = following
    return fields, content


class _Headers(dict):
    """Request headers by lower-case name (``get`` ignores case): a lean stand-in for http.server's email parser."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        """The header ``name`` (any case), else ``default``."""
        return super().get(name.lower(), default)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the datastore
    disable_nagle_algorithm = True  # TCP_NODELAY: headers and body are separate writes
    server: WkServer
    _sent = 0  # bytes sent for the current request (status line, headers, body)

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""

    def parse_request(self) -> bool:
        """Parse the request line and headers with little per-request work (a fast server's parser, instead of
        http.server's email-based one: about 100 µs per request here)."""
        self.command = None
        self.request_version = version = self.default_request_version
        self.close_connection = True
        self.requestline = line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = line.split()
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            self.send_error(400, f"Bad request line {line!r}")
            return False
        self.command, self.path, version = words
        self.request_version = version
        headers = _Headers()
        while True:
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = str(raw, "iso-8859-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers  # type: ignore[assignment]
        connection = headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
        return True

    # --- plumbing -------------------------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                line = self.rfile.readline()
                size = int(line.strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        if self.server.latency_s:
            time.sleep(self.server.latency_s)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self._headers_buffer.append(b"\r\n")
        head_bytes = b"".join(self._headers_buffer)
        self._headers_buffer = []
        body_bytes = 0 if head else len(body)
        self.server.stats.add(sent=len(head_bytes) + body_bytes)
        self._sent += len(head_bytes) + body_bytes
        if head or not body:
            self.wfile.write(head_bytes)
        elif body_bytes <= _ONE_WRITE_BYTES:  # one send for headers and body, as a server with buffered output
            self.wfile.write(head_bytes + body)
        else:
            self.wfile.write(head_bytes)
            self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._reply(status, json.dumps(value).encode())

    def _ranged(self, body: bytes, content_type: str, head: bool) -> None:
        match = _RANGE.match(self.headers.get("Range", "").strip())
        if not match or match.groups() == ("", "") or head:
            return self._reply(200, body, content_type, {"Accept-Ranges": "bytes"}, head=head)
        first, last = match.groups()
        size = len(body)
        start, stop = (
            (max(0, size - int(last)), size)
            if first == ""
            else (int(first), min(size, int(last) + 1 if last else size))
        )
        self._reply(206, body[start:stop], content_type, {"Content-Range": f"bytes {start}-{stop - 1}/{size}"})
        return None

    def end_headers(self) -> None:
        """Count the header bytes sent (replies other than ``_reply``'s, e.g. http.server's own errors)."""
        sent = sum(len(b) for b in getattr(self, "_headers_buffer", []))
        self.server.stats.add(sent=sent)
        self._sent += sent
        super().end_headers()

    def _count_request(self, kind: str, body: bytes) -> int:
        head = len(self.requestline) + 2 + sum(len(k) + len(v) + 4 for k, v in self.headers.items()) + 2
        self.server.stats.add(received=head + len(body), kind=kind)
        return head + len(body)

    # --- routes ---------------------------------------------------------------------------------------------------
    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        """Route a HEAD request."""
        self._route("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        """Route a GET request."""
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        """Route a POST request."""
        self._route("POST")

    def _route(self, method: str) -> None:
        start = time.time()
        self._sent = 0
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = self._read_body() if method == "POST" else b""
        segments = [s for s in path.split("/") if s]
        kind = f"{method} {self._kind(segments)}"
        received = self._count_request(kind, body)
        try:
            self._answer(method, segments, query, body)
        finally:
            if self.server.stats.timeline is not None:
                entry = {"start": start, "end": time.time(), "kind": kind, "path": self.path}
                self.server.stats.record({**entry, "received": received, "sent": self._sent})

    def _answer(self, method: str, segments: list[str], query: dict[str, str], body: bytes) -> None:
        try:
            if segments[:2] == ["data", "datasets"] and method == "POST":
                return self._upload_chunk(body)
            if segments[:2] == ["api", API]:
                return self._api(method, segments[2:], query, body)
            if segments[:2] == ["data", API]:
                return self._data(method, segments[2:], query, body)
        except (KeyError, IndexError, ValueError) as error:
            self.server.unknown.append(f"{method} {self.path}: {error!r}")
            return self._json({"messages": [{"error": str(error)}]}, 400)
        self.server.unknown.append(f"{method} {self.path}")
        return self._json({"messages": [{"error": "no such route"}]}, 404)

    @staticmethod
    def _kind(segments: list[str]) -> str:
        if segments[:3] == ["data", API, "zarr"]:
            last = segments[-1] if len(segments) > 3 else ""
            return "zarr chunk" if re.fullmatch(r"\d+(\.\d+)+", last) else f"zarr {last}"
        if segments[-1:] == ["data"]:
            return "raw data"
        return "/".join(s if len(s) < 20 else "<id>" for s in segments[2:]) or "/".join(segments)

    def _dataset(self, key: str) -> ServedDataset:
        if key in self.server.datasets:
            return self.server.datasets[key]
        matches = [d for d in self.server.datasets.values() if d.name == key or key.endswith("-" + d.id)]
        if not matches:
            raise KeyError(f"no dataset {key}")
        return matches[-1]

    def _api(self, method: str, rest: list[str], query: dict[str, str], body: bytes) -> None:
        url = self.server.url
        if rest == ["datastores"]:
            return self._json(
                [
                    {
                        "name": "localhost",
                        "url": url,
                        "allowsUpload": True,
                        "jobsSupportedByAvailableWorkers": [],
                        "jobsEnabled": False,
                    }
                ]
            )
        if rest == ["user"]:
            return self._json(USER)
        if rest == ["buildinfo"]:
            return self._json(
                {
                    "webknossos": {"name": "webknossos", "version": "25.12.0"},
                    "localDataStoreEnabled": True,
                    "localTracingStoreEnabled": True,
                }
            )
        if rest == ["datasets"] and method == "GET":
            wanted = query.get("searchQuery")
            found = [d.info(url) for d in self.server.datasets.values() if wanted in (None, d.name)]
            return self._json(found)
        if len(rest) == 3 and rest[0] == "datasets" and rest[2] == "isValidNewName":
            return self._json({"isValid": True})
        if len(rest) == 2 and rest[0] == "datasets" and method == "GET":
            return self._json(self._dataset(rest[1]).info(url))
        if len(rest) == 3 and rest[0] == "datasets" and rest[2] == "health":
            return self._reply(200, b"Ok", "text/plain")
        raise KeyError("unknown api route")

    def _data(self, method: str, rest: list[str], query: dict[str, str], body: bytes) -> None:
        head = method == "HEAD"
        if rest[:1] == ["zarr"]:
            return self._zarr(self._dataset(rest[1]), rest[2:], head)
        if rest == ["datasets", "reserveUpload"]:
            reservation = json.loads(body)
            folder = self.server.upload_root / reservation["uploadId"].replace("/", "_")
            folder.mkdir(parents=True, exist_ok=True)
            self.server.uploads[reservation["uploadId"]] = {**reservation, "folder": folder}
            return self._reply(200, b"", "text/plain")
        if rest == ["datasets", "finishUpload"]:
            upload = self.server.uploads.pop(json.loads(body)["uploadId"])
            props_file = upload["folder"] / "datasource-properties.json"
            props = json.loads(props_file.read_text()) if props_file.exists() else {"dataLayers": []}
            dataset = ServedDataset(secrets.token_hex(12), upload["name"], {}, properties=props)
            dataset.upload_folder = upload["folder"]  # type: ignore[attr-defined]
            self.server.datasets[dataset.id] = dataset
            return self._json({"newDatasetId": dataset.id})
        if len(rest) == 5 and rest[0] == "datasets" and rest[2] == "layers" and rest[4] == "data":
            return self._raw_data(self._dataset(rest[1]), rest[3], query)
        if rest[:2] == ["triggers", "reload"]:
            return self._json(self._dataset(rest[-1]).properties())
        raise KeyError("unknown data route")

    def _zarr(self, dataset: ServedDataset, rest: list[str], head: bool) -> None:
        if rest == ["datasource-properties.json"]:
            return self._ranged(json.dumps(dataset.properties()).encode(), "application/json", head)
        if rest in (["color", ".zgroup"], [".zgroup"]) or (len(rest) == 2 and rest[1] == ".zgroup"):
            return self._ranged(b'{"zarr_format":2}', "application/json", head)
        layer = dataset.layers[rest[0]]
        if len(rest) == 3 and rest[2] == ".zarray":
            meta = {
                "dtype": np.dtype(layer.dtype).str.replace("<", "|")
                if layer.dtype.itemsize == 1
                else np.dtype(layer.dtype).str,
                "fill_value": 0,
                "zarr_format": 2,
                "order": "F",
                "chunks": [1, CHUNK, CHUNK, CHUNK],
                "compressor": None,
                "filters": None,
                "shape": [1, *layer.shape],
                "dimension_separator": ".",
            }
            return self._ranged(json.dumps(meta).encode(), "application/json", head)
        if len(rest) == 3 and rest[2] == ".zattrs":
            return self._ranged(b"{}", "application/json", head)
        if len(rest) == 3 and rest[1] == "1":
            c, x, y, z = (int(i) for i in rest[2].split("."))
            if c != 0 or min(x, y, z) < 0 or any(i * CHUNK >= s for i, s in zip((x, y, z), layer.shape)):
                return self._reply(404, b"", "text/plain", head=head)
            chunk = memoryview(dataset.chunks[rest[0]][x, y, z]).cast("B")  # served from memory, no copy
            return self._ranged(chunk, "application/octet-stream", head)
        raise KeyError("unknown zarr key")

    def _raw_data(self, dataset: ServedDataset, layer_name: str, query: dict[str, str]) -> None:
        layer = dataset.layers[layer_name]
        if query.get("mag", "1") not in ("1", "1-1-1"):
            raise ValueError("only mag 1 is served")
        x, y, z = (int(query[k]) for k in "xyz")
        w, h, d = (int(query[k]) for k in ("width", "height", "depth"))
        sx, sy, sz = layer.shape
        part = layer[max(x, 0) : min(x + w, sx), max(y, 0) : min(y + h, sy), max(z, 0) : min(z + d, sz)]
        if part.shape == (w, h, d):  # inside the layer: one copy into the reply, as the datastore assembles buckets
            out = np.array(part, order="F")
        else:
            out = np.zeros((w, h, d), dtype=layer.dtype, order="F")
            ox, oy, oz = max(0, -x), max(0, -y), max(0, -z)
            out[ox : ox + part.shape[0], oy : oy + part.shape[1], oz : oz + part.shape[2]] = part
        headers = {"MISSING-BUCKETS": "[]", "Access-Control-Expose-Headers": "MISSING-BUCKETS"}
        # a Fortran-ordered array's transpose is C-contiguous: its memory, x fastest, is sent without a copy
        self._reply(200, memoryview(out.T).cast("B"), "application/octet-stream", headers)

    def _upload_chunk(self, body: bytes) -> None:
        fields, content = _multipart(body, self.headers.get("Content-Type", ""))
        upload_id, _, relative = fields["resumableIdentifier"].partition("/")
        upload = self.server.uploads[upload_id]
        target = upload["folder"] / fields["resumableRelativePath"]
        target.parent.mkdir(parents=True, exist_ok=True)
        offset = (int(fields["resumableChunkNumber"]) - 1) * int(fields["resumableChunkSize"])
        with self.server.upload_lock:
            with open(target, "r+b" if target.exists() else "wb") as handle:
                handle.seek(offset)
                handle.write(content)
        self._reply(200, b"", "text/plain")


_LOAD_CLIENT = """
import http.client, sys, threading, time
host, port, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
clients, seconds = int(sys.argv[4]), float(sys.argv[5])
done = [0] * clients
stop = time.perf_counter() + seconds
def run(i):
    connection = http.client.HTTPConnection(host, port)
    n = i
    while time.perf_counter() < stop:
        connection.request("GET", paths[n % len(paths)], headers={"X-Auth-Token": "capacity"})
        connection.getresponse().read()
        done[i] += 1
        n += clients
threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
start = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
print(sum(done) / (time.perf_counter() - start))
"""


def measure_capacity(clients: int = 128, seconds: float = 3.0, latency_s: float = 0.02) -> tuple[float, float]:
    """Chunk GETs per second this server answers to ``clients`` concurrent keep-alive clients (a separate process
    of plain http.client threads) for a 256³ uint8 layer, over ``seconds``; and the server's CPU seconds per
    request (less sensitive to other load on the machine than the rate)."""
    import subprocess
    import sys

    server = WkServer(latency_s=latency_s).start()
    try:
        dataset = server.add_dataset("capacity", {"color": np.ones((256, 256, 256), dtype=np.uint8)})
        paths = [
            f"/data/{API}/zarr/{dataset.id}/color/1/0.{x}.{y}.{z}" for x in range(8) for y in range(8) for z in range(8)
        ]
        host, port = server.server_address[:2]
        args = [str(host), str(port), ",".join(paths), str(clients), str(seconds)]
        cpu = time.process_time()
        before = server.stats.snapshot()["requests"]
        out = subprocess.run([sys.executable, "-c", _LOAD_CLIENT, *args], capture_output=True, text=True, check=True)
        cpu_per_request = (time.process_time() - cpu) / max(1, server.stats.snapshot()["requests"] - before)
        return float(out.stdout.strip()), cpu_per_request
    finally:
        server.stop()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Measure this server's capacity: zarr chunk GETs per second.")
    parser.add_argument("--clients", type=int, default=128, help="concurrent keep-alive clients")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to load the server")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every request")
    options = parser.parse_args()
    rate, cpu = measure_capacity(options.clients, options.seconds, options.latency)
    print(
        f"{rate:.0f} chunk GETs/s with {options.clients} clients, {options.latency * 1000:.0f} ms latency; "
        f"server CPU {cpu * 1e6:.0f} µs per request"
    )
