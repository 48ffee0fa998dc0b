"""Benchmark reads of a sharded zarr3 dataset over HTTP (127.0.0.1): daedalus vs. its fsspec bridge vs. webknossos."""

from __future__ import annotations

import argparse
import functools
import http.server
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from synthetic_volumes import em_volume, random_offsets

SHAPE = (512, 512, 256)
CHUNK = 32
SHARD = 1024
RANDOM_READ_EDGE = 64
DEFAULT_RANDOM_READS = 20
PHASES = ("random", "full")  # each runs in a fresh process: Dataset.open(url), then the reads
IMPLEMENTATIONS = ("daedalus", "bridge", "reference")
VOLUME_MB = float(np.prod(SHAPE)) / 1e6
_HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> ModuleType:
    """Import the file `path` as module `name` (benchmarks/ and contract_tests/ are not packages)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# served_bytes and bench_remote_read run verbatim in the reference process too (see _reference_script)
def served_bytes(counter_url):
    """Body bytes the benchmark's HTTP server has sent so far (asking it is not counted)."""
    import urllib.request

    with urllib.request.urlopen(counter_url) as response:
        return int(response.read())


def bench_remote_read(wk, url, counter_url, data, offsets, phase):
    """Time `Dataset.open(url)`, then random 64³ reads (phase "random") or one full read (phase "full")."""
    import hashlib
    import time

    import numpy as np

    sent0 = served_bytes(counter_url)
    start = time.perf_counter()
    mag = wk.Dataset.open(url).get_layer("color").get_mag(1)
    open_s = time.perf_counter() - start
    sent1 = served_bytes(counter_url)
    if phase == "full":
        start = time.perf_counter()
        blocks = [mag.read()[0]]
        read_s = time.perf_counter() - start
        expected = [data]
    else:
        size = (RANDOM_READ_EDGE,) * 3
        start = time.perf_counter()
        blocks = [mag.read(absolute_offset=tuple(off), size=size)[0] for off in offsets]
        read_s = time.perf_counter() - start
        e = RANDOM_READ_EDGE
        expected = [data[a : a + e, b : b + e, c : c + e] for a, b, c in offsets]
    digest = hashlib.sha256()
    for block in blocks:
        digest.update(np.ascontiguousarray(block).tobytes())
    matches = all(np.array_equal(b, x) for b, x in zip(blocks, expected))
    result = {"open_s": open_s, "read_s": read_s, "open_bytes": sent1 - sent0, "sha256": digest.hexdigest()}
    return {**result, "read_bytes": served_bytes(counter_url) - sent1, "matches_data": matches}


_REFERENCE_MAIN = """
def main():
    import json
    import sys
    from importlib import metadata

    import numpy as np
    import webknossos as wk

    data, offsets = np.load(sys.argv[2]), json.loads(open(sys.argv[3]).read())
    result = bench_remote_read(wk, sys.argv[4], sys.argv[5], data, offsets, sys.argv[1])
    result["versions"] = {p: metadata.version(p) for p in ("webknossos", "tensorstore", "fsspec")}
    print(json.dumps(result))


main()
"""


def _reference_script() -> str:
    """The snippet run by webknossos' interpreter: constants, the shared functions and `_REFERENCE_MAIN`."""
    shared = "\n\n".join(inspect.getsource(f) for f in (served_bytes, bench_remote_read))
    return f"RANDOM_READ_EDGE = {RANDOM_READ_EDGE!r}\n\n{shared}\n{_REFERENCE_MAIN}"


_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
COUNTER_PATH = "/__served_bytes__"


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with `Range: bytes=a-b`, `bytes=-n`, `bytes=a-` (206); counts the body bytes it sends.

    Like common servers (nginx, S3) it sends an ETag and answers a matching `If-None-Match` with 304, unless
    `etags` is off: then clients that revalidate cached data must fetch it again.
    """

    sent = [0]
    lock = threading.Lock()
    etags = True
    _etag: str | None = None

    def end_headers(self) -> None:
        """Add the ETag of the file being answered, if any."""
        if self._etag:
            self.send_header("ETag", self._etag)
        super().end_headers()

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""

    def _count(self, n: int) -> None:
        with self.lock:
            self.sent[0] += n

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Answer the byte counter, a range request, or (via the base class) a whole file."""
        if self.path == COUNTER_PATH:
            body = str(self.sent[0]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        match = _RANGE.match(self.headers.get("Range", "").strip())
        path = self.translate_path(self.path)
        if self.etags and os.path.isfile(path):
            stat = os.stat(path)
            self._etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
            if self.headers.get("If-None-Match") == self._etag:
                self.send_response(304)
                self.end_headers()
                return None
        if not match or match.groups() == ("", "") or not os.path.isfile(path):
            return super().do_GET()
        size = os.path.getsize(path)
        first, last = match.groups()
        if first == "":
            start, stop = max(0, size - int(last)), size
        else:
            start, stop = int(first), min(size, int(last) + 1 if last else size)
        with open(path, "rb") as handle:
            handle.seek(start)
            body = handle.read(stop - start)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)
        self._count(len(body))

    def copyfile(self, source: Any, outputfile: Any) -> None:
        """Send a whole file (no Range header) and count it."""
        data = source.read()
        outputfile.write(data)
        self._count(len(data))


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True


def force_fsspec_bridge() -> None:
    """Make daedalus read http(s) arrays through the old fsspec bridge (whole shard files), without editing it."""
    import daedalus.adapters.tensorstore_zarr as tz
    from daedalus.adapters.tensorstore_zarr import storage

    original = storage._location  # where the storages look locations up

    def bridged(path: Any) -> Any:
        location = original(path)
        return location.bridged_location() if isinstance(location, tz._HttpLocation) else location

    storage._location = bridged


def worker(impl: str, phase: str, data_file: Path, offsets_file: Path, url: str, counter_url: str) -> dict[str, Any]:
    """One phase of daedalus (`impl` "daedalus" or "bridge"), run in this fresh process."""
    import daedalus

    if impl == "bridge":
        force_fsspec_bridge()
    data, offsets = np.load(data_file), json.loads(offsets_file.read_text())
    result = bench_remote_read(daedalus, url, counter_url, data, offsets, phase)
    result["versions"] = {"daedalus": getattr(daedalus, "__version__", "?")}
    return result


def run_phase(impl: str, phase: str, files: tuple[Path, Path], url: str, counter_url: str) -> dict[str, Any]:
    """Run one phase of `impl` in a fresh process (the reference in its own venv); return its JSON result."""
    if impl == "reference":
        env = _load("daedalus_contract_tests_reference_env", _HERE.parent / "contract_tests" / "reference_env.py")
        return env.run_reference_json(_reference_script(), phase, *files, url, counter_url, timeout=1800)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", impl, "--phase", phase]
    cmd += ["--data", str(files[0]), "--offsets", str(files[1]), "--url", url, "--counter-url", counter_url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{impl} {phase} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _reason(exc: Exception) -> str:
    """A one-line reason for a failed implementation: the last line of its stderr, else its message."""
    lines = [line for line in (getattr(exc, "stderr", "") or str(exc)).splitlines() if line.strip()]
    text = lines[-1] if lines else type(exc).__name__
    return text.strip()[:300]


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def build_table(results: dict[str, dict[str, dict[str, Any]] | None], n_random: int) -> list[list[str]]:
    """Rows of (operation, seconds, MB/s, MB served per implementation, ratios of seconds)."""
    header = ["operation", *(f"{i} s" for i in IMPLEMENTATIONS), *(f"{i} MB/s" for i in IMPLEMENTATIONS)]
    header += [f"{i} MB served" for i in IMPLEMENTATIONS] + ["daedalus/reference", "daedalus/bridge"]
    rows = [header]
    operations = (
        ("Dataset.open", "open", None),
        (f"{n_random} random 64³ reads", "random", n_random * RANDOM_READ_EDGE**3 / 1e6),
        (f"full read {SHAPE[0]}×{SHAPE[1]}×{SHAPE[2]}", "full", VOLUME_MB),
    )
    for label, phase, mb in operations:
        secs: dict[str, float | None] = {}
        served: dict[str, float | None] = {}
        for impl in IMPLEMENTATIONS:
            res = results[impl]
            if res is None:
                secs[impl] = served[impl] = None
            elif phase == "open":
                secs[impl], served[impl] = res["open"]["open_s"], res["open"]["open_bytes"] / 1e6
            else:
                secs[impl], served[impl] = res[phase]["read_s"], res[phase]["read_bytes"] / 1e6
        row = [label, *(_fmt(secs[i], ".3f") for i in IMPLEMENTATIONS)]
        row += [_fmt(None if mb is None or secs[i] is None else mb / secs[i], ".1f") for i in IMPLEMENTATIONS]
        row += [_fmt(served[i], ".3f") for i in IMPLEMENTATIONS]
        for other in ("reference", "bridge"):
            a, b = secs["daedalus"], secs[other]
            row.append(_fmt(None if a is None or b is None else a / b, ".2f"))
        rows.append(row)
    return rows


def write_dataset(root: Path, data: np.ndarray) -> Path:
    """Write `data` once with daedalus, locally: layer "color", zarr3, chunk 32³, shard 1024³, zstd."""
    import daedalus as wk

    ds = wk.Dataset(root / "ds", voxel_size=(1.0, 1.0, 1.0))
    layer = ds.add_layer(
        "color", wk.COLOR_CATEGORY, dtype="uint8", data_format="zarr3", bounding_box=wk.BoundingBox((0, 0, 0), SHAPE)
    )
    layer.add_mag(1, chunk_shape=CHUNK, shard_shape=SHARD, compress=True).write(data, absolute_offset=(0, 0, 0))
    return root / "ds"


def main(argv: list[str] | None = None) -> int:
    """Serve the dataset, run every implementation's phases in fresh processes, print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown to this file")
    parser.add_argument("--random-reads", type=int, default=DEFAULT_RANDOM_READS)
    parser.add_argument("--repeats", type=int, default=1, help="runs per implementation; best time is kept")
    parser.add_argument("--only", choices=IMPLEMENTATIONS, action="append", help="run only these (repeatable)")
    parser.add_argument("--no-etag", action="store_true", help="the server sends no ETag (no 304 revalidation)")
    for hidden in ("--worker", "--phase", "--data", "--offsets", "--url", "--counter-url"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # internal: one phase in a fresh process, result as JSON on the last stdout line
        result = worker(args.worker, args.phase, Path(args.data), Path(args.offsets), args.url, args.counter_url)
        print(json.dumps(result))
        return 0
    selected = args.only or list(IMPLEMENTATIONS)
    io = _load("daedalus_bench_dataset_io", _HERE / "bench_dataset_io.py")

    base = Path(tempfile.mkdtemp(prefix="daedalus-bench-remote-"))
    data = em_volume(SHAPE)
    offsets = random_offsets(SHAPE, args.random_reads, RANDOM_READ_EDGE)  # seeded 64³ boxes inside SHAPE
    files = (base / "volume.npy", base / "offsets.json")
    np.save(files[0], data)
    files[1].write_text(json.dumps(offsets))
    served_dir = write_dataset(base, data)
    on_disk = sum(p.stat().st_size for p in served_dir.rglob("*") if p.is_file())

    RangeHandler.etags = not args.no_etag
    server = _Server(("127.0.0.1", 0), functools.partial(RangeHandler, directory=str(base)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root_url = f"http://127.0.0.1:{server.server_address[1]}"
    url, counter_url = f"{root_url}/ds", root_url + COUNTER_PATH

    results: dict[str, dict[str, dict[str, Any]] | None] = dict.fromkeys(IMPLEMENTATIONS)
    notes = [
        f"volume {SHAPE[0]}×{SHAPE[1]}×{SHAPE[2]} uint8 ({VOLUME_MB:.1f} MB, {on_disk / 1e6:.1f} MB on disk), zarr3, "
        f"chunk {CHUNK}³, shard {SHARD}³, zstd; served from 127.0.0.1 by a threaded Python server with byte ranges "
        f"and {'no ETags' if args.no_etag else 'ETags (If-None-Match → 304)'}",
        f"each phase (open + {args.random_reads} seeded random 64³ reads; open + one full read) in a fresh process, "
        f"timed inside it; best of {args.repeats} run(s) (open: of all opens); MB served = response bodies the "
        "server sent during the reads (for Dataset.open: during the open)",
        "bridge = daedalus with `_location` patched to return the fsspec bridge (copies whole shard files)",
    ]
    try:
        for impl in IMPLEMENTATIONS:
            if impl not in selected:
                notes.append(f"{impl}: not run (--only)")
                continue
            best: dict[str, dict[str, Any]] = {"open": {"open_s": float("inf")}}
            try:
                for i in range(args.repeats):
                    for phase in PHASES:
                        print(f"[bench] {impl} {phase} run {i + 1}/{args.repeats}", file=sys.stderr, flush=True)
                        res = run_phase(impl, phase, files, url, counter_url)
                        if phase not in best or res["read_s"] < best[phase]["read_s"]:
                            best[phase] = res
                        if res["open_s"] < best["open"]["open_s"]:  # every phase opens: best of all opens
                            best["open"] = res
            except Exception as exc:  # report and go on with the other implementations
                notes.append(f"{impl}: not measured ({type(exc).__name__}: {_reason(exc)})")
                print(f"[bench] {impl} failed: {exc}", file=sys.stderr)
                continue
            results[impl] = best
            notes.append(f"{impl}: versions {best['full'].get('versions')}")
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(base, ignore_errors=True)

    for phase in PHASES:
        done = {impl: r[phase] for impl, r in results.items() if r is not None}
        wrong = [i for i, r in done.items() if not r["matches_data"]]
        digests = {i: r["sha256"][:12] for i, r in done.items()}
        if len(set(digests.values())) > 1 or wrong:
            notes.append(f"WARNING: {phase} reads differ: sha256 {digests}, differing from the written data: {wrong}")
        elif done:
            digest = next(iter(digests.values()))
            notes.append(f"{phase} reads: the written data, identical from {', '.join(done)} (sha256 {digest}…)")
    rows = build_table(results, args.random_reads)
    print(io.format_text(rows))  # the table formats of bench_dataset_io.py
    print("\n".join(f"  * {n}" for n in notes))
    if args.markdown:
        args.markdown.write_text(io.format_markdown(rows, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
