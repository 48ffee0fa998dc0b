"""The Executor contract suite shipped in daedalus.testing, run here with a local SLURM cluster started if needed."""

import importlib.util
import sys
from pathlib import Path

import pytest

from daedalus.testing.contract.test_executor import *  # noqa: F403


def _slurm_cluster_module():
    name = "daedalus_contract_tests_slurm_cluster"  # the name tests/executors/conftest.py uses
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("slurm_cluster.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def executor_unavailable_reason():
    """Starts the local SLURM test cluster (contract_tests/slurm_cluster.py) for ``slurm``; others always run."""
    return lambda name: _slurm_cluster_module().slurm_unavailable_reason() if name == "slurm" else None
