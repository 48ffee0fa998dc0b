"""scripts/check-private-access: flags another module's private names in core, and only those."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check-private-access"


def _check(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "module.py").write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)


def test_another_objects_private_attribute_is_reported_with_file_line_and_name(tmp_path):
    result = _check(
        tmp_path,
        """
        def size(layer):
            return len(layer._mags)
        """,
    )
    assert result.returncode == 1
    assert f"{tmp_path / 'module.py'}:3:15 ._mags" in result.stdout
    assert "1 cross-module private accesses" in result.stdout


def test_importing_a_private_name_is_reported(tmp_path):
    result = _check(tmp_path, "from .dataset import _check_layer_name\n")
    assert result.returncode == 1
    assert "import _check_layer_name" in result.stdout


def test_own_private_state_self_cls_and_super_pass(tmp_path):
    result = _check(
        tmp_path,
        """
        import attrs

        @attrs.define
        class Box:
            _size: int = 0

            def grow(self, other: "Box") -> None:
                self._size += other._size  # defined in this module
                super()._hook()

            @classmethod
            def make(cls):
                return cls._default()

        def _helper(box):
            return box._size
        """,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
