"""Every public class of webknossos 4.3.3 is exercised by a differential scenario, or exempt here with a reason.

The classes are those members.py finds in the reference (its package, public submodules and the classes its API
hands out); "exercised" is observed on the reference's side while the scenarios run (``observe.ClassTracker``:
the class's own code ran, an instance of it was used or returned, or it was raised). What each test file's
scenarios touched is recorded on disk (class_coverage.py); this check runs last in a session and runs, in a
subprocess, the scenario test files that have no fresh and complete record yet (a first run takes minutes).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path):
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


class_coverage = _load("daedalus_differential_class_coverage", HERE / "class_coverage.py")
public_members = _load("daedalus_differential_test_public_members", HERE / "test_public_members.py")
reference_env = public_members.reference_env

EXEMPT: dict[str, str] = {}
"""Reference classes no scenario exercises, each with the reason (``defined_in.Name`` -> why)."""

RUN_TIMEOUT_S = 3600


def _run_scenario_files(names: list[str]) -> subprocess.CompletedProcess:
    """Run the scenario test files ``names`` in a pytest subprocess; its session writes their records."""
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # the s3 scenarios' clients never ask a cloud metadata service
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(str(HERE / n) for n in names)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S, check=False)


@pytest.fixture(scope="module")
def reference_classes(differential) -> dict[str, list[str]]:
    """The reference's public classes (``defined_in.Name`` -> where exported), as members.py describes them
    (the description test_public_members.py caches; made here if it is not cached yet)."""
    cache = public_members._cache_file()
    if cache.is_file():
        description = json.loads(cache.read_text())
    else:
        description = reference_env.run_reference_json((HERE / "members.py").read_text(), "webknossos", timeout=300)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(description))
        tmp.replace(cache)
    return class_coverage.reference_classes(description)


def test_every_public_class_of_the_reference_is_exercised_by_a_scenario(reference_classes, session_coverage):
    record = session_coverage()
    names = class_coverage.scenario_test_files()
    stale = [name for name in names if not record.fresh(name)]
    if stale:
        run = _run_scenario_files(stale)
        record = type(record)(record.path)
        still = [name for name in stale if not record.fresh(name)]
        assert not still, (
            f"the scenario files {still} did not run completely (a failure, or a divergence), so what they exercise "
            f"is unknown; fix them first:\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
        )
    by_file = record.classes_by_file(names)
    covered = set().union(*by_file.values())
    uncovered = sorted(set(reference_classes) - covered - set(EXEMPT))
    assert not uncovered, (
        f"{len(uncovered)} of {len(reference_classes)} public classes of the reference are exercised by no scenario "
        "(add a scenario, or exempt the class in EXEMPT with the reason):\n"
        + "\n".join(f"  {name} (exported as {', '.join(reference_classes[name])})" for name in uncovered)
    )
    print(
        f"\n[class coverage] {len(reference_classes)} public classes: {len(covered & set(reference_classes))} "
        f"exercised by scenarios, {len(EXEMPT)} exempt"
    )


def test_exemptions_name_reference_classes_no_scenario_exercises(reference_classes, session_coverage):
    record = session_coverage()
    names = class_coverage.scenario_test_files()
    covered = set().union(*record.classes_by_file(names).values())
    unknown = sorted(set(EXEMPT) - set(reference_classes))
    assert not unknown, f"EXEMPT names classes the reference does not have: {unknown}"
    if all(record.fresh(name) for name in names):  # with a partial record a class may only seem unexercised
        exercised = sorted(set(EXEMPT) & covered)
        assert not exercised, f"EXEMPT names classes scenarios exercise (remove them from EXEMPT): {exercised}"
    missing_reasons = sorted(name for name, reason in EXEMPT.items() if len(reason.split()) < 4)
    assert not missing_reasons, f"EXEMPT rows need a reason: {missing_reasons}"
