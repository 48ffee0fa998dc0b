"""The rule for layer and attachment names: each names a folder or file inside the dataset, so it must be one
plain path component (the same rule for names passed to the API and names read from a properties file)."""

from __future__ import annotations

FORBIDDEN_NAME_CHARS = frozenset('/\\:*?"<>|')
"""Characters no name may contain: path separators and what Windows file systems forbid."""


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a layer or attachment folder, or None if it can.

    A name must be non-empty, must not start with ``.`` (which also rules out ``.`` and ``..``), and must
    contain none of ``FORBIDDEN_NAME_CHARS``; so it never points outside its parent folder.
    """
    if not name or name.startswith(".") or FORBIDDEN_NAME_CHARS & set(name):
        return f"it must be non-empty, not start with '.', and contain none of {''.join(sorted(FORBIDDEN_NAME_CHARS))}"
    return None
