"""Benchmark the import time of the package: ``import daedalus`` vs. ``import webknossos`` (4.3.3, its own venv).

Each case runs ``--runs`` times in a fresh interpreter (the cases take turns, round by round); a run reports the
seconds its import statement took (measured inside the interpreter with ``time.perf_counter``) and the wall seconds
of the whole process (interpreter start-up included). The runs start in the temp dir, so the checkout in the working
directory is not imported by accident. The table gives the median and minimum import seconds, the median process
seconds and which heavy libraries the case left in ``sys.modules``. The machine's load (``os.getloadavg``) is
printed before and after.

    python benchmarks/bench_import_time.py                 # 15 runs per case
    python benchmarks/bench_import_time.py --runs 31 --skip-reference
    git archive HEAD~1 | tar -x -C /tmp/old && python benchmarks/bench_import_time.py --tree /tmp/old

``--tree`` times a second daedalus source tree (an older commit) next to the working one: its runs point the
editable install's finder at that tree before the timed statement (the dev venv's editable install is needed).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

HEAVY = ("numpy", "networkx", "tensorstore", "zarr", "requests", "dask", "h5py", "rich", "scipy", "pydantic", "fsspec")

# (label, statement timed inside the fresh interpreter)
DAEDALUS_CASES = (
    ("import daedalus", "import daedalus"),
    ("import daedalus; daedalus.Dataset", "import daedalus; daedalus.Dataset"),
    ("from daedalus import Dataset, BoundingBox, Mag", "from daedalus import Dataset, BoundingBox, Mag"),
    ("import daedalus; dir(daedalus) + every name", "import daedalus; [getattr(daedalus, n) for n in dir(daedalus)]"),
)
REFERENCE_CASES = (
    ("import webknossos", "import webknossos"),
    ("import webknossos; webknossos.Dataset", "import webknossos; webknossos.Dataset"),
)

PROBE = """
import sys, time, json
{prelude}
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
heavy = sorted(name for name in {heavy!r} if name in sys.modules)
print(json.dumps({{"seconds": seconds, "heavy": heavy}}))
"""


def _reference_env() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "contract_tests" / "reference_env.py"
    spec = importlib.util.spec_from_file_location("daedalus_bench_reference_env", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _redirect_prelude(tree: Path) -> str:
    """Code that points the editable install's finder (``daedalus`` -> /work/main/...) at ``tree`` instead."""
    return (
        "finder = next(m for n, m in sys.modules.items() if n.startswith('__editable___daedalus'))\n"
        "root = finder.MAPPING['daedalus'].rsplit('/', 1)[0]\n"
        f"finder.MAPPING.update({{k: v.replace(root, {str(tree)!r}, 1) for k, v in finder.MAPPING.items()}})\n"
    )


def run_once(python: str, code: str, env: dict[str, str]) -> tuple[float, float, list[str]]:
    """One fresh interpreter running the probe ``code``: (import seconds, process seconds, heavy modules)."""
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=env, check=False, cwd=tempfile.gettempdir()
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{python} -c {code!r} failed:\n{done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], wall, result["heavy"]


def time_cases(cases: list[tuple[str, str, str, str]], runs: int, env: dict[str, str]) -> list[dict[str, object]]:
    """Median and minimum import and process seconds of every case over ``runs`` rounds.

    The cases take turns within each round, so a change of the machine's load hits them all alike.
    """
    codes = [PROBE.format(statement=statement, heavy=HEAVY, prelude=prelude) for _, _, statement, prelude in cases]
    samples: list[list[tuple[float, float, list[str]]]] = [[] for _ in cases]
    for round_index in range(runs):
        for index, (python, _, _, _) in enumerate(cases):
            samples[index].append(run_once(python, codes[index], env))
        print(f"  round {round_index + 1}/{runs} done", file=sys.stderr)
    results = []
    for case_samples in samples:
        imports = [sample[0] for sample in case_samples]
        walls = [sample[1] for sample in case_samples]
        results.append(
            {
                "import_median": statistics.median(imports),
                "import_min": min(imports),
                "wall_median": statistics.median(walls),
                "heavy": case_samples[-1][2],
            }
        )
    return results


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    """Run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per case (default 15)")
    parser.add_argument("--skip-reference", action="store_true", help="time daedalus only")
    parser.add_argument("--tree", type=Path, help="also time the daedalus source tree at this path (e.g. git archive)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if args.tree is not None and not (args.tree / "daedalus" / "__init__.py").is_file():
        parser.error(f"--tree {args.tree} is not a daedalus source tree (it has no daedalus/__init__.py)")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME")}
    cases = [(sys.executable, label, statement, "") for label, statement in DAEDALUS_CASES]
    if args.tree is not None:
        prelude = _redirect_prelude(args.tree.resolve())
        cases += [(sys.executable, f"{label} [{args.tree}]", statement, prelude) for label, statement in DAEDALUS_CASES]
    if not args.skip_reference:
        reference = str(_reference_env().reference_python())
        cases += [(reference, label, statement, "") for label, statement in REFERENCE_CASES]

    print(f"load average before: {_load()}  ({args.runs} runs per case)")
    rows = list(zip([label for _, label, _, _ in cases], time_cases(cases, args.runs, env)))
    print(f"load average after:  {_load()}")
    print()
    print("| case | import s (median) | import s (min) | process s (median) | heavy modules loaded |")
    print("|---|---|---|---|---|")
    for label, r in rows:
        heavy = ", ".join(r["heavy"]) or "none"
        print(f"| `{label}` | {r['import_median']:.3f} | {r['import_min']:.3f} | {r['wall_median']:.3f} | {heavy} |")


if __name__ == "__main__":
    main()
