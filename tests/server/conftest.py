"""Fixtures for tests against recorded WEBKNOSSOS server exchanges: ``replay(name)`` starts a replay server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))

from wk_replay import RECORDINGS, ReplayFactory, ReplayServer  # noqa: E402


@pytest.fixture
def replay() -> Iterator[ReplayFactory]:
    """``replay("test_user/test_get_current_user.yml", **options)`` -> a running ReplayServer (``.url``).

    Every server is stopped after the test, and the test fails if a request matched no recorded interaction.
    """
    if not RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({RECORDINGS}); check out ../shared")
    servers: list[ReplayServer] = []

    def start(recording: str, **options: object) -> ReplayServer:
        server = ReplayServer(recording, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
    for server in servers:
        server.assert_no_unmatched()


@pytest.fixture
def wk_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No WK_URL / WK_TOKEN / WK_TIMEOUT from the environment running the tests."""
    for name in ("WK_URL", "WK_TOKEN", "WK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch
