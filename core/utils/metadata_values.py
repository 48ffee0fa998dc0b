"""Metadata value types of WEBKNOSSOS (``string``, ``number``, ``string[]``) for values of dataset/folder metadata."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def infer_metadata_type(value: Any) -> str:
    """The WEBKNOSSOS metadata type of ``value``: ``string``, ``number`` (bools and ints count) or ``string[]``."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, Sequence):
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"In lists only str type is allowed, got: {type(item)}")
        return "string[]"
    raise ValueError(f"Unsupported metadata type: {type(value)}")


def parse_metadata_value(value: Any, ts_type: str) -> Any:
    """``value`` as the Python value of WEBKNOSSOS metadata type ``ts_type`` (``number`` gives int or float)."""
    if ts_type == "number":
        if isinstance(value, (int, float)):
            return value
        try:
            return int(value)
        except ValueError:
            return float(value)
    if ts_type == "string[]":
        return list(value)
    if ts_type == "string":
        return str(value)
    raise ValueError(f"Unknown metadata type {ts_type}")
