"""Read recorded exchanges directly (what a reply means, independently of the code under test), and borrow
interactions of one recording for another."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from typing import Any

import yaml
from wk_replay import RECORDINGS, Interaction

FIXTURE_ZIP = RECORDINGS.parent / "fixtures/wk-testdata/annotations/l4_sample__explorational__suser__94b271.zip"
L4_SAMPLE_ID = "59e9cfbdba632ac2ab8b23b5"
USER_A_ID = "570b9f4d2a7c0e4d008da6ef"


def recorded(recording: str) -> list[dict[str, Any]]:
    """The interactions of ``recording`` as stored in the YAML."""
    return yaml.safe_load((RECORDINGS / recording).read_text())["http_interactions"]


def body_bytes(part: dict[str, Any]) -> bytes:
    """The bytes of a recorded request or response body."""
    raw = part.get("body") or {}
    data = raw.get("data") or ""
    return base64.b64decode(data) if raw.get("encoding") == "base64" else data.encode()


def borrowed(recording: str, index: int, replace: dict[str, str] | None = None) -> Interaction:
    """Interaction ``index`` of another recording, with text replaced in its path and reply."""
    interaction = Interaction.from_yaml(recorded(recording)[index])
    for old, new in (replace or {}).items():
        interaction.path = interaction.path.replace(old, new)
        interaction.reply = interaction.reply.replace(old.encode(), new.encode())
    return interaction


def annotation_info_replies(
    count: int, annotation_id: str, name: str, extra_layers: list[dict[str, Any]] | None = None
) -> list[Interaction]:
    """The annotation-info reply of test_api_client/test_annotation_info.yml re-addressed to ``annotation_id`` on
    l4_sample, named ``name``, with ``extra_layers`` added to its annotation layers; ``count`` copies."""
    replace = {
        "570ba0092a7c0e980056fe9b": annotation_id,
        "570b9f4e4bb848d0885ee711": L4_SAMPLE_ID,
        '"name":"","description":""': f'"name":"{name}","description":"from the server"',
    }
    replies = [borrowed("test_api_client/test_annotation_info.yml", 0, replace) for _ in range(count)]
    for reply in replies:
        info = json.loads(reply.reply)
        info["annotationLayers"] = [*info["annotationLayers"], *(extra_layers or [])]
        reply.reply = json.dumps(info).encode()
    return replies


def uploaded_zip(multipart: bytes) -> tuple[str, zipfile.ZipFile]:
    """The file name and the zip of an annotation upload's multipart body."""
    name = re.search(rb'filename="([^"]+)"', multipart)
    assert name is not None, "the upload has no file part"
    start = multipart.index(b"PK\x03\x04")
    end = multipart.rindex(b"\r\n--")
    return name.group(1).decode(), zipfile.ZipFile(io.BytesIO(multipart[start:end]))
