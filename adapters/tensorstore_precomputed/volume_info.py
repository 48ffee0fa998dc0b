"""The ``info`` file of a precomputed volume: where a mag path's scale lives, reading and atomically rewriting it."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

from daedalus.core.local_paths import local_file_path

INFO = "info"
CHUNK_KEY = re.compile(r"^(\d+)-(\d+)_(\d+)-(\d+)_(\d+)-(\d+)(\.\w+)?$")
SHARD_FILE = re.compile(r"^([0-9a-f]+)\.shard$")


def local_path(path: Any) -> Path:
    """``path`` (str, Path or UPath) as an absolute local path; ValueError for any other protocol."""
    return local_file_path(
        path, f"Cannot access the precomputed volume at {path}: only local paths are supported by this adapter."
    )


class UrlRoot:
    """The URL of a precomputed volume served over http(s): read through tensorstore's http kvstore, never written."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def __truediv__(self, name: str) -> str:
        return f"{self.url}/{name}"

    def __str__(self) -> str:
        return self.url

    @property
    def kvstore(self) -> dict[str, Any]:
        """tensorstore's kvstore spec for the volume."""
        return {"driver": "http", "base_url": self.url + "/"}

    def read(self, name: str) -> bytes | None:
        """The file ``name`` of the volume, or None if the server has none."""
        import tensorstore as ts

        result = ts.KvStore.open(self.kvstore).result().read(name).result()
        return bytes(result.value) if result.state == "value" else None


def is_url(path: Any) -> bool:
    """Whether ``path`` is an http(s) URL."""
    return str(path).startswith(("http://", "https://"))


def scale_location(path: Any) -> tuple[Path | UrlRoot, str | None]:
    """The volume root (holding ``info``) and the scale key (None: the first scale) for a mag path."""
    if is_url(path):
        url = str(path).rstrip("/")
        if read_info(UrlRoot(url)) is not None:
            return UrlRoot(url), None
        parent, _, key = url.rpartition("/")
        return UrlRoot(parent), key
    local = local_path(path)
    if (local / INFO).is_file():
        return local, None
    return local.parent, local.name


def read_info(root: Path | UrlRoot) -> dict[str, Any] | None:
    """The parsed ``info`` of the volume at ``root``, or None if there is none (or it is no JSON object)."""
    try:
        raw = root.read(INFO) if isinstance(root, UrlRoot) else (root / INFO).read_bytes()
        info = json.loads(raw) if raw is not None else None
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def write_info(root: Path, info: dict[str, Any]) -> None:
    """Replace ``info`` atomically (a reader never sees half a file)."""
    target = root / INFO
    temporary = target.with_name(f".{INFO}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(info))
    os.replace(temporary, target)


def scale_of(info: dict[str, Any] | None, key: str | None) -> dict[str, Any] | None:
    """The scale named ``key`` in ``info`` (None: the first one), or None."""
    scales = (info or {}).get("scales") or []
    if key is None:
        return scales[0] if scales else None
    return next((s for s in scales if str(s.get("key", "")).strip("/") == key), None)


def check_plain_chunk_files(folder: Path) -> None:
    """Refuse a scale whose chunk files carry a transfer-compression suffix (``.gz``, ...), as cloud-volume writes
    local volumes by default: tensorstore reads such chunks as missing, so the data would silently read as 0.

    Only the first chunk file found is looked at (the folder is listed lazily).
    """
    try:
        entries = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    with entries:
        for entry in entries:
            match = CHUNK_KEY.match(entry.name)
            if match is None:
                continue
            if match.group(7):
                raise ValueError(
                    f"Cannot read the precomputed scale {folder}: its chunk files are compressed for transfer "
                    f"({entry.name!r}, as cloud-volume writes local volumes unless given compress=False), which "
                    "tensorstore and Neuroglancer do not read from files. Decompress them (e.g. `gunzip -r "
                    f"{folder}`) or rewrite the volume with CloudVolume(..., compress=False)."
                )
            return
