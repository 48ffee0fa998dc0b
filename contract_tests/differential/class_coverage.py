"""Which public classes of the reference the differential scenarios exercise, recorded per test file.

The reference worker reports the classes each run exercised (``observe.ClassTracker``); the harness collects them
per scenario (``harness.TALLY``). At the end of a session (and before the coverage check) `SessionFiles` turns
them into entries of a record on disk, one per test file: the classes its scenarios touched, whether the file ran
completely (every test collected ran, none failed) and a digest of the files its outcome depends on. An entry is
*fresh* while that digest holds; test_class_coverage.py runs the test files without a fresh, complete entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
NOT_SCENARIO_FILES = frozenset({"test_class_coverage.py", "test_public_members.py", "test_reference_worker.py"})
"""Test files of the directory that run no scenario through the suite (the member comparison, the coverage check
itself, the worker's own test)."""
TRACKING_FILES = ("observe.py", "worker.py", "harness.py", "class_coverage.py")
"""Files whose change changes what is recorded: every entry depends on them."""


def reference_classes(description: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every public class of the reference as ``defined_in.Name`` -> where it is exported (``module:name``), from
    a description made by members.py (the package, its public submodules and the classes its API hands out)."""
    classes: dict[str, list[str]] = defaultdict(list)
    for relative, module in description["modules"].items():
        for name, entry in module.get("names", {}).items():
            if entry.get("kind") == "class":
                qualified = f"{entry['defined_in']}.{name.rpartition('.')[2]}"
                classes[qualified].append(f"{relative or 'webknossos'}:{name}")
    return dict(classes)


def scenario_test_files() -> list[str]:
    """The test files of the differential suite that run scenarios."""
    return sorted(p.name for p in HERE.glob("test_*.py") if p.name not in NOT_SCENARIO_FILES)


def record_path(reference_key: str) -> Path:
    """Where the record lives for one reference install (``reference_key``: its requirement and install info)."""
    key = hashlib.sha256(reference_key.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "daedalus-differential-coverage" / f"record-{key}.json"


def digest(test_file: str, scenario_modules: Iterable[str]) -> str:
    """The digest of what a test file's entry depends on: the test file, the scenario modules it ran, the
    scenario helpers (``scenarios/_*.py``, ``geometry_values.py``), the strategies and the tracking code."""
    names = [HERE / test_file, *(HERE / name for name in TRACKING_FILES)]
    names += [SCENARIOS / f"{module}.py" for module in sorted(set(scenario_modules))]
    names += sorted(SCENARIOS.glob("_*.py")) + [SCENARIOS / "geometry_values.py"]
    names += sorted(HERE.glob("*_strategies.py"))
    sha = hashlib.sha256()
    for path in names:
        sha.update(path.name.encode())
        sha.update(path.read_bytes() if path.is_file() else b"<absent>")
    return sha.hexdigest()[:24]


class Record:
    """The record on disk: ``{"files": {test file: {"digest", "complete", "touched": {scenario: [classes]}}}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.files: dict[str, dict[str, Any]] = json.loads(path.read_text())["files"]
        except (OSError, ValueError, KeyError):
            self.files = {}

    def fresh(self, test_file: str) -> bool:
        """Whether ``test_file`` has a complete entry whose digest still holds."""
        entry = self.files.get(test_file)
        if not entry or not entry.get("complete"):
            return False
        modules = {scenario.partition(":")[0] for scenario in entry["touched"]}
        return entry["digest"] == digest(test_file, modules)

    def put(self, test_file: str, touched: Mapping[str, Iterable[str]], complete: bool) -> None:
        """Store the entry of ``test_file`` (a complete entry replaces any; an incomplete one only adds)."""
        modules = {scenario.partition(":")[0] for scenario in touched}
        entry = {"digest": digest(test_file, modules), "complete": complete, "touched": {}}
        old = self.files.get(test_file)
        if not complete and old is not None and old.get("digest") == entry["digest"]:
            entry = old
        for scenario, classes in touched.items():
            entry["touched"][scenario] = sorted(set(entry["touched"].get(scenario, [])) | set(classes))
        self.files[test_file] = entry

    def save(self) -> None:
        """Write the record atomically (several sessions may write it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"files": self.files}, indent=1, sort_keys=True))
        tmp.replace(self.path)

    def classes_by_file(self, test_files: Iterable[str]) -> dict[str, set[str]]:
        """The classes the scenarios of each of ``test_files`` touched."""
        return {
            name: {cls for classes in self.files.get(name, {}).get("touched", {}).values() for cls in classes}
            for name in test_files
        }


class SessionFiles:
    """What a pytest session ran of each test file: collected, passed or skipped, failed, deselected."""

    def __init__(self) -> None:
        self.collected: Counter[str] = Counter()
        self.finished: Counter[str] = Counter()
        self.failed: set[str] = set()
        self.deselected: set[str] = set()

    @staticmethod
    def file_of(nodeid: str) -> str:
        """The test file name of a node id."""
        return Path(nodeid.split("::", 1)[0]).name

    def complete(self, test_file: str) -> bool:
        """Whether every collected test of ``test_file`` ran in this session and none failed."""
        return (
            self.collected[test_file] > 0
            and test_file not in self.failed
            and test_file not in self.deselected
            and self.finished[test_file] >= self.collected[test_file]
        )

    def touched_by_file(self, touched: Mapping[str, set[str]], test_files: Mapping[str, set[str]]) -> dict:
        """``{test file: {scenario: classes}}`` from the harness' per-scenario records."""
        out: dict[str, dict[str, set[str]]] = defaultdict(dict)
        for scenario, files in test_files.items():
            for name in files:
                out[name][scenario] = set(touched.get(scenario, ()))
        return out

    def store(self, record: Record, touched: Mapping[str, set[str]], test_files: Mapping[str, set[str]]) -> None:
        """Put this session's entries into ``record``: every scenario test file it collected."""
        by_file = self.touched_by_file(touched, test_files)
        for name in scenario_test_files():
            if self.collected[name] or name in by_file:
                record.put(name, by_file.get(name, {}), self.complete(name))
