"""Fixtures for RemoteDataset tests: a replay server of one recording, used as the context's WEBKNOSSOS server."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

for folder in (Path(__file__).resolve().parents[1] / "server", Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from recorded import TOKEN  # noqa: E402
from wk_replay import RECORDINGS, ReplayServer, context_replays  # noqa: E402


@pytest.fixture
def wk_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ReplayServer]]:
    """``wk_server("test_remote_dataset/x.yml", **options)``: a running replay server that is also the context's
    server (``WK_URL``, ``WK_TOKEN``). Fails the test if a request matched no recorded interaction."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({RECORDINGS}); check out ../shared")
    yield from context_replays(monkeypatch, TOKEN)
