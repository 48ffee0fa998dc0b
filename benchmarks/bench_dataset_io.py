"""Benchmark MagView write/read of a sharded zarr3 volume: daedalus vs. webknossos 4.3.3 vs. raw tensorstore."""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from synthetic_volumes import em_volume, random_offsets

SHAPE = (512, 512, 256)
CHUNK = 32
SHARD = 1024
RANDOM_READ_EDGE = 64
DEFAULT_RANDOM_READS = 100
PHASES = ("write", "read", "random")  # each runs in a fresh process: no in-process cache is warm
VOLUME_MB = float(np.prod(SHAPE)) / 1e6


# --- shared verbatim by daedalus and the reference process (see `_reference_script`) -------------


def bench_api_write(wk, path, data):
    """Time `MagView.write` of `data` through the API of `wk` (daedalus or webknossos)."""
    import time

    ds = wk.Dataset(path, voxel_size=(1.0, 1.0, 1.0))
    layer = ds.add_layer(
        "color",
        wk.COLOR_CATEGORY,
        dtype="uint8",
        data_format="zarr3",
        bounding_box=wk.BoundingBox((0, 0, 0), data.shape),
    )
    mag = layer.add_mag(1, chunk_shape=CHUNK, shard_shape=SHARD, compress=True)
    start = time.perf_counter()
    mag.write(data, absolute_offset=(0, 0, 0))
    return {"write_s": time.perf_counter() - start}


def bench_api_read(wk, path, data, offsets, phase):
    """Time a full `MagView.read` (phase "read") or random 64³ reads (phase "random") through `wk`."""
    import time

    import numpy as np

    mag = wk.Dataset.open(path).get_layer("color").get_mag(1)
    if phase == "read":
        start = time.perf_counter()
        full = mag.read()
        read_s = time.perf_counter() - start
        if not np.array_equal(full[0], data):
            raise AssertionError("full read differs from the written data")
        return {"read_s": read_s}
    size = (RANDOM_READ_EDGE,) * 3
    start = time.perf_counter()
    blocks = [mag.read(absolute_offset=tuple(off), size=size) for off in offsets]
    random_s = time.perf_counter() - start
    return {"random_read_s": random_s, "random_checksum": sum(int(b.sum(dtype=np.uint64)) for b in blocks)}


# --- raw tensorstore -----------------------------------------------------------------------------


def zarr3_metadata(shape: tuple[int, ...]) -> dict[str, Any]:
    """Zarr v3 metadata with the codecs of webknossos' compressed zarr3 default (c, x, y, z axes)."""
    rounded = [1, *(-(-s // SHARD) * SHARD for s in shape)]
    return {
        "shape": rounded,
        "data_type": "uint8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, SHARD, SHARD, SHARD]}},
        "chunk_key_encoding": {"name": "default"},
        "fill_value": 0,
        "codecs": [
            {
                "name": "sharding_indexed",
                "configuration": {
                    "chunk_shape": [1, CHUNK, CHUNK, CHUNK],
                    "codecs": [
                        {"name": "transpose", "configuration": {"order": [3, 2, 1, 0]}},
                        {"name": "bytes", "configuration": {"endian": "little"}},
                        {"name": "zstd", "configuration": {"level": 5, "checksum": True}},
                    ],
                    "index_codecs": [
                        {"name": "bytes", "configuration": {"endian": "little"}},
                        {"name": "crc32c"},
                    ],
                },
            }
        ],
        "dimension_names": ["c", "x", "y", "z"],
    }


def _ts_kvstore(path: Path) -> dict[str, Any]:
    return {"driver": "file", "path": str(path)}


def bench_tensorstore_write(path: Path, data: np.ndarray) -> dict[str, Any]:
    """Time the same write with raw tensorstore (default context) and the same codecs."""
    import tensorstore as ts

    spec = {"driver": "zarr3", "kvstore": _ts_kvstore(path), "metadata": zarr3_metadata(data.shape)}
    arr = ts.open(spec, create=True, delete_existing=True).result()
    x, y, z = data.shape
    start = time.perf_counter()
    arr[0:1, 0:x, 0:y, 0:z].write(data[None]).result()
    return {"write_s": time.perf_counter() - start}


def bench_tensorstore_read(path: Path, data: np.ndarray, offsets: list[list[int]], phase: str) -> dict[str, Any]:
    """Time the same full read or random reads with raw tensorstore (default context)."""
    import tensorstore as ts

    arr = ts.open({"driver": "zarr3", "kvstore": _ts_kvstore(path)}, open=True).result()
    x, y, z = data.shape
    if phase == "read":
        start = time.perf_counter()
        full = arr[0:1, 0:x, 0:y, 0:z].read().result()
        read_s = time.perf_counter() - start
        if not np.array_equal(full[0], data):
            raise AssertionError("tensorstore full read differs from the written data")
        return {"read_s": read_s}
    e = RANDOM_READ_EDGE
    start = time.perf_counter()
    blocks = [arr[0:1, a : a + e, b : b + e, c : c + e].read().result() for a, b, c in offsets]
    random_s = time.perf_counter() - start
    return {"random_read_s": random_s, "random_checksum": sum(int(b.sum(dtype=np.uint64)) for b in blocks)}


# --- reference process ---------------------------------------------------------------------------

_REFERENCE_MAIN = """
def main():
    import json
    import sys
    from importlib import metadata

    import numpy as np
    import webknossos as wk

    phase, data, path = sys.argv[1], np.load(sys.argv[2]), sys.argv[4]
    if phase == "write":
        result = bench_api_write(wk, path, data)
    else:
        result = bench_api_read(wk, path, data, json.loads(open(sys.argv[3]).read()), phase)
    result["versions"] = {p: metadata.version(p) for p in ("webknossos", "tensorstore", "numpy")}
    print(json.dumps(result))


main()
"""


def _reference_script() -> str:
    constants = "\n".join(f"{n} = {globals()[n]!r}" for n in ("CHUNK", "SHARD", "RANDOM_READ_EDGE"))
    shared = "\n\n".join(inspect.getsource(f) for f in (bench_api_write, bench_api_read))
    return f"{constants}\n\n{shared}\n{_REFERENCE_MAIN}"


def _load_reference_env() -> ModuleType:
    name = "daedalus_contract_tests_reference_env"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parents[1] / "contract_tests" / "reference_env.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- runners: every phase runs in a fresh process, so no in-process cache is warm ----------------


def worker(impl: str, phase: str, data_file: Path, offsets_file: Path, path: Path) -> dict[str, Any]:
    """One phase of daedalus or raw tensorstore, run in this (fresh) process."""
    data = np.load(data_file)
    offsets = json.loads(offsets_file.read_text())
    if impl == "daedalus":
        import daedalus

        if not hasattr(daedalus, "Dataset"):
            raise RuntimeError("daedalus.Dataset is not available yet")
        if phase == "write":
            result = bench_api_write(daedalus, path, data)
        else:
            result = bench_api_read(daedalus, path, data, offsets, phase)
        result["versions"] = {"daedalus": getattr(daedalus, "__version__", "?")}
    else:
        if phase == "write":
            result = bench_tensorstore_write(path, data)
        else:
            result = bench_tensorstore_read(path, data, offsets, phase)
        result["versions"] = {"tensorstore": metadata.version("tensorstore")}
    return result


def _run_worker(impl: str, phase: str, data_file: Path, offsets_file: Path, path: Path) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", impl, "--phase", phase]
    cmd += ["--data", str(data_file), "--offsets", str(offsets_file), "--path", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{impl} {phase} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_one(impl: str, work: Path, data_file: Path, offsets_file: Path) -> dict[str, Any]:
    """Write then read with one implementation, each phase in its own fresh process."""
    path = work / f"{impl}.data"
    result: dict[str, Any] = {}
    for phase in PHASES:
        if impl == "reference":  # webknossos 4.3.3 in its own venv; times measured inside that process
            env = _load_reference_env()
            result.update(
                env.run_reference_json(_reference_script(), phase, data_file, offsets_file, path, timeout=3600)
            )
        else:
            result.update(_run_worker(impl, phase, data_file, offsets_file, path))
    result["disk_bytes"] = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return result


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = dict(runs[0])
    for key in ("write_s", "read_s", "random_read_s"):
        best[key] = min(r[key] for r in runs)
    return best


# --- report --------------------------------------------------------------------------------------

IMPLEMENTATIONS = ("daedalus", "reference", "tensorstore")
OPERATIONS = (
    ("write_s", "write 512×512×256"),
    ("read_s", "read 512×512×256"),
    ("random_read_s", "random 64³ reads"),
)


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def build_table(results: dict[str, dict[str, Any] | None], n_random: int) -> list[list[str]]:
    """Rows of (operation, seconds and MB/s per implementation, ratios)."""
    random_mb = n_random * RANDOM_READ_EDGE**3 / 1e6
    header = ["operation"]
    header += [f"{impl} s" for impl in IMPLEMENTATIONS]
    header += [f"{impl} MB/s" for impl in IMPLEMENTATIONS]
    header += ["daedalus/reference", "daedalus/tensorstore", "reference/tensorstore"]
    rows = [header]
    for key, label in OPERATIONS:
        mb = random_mb if key == "random_read_s" else VOLUME_MB
        if key == "random_read_s":
            label = f"{n_random} random 64³ reads"
        secs = {i: (results[i] or {}).get(key) for i in IMPLEMENTATIONS}
        row = [label]
        row += [_fmt(secs[i], ".3f") for i in IMPLEMENTATIONS]
        row += [_fmt(None if secs[i] is None else mb / secs[i], ".1f") for i in IMPLEMENTATIONS]
        for a, b in (("daedalus", "reference"), ("daedalus", "tensorstore"), ("reference", "tensorstore")):
            ratio = None if secs[a] is None or secs[b] is None else secs[a] / secs[b]
            row.append(_fmt(ratio, ".2f"))
        rows.append(row)
    disk = ["on-disk MB"]
    disk += [_fmt(None if results[i] is None else results[i]["disk_bytes"] / 1e6, ".2f") for i in IMPLEMENTATIONS]
    disk += [""] * (len(header) - len(disk))
    rows.append(disk)
    return rows


def format_text(rows: list[list[str]]) -> str:
    """Aligned plain-text table."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = [
        "  ".join(cell.rjust(w) if c else cell.ljust(w) for c, (cell, w) in enumerate(zip(r, widths))) for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(rows: list[list[str]], notes: list[str]) -> str:
    """Markdown table plus notes."""
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally write) the result table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown to this file")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON to this file")
    parser.add_argument("--workdir", type=Path, help="where to write the datasets (default: a temp dir)")
    parser.add_argument("--random-reads", type=int, default=DEFAULT_RANDOM_READS)
    parser.add_argument("--repeats", type=int, default=1, help="runs per implementation; best time is kept")
    parser.add_argument(
        "--only", choices=IMPLEMENTATIONS, action="append", help="run only these implementations (repeatable)"
    )
    parser.add_argument("--worker", choices=("daedalus", "tensorstore"), help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--offsets", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # internal: one phase in a fresh process, result as JSON on the last stdout line
        print(json.dumps(worker(args.worker, args.phase, args.data, args.offsets, args.path)))
        return 0
    selected = args.only or list(IMPLEMENTATIONS)

    base = args.workdir or Path(tempfile.mkdtemp(prefix="daedalus-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    data = em_volume(SHAPE)
    offsets = random_offsets(SHAPE, args.random_reads, RANDOM_READ_EDGE)
    data_file, offsets_file = base / "volume.npy", base / "offsets.json"
    np.save(data_file, data)
    offsets_file.write_text(json.dumps(offsets))

    results: dict[str, dict[str, Any] | None] = dict.fromkeys(IMPLEMENTATIONS)
    notes: list[str] = [
        f"volume {SHAPE[0]}×{SHAPE[1]}×{SHAPE[2]} uint8 ({VOLUME_MB:.1f} MB), zarr3 sharded, chunk {CHUNK}³, "
        f"shard {SHARD}³, zstd level 5; best of {args.repeats} run(s); {args.random_reads} random 64³ reads",
        "write, full read and random reads each run in a fresh process (times measured inside it; OS page "
        "cache warm for all); raw tensorstore uses its default context",
    ]
    for impl in IMPLEMENTATIONS:
        if impl not in selected:
            notes.append(f"{impl}: not run (--only)")
            continue
        runs = []
        try:
            for i in range(args.repeats):
                work = base / f"{impl}-{i}"
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir()
                print(f"[bench] {impl} run {i + 1}/{args.repeats} ...", file=sys.stderr, flush=True)
                runs.append(run_one(impl, work, data_file, offsets_file))
                shutil.rmtree(work, ignore_errors=True)
        except Exception as exc:  # report and go on with the other implementations
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            notes.append(f"{impl}: not measured ({type(exc).__name__}: {reason})")
            print(f"[bench] {impl} failed: {exc}", file=sys.stderr)
            continue
        results[impl] = _best(runs)
        notes.append(f"{impl}: versions {results[impl].get('versions')}")

    checksums = {i: r["random_checksum"] for i, r in results.items() if r is not None}
    if len(set(checksums.values())) > 1:
        notes.append(f"WARNING: random-read checksums differ: {checksums}")

    rows = build_table(results, args.random_reads)
    print(format_text(rows))
    print("\n".join(f"  * {n}" for n in notes))
    if args.markdown:
        args.markdown.write_text(format_markdown(rows, notes))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "notes": notes}, indent=2))
    if args.workdir is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
