"""Fixtures for remote annotation tests: a replay server of one recording (plus borrowed interactions) whose
URL and token are the context in effect."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

for _folder in (Path(__file__).resolve().parents[1] / "server", Path(__file__).resolve().parent):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

from wk_replay import RECORDINGS, ReplayServer, context_replays  # noqa: E402


@pytest.fixture
def wk_replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ReplayServer]]:
    """``wk_replay(recording, extra=[interactions], **options)``: a running replay server that is the context in
    effect (``WK_URL``/``WK_TOKEN``); the test fails if a request matched no recorded interaction."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({RECORDINGS}); check out ../shared")
    yield from context_replays(monkeypatch)
