"""Annotation ids and URLs: ``<id>``, ``<server>/annotations/<id>``, ``<server>/annotations/<Type>/<id>``, with
an optional sharing token (``?token=...`` or ``?sharingToken=...``)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import attrs

_ANNOTATION_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_TYPES = {"explorational": "Explorational", "task": "Task", "compoundtask": "CompoundTask"}
_TRAILING = frozenset({"view", "edit", "info", "download"})
EXPECTED_FORMS = (
    "an annotation id (e.g. 69270ba1010000ca00110a99) or a URL <server>/annotations/<id> or "
    "<server>/annotations/Explorational/<id>, optionally with ?token=<sharing token>"
)


class AnnotationUrlError(ValueError):
    """An annotation id or URL cannot be understood."""


@attrs.frozen
class AnnotationLink:
    """What an annotation id or URL names: the annotation, and maybe its server, type and sharing token."""

    annotation_id: str
    webknossos_url: str | None = None
    annotation_type: str | None = None
    sharing_token: str | None = None


def _refuse(text: str, why: str) -> AnnotationUrlError:
    return AnnotationUrlError(f"Cannot use {text!r} as an annotation: {why}. Pass {EXPECTED_FORMS}.")


def _checked_id(text: str, candidate: str) -> str:
    if not _ANNOTATION_ID.match(candidate):
        raise _refuse(text, f"{candidate!r} is not an annotation id")
    return candidate


def _sharing_token(text: str, query: str) -> str | None:
    values = parse_qs(query)
    tokens = {v for key in ("token", "sharingToken") for v in values.get(key, []) if v}
    if len(tokens) > 1:
        raise _refuse(text, "it carries two different sharing tokens")
    return next(iter(tokens), None)


def parse_annotation_link(annotation_id_or_url: str) -> AnnotationLink:
    """The annotation named by ``annotation_id_or_url``; AnnotationUrlError (a ValueError) if it names none."""
    if not isinstance(annotation_id_or_url, str):
        raise AnnotationUrlError(
            f"An annotation must be given as a string, got {type(annotation_id_or_url).__name__}; "
            f"pass {EXPECTED_FORMS}."
        )
    text = annotation_id_or_url.strip()
    if not text.startswith(("http://", "https://")):
        if "://" in text:
            raise _refuse(text, "only http:// and https:// URLs name annotations")
        return AnnotationLink(_checked_id(annotation_id_or_url, text))
    parts = urlsplit(text)
    if not parts.netloc:
        raise _refuse(text, "the URL names no server")
    segments = [s for s in parts.path.split("/") if s]
    if "annotations" not in segments:
        raise _refuse(text, "the URL has no /annotations/ part")
    rest = segments[segments.index("annotations") + 1 :]
    while rest and rest[-1].lower() in _TRAILING:
        rest = rest[:-1]
    annotation_type = None
    if len(rest) == 2 and rest[0].lower() in _TYPES:
        annotation_type, rest = _TYPES[rest[0].lower()], rest[1:]
    if len(rest) != 1:
        raise _refuse(text, "no annotation id follows /annotations/" if not rest else "it has extra path segments")
    return AnnotationLink(
        annotation_id=_checked_id(text, rest[0]),
        webknossos_url=f"{parts.scheme}://{parts.netloc}",
        annotation_type=annotation_type,
        sharing_token=_sharing_token(text, parts.query),
    )


def annotation_url(webknossos_url: str, annotation_id: str) -> str:
    """The annotation's page in WEBKNOSSOS (``<server>/annotations/<id>``)."""
    return f"{webknossos_url.rstrip('/')}/annotations/{annotation_id}"


def annotation_id_from_url(annotation_id_or_url: str) -> str:
    """The id in an annotation URL, or ``annotation_id_or_url`` itself if it is no annotation URL (no request)."""
    try:
        return parse_annotation_link(annotation_id_or_url).annotation_id
    except AnnotationUrlError:
        return annotation_id_or_url


def position_fragment(position: object = None) -> str:
    """The URL fragment that makes WEBKNOSSOS open at ``position`` (Mag(1) x, y, z): ``#x,y,z,0,1``, or ``""``."""
    if position is None:
        return ""
    values = [float(v) for v in position]  # type: ignore[attr-defined]
    if len(values) != 3:
        raise ValueError(f"position must have three coordinates (x, y, z), got {position!r}.")
    text = ",".join(str(int(v)) if v.is_integer() else str(v) for v in values)
    return f"#{text},0,1"
