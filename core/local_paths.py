"""The local file behind a path value (str, os.PathLike or UPath), for adapters whose library reads local files only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

LOCAL_PROTOCOLS = ("", "file", "local")


def protocol_of(path: Any) -> str:
    """The fsspec protocol of ``path``: a UPath's own, else the scheme of a ``scheme://`` string ("" for none)."""
    protocol = getattr(path, "protocol", None)
    if protocol is not None:
        return protocol
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    return text.split("://", 1)[0] if "://" in text else ""


def local_file_path(path: Any, refusal: str) -> Path:
    """``path`` as an absolute local Path; ValueError with ``refusal`` (which names the path and what to do
    instead) for any other protocol."""
    if protocol_of(path) not in LOCAL_PROTOCOLS:
        raise ValueError(refusal)
    if hasattr(path, "protocol"):
        raw = path.path
    else:
        text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
        raw = text.split("://", 1)[1] if "://" in text else text
    return Path(os.path.abspath(raw))
