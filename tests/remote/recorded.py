"""Read recorded exchanges directly (to compute what a reply means independently of the code under test)."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import yaml
from wk_replay import RECORDINGS

TOKEN = "secrettoken-for-remote-tests"


def interactions(recording: str) -> list[dict[str, Any]]:
    """The recorded interactions of ``recording`` (relative to the recordings folder)."""
    return yaml.safe_load((RECORDINGS / recording).read_text())["http_interactions"]


def body(part: dict[str, Any]) -> bytes:
    """The bytes of a recorded request or response body."""
    raw = part.get("body") or {}
    data = raw.get("data") or ""
    return base64.b64decode(data) if raw.get("encoding") == "base64" else data.encode()


def reply(recording: str, path: str, method: str = "GET") -> bytes:
    """The first recorded reply to ``method path``."""
    for item in interactions(recording):
        if item["request"]["method"] == method and item["request"]["path"] == path:
            return body(item["response"])
    raise KeyError(f"{method} {path} is not in {recording}")


def decode_zarr2_chunk(recording: str, array_path: str, key: str) -> np.ndarray:
    """A recorded zarr v2 chunk decoded as its recorded ``.zarray`` says (uncompressed arrays only)."""
    meta = json.loads(reply(recording, f"{array_path}/.zarray"))
    assert meta["compressor"] is None and meta["filters"] is None, "only uncompressed chunks are decoded here"
    raw = reply(recording, f"{array_path}/{key}")
    return np.frombuffer(raw, dtype=np.dtype(meta["dtype"])).reshape(meta["chunks"], order=meta["order"])
