"""Fixtures shared by every test folder: the reference package (webknossos 4.3.3) run as a black box."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def _load_reference_env() -> Any:
    name = "daedalus_contract_tests_reference_env"  # the name contract_tests/interop/conftest.py uses
    module = sys.modules.get(name)
    if module is None:
        path = Path(__file__).resolve().parents[1] / "contract_tests" / "reference_env.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
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
