"""Differential runs: a scenario once with daedalus (in this process) and once with the reference (in a worker).

``Differential.check("module:function", **params)`` runs both, classifies the difference (if any) by kind, counts
it for the session table, and fails unless the two agree or ``docs/divergences.md`` lists the divergence. The
reference classes each run exercised are collected per scenario (`Tally.touched`, for the class coverage check).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
DIVERGENCES_FILE = HERE.parents[1] / "docs" / "divergences.md"
KINDS = ("result", "exception", "no-exception", "exception-type", "missing-member", "warning")
_ROW = re.compile(r"^\|\s*`([\w.]+:[\w.]+)`\s*\|\s*([\w-]+)\s*\|")
_MISSING = re.compile(r"unexpected keyword|positional argument|has no attribute|cannot import name")


def documented_divergences(path: Path = DIVERGENCES_FILE) -> set[tuple[str, str]]:
    """The (scenario, kind) pairs ``docs/divergences.md`` lists as deliberate."""
    if not path.is_file():
        return set()
    pairs = set()
    for line in path.read_text().splitlines():
        match = _ROW.match(line.strip())
        if match:
            pairs.add((match.group(1), match.group(2)))
    return pairs


def _equal(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return type(ours) is type(theirs) and ours == theirs
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(_equal(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(_equal(ours[key], theirs[key]) for key in ours)
    return ours == theirs


def classify(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """The kinds of divergence between two observations (empty when daedalus behaves like the reference).

    An error conforms when daedalus' exception is an instance of (a class named like) the reference's.
    """
    kinds = []
    our_error, their_error = ours.get("error"), theirs.get("error")
    if their_error and our_error:
        if their_error["raised"][0] not in our_error["raised"]:
            kinds.append("exception-type")
    elif their_error:
        kinds.append("no-exception")
    elif our_error:
        missing = our_error["raised"][0] in ("AttributeError", "TypeError", "ImportError")
        kinds.append("missing-member" if missing and _MISSING.search(our_error["message"]) else "exception")
    elif not _equal(ours.get("result"), theirs.get("result")):
        kinds.append("result")
    if ours.get("warnings", []) != theirs.get("warnings", []):
        kinds.append("warning")
    return kinds


class Tally:
    """Counts of the session: scenarios run, equal, divergent by kind, expected (documented) divergences; and the
    reference classes each scenario exercised, with the test files that ran it."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.equal: Counter[str] = Counter()
        self.divergent: Counter[tuple[str, str]] = Counter()
        self.expected: Counter[tuple[str, str]] = Counter()
        self.touched: defaultdict[str, set[str]] = defaultdict(set)
        self.test_files: defaultdict[str, set[str]] = defaultdict(set)

    def record_touched(self, scenario: str, classes: list[str]) -> None:
        """Note the classes one run of ``scenario`` exercised, and the test file running it (if pytest's)."""
        self.touched[scenario].update(classes)
        current = os.environ.get("PYTEST_CURRENT_TEST", "")
        if current:
            self.test_files[scenario].add(Path(current.split("::", 1)[0]).name)

    def table(self) -> list[str]:
        """The summary as lines of text: one row per scenario module, then divergences by kind."""
        lines = [f"{'scenarios (module)':<28}{'runs':>8}{'equal':>8}{'expected':>10}{'divergent':>11}"]
        for module in sorted({scenario.partition(":")[0] for scenario in self.runs}):
            runs = sum(n for s, n in self.runs.items() if s.startswith(module + ":"))
            equal = sum(n for s, n in self.equal.items() if s.startswith(module + ":"))
            expected = sum(n for (s, _), n in self.expected.items() if s.startswith(module + ":"))
            divergent = sum(n for (s, _), n in self.divergent.items() if s.startswith(module + ":"))
            lines.append(f"{module:<28}{runs:>8}{equal:>8}{expected:>10}{divergent:>11}")
        lines.append(
            f"{'all':<28}{sum(self.runs.values()):>8}{sum(self.equal.values()):>8}"
            f"{sum(self.expected.values()):>10}{sum(self.divergent.values()):>11}"
        )
        by_kind = Counter()
        for (_, kind), n in self.divergent.items():
            by_kind[kind] += n
        if by_kind:
            lines.append("divergent by kind: " + ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items())))
        scenarios = sorted({scenario for scenario, _ in self.divergent})
        if scenarios:
            lines.append("divergent scenarios: " + ", ".join(scenarios))
        return lines


TALLY = Tally()


class ReferenceWorker:
    """The reference package in a long-lived subprocess of its venv, answering one scenario per request.

    The reference's interpreter keeps memory from scenario to scenario (7 GB by the end of the suite, seen when the
    machine ran out of memory beside the other test shard); a worker past ``RECYCLE_BYTES`` of resident memory is
    replaced by a fresh one before the next scenario.
    """

    RECYCLE_BYTES = 1536 * 1024 * 1024

    def __init__(self, python: Path) -> None:
        self._lock = threading.Lock()
        self._python = python
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env["AWS_EC2_METADATA_DISABLED"] = "true"  # botocore never asks a cloud metadata service for credentials
        self._process = subprocess.Popen(
            [str(self._python), "-u", str(HERE / "worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        hello = self._process.stdout.readline()
        if not hello or not json.loads(hello).get("ready"):
            self.close()
            raise RuntimeError(f"the reference worker did not start (exit code {self._process.poll()})")

    def resident_bytes(self) -> int:
        """The worker's resident memory now (0 where ``/proc`` does not tell)."""
        try:
            with open(f"/proc/{self._process.pid}/status") as status:
                kib = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError):
            return 0
        return kib * 1024

    def run(self, scenario: str, tmp: str, params: dict[str, Any]) -> dict[str, Any]:
        """The reference's observation of ``scenario`` with ``params`` in the folder ``tmp``."""
        with self._lock:
            if self.resident_bytes() > self.RECYCLE_BYTES:
                self.close()
                self._start()
                self.restarts += 1
            self._process.stdin.write(json.dumps({"scenario": scenario, "tmp": tmp, "params": params}) + "\n")
            self._process.stdin.flush()
            answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the reference worker died while running {scenario} (exit {self._process.poll()})")
        return json.loads(answer)

    def close(self) -> None:
        """Stop the worker (closing its stdin ends its loop) and wait for it."""
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


class Differential:
    """Runs scenarios on both sides and judges them (see :func:`classify` and ``docs/divergences.md``)."""

    def __init__(self, daedalus: ModuleType, worker: ReferenceWorker, observe: ModuleType, base: Path) -> None:
        self.daedalus = daedalus
        self.worker = worker
        self.observe = observe
        self.base = base
        self.documented = documented_divergences()
        roots = {Path(daedalus.__file__).resolve().parent}
        roots |= {Path(module.__file__).resolve().parent for module in (daedalus.core,) if hasattr(module, "__file__")}
        self.roots = [str(root) + os.sep for root in roots]
        import daedalus.adapters
        import daedalus.plugins

        self.roots += [str(Path(m.__file__).resolve().parent) + os.sep for m in (daedalus.adapters, daedalus.plugins)]

    def observe_both(
        self,
        scenario: str,
        params: dict[str, Any],
        around_side: Callable[[str], AbstractContextManager[Any]] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(daedalus' observation, the reference's) of one run, each in a fresh folder (removed afterwards).

        ``around_side("reference")`` and ``around_side("daedalus")`` (if given) enclose each side's run, e.g. to
        reset a server both sides talk to.
        """
        side = around_side or (lambda name: contextlib.nullcontext())
        folder = Path(tempfile.mkdtemp(dir=self.base))
        try:
            ours_tmp, theirs_tmp = folder / "ours", folder / "theirs"
            ours_tmp.mkdir()
            theirs_tmp.mkdir()
            params = json.loads(json.dumps(params))  # both sides get exactly what JSON carries
            with side("reference"):
                theirs = self.worker.run(scenario, str(theirs_tmp), params)
            if "fatal" in theirs:
                raise RuntimeError(f"the reference could not run {scenario}: {theirs['fatal']}")
            TALLY.record_touched(scenario, theirs.pop("touched", []))
            with side("daedalus"):
                ours = self.observe.observe(self.daedalus, scenario, str(ours_tmp), params, self.roots)
            return json.loads(json.dumps(ours, default=repr)), theirs
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def check(
        self,
        scenario: str,
        *,
        around_side: Callable[[str], AbstractContextManager[Any]] | None = None,
        **params: Any,
    ) -> list[str]:
        """Run ``scenario`` on both sides; fail on an undocumented divergence; return the expected kinds found.

        ``around_side`` is passed to :meth:`observe_both`; ``params`` go to the scenario function.
        """
        ours, theirs = self.observe_both(scenario, params, around_side)
        kinds = classify(ours, theirs)
        TALLY.runs[scenario] += 1
        if not kinds:
            TALLY.equal[scenario] += 1
            return []
        unexpected = [kind for kind in kinds if (scenario, kind) not in self.documented]
        for kind in kinds:
            (TALLY.divergent if kind in unexpected else TALLY.expected)[(scenario, kind)] += 1
        if unexpected:
            raise AssertionError(
                f"{scenario} diverges from the reference ({', '.join(unexpected)}) with params {params!r}\n"
                f"  daedalus:  {json.dumps(ours)[:1500]}\n  reference: {json.dumps(theirs)[:1500]}\n"
                "Fix daedalus, or list the divergence in docs/divergences.md with the reason."
            )
        return kinds
