"""Shared pytest set-up: installs the toy entry-point plugin ``tests/plugin_npy`` so discovery is tested."""

from __future__ import annotations

import importlib
import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

NPY_PLUGIN_DIR = Path(__file__).resolve().parent / "tests" / "plugin_npy"
NPY_PLUGIN_DISTRIBUTION = "daedalus-npy-storage"


def npy_plugin_installed() -> bool:
    """Whether the distribution of the toy entry-point plugin is installed in this environment."""
    try:
        importlib.metadata.distribution(NPY_PLUGIN_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _pip_install(source: Path) -> subprocess.CompletedProcess:
    """``pip install`` ``source``; retried without build isolation when setuptools cannot be fetched."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        result = subprocess.run([*command, "--no-build-isolation"], capture_output=True, text=True)
    return result


def install_npy_plugin() -> None:
    """Install ``tests/plugin_npy`` (non-editable) if missing, then rebuild the daedalus plugin manager."""
    if npy_plugin_installed():
        return
    with tempfile.TemporaryDirectory() as scratch:
        # Build from a copy so setuptools' build/ and *.egg-info never land in the source tree.
        source = Path(scratch) / "plugin_npy"
        shutil.copytree(NPY_PLUGIN_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
        result = _pip_install(source)
    if result.returncode != 0:
        warnings.warn(
            f"Could not install the test plugin {NPY_PLUGIN_DIR} (pip said: {result.stderr.strip()[-500:]}); "
            "entry-point discovery tests will be skipped. Run `pip install tests/plugin_npy` by hand.",
            stacklevel=1,
        )
        return
    importlib.invalidate_caches()
    from daedalus.plugins import configure_plugins

    configure_plugins()


def pytest_configure(config) -> None:
    """Make sure the entry-point plugin is installed before any test module is collected."""
    install_npy_plugin()
