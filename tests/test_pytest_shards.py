"""scripts/pytest-shards: the shards cover the suite once, run at once, and any failing shard fails the run."""

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


def test_the_last_shard_runs_everything_the_others_do_not_name(shards, tmp_path: Path) -> None:
    commands = shards.shard_commands([], tmp_path)
    named = [path for _, paths in shards.SHARDS[:-1] for path in paths]
    assert named, "the first shards name their test paths"
    *first, (last_name, last) = commands
    assert [arg for arg in last if arg.startswith("--ignore=")] == [f"--ignore={path}" for path in named]
    for (name, command), (_, paths) in zip(first, shards.SHARDS):
        assert command[-len(paths) :] == list(paths), name
    assert len({command[command.index("-q") + 3] for _, command in commands}) == len(commands)  # own basetemp


def test_a_shard_path_that_does_not_exist_is_refused(shards, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(shards, "SHARDS", (("a", ("tests/gone",)), ("rest", ())))
    with pytest.raises(SystemExit, match="tests/gone does not exist"):
        shards.shard_commands([], tmp_path)


def test_one_failing_shard_fails_the_run_and_both_outputs_are_printed(shards, tmp_path: Path, monkeypatch, capfd):
    (tmp_path / "test_first.py").write_text("def test_passes():\n    assert 1 + 1 == 2\n")
    (tmp_path / "test_second.py").write_text("def test_fails():\n    assert 'daedalus' == 'webknossos'\n")
    monkeypatch.setattr(shards, "ROOT", tmp_path)
    monkeypatch.setattr(shards, "SHARDS", (("first", ("test_first.py",)), ("rest", ())))
    monkeypatch.delenv("DAEDALUS_TEST_SHARDS", raising=False)

    code = shards.main([])

    out = capfd.readouterr().out
    assert code == 1
    assert "shard first: exit 0" in out and "shard rest: exit 1" in out
    assert "1 passed" in out and "1 failed" in out and "'daedalus' == 'webknossos'" in out


def test_all_shards_passing_pass_the_run(shards, tmp_path: Path, monkeypatch, capfd):
    (tmp_path / "test_first.py").write_text("def test_passes():\n    assert 1 + 1 == 2\n")
    (tmp_path / "test_second.py").write_text("def test_passes_too():\n    assert [1][0] == 1\n")
    monkeypatch.setattr(shards, "ROOT", tmp_path)
    monkeypatch.setattr(shards, "SHARDS", (("first", ("test_first.py",)), ("rest", ())))
    monkeypatch.delenv("DAEDALUS_TEST_SHARDS", raising=False)

    assert shards.main([]) == 0
    assert capfd.readouterr().out.count("1 passed") == 2
