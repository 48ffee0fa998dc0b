"""Fixtures of the differential suite: the reference worker (one per session) and the summary table."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> ModuleType:
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


harness = _load("daedalus_differential_harness", HERE / "harness.py")
observe = _load("daedalus_differential_observe", HERE / "observe.py")
reference_env = sys.modules.get("daedalus_contract_tests_reference_env") or _load(
    "daedalus_contract_tests_reference_env", HERE.parent / "reference_env.py"
)


@pytest.fixture(scope="session")
def differential(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A :class:`harness.Differential` comparing daedalus with webknossos 4.3.3 (skips if the venv can't be built)."""
    import daedalus

    try:
        python = reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        if reference_env.require_reference():
            pytest.fail(f"reference unavailable: {error}")
        pytest.skip(f"the differential suite needs the reference venv, which could not be built: {error}")
    worker = harness.ReferenceWorker(python)
    try:
        yield harness.Differential(daedalus, worker, observe, tmp_path_factory.mktemp("differential"))
    finally:
        worker.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the table of the differential runs of this session (scenarios run, equal, divergent by kind)."""
    if not harness.TALLY.runs:
        return
    terminalreporter.section("differential suite: daedalus vs webknossos 4.3.3")
    for line in harness.TALLY.table():
        terminalreporter.write_line(line)
