"""The built wheel maps core/, adapters/ and plugins/ into the daedalus namespace and nothing else."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        cwd=out,
    )
    (found,) = out.glob("daedalus-*.whl")
    return found


def test_wheel_holds_only_the_daedalus_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top_level == {"daedalus"}
    for part in (
        "core/ports.py",
        "core/geometry/__init__.py",
        "adapters/tensorstore_zarr/__init__.py",
        "plugins/manager.py",
    ):
        assert f"daedalus/{part}" in names


def test_installed_wheel_imports_as_daedalus_only(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
    )
    script = (
        "import daedalus, daedalus.core.geometry as g, importlib.util\n"
        "print(daedalus.__file__)\n"
        "print(len(list(g.BoundingBox((0,0,0),(10,10,10)).chunk((5,5,5)))))\n"
        "print(importlib.util.find_spec('core') is None)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    location, boxes, core_missing = result.stdout.split()
    assert location.startswith(str(site))
    assert boxes == "8"
    assert core_missing == "True"
