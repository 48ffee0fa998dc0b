"""The ``daedalus`` command line (version, plugin listing, console script) and the installed import names."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from daedalus.core import ports
from daedalus.plugins import configure_plugins
from daedalus.plugins import manager as manager_module

import daedalus
from daedalus.cli import cli

BUILTIN_PLUGINS = (
    "daedalus.plugins.builtin_storage",
    "daedalus.plugins.builtin_executors",
    "daedalus.plugins.builtin_cli",
)
PLUGIN_VARIABLES = ("DAEDALUS_LOAD_ENTRYPOINTS", "DAEDALUS_DISABLE_PLUGINS", "DAEDALUS_ENGINES")


def _npy_plugin_installed() -> bool:
    try:
        importlib.metadata.distribution("daedalus-npy-storage")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


requires_npy_plugin = pytest.mark.skipif(
    not _npy_plugin_installed(),
    reason="the entry-point plugin daedalus-npy-storage is not installed; run `pip install tests/plugin_npy`",
)


@pytest.fixture
def default_plugins(monkeypatch: pytest.MonkeyPatch):
    """A freshly built process-wide plugin manager with default settings; the previous one is restored."""
    for variable in PLUGIN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    previous_manager = manager_module._manager
    previous_registry = ports.install_registry(None)
    try:
        yield configure_plugins()
    finally:
        manager_module._manager = previous_manager
        ports.install_registry(previous_registry)


def _listing(output: str) -> dict[str, list[str]]:
    """Parse ``daedalus plugins`` output: plugin names at column 0, what they provide indented below."""
    listing: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            assert current is not None, f"provided item before any plugin name in {output!r}"
            listing[current].append(line.strip())
        else:
            current = line.strip()
            listing[current] = []
    return listing


def _clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PLUGIN_VARIABLES}
    env.pop("PYTHONPATH", None)
    return env


# --------------------------------------------------------------------------- click commands


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    assert daedalus.__version__ in result.output
    assert "daedalus" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    assert "plugins" in result.output


def test_plugins_lists_the_builtin_plugins_and_what_they_provide(default_plugins) -> None:
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    listing = _listing(result.output)
    for name in BUILTIN_PLUGINS:
        assert name in listing, result.output
        assert listing[name], f"{name} should list what it provides (or '(nothing)')"
    assert list(listing)[: len(BUILTIN_PLUGINS)] == list(BUILTIN_PLUGINS)
    executors = listing["daedalus.plugins.builtin_executors"]
    for name in ("sequential", "threads", "multiprocessing"):
        assert f"executor {name}" in executors
    assert "cli command downsample" in listing["daedalus.plugins.builtin_cli"]
    provided = {item for items in listing.values() for item in items}
    for data_format in default_plugins.data_formats():
        for engine in default_plugins.engines(data_format):
            assert f"storage {data_format} ({engine})" in provided


@requires_npy_plugin
def test_plugins_lists_the_entry_point_plugin(default_plugins) -> None:
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert _listing(result.output).get("npy") == ["storage npy (npy-files)"], result.output


def test_plugins_without_entry_points_hides_the_entry_point_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    previous_manager = manager_module._manager
    previous_registry = ports.install_registry(None)
    try:
        configure_plugins(load_entrypoints=False)
        result = CliRunner().invoke(cli, ["plugins"])
    finally:
        manager_module._manager = previous_manager
        ports.install_registry(previous_registry)
    assert result.exit_code == 0, result.output
    listing = _listing(result.output)
    assert "npy" not in listing
    assert set(BUILTIN_PLUGINS) <= set(listing)


# --------------------------------------------------------------------------- installed scripts and names


def _console_script() -> str | None:
    beside_python = Path(sys.executable).parent / "daedalus"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("daedalus")


def test_console_script_lists_plugins(tmp_path: Path) -> None:
    script = _console_script()
    if script is None:
        pytest.skip("the `daedalus` console script is not on PATH; reinstall with `pip install -e .`")
    result = subprocess.run(
        [script, "plugins"], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    listing = _listing(result.stdout)
    assert set(BUILTIN_PLUGINS) <= set(listing), result.stdout
    if _npy_plugin_installed():
        assert listing.get("npy") == ["storage npy (npy-files)"], result.stdout


def test_python_dash_m_daedalus_works(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "daedalus", "--version"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert daedalus.__version__ in result.stdout


@pytest.mark.parametrize("inner", ["core", "adapters", "plugins"])
def test_only_daedalus_is_a_top_level_import_name(tmp_path: Path, inner: str) -> None:
    def run(statement: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", statement],
            cwd=tmp_path,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    bare = run(f"import {inner}")
    assert bare.returncode != 0, f"`import {inner}` should fail outside the repository"
    assert "ModuleNotFoundError" in bare.stderr
    namespaced = run(f"import daedalus.{inner}")
    assert namespaced.returncode == 0, namespaced.stderr
