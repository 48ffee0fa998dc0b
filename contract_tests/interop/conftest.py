"""Fixtures for interop tests that run the reference package ``webknossos`` in its own venv."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

_REFERENCE_ENV_MODULE = "daedalus_contract_tests_reference_env"


def load_reference_env() -> ModuleType:
    """Import ``contract_tests/reference_env.py`` once under a stable module name."""
    module = sys.modules.get(_REFERENCE_ENV_MODULE)
    if module is None:
        path = Path(__file__).resolve().parents[1] / "reference_env.py"
        spec = importlib.util.spec_from_file_location(_REFERENCE_ENV_MODULE, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_REFERENCE_ENV_MODULE] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def reference_env() -> ModuleType:
    """The ``reference_env`` helper module (venv creation and `run_reference`)."""
    return load_reference_env()


@pytest.fixture(scope="session")
def reference_python(reference_env: ModuleType) -> Path:
    """Interpreter of the reference venv with ``webknossos==4.3.3``; skips when it cannot be created."""
    try:
        return reference_env.reference_python()
    except reference_env.ReferenceUnavailable as exc:
        reason = f"reference webknossos venv unavailable: {exc}"
        print(f"\n[interop] SKIP: {reason}", file=sys.stderr)
        if reference_env.require_reference():
            pytest.fail(f"{reason} (and ${reference_env.ENV_REQUIRE} is set)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def run_reference(reference_env: ModuleType, reference_python: Path) -> Callable[..., object]:
    """``run_reference(script, *args, timeout=...)`` bound to the (existing) reference venv."""
    return reference_env.run_reference


@pytest.fixture(scope="session")
def run_reference_json(reference_env: ModuleType, reference_python: Path) -> Callable[..., object]:
    """``run_reference_json(script, *args, timeout=...)``: runs a snippet, parses its last line as JSON."""
    return reference_env.run_reference_json


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's ``shared/`` folder beside the repository; skips when it is absent."""
    path = Path(__file__).resolve().parents[2].parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared/ folder not found at {path}")
    return path
