"""Benchmark the downsampling kernels alone (``downsample_cube``) on the data of ``bench_default_executor.py``.

Blocks as one downsampling step hands them to the kernel: F-ordered ``(1, x, y, z)`` reads of the EM-like uint8
colour layer (median, the colour default) and of the label-like uint32 segmentation layer (mode, the segmentation
default), the block sizes ``_block_shape`` picks for that layout, factors 2-2-1 and 2-2-2. The kernels of this
checkout ("new") run in the same process as those of a git revision ("old", default ``HEAD``, loaded
from ``git show``) on the same blocks; their results are checked equal. Best and median thread CPU seconds
of the repeats (old and new alternating), per block.

    python benchmarks/bench_kernels.py                  # HEAD vs. the working tree
    python benchmarks/bench_kernels.py --old HEAD~3 --repeats 9
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
import types
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# (label, category, dtype, mode, factors, source block x/y/z): target blocks of _block_shape for chunk 32³ / shard
# 1024³ (uint8 2-2-1: 128×256×256, uint32 2-2-1: 128³, uint8 2-2-2: 128×128×256, uint32 2-2-2: 64×128×128)
CASES = (
    ("color median 2-2-1", "color", "uint8", "median", (2, 2, 1), (256, 512, 256)),
    ("color median 2-2-2", "color", "uint8", "median", (2, 2, 2), (256, 256, 512)),
    ("segmentation mode 2-2-1", "segmentation", "uint32", "mode", (2, 2, 1), (256, 256, 128)),
    ("segmentation mode 2-2-2", "segmentation", "uint32", "mode", (2, 2, 2), (128, 256, 256)),
)


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def old_kernels(revision: str, scratch: Path) -> types.ModuleType:
    """``core/sampling/kernels.py`` of ``revision`` as a module of its own (it imports only numpy)."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:core/sampling/kernels.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = scratch / f"kernels_{revision.replace('~', '_').replace('/', '_')}.py"
    path.write_text(source)
    return _load("old_kernels", path)


def block(category: str, shape: tuple[int, int, int]) -> np.ndarray:
    """A ``(1, x, y, z)`` F-ordered block of the benchmark's layer (as a read returns it)."""
    data_module = _load("bench_default_executor", ROOT / "benchmarks" / "bench_default_executor.py")
    make = data_module.em_slab if category == "color" else data_module.label_slab
    return np.asfortranarray(make(shape, 64, shape[2])[None])


def timed_pair(old: Any, new: Any, repeats: int) -> tuple[list[float], list[float], Any, Any]:
    """CPU seconds of this thread for ``repeats`` calls of ``old`` and ``new``, alternating (a shared machine's
    load hits both alike; thread CPU time does not count the time other processes run); the last results."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[Any] = [None, None]
    for _ in range(repeats):
        for index, func in enumerate((old, new)):
            start = time.thread_time()
            results[index] = func()
            times[index].append(time.thread_time() - start)
    return times[0], times[1], results[0], results[1]


def main(argv: list[str] | None = None) -> int:
    """Run every case with the old and the new kernels; print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="HEAD", help="git revision of the old kernels (default HEAD)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    import tempfile

    from daedalus.core.sampling import kernels as new

    with tempfile.TemporaryDirectory(prefix="daedalus-bench-kernels-") as scratch:
        old = old_kernels(args.old, Path(scratch))
        print(
            f"kernels: old = {args.old}, new = working tree; best / median of {args.repeats}, "
            "CPU seconds of the thread per block"
        )
        print()
        print("| case | source block | old best | old median | new best | new median | old / new (best) | equal |")
        print("|---|---|---|---|---|---|---|---|")
        for label, category, dtype, mode, factors, shape in CASES:
            cube = block(category, shape).astype(dtype, copy=False)
            if dtype == "uint32":
                cube = np.asfortranarray(cube)
            old_times, new_times, old_result, new_result = timed_pair(
                partial(old.downsample_cube, cube, factors, mode),
                partial(new.downsample_cube, cube, factors, mode),
                args.repeats,
            )
            old_best, old_median = min(old_times), float(np.median(old_times))
            new_best, new_median = min(new_times), float(np.median(new_times))
            equal = np.array_equal(old_result, new_result) and old_result.dtype == new_result.dtype
            print(
                f"| {label} | {'×'.join(map(str, shape))} | {old_best:.3f} | {old_median:.3f} | {new_best:.3f} | "
                f"{new_median:.3f} | {old_best / new_best:.2f}× | {equal} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
