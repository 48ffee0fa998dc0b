"""Benchmark Dataset.copy_dataset of a 512×512×256 uint8 layer: daedalus vs. webknossos 4.3.3 (same run).

Cases: zarr3 → wkw, wkw → zarr3, zarr3 → zarr (v2) conversions, and a same-format zarr3 copy (which daedalus
must do as a file copy). Both implementations copy the same source datasets (written once by daedalus) in
fresh processes; the reference runs in its own venv (contract_tests/reference_env.py).

    python benchmarks/bench_copy.py [--repeat 2] [--skip-reference] [--markdown]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

SHAPE = (512, 512, 256)
CHUNK = 32
SHARD = 1024
VOLUME_MB = float(np.prod(SHAPE)) / 1e6
# (label, source format, target data_format argument, extra copy_dataset arguments)
CASES = (
    ("zarr3 → wkw", "zarr3", "wkw", {}),
    ("wkw → zarr3", "wkw", "zarr3", {}),
    ("zarr3 → zarr", "zarr3", "zarr", {"shard_shape": CHUNK}),  # zarr v2 has no shards
    ("zarr3 → zarr3 (same layout)", "zarr3", None, {}),
)

# Runs in a fresh process of either implementation: argv = module, source, target, data_format or "", kwargs.
# The __main__ guard matters: the reference's default executor starts worker processes.
COPY_SCRIPT = """
import importlib, json, sys, time


def main():
    wk = importlib.import_module(sys.argv[1])
    source, target, data_format = sys.argv[2], sys.argv[3], sys.argv[4] or None
    ds = wk.Dataset.open(source)
    start = time.perf_counter()
    copy = ds.copy_dataset(target, data_format=data_format, **json.loads(sys.argv[5]))
    seconds = time.perf_counter() - start
    mag = copy.get_layer("color").get_mag(1)
    info = {"seconds": seconds, "format": str(mag.info.data_format), "checksum": int(mag.read().sum())}
    print(json.dumps(info))


if __name__ == "__main__":
    main()
"""


def make_volume() -> np.ndarray:
    """A smooth, compressible uint8 volume (blurred noise) of SHAPE."""
    rng = np.random.default_rng(20240611)
    coarse = rng.integers(0, 255, (SHAPE[0] // 16, SHAPE[1] // 16, SHAPE[2] // 16)).astype(np.float32)
    volume = np.kron(coarse, np.ones((16, 16, 16), np.float32))
    volume += rng.normal(0, 6, SHAPE).astype(np.float32)
    return np.clip(volume, 0, 255).astype(np.uint8)


def make_sources(work: Path, formats: set[str]) -> dict[str, Path]:
    """Source datasets with one color layer (chunk 32³, shard 1024³, compressed), one per format."""
    import daedalus as wk

    data = make_volume()
    sources = {}
    for fmt in sorted(formats):
        path = work / f"source_{fmt}"
        ds = wk.Dataset(path, voxel_size=(1.0, 1.0, 1.0))
        layer = ds.add_layer(
            "color", "color", dtype="uint8", data_format=fmt, bounding_box=wk.BoundingBox((0, 0, 0), SHAPE)
        )
        layer.add_mag(1, chunk_shape=CHUNK, shard_shape=SHARD, compress=True).write(data, absolute_offset=(0, 0, 0))
        sources[fmt] = path
    return sources


def _load_reference_env() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "contract_tests" / "reference_env.py"
    spec = importlib.util.spec_from_file_location("daedalus_contract_tests_reference_env", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_copy(impl: str, source: Path, target: Path, data_format: str | None, extra: dict) -> dict[str, Any]:
    """Time one copy_dataset in a fresh process of ``impl`` ("daedalus" or "reference")."""
    shutil.rmtree(target, ignore_errors=True)
    args = [source, target, data_format or "", json.dumps(extra)]
    if impl == "reference":
        return _load_reference_env().run_reference_json(COPY_SCRIPT, "webknossos", *args, timeout=3600)
    proc = subprocess.run(
        [sys.executable, "-c", COPY_SCRIPT, "daedalus", *map(str, args)], capture_output=True, text=True, check=True
    )
    return json.loads([line for line in proc.stdout.splitlines() if line.strip()][-1])


def is_file_copy(source: Path, target: Path) -> bool:
    """Whether every data file of the target's color layer is byte-identical to the source's."""
    files = [p for p in (source / "color" / "1").rglob("*") if p.is_file() and p.name != "zarr.json"]
    return bool(files) and all((target / p.relative_to(source)).read_bytes() == p.read_bytes() for p in files)


def main(argv: list[str] | None = None) -> int:
    """Run every case for daedalus and the reference; print a table of seconds, MB/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per case and implementation (best is kept)")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    import daedalus as wk

    have_wkw = "wkw" in wk.get_plugin_manager().data_formats()
    cases = [c for c in CASES if have_wkw or "wkw" not in (c[1], c[2])]
    notes = [] if have_wkw else ["wkw is not registered: the wkw cases were not run."]
    impls = ["daedalus"] + ([] if args.skip_reference else ["reference"])
    rows = [["case"] + [f"{i} s" for i in impls] + [f"{i} MB/s" for i in impls] + ["daedalus/reference", "file copy"]]
    with tempfile.TemporaryDirectory(prefix="bench-copy-") as tmp:
        work = Path(tmp)
        sources = make_sources(work, {c[1] for c in cases})
        for label, source_format, target_format, extra in cases:
            seconds: dict[str, float | None] = {}
            file_copy = ""
            for impl in impls:
                target = work / f"target_{impl}"
                try:
                    runs = [
                        run_copy(impl, sources[source_format], target, target_format, extra) for _ in range(args.repeat)
                    ]
                except Exception as error:  # noqa: BLE001 - a failing implementation is reported, not fatal
                    notes.append(f"{label}: {impl} failed: {str(error).splitlines()[0][:200]}")
                    seconds[impl] = None
                    continue
                seconds[impl] = min(r["seconds"] for r in runs)
                if impl == "daedalus" and target_format is None:
                    file_copy = "yes" if is_file_copy(sources[source_format], target) else "NO"
                shutil.rmtree(target, ignore_errors=True)
            row = [label] + [_fmt(seconds[i], ".3f") for i in impls]
            row += [_fmt(None if seconds[i] is None else VOLUME_MB / seconds[i], ".1f") for i in impls]
            ref = seconds.get("reference")
            row += [_fmt(None if ref is None or seconds["daedalus"] is None else seconds["daedalus"] / ref, ".2f")]
            rows.append(row + [file_copy])
    print(_table(rows, args.markdown))
    for note in notes:
        print(f"note: {note}")
    return 0


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _table(rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
        return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows[1:]])
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = [
        "  ".join(cell.rjust(w) if c else cell.ljust(w) for c, (cell, w) in enumerate(zip(r, widths))) for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
