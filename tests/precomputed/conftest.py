"""Fixtures for the Neuroglancer precomputed tests: cloud-volume and the reference (helpers in precomputed_volumes)."""

from __future__ import annotations

import sys
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
