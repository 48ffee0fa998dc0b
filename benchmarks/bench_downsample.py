"""Benchmark Layer.downsample to the coarsest anisotropic mag: daedalus vs. webknossos 4.3.3 (its own venv).

A color (uint8) and a segmentation (uint32) layer of the same synthetic, compressible volume are written once
by daedalus (zarr3, chunk 32³, shard 1024³), copied, and downsampled by each package in a fresh process with
``layer.downsample()`` and the package's default executor (daedalus: sequential; the reference: its default).
Reported: seconds, MB/s of mag-1 data, daedalus/reference ratio and peak RSS (VmHWM of the process and
ru_maxrss of its largest child: the worker processes of a multiprocessing executor).

    python benchmarks/bench_downsample.py                   # 1024×1024×512
    python benchmarks/bench_downsample.py --size 512 512 256
    python benchmarks/bench_downsample.py --daedalus-executor multiprocessing
    python benchmarks/bench_downsample.py --skip-reference --daedalus-cache-bytes 0   # peak RSS without the cache
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from synthetic_volumes import wave_labels, wave_slab

DEFAULT_SIZE = (1024, 1024, 512)
VOXEL_SIZE = (11.24, 11.24, 25.0)  # anisotropic: the first mags are 2-2-1, then 4-4-2, ...
CHUNK = 32
SHARD = 1024
SLAB_Z = 32
LAYERS = (("color", "uint8"), ("segmentation", "uint32"))


# --- run verbatim by daedalus and by the reference process (see `_reference_script`) ---------------


def bench_layer_downsample(wk, path, layer_name, executor_name):
    """Time ``layer.downsample()`` of one layer through the API of ``wk``; peak RSS in MiB afterwards."""
    import resource
    import time

    layer = wk.Dataset.open(path).get_layer(layer_name)
    start = time.perf_counter()
    if executor_name is None:
        layer.downsample()
    else:
        with wk.get_executor(executor_name) as executor:
            layer.downsample(executor=executor)
    seconds = time.perf_counter() - start
    layer = wk.Dataset.open(path).get_layer(layer_name)
    mags = sorted(layer.mags, key=lambda m: m.to_list())
    with open("/proc/self/status") as status:  # VmHWM: this process' own peak (ru_maxrss inherits the parent's)
        peak_kib = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    return {
        "seconds": seconds,
        "mags": [m.to_layer_name() for m in mags],
        "peak_rss_mib": (peak_kib or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024,
        "peak_child_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


_REFERENCE_MAIN = """
import json
import sys

import webknossos as wk

if __name__ == "__main__":  # the reference's default executor spawns processes that import this file
    print(json.dumps(bench_layer_downsample(wk, sys.argv[1], sys.argv[2], None)))
"""


def _reference_script() -> str:
    return inspect.getsource(bench_layer_downsample) + _REFERENCE_MAIN


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


# --- the synthetic dataset -----------------------------------------------------------------------


def slab(shape: tuple[int, int, int], z0: int, depth: int, dtype: str) -> np.ndarray:
    """A smooth, compressible block of blobs (color) or of labelled cells (segmentation) at ``z0``."""
    return wave_slab(shape, z0, depth) if dtype == "uint8" else wave_labels(shape, z0, depth)


def write_dataset(path: Path, shape: tuple[int, int, int]) -> None:
    """Write both layers with daedalus, one z slab at a time (shards are whole in x and y)."""
    import daedalus as wk

    ds = wk.Dataset(path, voxel_size=VOXEL_SIZE)
    for name, dtype in LAYERS:
        category = "color" if name == "color" else "segmentation"
        extra = {"largest_segment_id": 0} if category == "segmentation" else {}
        layer = ds.add_layer(
            name, category, dtype=dtype, data_format="zarr3", bounding_box=wk.BoundingBox((0, 0, 0), shape), **extra
        )
        mag = layer.add_mag(1, chunk_shape=CHUNK, shard_shape=SHARD, compress=True)
        for z0 in range(0, shape[2], SLAB_Z):
            depth = min(SLAB_Z, shape[2] - z0)
            mag.write(slab(shape, z0, depth, dtype), absolute_offset=(0, 0, z0), allow_unaligned=True)
        if category == "segmentation":
            layer.largest_segment_id = int(slab(shape, shape[2] - 1, 1, dtype).max()) + 100


# --- runners -------------------------------------------------------------------------------------


def _daedalus_in_fresh_process(
    path: Path, layer: str, executor: str | None, cache_bytes: int | None = None
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", str(path), layer, executor or ""]
    env = dict(os.environ)
    if cache_bytes is not None:
        env["DAEDALUS_TENSORSTORE_CACHE_BYTES"] = str(cache_bytes)
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if completed.returncode != 0:
        raise RuntimeError(f"daedalus downsample of {layer} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _reference(path: Path, layer: str) -> dict[str, Any] | str:
    env = _load_reference_env()
    try:
        return env.run_reference_json(_reference_script(), str(path), layer, timeout=3600)
    except (env.ReferenceUnavailable, env.ReferenceScriptError) as error:
        return f"reference unavailable: {str(error)[-500:]}"


def main(argv: list[str] | None = None) -> int:
    """Write the dataset, downsample it with both packages, print a table (and optional JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", nargs=3, type=int, default=DEFAULT_SIZE, metavar=("X", "Y", "Z"))
    parser.add_argument("--daedalus-executor", default="", help="executor name for daedalus (default: none)")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument(
        "--daedalus-cache-bytes", type=int, help="tensorstore cache pool of the daedalus run (default: its default)"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--write-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_worker:
        write_dataset(args.write_worker, tuple(args.size))
        return 0
    if args.worker:
        import daedalus

        path, layer, executor = args.worker
        print(json.dumps(bench_layer_downsample(daedalus, path, layer, executor or None)))
        return 0

    shape = tuple(args.size)
    work = Path(tempfile.mkdtemp(prefix="daedalus-bench-downsample-"))
    try:
        source = work / "source"
        start = time.perf_counter()
        # in a separate process, so that the runs started from here do not inherit its memory high-water mark
        size = [str(n) for n in shape]
        subprocess.run([sys.executable, __file__, "--write-worker", str(source), "--size", *size], check=True)
        print(f"wrote {shape} x 2 layers in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        results: dict[str, Any] = {"size": shape, "daedalus_executor": args.daedalus_executor or "sequential"}
        if args.daedalus_cache_bytes is not None:
            results["daedalus_cache_bytes"] = args.daedalus_cache_bytes
        for layer, dtype in LAYERS:
            megabytes = float(np.prod(shape)) * np.dtype(dtype).itemsize / 1e6
            ours_path, ref_path = work / f"daedalus-{layer}", work / f"reference-{layer}"
            shutil.copytree(source, ours_path)
            ours = _daedalus_in_fresh_process(
                ours_path, layer, args.daedalus_executor or None, args.daedalus_cache_bytes
            )
            shutil.rmtree(ours_path)
            ref: Any = "skipped"
            if not args.skip_reference:
                shutil.copytree(source, ref_path)
                ref = _reference(ref_path, layer)
                shutil.rmtree(ref_path, ignore_errors=True)
            results[layer] = {"megabytes": megabytes, "daedalus": ours, "reference": ref}
            print(f"{layer} done: daedalus {ours['seconds']:.1f} s", file=sys.stderr)
        print(format_table(results))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def format_table(results: dict[str, Any]) -> str:
    """A markdown table: per layer and package seconds, MB/s, peak RSS; and daedalus/reference."""
    size = "×".join(str(s) for s in results["size"])
    rows = [
        f"downsample {size}, daedalus executor: {results['daedalus_executor']}, reference: its default"
        + (f", daedalus cache {results['daedalus_cache_bytes']} bytes" if "daedalus_cache_bytes" in results else ""),
        "",
        "| layer | package | seconds | MB/s | peak RSS MiB (process / largest child) | mags | daedalus/reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for layer, _ in LAYERS:
        entry = results[layer]
        ours, ref = entry["daedalus"], entry["reference"]
        ratio = f"{ours['seconds'] / ref['seconds']:.2f}" if isinstance(ref, dict) else "-"
        for name, run in (("daedalus", ours), ("reference", ref)):
            if not isinstance(run, dict):
                rows.append(f"| {layer} | {name} | {run} | | | | |")
                continue
            rate = entry["megabytes"] / run["seconds"]
            rss = f"{run['peak_rss_mib']:.0f} / {run['peak_child_rss_mib']:.0f}"
            mags = ", ".join(run["mags"])
            shown = ratio if name == "daedalus" else ""
            rows.append(f"| {layer} | {name} | {run['seconds']:.2f} | {rate:.1f} | {rss} | {mags} | {shown} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
