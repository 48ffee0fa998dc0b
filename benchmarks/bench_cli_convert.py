"""Benchmark the ``convert`` command on a TIFF stack: ``daedalus convert`` vs. ``webknossos convert`` (4.3.3).

A stack of 512 uint8 slices of 1024×1024 (a smooth pattern plus noise, so that it compresses like microscopy) is
written once into the work folder. Each CLI then converts it with its default options (zarr3, chunk 32³, compressed,
downsampled, the default multiprocessing executor) in the same run: ``convert STACK TARGET --voxel-size 1,1,1``.
Reported per run: wall seconds, the peak RSS summed over the command's process tree (sampled every 50 ms) and the
largest single process (ru_maxrss of the children), and the daedalus/reference time ratio. ``--check`` compares
both datasets (layers, boxes, mags, voxels) afterwards.

    python benchmarks/bench_cli_convert.py                    # 512 slices of 1024×1024, 1 repeat
    python benchmarks/bench_cli_convert.py --repeats 3 --check
    python benchmarks/bench_cli_convert.py --slices 128 --skip-reference
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import ModuleType

import numpy as np

EDGE = 1024
DEFAULT_SLICES = 512
SAMPLE_SECONDS = 0.05


def _reference_env() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "contract_tests" / "reference_env.py"
    spec = importlib.util.spec_from_file_location("daedalus_bench_reference_env", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def write_stack(folder: Path, slices: int) -> Path:
    """The TIFF stack (``slice_0000.tif`` ...), written once and reused while it has the requested slices."""
    import tifffile

    marker = folder / f".complete-{slices}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:EDGE, 0:EDGE]
    base = (np.sin(x / 40.0) + np.cos(y / 55.0)) * 50 + 128
    for z in range(slices):
        page = (base + z * 0.2 + rng.normal(0, 8, (EDGE, EDGE))).clip(0, 255).astype(np.uint8)
        tifffile.imwrite(folder / f"slice_{z:04d}.tif", page)
    marker.write_text("")
    return folder


def _tree_rss(root: int) -> int:
    """Bytes resident in the process ``root`` and all its descendants now (0 when it has ended)."""
    import psutil

    try:
        process = psutil.Process(root)
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def timed(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``command``; wall seconds, sampled peak RSS of its process tree and its largest process (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "tree_peak_mib": peak / 2**20,
        "largest_process_mib": (largest if largest > before else float("nan")) / 1024,
    }


def compare(first: Path, second: Path) -> None:
    """Raise AssertionError unless both datasets hold the same layers, boxes, mags and voxels."""
    import daedalus as wk

    a, b = wk.Dataset.open(first), wk.Dataset.open(second)
    assert sorted(a.layers) == sorted(b.layers), (list(a.layers), list(b.layers))
    for name, layer in a.layers.items():
        other = b.get_layer(name)
        assert layer.bounding_box == other.bounding_box and layer.dtype == other.dtype, name
        assert sorted(layer.mags) == sorted(other.mags), (name, layer.mags, other.mags)
        for mag in layer.mags:
            box = layer.bounding_box
            ours = layer.get_mag(mag).read(absolute_bounding_box=box)
            theirs = other.get_mag(mag).read(absolute_bounding_box=box)
            assert np.array_equal(ours, theirs), f"{name} mag {mag} differs"


def main() -> None:
    """Parse the arguments, run both CLIs ``--repeats`` times and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=DEFAULT_SLICES, help="z-slices of 1024×1024 (default 512)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "daedalus-bench-convert")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--check", action="store_true", help="compare the two datasets afterwards")
    args = parser.parse_args()

    stack = write_stack(args.workdir / "stack", args.slices)
    daedalus_cli = [sys.executable, "-m", "daedalus"]
    commands = {"daedalus": daedalus_cli}
    env = None
    if not args.skip_reference:
        reference_env = _reference_env()
        commands["reference"] = [str(reference_env.reference_python().parent / "webknossos")]
        env = reference_env._clean_env()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for repeat in range(args.repeats):
        for name, program in commands.items():
            target = args.workdir / f"out-{name}"
            shutil.rmtree(target, ignore_errors=True)
            command = [*program, "convert", str(stack), str(target), "--voxel-size", "1,1,1"]
            results[name].append(timed(command, env if name == "reference" else None))
            print(f"repeat {repeat + 1} {name}: {results[name][-1]}", file=sys.stderr)
    if args.check and "reference" in commands:
        compare(args.workdir / "out-daedalus", args.workdir / "out-reference")
        print("datasets equal: yes", file=sys.stderr)

    mb = EDGE * EDGE * args.slices / 1e6
    print(f"convert of {args.slices} uint8 TIFF slices of {EDGE}×{EDGE} ({mb:.0f} MB), best of {args.repeats}")
    print("| program | seconds | MB/s | peak RSS, process tree (MiB) | largest process (MiB) |")
    print("|---|---|---|---|---|")
    best = {name: min(runs, key=lambda r: r["seconds"]) for name, runs in results.items()}
    for name, run in best.items():
        row = f"| {name} | {run['seconds']:.1f} | {mb / run['seconds']:.0f} | {run['tree_peak_mib']:.0f} | "
        print(row + f"{run['largest_process_mib']:.0f} |")
    if "reference" in best:
        ratio = best["reference"]["seconds"] / best["daedalus"]["seconds"]
        print(f"daedalus is {ratio:.1f}× faster than the reference (target ≥ 3×; peak memory target < 2048 MiB)")


if __name__ == "__main__":
    main()
