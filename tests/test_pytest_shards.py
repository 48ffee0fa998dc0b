"""scripts/pytest-shards: the shards cover the suite once, run at once, FINAL runs after them, a failure fails."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pytest-shards"


@pytest.fixture
def shards():
    loader = importlib.machinery.SourceFileLoader("daedalus_pytest_shards", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_every_test_path_is_in_exactly_one_step(shards, tmp_path: Path) -> None:
    commands = dict(shards.shard_commands([], tmp_path))
    final = shards.FINAL[1]
    named = [path for _, paths in shards.SHARDS for path in paths]
    assert named and final, "the shards and the final step name their test paths"
    (rest_name, rest_paths) = next((name, paths) for name, paths in shards.SHARDS if not paths)
    assert not rest_paths
    ignored = [arg.removeprefix("--ignore=") for arg in commands[rest_name] if arg.startswith("--ignore=")]
    assert sorted(ignored) == sorted([*named, *final])
    for name, paths in shards.SHARDS:
        if paths:
            assert all(path in commands[name] for path in paths), name
            assert all(f"--ignore={path}" in commands[name] for path in final), name
    basetemps = [arg for command in commands.values() for arg in command if arg.startswith("--basetemp=")]
    assert len(set(basetemps)) == len(commands)


def test_a_shard_path_that_does_not_exist_is_refused(shards, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(shards, "SHARDS", (("a", ("tests/gone",)), ("rest", ())))
    with pytest.raises(SystemExit, match="tests/gone does not exist"):
        shards.shard_commands([], tmp_path)


def test_a_shard_path_inside_another_shard_path_is_refused(shards, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(shards, "SHARDS", (("a", ("tests",)), ("b", ("tests/geometry",)), ("rest", ())))
    with pytest.raises(SystemExit, match="tests/geometry lies inside the shard path tests"):
        shards.shard_commands([], tmp_path)


def _suite(tmp_path: Path, second: str, monkeypatch, shards) -> None:
    (tmp_path / "test_first.py").write_text("def test_passes():\n    assert 1 + 1 == 2\n")
    (tmp_path / "test_second.py").write_text(second)
    (tmp_path / "test_last.py").write_text("def test_last():\n    assert 'last'.upper() == 'LAST'\n")
    monkeypatch.setattr(shards, "ROOT", tmp_path)
    monkeypatch.setattr(shards, "SHARDS", (("first", ("test_first.py",)), ("rest", ())))
    monkeypatch.setattr(shards, "FINAL", ("final", ("test_last.py",)))
    monkeypatch.delenv("DAEDALUS_TEST_SHARDS", raising=False)


def test_one_failing_shard_fails_the_run_and_final_does_not_run(shards, tmp_path: Path, monkeypatch, capfd):
    _suite(tmp_path, "def test_fails():\n    assert 'daedalus' == 'webknossos'\n", monkeypatch, shards)

    code = shards.main([])

    out = capfd.readouterr().out
    assert code == 1
    assert "first: exit 0" in out and "rest: exit 1" in out
    assert "1 passed" in out and "1 failed" in out and "'daedalus' == 'webknossos'" in out
    assert "final not run: a shard failed" in out and "===== final" not in out


def test_all_shards_passing_run_final_after_them(shards, tmp_path: Path, monkeypatch, capfd):
    _suite(tmp_path, "def test_passes_too():\n    assert [1][0] == 1\n", monkeypatch, shards)

    assert shards.main([]) == 0
    out = capfd.readouterr().out
    assert out.count("1 passed") == 3  # first, rest (without test_last.py), final
    assert out.index("===== final: exit 0") > max(out.index("===== first: exit 0"), out.index("===== rest: exit 0"))
