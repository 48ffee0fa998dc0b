"""Benchmark daedalus against webknossos 3.2.4 on a local WEBKNOSSOS-like server (127.0.0.1, 20 ms per request).

The server (`wk_datastore_server.py`) serves a synthetic 512³ uint8 color layer the way the datastore does (zarr v2
view, chunks 1×32³, Fortran order, no compressor; the raw data route; the resumable upload protocol) and adds a
fixed latency to every request. Three operations, each in a fresh process of its package (daedalus: this
interpreter; the reference: its own venv), against the same server in the same run, best of `--repeats`:

- read: ``RemoteDataset.open(dataset_id=..., access_mode=ZARR_STREAMING)`` and
  ``layer.get_mag(1).read(absolute_offset=READ_OFFSET, size=(256, 256, 256))``;
- download: ``Dataset.download(url, layers=["color"], mags=[Mag(1)], path=...)`` of the whole 512³ layer;
- upload: ``Dataset.open(local).upload(new_dataset_name=...)`` of a local 512³ dataset written once by daedalus
  (zarr3, chunk 32³, shard 1024³, zstd).

Bytes moved = everything the server received and sent during the operation (request and status lines, headers,
bodies). Bytes of touched chunks: read: the 32³ chunks of the zarr view the box intersects; download: every chunk of
the layer; upload: the local dataset's files. Every result is checked (the read box and the downloaded layer
against the served data, the uploaded files against the local ones).

"seconds" start after the package's import and the lookup of the classes the operation uses (the reference imports
them with ``import webknossos``, daedalus' lazy facade on first access); "import+op s" adds that import time.
``--timeline`` prints each run's requests as the server saw them: phases of one request kind (count, start and end
relative to the client's start, most in flight, server time per request, MB), and gaps with nothing in flight (the
client computing).
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

SHAPE = (512, 512, 512)
READ_OFFSET = (100, 130, 170)  # not chunk-aligned: 9 × 9 × 9 chunks of 32³
READ_SIZE = (256, 256, 256)
LATENCY_S = 0.02
TOKEN = "bench-token-not-a-secret"
OPERATIONS = ("read", "download", "upload")
IMPLEMENTATIONS = ("daedalus", "reference")
REFERENCE_VENV = Path(
    os.environ.get("DAEDALUS_REFERENCE_324_VENV", "~/.cache/daedalus/reference-venv-webknossos-3.2.4")
)
_HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> ModuleType:
    """Import the file `path` as module `name` (benchmarks/ is not a package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# run_operation runs verbatim in the reference's process too (see _reference_script)
def run_operation(wk, op, url, token, dataset_id, data_file, work_dir, tag):
    """Run one operation with package `wk` (daedalus or webknossos) against the server at `url`; time it."""
    import time

    import numpy as np

    result = {}
    # the classes the operation uses, looked up before timing: the reference imports them with its package,
    # daedalus' lazy facade on first access (that import time is reported as import_s, not in seconds)
    start = time.perf_counter()
    _ = (wk.RemoteDataset, wk.RemoteAccessMode, wk.Dataset, wk.Mag)
    result["lookup_s"] = time.perf_counter() - start
    with wk.webknossos_context(url=url, token=token):
        if op == "read":
            result["t0"] = time.time()  # wall clock, for the server's request timeline
            start = time.perf_counter()
            ds = wk.RemoteDataset.open(dataset_id=dataset_id, access_mode=wk.RemoteAccessMode.ZARR_STREAMING)
            mag = ds.get_layer("color").get_mag(1)
            opened = time.perf_counter()
            block = mag.read(absolute_offset=READ_OFFSET, size=READ_SIZE)
            result["seconds"] = time.perf_counter() - start
            result["open_s"] = opened - start
            data = np.load(data_file, mmap_mode="r")
            (x, y, z), (w, h, d) = READ_OFFSET, READ_SIZE
            result["matches_data"] = bool(np.array_equal(block[0], data[x : x + w, y : y + h, z : z + d]))
        elif op == "download":
            target = f"{work_dir}/download-{tag}"
            result["t0"] = time.time()
            start = time.perf_counter()
            ds = wk.Dataset.download(
                f"{url}/datasets/Organization_X/bench512", layers=["color"], mags=[wk.Mag(1)], path=target
            )
            result["seconds"] = time.perf_counter() - start
            back = wk.Dataset.open(target).get_layer("color").get_mag(1).read()[0]
            result["matches_data"] = bool(np.array_equal(back, np.load(data_file, mmap_mode="r")))
        else:
            local = wk.Dataset.open(f"{work_dir}/upload-source")
            result["t0"] = time.time()
            start = time.perf_counter()
            remote = local.upload(new_dataset_name=f"bench_upload_{tag}")
            result["seconds"] = time.perf_counter() - start
            result["dataset_id"] = remote.dataset_id
    return result


_REFERENCE_MAIN = """
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import time

start = time.perf_counter()
import webknossos as wk

imported = time.perf_counter() - start
result = run_operation(wk, *sys.argv[1:])
result["import_s"] = imported + result.pop("lookup_s")
print(json.dumps(result))
"""


def _reference_script() -> str:
    """The snippet webknossos' interpreter runs: the constants, `run_operation` and `_REFERENCE_MAIN`."""
    constants = f"READ_OFFSET = {READ_OFFSET!r}\nREAD_SIZE = {READ_SIZE!r}\n\n"
    return constants + inspect.getsource(run_operation) + _REFERENCE_MAIN


def run_in_process(impl: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run one operation of `impl` in a fresh process; its JSON result (the last stdout line)."""
    if impl == "reference":
        python = REFERENCE_VENV.expanduser() / "bin" / "python"
        cmd = [str(python), "-c", _reference_script(), *args]
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
        env = dict(os.environ)
    env.pop("WK_URL", None)
    env.pop("WK_TOKEN", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{impl} {args[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def touched_chunk_bytes(op: str, upload_source: Path) -> int:
    """Bytes the chunks an operation needs hold (see the module docstring)."""
    if op == "read":
        counts = [(o + s - 1) // 32 - o // 32 + 1 for o, s in zip(READ_OFFSET, READ_SIZE)]
        return int(np.prod(counts)) * 32**3
    if op == "download":
        return int(np.prod(SHAPE))
    return sum(p.stat().st_size for p in upload_source.rglob("*") if p.is_file())


def uploaded_matches(server: Any, dataset_id: str, source: Path) -> bool:
    """Whether the server holds exactly the local dataset's files for the uploaded dataset."""
    folder = getattr(server.datasets.get(dataset_id), "upload_folder", None)
    if folder is None:
        return False
    mine = sorted(str(p.relative_to(source)) for p in source.rglob("*") if p.is_file())
    theirs = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return mine == theirs and all(filecmp.cmp(source / f, folder / f, shallow=False) for f in mine)


def _mb(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 1e6:.2f}"


def build_rows(best: dict[str, dict[str, dict[str, Any]]], touched: dict[str, int]) -> list[list[str]]:
    """The table: seconds, speed-up, bytes moved and requests of each implementation, touched-chunk bytes, and
    the seconds with the package's import (``import`` and the classes' lookup, untimed in ``seconds``)."""
    rows = [
        [
            "operation",
            "daedalus s",
            "reference s",
            "daedalus/reference",
            "speed-up",
            "daedalus MB moved",
            "reference MB moved",
            "touched chunks MB",
            "daedalus moved/touched",
            "reference moved/touched",
            "daedalus requests",
            "reference requests",
            "daedalus import+op s",
            "reference import+op s",
        ]
    ]
    labels = {
        "read": f"read {READ_SIZE[0]}³ at {READ_OFFSET} (open + read)",
        "download": f"Dataset.download {SHAPE[0]}³ mag 1",
        "upload": f"Dataset.upload {SHAPE[0]}³",
    }
    for op in OPERATIONS:
        d, r = best["daedalus"].get(op), best["reference"].get(op)
        ds, rs = (x["seconds"] if x else None for x in (d, r))
        dm, rm = (x["received"] + x["sent"] if x else None for x in (d, r))
        rows.append(
            [
                labels[op],
                "n/a" if ds is None else f"{ds:.3f}",
                "n/a" if rs is None else f"{rs:.3f}",
                "n/a" if ds is None or rs is None else f"{ds / rs:.2f}",
                "n/a" if ds is None or rs is None else f"{rs / ds:.1f}×",
                _mb(dm),
                _mb(rm),
                _mb(touched[op]),
                "n/a" if dm is None else f"{dm / touched[op]:.2f}",
                "n/a" if rm is None else f"{rm / touched[op]:.2f}",
                "n/a" if d is None else str(d["requests"]),
                "n/a" if r is None else str(r["requests"]),
                "n/a" if d is None else f"{d['seconds'] + d.get('import_s', 0):.3f}",
                "n/a" if r is None else f"{r['seconds'] + r.get('import_s', 0):.3f}",
            ]
        )
    return rows


def write_upload_source(path: Path, data: np.ndarray) -> None:
    """The local dataset to upload: layer "color", zarr3, chunk 32³, shard 1024³, zstd (daedalus' defaults)."""
    import daedalus as wk

    ds = wk.Dataset(path, voxel_size=(11.24, 11.24, 28.0))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), SHAPE))
    layer.add_mag(1, compress=True).write(data, absolute_offset=(0, 0, 0))


def main(argv: list[str] | None = None) -> int:
    """Start the server, run every operation of both packages `--repeats` times, print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per operation and package; best is kept")
    parser.add_argument("--only", choices=IMPLEMENTATIONS, action="append", help="run only these (repeatable)")
    parser.add_argument("--ops", choices=OPERATIONS, action="append", help="run only these operations")
    parser.add_argument("--latency", type=float, default=LATENCY_S, help="seconds added to every request")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one operation may take")
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown to this file")
    parser.add_argument(
        "--timeline", action="store_true", help="print each run's request timeline (phases, requests in flight, gaps)"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # internal: one operation of daedalus in this fresh process
        import time

        start = time.perf_counter()
        import daedalus

        imported = time.perf_counter() - start
        result = run_operation(daedalus, *args.worker)
        result["import_s"] = imported + result.pop("lookup_s")
        print(json.dumps(result))
        return 0
    server_mod = _load("daedalus_bench_wk_datastore_server", _HERE / "wk_datastore_server.py")
    io = _load("daedalus_bench_dataset_io", _HERE / "bench_dataset_io.py")  # its table formats
    volumes = _load("daedalus_bench_synthetic_volumes", _HERE / "synthetic_volumes.py")
    impls = args.only or list(IMPLEMENTATIONS)
    ops = args.ops or list(OPERATIONS)

    work = Path(tempfile.mkdtemp(prefix="daedalus-bench-wk-server-"))
    server = None
    best: dict[str, dict[str, dict[str, Any]]] = {impl: {} for impl in IMPLEMENTATIONS}
    notes: list[str] = []
    try:
        data = volumes.em_volume(SHAPE)
        data_file = work / "volume.npy"
        np.save(data_file, data)
        write_upload_source(work / "upload-source", data)
        touched = {op: touched_chunk_bytes(op, work / "upload-source") for op in OPERATIONS}
        server = server_mod.WkServer(
            latency_s=args.latency, upload_root=work / "uploaded", timeline=args.timeline
        ).start()
        dataset = server.add_dataset("bench512", {"color": data})
        for repeat in range(args.repeats):
            for op in ops:
                for impl in impls:
                    tag = f"{impl}-{op}-{repeat}"
                    print(f"[bench] {tag}", file=sys.stderr, flush=True)
                    before = server.stats.snapshot()
                    cmd_args = [op, server.url, TOKEN, dataset.id, str(data_file), str(work), tag]
                    try:
                        res = run_in_process(impl, cmd_args, args.timeout)
                    except Exception as exc:  # report and go on
                        notes.append(f"{tag}: failed ({str(exc).strip().splitlines()[-1][:300]})")
                        print(f"[bench] {tag} failed: {exc}", file=sys.stderr)
                        continue
                    res.update(server_mod.diff(server.stats.snapshot(), before))
                    if args.timeline:  # the last replies' entries may be recorded just after the client has them
                        arrived = server.stats.snapshot()["requests"] - before["requests"]
                        server.stats.wait_for_timeline(before["timeline_length"] + arrived)
                        entries = server.stats.timeline_since(before)
                        lines = server_mod.timeline_summary(entries, res.get("t0"))
                        print(f"[bench] {tag} timeline ({res['seconds']:.3f} s):", file=sys.stderr)
                        print("\n".join(lines), file=sys.stderr, flush=True)
                    if op == "upload":
                        res["matches_data"] = uploaded_matches(server, res["dataset_id"], work / "upload-source")
                    shutil.rmtree(work / f"download-{tag}", ignore_errors=True)
                    print(f"[bench] {tag}: {json.dumps(res)}", file=sys.stderr, flush=True)
                    if not res.get("matches_data"):
                        notes.append(f"WARNING: {tag} did not reproduce the data")
                    if op not in best[impl] or res["seconds"] < best[impl][op]["seconds"]:
                        best[impl][op] = res
        if server.unknown:
            notes.append(f"requests no route answered: {sorted(set(server.unknown))[:10]}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    notes.insert(
        0,
        f"server on 127.0.0.1 with {args.latency * 1000:.0f} ms per request; layer {SHAPE[0]}³ uint8 as zarr v2 "
        f"chunks 1×32³ (no compressor, as the datastore); best of {args.repeats}; each operation in a fresh process",
    )
    for impl in impls:
        for op in ops:
            if op in best[impl]:
                kinds = best[impl][op]["kinds"]
                extra = f", open {best[impl][op]['open_s']:.3f} s" if "open_s" in best[impl][op] else ""
                extra += f", import before timing {best[impl][op].get('import_s', 0):.3f} s"
                notes.append(f"{impl} {op}: requests {kinds}{extra}")
    rows = build_rows(best, touched)
    print(io.format_text(rows))
    print("\n".join(f"  * {n}" for n in notes))
    if args.markdown:
        args.markdown.write_text(io.format_markdown(rows, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
