"""Benchmark ``export-as-tiff`` of a 512×1024×1024 (z×y×x) uint8 layer: ``daedalus`` vs. ``webknossos`` 4.3.3.

The layer is written once by daedalus (zarr3 with the default chunk 32³, shard 1024³, zstd) from a smooth,
compressible synthetic volume; then the same command line, ``COMMAND export-as-tiff SOURCE TARGET`` with each
package's default options (the reference: multiprocessing; daedalus: threads; one worker per CPU), runs with each
program in turn, in the same run, alternating. Reported per program: wall seconds (process start to exit; best
of ``--repeats``), peak memory (the largest sum of the RSS of the command and all its worker processes, sampled
every 10 ms in one more, untimed run) and the ratio; the two TIFF stacks are checked equal (names, shapes,
dtypes, pixels).

    python benchmarks/bench_cli_export.py                         # 1024×1024×512, reference included
    python benchmarks/bench_cli_export.py --size 512 512 128      # quicker
    python benchmarks/bench_cli_export.py --repeats 5 --skip-reference
    python benchmarks/bench_cli_export.py --daedalus-args "--distribution-strategy multiprocessing"
"""

from __future__ import annotations

import argparse
import importlib.util
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
from synthetic_volumes import wave_slab

DEFAULT_SIZE = (1024, 1024, 512)  # x, y, z
SLAB_Z = 32
SAMPLE_SECONDS = 0.01


def write_dataset(path: Path, shape: tuple[int, int, int]) -> None:
    """Write the color layer with daedalus' default storage options, one z slab at a time."""
    import daedalus as wk

    dataset = wk.Dataset(path, voxel_size=(11.24, 11.24, 25.0))
    layer = dataset.add_layer("color", "color", dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), shape))
    mag = layer.add_mag(1)
    for z0 in range(0, shape[2], SLAB_Z):
        depth = min(SLAB_Z, shape[2] - z0)
        mag.write(wave_slab(shape, z0, depth), absolute_offset=(0, 0, z0), allow_unaligned=True)


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


def _tree_rss(process: Any) -> int:
    """RSS in bytes of ``process`` and all its descendants (0 for those that ended meanwhile)."""
    import psutil

    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall seconds of ``command`` (nothing else runs meanwhile: no sampling that would take CPU from it)."""
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        stderr = completed.stderr.decode(errors="replace")
        raise RuntimeError(f"{' '.join(command)} exited with {completed.returncode}:\n{stderr[-3000:]}")
    return seconds


def run_sampled(command: list[str], env: dict[str, str] | None = None) -> float:
    """Peak RSS (MiB) of ``command`` and all its worker processes together, sampled every 10 ms (a separate run:
    scanning the process table costs CPU the timed runs should not lose)."""
    import psutil

    popen = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    process = psutil.Process(popen.pid)
    peak = 0
    while popen.poll() is None:
        peak = max(peak, _tree_rss(process))
        time.sleep(SAMPLE_SECONDS)
    stderr = popen.stderr.read().decode(errors="replace") if popen.stderr else ""
    if popen.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {popen.returncode}:\n{stderr[-3000:]}")
    return peak / 2**20


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.tiff"))


def stacks_equal(first: Path, second: Path) -> str:
    """ "equal" when both folders hold the same TIFF names with the same shapes, dtypes and pixels, else why not."""
    import tifffile

    names = _files(first)
    if names != _files(second):
        return f"different files: {len(names)} vs {len(_files(second))}"
    for name in names:
        a, b = tifffile.imread(first / name), tifffile.imread(second / name)
        if a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(a, b):
            return f"{name} differs ({a.shape} {a.dtype} vs {b.shape} {b.dtype})"
    return "equal"


def _daedalus_command() -> list[str]:
    found = shutil.which("daedalus", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "daedalus"]


def main(argv: list[str] | None = None) -> int:
    """Write the layer, export it with both programs, print seconds, peak memory and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", nargs=3, type=int, default=DEFAULT_SIZE, metavar=("X", "Y", "Z"))
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per program (the best is reported)")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument(
        "--daedalus-args",
        default="",
        help="extra options for the daedalus run only, e.g. '--distribution-strategy threads' (default: none)",
    )
    parser.add_argument("--write-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shape = tuple(args.size)
    if args.write_worker:
        write_dataset(args.write_worker, shape)
        return 0

    work = Path(tempfile.mkdtemp(prefix="daedalus-bench-export-"))
    try:
        source = work / "source"
        start = time.perf_counter()
        size = [str(n) for n in shape]
        subprocess.run([sys.executable, __file__, "--write-worker", str(source), "--size", *size], check=True)
        print(f"wrote {shape[0]}x{shape[1]}x{shape[2]} (x, y, z) uint8 in {time.perf_counter() - start:.1f} s")
        programs: dict[str, list[str]] = {"daedalus": _daedalus_command()}
        extra: dict[str, list[str]] = {"daedalus": args.daedalus_args.split(), "webknossos": []}
        env: dict[str, dict[str, str] | None] = {"daedalus": None}
        if not args.skip_reference:
            reference = _load_reference_env()
            try:
                python = reference.reference_python()
                programs["webknossos"] = [str(Path(python).parent / "webknossos")]
                env["webknossos"] = reference._clean_env()
            except reference.ReferenceUnavailable as error:
                print(f"reference unavailable: {error}")
        seconds: dict[str, list[float]] = {program: [] for program in programs}
        for _ in range(args.repeats):
            for program, command in programs.items():  # alternate the programs: both see the same load
                target = work / f"tiff-{program}"
                shutil.rmtree(target, ignore_errors=True)
                line = [*command, "export-as-tiff", str(source), str(target), *extra[program]]
                seconds[program].append(run_timed(line, env[program]))
        peak: dict[str, float] = {}
        for program, command in programs.items():
            target = work / f"tiff-{program}-sampled"
            line = [*command, "export-as-tiff", str(source), str(target), *extra[program]]
            peak[program] = run_sampled(line, env[program])
            shutil.rmtree(target, ignore_errors=True)
        for program in programs:
            runs = ", ".join(f"{s:.2f}" for s in seconds[program])
            print(f"{program:11s} best {min(seconds[program]):6.2f} s ({runs})   peak memory {peak[program]:6.0f} MiB")
        if "webknossos" in programs:
            ratio = min(seconds["webknossos"]) / min(seconds["daedalus"])
            print(f"daedalus is {ratio:.2f}x as fast as webknossos (target: >= 3x; peak memory target: < 2048 MiB)")
            print(f"TIFF stacks: {stacks_equal(work / 'tiff-daedalus', work / 'tiff-webknossos')}")
        print(f"load average afterwards: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
