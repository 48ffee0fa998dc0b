"""Fixtures for the Neuroglancer precomputed tests: cloud-volume and the reference (helpers in precomputed_volumes)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_REFERENCE_ENV = "daedalus_contract_tests_reference_env"  # the name the other suites load it under


if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))


@pytest.fixture
def cloudvolume() -> Any:
    """The cloudvolume module (part of the test extra)."""
    import cloudvolume

    return cloudvolume


def _load_reference_env() -> Any:
    module = sys.modules.get(_REFERENCE_ENV)
    if module is None:
        path = Path(__file__).resolve().parents[2] / "contract_tests" / "reference_env.py"
        spec = importlib.util.spec_from_file_location(_REFERENCE_ENV, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_REFERENCE_ENV] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def run_reference_json() -> Callable[..., Any]:
    """``run_reference_json(script, *args)`` of the webknossos 4.3.3 venv; skips when it cannot be built."""
    reference_env = _load_reference_env()
    try:
        reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        if reference_env.require_reference():
            pytest.fail(f"reference webknossos venv unavailable: {error} (and ${reference_env.ENV_REQUIRE} is set)")
        pytest.skip(f"reference webknossos venv unavailable: {error}")
    return reference_env.run_reference_json
