"""Shared pytest set-up: installs the toy entry-point plugin ``tests/plugin_npy`` so discovery is tested."""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
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


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """Serialise installs of test runs sharing this environment (``scripts/check`` runs two pytest processes)."""
    lock_path = Path(sys.prefix) / ".daedalus-test-plugin.lock"
    try:
        handle = open(lock_path, "a")  # noqa: SIM115 - held for the duration of the install
    except OSError:  # a read-only environment: pip would fail anyway, and report it
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def install_npy_plugin() -> None:
    """Install ``tests/plugin_npy`` (non-editable) if missing, then rebuild the daedalus plugin manager."""
    if npy_plugin_installed():
        return
    with _install_lock():
        importlib.invalidate_caches()
        if npy_plugin_installed():  # another test process installed it while this one waited
            result = None
        else:
            with tempfile.TemporaryDirectory() as scratch:
                # Build from a copy so setuptools' build/ and *.egg-info never land in the source tree.
                source = Path(scratch) / "plugin_npy"
                shutil.copytree(NPY_PLUGIN_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
                result = _pip_install(source)
    if result is not None and result.returncode != 0:
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
