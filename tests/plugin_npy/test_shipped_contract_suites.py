"""The example plugin passes the contract suites shipped in daedalus.testing, run as a plugin author would.

``python -m pytest --pyargs daedalus.testing -k npy`` in a fresh process whose working directory is outside the
checkout: pytest must find the suites (and their fixtures) inside the installed daedalus package.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys

import pytest

NPY_DISTRIBUTION = "daedalus-npy-storage"


def _installed() -> bool:
    try:
        importlib.metadata.distribution(NPY_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _installed(), reason=f"{NPY_DISTRIBUTION} is not installed; run `pip install tests/plugin_npy`"
)


def test_npy_plugin_passes_the_shipped_suites(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DAEDALUS_"))}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        "daedalus.testing",
        "-k",
        "npy",
        "-v",
        "-p",
        "no:cacheprovider",
    ]
    completed = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    passed = re.findall(r"test_array_storage\.py::(\w+)\[npy-npy-files[^\]]*\] PASSED", output)
    assert len(set(passed)) >= 12, output[-4000:]  # every ArrayStorage contract test ran against the plugin
    assert "FAILED" not in output and "ERROR" not in output
    assert f"rootdir: {tmp_path}" in output  # the run's rootdir was the temporary folder, not the checkout
