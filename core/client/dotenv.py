"""Reads a ``.env`` file (the nearest one in the working directory or above) into the environment, as the
reference library does for ``WK_URL``, ``WK_TOKEN`` and ``WK_TIMEOUT``; variables already set win."""

from __future__ import annotations

import os
import re
from pathlib import Path

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
_loaded = False


def find_dotenv(start: Path | None = None) -> Path | None:
    """The first ``.env`` file in ``start`` (default: the working directory) or one of its parents."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / ".env"
        if path.is_file():
            return path
    return None


def _value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return inner.replace('\\"', '"').replace("\\n", "\n") if raw[0] == '"' else inner
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


def parse_dotenv(text: str) -> dict[str, str]:
    """``KEY=value`` lines (``export`` prefix, quotes and trailing ``# comments`` allowed); others are skipped."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match:
            values[match.group(1)] = _value(match.group(2))
    return values


def load_dotenv_once() -> Path | None:
    """Put the nearest ``.env``'s variables into ``os.environ`` (not overriding set ones), once per process."""
    global _loaded
    if _loaded:
        return None
    _loaded = True
    path = find_dotenv()
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # an unreadable .env is ignored, as if absent
    for key, value in parse_dotenv(text).items():
        os.environ.setdefault(key, value)
    return path
