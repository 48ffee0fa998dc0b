"""A ``.env`` file in the working directory (or above) supplies WK_URL / WK_TOKEN / WK_TIMEOUT, as in the reference.

Observed with the reference 4.3.3: the nearest ``.env`` upward from the working directory is read, ``export``
prefixes and quotes are understood, and variables already in the environment win.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from daedalus.core.client import context as context_module
from daedalus.core.client import dotenv

KEYS = ("WK_URL", "WK_TOKEN", "WK_TIMEOUT", "DAEDALUS_TEST_EXTRA")


@pytest.fixture
def fresh_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    saved = {key: os.environ.pop(key) for key in KEYS if key in os.environ}
    monkeypatch.setattr(dotenv, "_loaded", False)
    monkeypatch.chdir(tmp_path)
    context_module.clear_context_caches()
    yield tmp_path
    for key in KEYS:
        os.environ.pop(key, None)
    os.environ.update(saved)
    context_module.clear_context_caches()


def test_the_context_takes_url_token_and_timeout_from_a_dotenv_file(fresh_env: Path) -> None:
    (fresh_env / ".env").write_text('WK_URL=http://127.0.0.1:1234/\nWK_TOKEN="abc"\nexport WK_TIMEOUT = 77 # s\n')
    context = context_module.get_context()
    assert (context.url, context.token, context.timeout) == ("http://127.0.0.1:1234", "abc", 77)


def test_the_nearest_dotenv_upward_is_read_and_set_variables_win(fresh_env: Path) -> None:
    (fresh_env / ".env").write_text("WK_URL=http://parent:1\nWK_TOKEN=parent-token\n")
    inner = fresh_env / "project" / "scripts"
    inner.mkdir(parents=True)
    os.chdir(inner)
    os.environ["WK_TIMEOUT"] = "5"
    (fresh_env / "project" / ".env").write_text("WK_URL=http://nearest:1\nWK_TIMEOUT=99\nDAEDALUS_TEST_EXTRA=yes\n")
    context = context_module.get_context()
    assert context.url == "http://nearest:1"
    assert context.timeout == 5, "a variable set in the environment wins over .env"
    assert context.token is None, "only the nearest .env is read"
    assert os.environ["DAEDALUS_TEST_EXTRA"] == "yes"


def test_without_a_dotenv_the_defaults_hold(fresh_env: Path) -> None:
    assert dotenv.find_dotenv(fresh_env) is None, "a .env above the test's temporary folder"
    context = context_module.get_context()
    assert (context.url, context.token, context.timeout) == ("https://webknossos.org", None, 1800)


def test_parse_dotenv_lines() -> None:
    text = "# comment\n\nA=1\nexport B = two words # note\nC='x # y'\nD=\"q\\\"q\"\nnot a line\n"
    assert dotenv.parse_dotenv(text) == {"A": "1", "B": "two words", "C": "x # y", "D": 'q"q'}
