"""Benchmark building, writing and parsing a skeleton of N nodes in 100 chain trees: daedalus vs. webknossos 4.3.3.

Usage: python benchmarks/bench_skeleton.py [--nodes 1000000] [--trees 100] [--skip-reference]
Each side runs in its own fresh process (the reference in its venv) and times its phases itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

# --- shared verbatim by daedalus and the reference process (see `_script`) ------------------------


def run_phases(wk, nodes, trees, path):
    """Build a skeleton of `nodes` nodes in `trees` chains, save it, load it; return seconds + peak memory."""
    import resource
    import time

    per_tree = nodes // trees
    t0 = time.perf_counter()
    skeleton = wk.Skeleton(voxel_size=(11.24, 11.24, 28.0), dataset_name="bench")
    for t in range(trees):
        tree = skeleton.add_tree(f"tree_{t}")
        previous = None
        for i in range(per_tree):
            node = tree.add_node(position=(i, t, 7), radius=1.5)
            if previous is not None:
                tree.add_edge(previous, node)
            previous = node
    t1 = time.perf_counter()
    skeleton.save(path)
    t2 = time.perf_counter()
    loaded = wk.Skeleton.load(path)
    t3 = time.perf_counter()
    count = loaded.get_total_node_count()
    assert count == per_tree * trees, count
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"build": t1 - t0, "write": t2 - t1, "parse": t3 - t2, "maxrss_mb": maxrss_mb}


# ---------------------------------------------------------------------------------------------------


def _script(import_line: str) -> str:
    import inspect

    return (
        "import json, sys, warnings\nwarnings.simplefilter('ignore')\n"
        + import_line
        + "\n"
        + inspect.getsource(run_phases)
        + "\nprint(json.dumps(run_phases(wk, int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])))\n"
    )


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


def run_daedalus(nodes: int, trees: int, path: Path) -> dict:
    """Run the phases with daedalus in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", _script("import daedalus as wk"), str(nodes), str(trees), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_reference(nodes: int, trees: int, path: Path) -> dict:
    """Run the phases with the reference webknossos in its venv."""
    env = _load_reference_env()
    return env.run_reference_json(_script("import webknossos as wk"), nodes, trees, path, timeout=7200)


def main() -> None:
    """Parse arguments, run both sides and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-skeleton-") as tmp:
        ours = run_daedalus(args.nodes, args.trees, Path(tmp) / "daedalus.nml")
        ref = None if args.skip_reference else run_reference(args.nodes, args.trees, Path(tmp) / "reference.nml")
    print(f"skeleton of {args.nodes} nodes in {args.trees} chain trees")
    print("| phase | daedalus s | reference s | reference/daedalus |")
    print("|---|---|---|---|")
    for phase in ("build", "write", "parse"):
        ref_s = "-" if ref is None else f"{ref[phase]:.2f}"
        ratio = "-" if ref is None else f"{ref[phase] / ours[phase]:.1f}x"
        print(f"| {phase} | {ours[phase]:.2f} | {ref_s} | {ratio} |")
    ref_mem = "-" if ref is None else f"{ref['maxrss_mb']:.0f}"
    print(f"| peak RSS MB | {ours['maxrss_mb']:.0f} | {ref_mem} | |")


if __name__ == "__main__":
    main()
