"""The package's names come from its submodules' ``__all__``, read from their source on first use, not at import."""

from __future__ import annotations

import json
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

from daedalus._lazy_exports import exports_of, import_from

SUBMODULE = """
from json import dumps, loads as parse
from os.path import join, sep
from . import helpers
from .helpers import shout

def join(*parts):
    return "/".join(parts)

if sep == "/":
    from os import getcwd as sep

__all__ = ["dumps", "parse", "join", "sep", "shout", "helpers", "VERSION"]
VERSION = 3
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package ``h3pkg`` on ``sys.path`` with a submodule ``names`` and a module ``helpers``."""
    root = tmp_path / "h3pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "helpers.py").write_text("def shout(text):\n    return text.upper()\n")
    (root / "names.py").write_text(SUBMODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [name for name in sys.modules if name.split(".")[0] == "h3pkg"]:
        del sys.modules[name]


def test_a_name_comes_from_where_the_submodule_imports_it_unless_it_rebinds_or_renames_it(package: Path) -> None:
    assert exports_of("h3pkg.names") == {
        "dumps": "json",
        "parse": "h3pkg.names",
        "join": "h3pkg.names",
        "sep": "h3pkg.names",
        "shout": "h3pkg.helpers",
        "helpers": "h3pkg",
        "VERSION": "h3pkg.names",
    }
    assert "h3pkg.names" not in sys.modules, "reading the names ran the submodule"
    assert import_from("h3pkg", "helpers").shout("a") == "A" == import_from("h3pkg.helpers", "shout")("a")


def test_without_source_the_submodule_is_imported_for_its_all(package: Path) -> None:
    source = package / "names.py"
    py_compile.compile(str(source), cfile=str(package / "names.pyc"), doraise=True)
    source.unlink()
    assert exports_of("h3pkg.names") == dict.fromkeys(
        ["dumps", "parse", "join", "sep", "shout", "helpers", "VERSION"], "h3pkg.names"
    )
    assert "h3pkg.names" in sys.modules


@pytest.mark.parametrize(
    "all_lines",
    ["__all__ = sorted(['dumps'])", "__all__ = []\n__all__ += ['dumps']", "__all__ = []\n__all__.append('dumps')"],
)
def test_an_all_that_is_not_one_literal_list_is_taken_from_the_imported_submodule(
    package: Path, all_lines: str
) -> None:
    (package / "names.py").write_text(f"from json import dumps\n{all_lines}\n")
    assert exports_of("h3pkg.names") == {"dumps": "h3pkg.names"}


def test_import_daedalus_reads_no_submodule_and_star_import_gives_all() -> None:
    code = (
        "import json, sys, daedalus\n"
        "read_at_import = 'daedalus._lazy_exports' in sys.modules\n"
        "namespace = {}\n"
        "exec('from daedalus import *', namespace)\n"
        "names = sorted(name for name in namespace if name != '__builtins__')\n"
        "print(json.dumps([read_at_import, names == sorted(daedalus.__all__), namespace['Mag'] is daedalus.Mag]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, True, True]
