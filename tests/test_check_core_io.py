"""scripts/check-core-io: the grep check for file, zip and fsspec-internals code that import-linter cannot see."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check-core-io"


def _run(root: Path) -> subprocess.CompletedProcess:
    (root / "scripts").mkdir(exist_ok=True)
    shutil.copy(SCRIPT, root / "scripts" / "check-core-io")
    return subprocess.run(["bash", str(root / "scripts" / "check-core-io")], capture_output=True, text=True)


@pytest.mark.parametrize(
    "line",
    [
        "os.replace(temporary, target)",
        "name = path.fs._strip_protocol(path.path)",
        "import shutil",
        "from zipfile import ZipFile",
        "archive = zipfile.ZipFile(target)",
        "from fsspec.asyn import sync",
    ],
)
def test_a_core_module_doing_file_work_itself_is_reported(tmp_path: Path, line: str) -> None:
    (tmp_path / "core" / "dataset").mkdir(parents=True)
    (tmp_path / "core" / "dataset" / "offender.py").write_text(f'"""A module."""\n\n{line}\n')
    result = _run(tmp_path)
    assert result.returncode == 1
    assert "core/dataset/offender.py:3:" in result.stdout


def test_comments_and_docstrings_naming_the_modules_pass(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "fine.py").write_text(
        '"""Raises a ``zipfile.BadZipFile`` subclass."""\n\n# os.replace(a, b) happens in the adapter\nx = 1\n'
    )
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
