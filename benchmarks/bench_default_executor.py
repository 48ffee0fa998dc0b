"""Benchmark ``layer.downsample()`` with no executor: daedalus' default vs. daedalus sequential vs. the reference.

A 1024×1024×512 uint8 color layer (EM-like: smooth blobs, membrane-dark edges and fine noise) and a uint32
segmentation layer of the same size (label-like: cells of ~48×48×24 voxels with wobbly borders and a background
between them) are written once by daedalus (zarr3, chunk 32³, shard 1024³, compressed: WEBKNOSSOS' layout).
Each repeat copies them and downsamples every layer to the coarsest anisotropic mag, each run a fresh process:

- daedalus with its default executor (no ``executor`` argument: every usable core),
- daedalus with ``DAEDALUS_DEFAULT_EXECUTOR=sequential`` (one task after another in the calling thread),
- the reference webknossos 4.3.3 (its own venv) with its default (no ``executor`` argument).

Printed per layer and repeat: seconds, CPU seconds (process and children), peak RSS, the ratios
sequential/default and reference/default, and the load average before each run (the machine may be shared).
The mags daedalus' default and sequential runs write are compared file by file (they must be byte-identical).

    python benchmarks/bench_default_executor.py                 # 1024×1024×512, 1 repeat
    python benchmarks/bench_default_executor.py --repeats 3
    python benchmarks/bench_default_executor.py --small         # 512×512×256, a quick check
    python benchmarks/bench_default_executor.py --skip-reference
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
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

FULL_SHAPE = (1024, 1024, 512)
SMALL_SHAPE = (512, 512, 256)
VOXEL_SIZE = (11.24, 11.24, 25.0)  # anisotropic: 2-2-1, 4-4-2, 8-8-4, ...
CHUNK, SHARD, SLAB_Z = 32, 1024, 64
LAYERS = (("color", "color", "uint8"), ("segmentation", "segmentation", "uint32"))
SEED = 17

# Run verbatim by daedalus and by the reference interpreter: time one layer.downsample() without an executor.
RUN_DOWNSAMPLE = """
import json, os, resource, sys, time
import {module} as wk

def main():
    layer = wk.Dataset.open(sys.argv[1]).get_layer(sys.argv[2])
    before, start = os.times(), time.perf_counter()
    layer.downsample()
    seconds, after = time.perf_counter() - start, os.times()
    with open("/proc/self/status") as status:
        peak = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    print(json.dumps({{
        "seconds": seconds,
        "cpu": after.user - before.user + after.system - before.system,
        "child_cpu": after.children_user - before.children_user + after.children_system - before.children_system,
        "peak_rss_mib": peak / 1024,
        "child_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "mags": sorted(m.to_layer_name() for m in wk.Dataset.open(sys.argv[1]).get_layer(sys.argv[2]).mags),
    }}))

if __name__ == "__main__":  # the reference's process pool re-imports the main module in its workers
    main()
"""


# --------------------------------------------------------------------------------------------- the data


def _smooth_field(shape: tuple[int, int, int], z0: int, depth: int, rng_seed: int, cell: int) -> np.ndarray:
    """Values in [0, 1) varying smoothly over ``cell`` voxels: coarse noise, interpolated along each axis."""
    rng = np.random.default_rng(rng_seed)
    coarse = rng.random(tuple(s // cell + 2 for s in shape), dtype=np.float32)

    def weights(start: int, n: int, m: int) -> np.ndarray:
        pos = np.arange(start, start + n, dtype=np.float32) / cell
        lo = np.minimum(pos.astype(int), m - 2)
        w = np.zeros((n, m), dtype=np.float32)
        w[np.arange(n), lo] = 1 - (pos - lo)
        w[np.arange(n), lo + 1] = pos - lo
        return w

    wx, wy = weights(0, shape[0], coarse.shape[0]), weights(0, shape[1], coarse.shape[1])
    wz = weights(z0, depth, coarse.shape[2])
    field = np.einsum("kc,abc->abk", wz, coarse)
    field = np.einsum("jb,abk->ajk", wy, field)
    return np.einsum("ia,ajk->ijk", wx, field)


def em_slab(shape: tuple[int, int, int], z0: int, depth: int) -> np.ndarray:
    """EM-like uint8: bright cytoplasm blobs, dark membranes where the field crosses 0.5, fine shot noise."""
    field = _smooth_field(shape, z0, depth, SEED, 24)
    membrane = np.abs(field - 0.5) < 0.03
    values = 90 + 120 * field
    values[membrane] = 30
    noise = np.random.default_rng(SEED + z0).integers(0, 12, size=values.shape, dtype=np.uint8)
    return (values.astype(np.uint8) + noise).astype(np.uint8)


def label_slab(shape: tuple[int, int, int], z0: int, depth: int) -> np.ndarray:
    """Label-like uint32: cells of ~48×48×24 voxels with borders shifted by a smooth field, background 0 between."""
    wobble = 14 * _smooth_field(shape, z0, depth, SEED + 1, 32)
    x = np.arange(shape[0], dtype=np.float32)[:, None, None] + wobble
    y = np.arange(shape[1], dtype=np.float32)[None, :, None] + wobble
    z = np.arange(z0, z0 + depth, dtype=np.float32)[None, None, :] + wobble / 2
    cx, cy, cz = (x // 48).astype(np.uint32), (y // 48).astype(np.uint32), (z // 24).astype(np.uint32)
    labels = (cx * 7919 + cy * 104729 + cz * 1299709) % 4_000_000 + 1
    border = ((x % 48) < 2) | ((y % 48) < 2)
    return np.where(border, 0, labels).astype(np.uint32)


def write_dataset(path: Path, shape: tuple[int, int, int]) -> None:
    """Both layers, slab by slab (``SLAB_Z`` deep, whole in x and y)."""
    import daedalus as wk

    ds = wk.Dataset(path, voxel_size=VOXEL_SIZE)
    for name, category, dtype in LAYERS:
        extra = {"largest_segment_id": 0} if category == "segmentation" else {}
        layer = ds.add_layer(name, category, dtype=dtype, bounding_box=wk.BoundingBox((0, 0, 0), shape), **extra)
        mag = layer.add_mag(1, chunk_shape=CHUNK, shard_shape=SHARD, compress=True)
        largest = 0
        for z0 in range(0, shape[2], SLAB_Z):
            depth = min(SLAB_Z, shape[2] - z0)
            data = (em_slab if category == "color" else label_slab)(shape, z0, depth)
            mag.write(data, absolute_offset=(0, 0, z0), allow_unaligned=True)
            largest = max(largest, int(data.max()))
        if category == "segmentation":
            layer.largest_segment_id = largest


# ------------------------------------------------------------------------------------------------ runs


def _reference_env() -> ModuleType:
    name = "daedalus_contract_tests_reference_env"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "contract_tests" / "reference_env.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def run_downsample(python: str, module: str, dataset: Path, layer: str, env: dict[str, str]) -> dict[str, Any]:
    """One ``layer.downsample()`` in a fresh ``python`` process importing ``module``; its JSON result."""
    script = dataset.parent / f"run_{module}.py"
    script.write_text(RUN_DOWNSAMPLE.format(module=module))
    done = subprocess.run(
        [python, str(script), str(dataset), layer], capture_output=True, text=True, env=env, timeout=7200, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} downsample of {layer} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_files(first: Path, second: Path) -> bool:
    """Whether two folders hold the same files with the same bytes (recursively)."""
    compared = filecmp.dircmp(first, second)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(first, second, compared.common_files, shallow=False)
    return not mismatch and not errors and all(same_files(first / d, second / d) for d in compared.common_dirs)


def one_repeat(work: Path, source: Path, layer: str, reference: str | None) -> dict[str, Any]:
    """Sequential, default and reference runs of one layer; the default and sequential mags compared."""
    base = {k: v for k, v in os.environ.items() if k != "DAEDALUS_DEFAULT_EXECUTOR"}
    runs: dict[str, Any] = {}
    for label, python, module, env in (
        ("sequential", sys.executable, "daedalus", {**base, "DAEDALUS_DEFAULT_EXECUTOR": "sequential"}),
        ("default", sys.executable, "daedalus", base),
        ("reference", reference, "webknossos", base),
    ):
        if python is None:
            continue
        copy = work / label
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
        load = os.getloadavg()
        runs[label] = {**run_downsample(python, module, copy, layer, env), "load_before": load}
    mags = [m for m in runs["default"]["mags"] if m != "1"]
    runs["identical"] = all(same_files(work / "default" / layer / m, work / "sequential" / layer / m) for m in mags)
    for label in ("sequential", "default", "reference"):
        shutil.rmtree(work / label, ignore_errors=True)
    return runs


def format_rows(layer: str, repeat: int, runs: dict[str, Any]) -> list[str]:
    """Markdown rows of one layer and repeat."""
    default = runs["default"]["seconds"]
    rows = []
    for label in ("default", "sequential", "reference"):
        run = runs.get(label)
        if run is None:
            continue
        ratio = "" if label == "default" else f"{run['seconds'] / default:.2f}×"
        rows.append(
            f"| {layer} | {repeat} | {label} | {run['seconds']:.2f} | {run['cpu']:.1f} + {run['child_cpu']:.1f} | "
            f"{run['peak_rss_mib']:.0f} / {run['child_rss_mib']:.0f} | {ratio} | "
            f"{' '.join(f'{v:.1f}' for v in run['load_before'])} |"
        )
    rows.append(f"| {layer} | {repeat} | default == sequential (bytes) | {runs['identical']} | | | | |")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Write the layers once, run the repeats, print the table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="512×512×256 instead of 1024×1024×512")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--write-worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_worker:
        write_dataset(Path(args.write_worker[0]), tuple(int(v) for v in args.write_worker[1:]))  # type: ignore[arg-type]
        return 0
    shape = SMALL_SHAPE if args.small else FULL_SHAPE
    reference = None
    if not args.skip_reference:
        env = _reference_env()
        try:
            reference = str(env.reference_python())
        except env.ReferenceUnavailable as error:
            print(f"reference unavailable, skipped: {error}", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="daedalus-bench-default-executor-"))
    results: dict[str, Any] = {"shape": shape, "usable_cores": len(os.sched_getaffinity(0)), "runs": []}
    try:
        source = work / "source"
        subprocess.run([sys.executable, __file__, "--write-worker", str(source), *map(str, shape)], check=True)
        rows = [
            f"downsample {'×'.join(map(str, shape))} to the coarsest mag, no executor argument; "
            f"{results['usable_cores']} usable cores",
            "",
            "| layer | repeat | run | seconds | CPU s (process + children) | peak RSS MiB (process / child) "
            "| time / default | load before (1, 5, 15 min) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        print("\n".join(rows), flush=True)
        for repeat in range(1, args.repeats + 1):
            for layer, _, _ in LAYERS:
                runs = one_repeat(work, source, layer, reference)
                results["runs"].append({"layer": layer, "repeat": repeat, **runs})
                print("\n".join(format_rows(layer, repeat, runs)), flush=True)  # each layer as soon as it is done
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
