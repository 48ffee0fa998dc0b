"""Fixtures for the executor tests: a local SLURM cluster (started by scripts/start-slurm when needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_CLUSTER_MODULE = "daedalus_contract_tests_slurm_cluster"


def _slurm_cluster_module():
    module = sys.modules.get(_CLUSTER_MODULE)
    if module is None:
        path = Path(__file__).resolve().parents[2] / "contract_tests" / "slurm_cluster.py"
        spec = importlib.util.spec_from_file_location(_CLUSTER_MODULE, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_CLUSTER_MODULE] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def slurm_cluster() -> None:
    """A running SLURM cluster; the SLURM tests skip (printing why) if it cannot be installed or started."""
    reason = _slurm_cluster_module().slurm_unavailable_reason()
    if reason is not None:
        print(f"SLURM tests skipped: {reason}")
        pytest.skip(reason)


@pytest.fixture
def slurm_executor(slurm_cluster, tmp_path):
    """A SlurmExecutor with its job folder in ``tmp_path``; every unfinished job is cancelled afterwards."""
    import daedalus as wk

    executor = wk.get_executor("slurm", max_workers=2, job_dir=tmp_path / "jobs", poll_interval=0.2)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)
