"""Reading the JSON metadata files of foreign volumes (local paths and URLs) with errors that name the file."""

from __future__ import annotations

import json
import re
from typing import Any

from upath import UPath

from ..errors import SourceNotFoundError
from .model import ForeignVolumeError

_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


def read_json(path: UPath, *, required: bool = True) -> Any:
    """The parsed JSON document at ``path``; None if it is absent and not ``required``."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        if required:
            raise SourceNotFoundError(f"{path} does not exist.", path=path) from None
        return None
    except OSError as error:  # e.g. an http server answering 403
        if not required:
            return None
        raise ForeignVolumeError(f"Cannot read {path}: {error}", path=path) from error
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ForeignVolumeError(f"{path} is not valid JSON: {error}", path=path) from error


def json_object(path: UPath, *, required: bool = True) -> dict[str, Any] | None:
    """``read_json`` for a document that must be a JSON object."""
    document = read_json(path, required=required)
    if document is None:
        return None
    if not isinstance(document, dict):
        raise ForeignVolumeError(f"{path} must hold a JSON object, not {type(document).__name__}.", path=path)
    return document


def child_path(parent: UPath, relative: Any, where: str) -> UPath:
    """``parent / relative`` for a relative path given in metadata: plain names joined by ``/``, nothing else.

    Absolute paths, URLs, ``..`` and unusual characters are refused: metadata must not point outside its volume.
    """
    parts = relative.rstrip("/").split("/") if isinstance(relative, str) else []
    if not parts or not all(_NAME.fullmatch(p) and p not in (".", "..") for p in parts):
        raise ForeignVolumeError(
            f"{where}: {relative!r} is not a relative path inside the volume (names of letters, digits, '_', '-', "
            "'.' joined by '/').",
            path=parent,
        )
    return parent.joinpath(*parts)


def numbers(value: Any, count: int, where: str, *, positive: bool = False) -> tuple[float, ...]:
    """``count`` finite numbers (positive ones if asked); ForeignVolumeError naming ``where`` otherwise."""
    ok = isinstance(value, (list, tuple)) and len(value) == count
    ok = ok and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf") for v in value
    )
    if ok and positive:
        ok = all(v > 0 for v in value)
    if not ok:
        kind = "positive numbers" if positive else "numbers"
        raise ForeignVolumeError(f"{where} must be {count} {kind}, got {value!r}.")
    return tuple(float(v) for v in value)


def whole_numbers(value: Any, count: int, where: str, *, minimum: int = 0) -> tuple[int, ...]:
    """``count`` integers of at least ``minimum``; ForeignVolumeError naming ``where`` otherwise."""
    ok = isinstance(value, (list, tuple)) and len(value) == count
    ok = ok and all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in value)
    if not ok:
        raise ForeignVolumeError(f"{where} must be {count} integers of at least {minimum}, got {value!r}.")
    return tuple(int(v) for v in value)
