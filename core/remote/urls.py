"""WEBKNOSSOS URLs: parse dataset and annotation links, build the datastore's zarr streaming and proxy paths."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import attrs

_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@attrs.frozen
class DatasetLink:
    """What a dataset URL names: the server, and an id or an organization + directory name; maybe a token."""

    webknossos_url: str
    dataset_id: str | None = None
    organization_id: str | None = None
    dataset_name: str | None = None
    sharing_token: str | None = None


def is_url(text: str) -> bool:
    """Whether ``text`` is an http(s) URL rather than a name or id."""
    return text.startswith(("http://", "https://"))


def _token_of(query: str) -> str | None:
    values = parse_qs(query)
    for key in ("token", "sharingToken"):
        if values.get(key):
            return values[key][0]
    return None


def parse_dataset_url(url: str) -> DatasetLink:
    """Split ``<wk>/datasets/<name>-<id>[/view]``, ``<wk>/datasets/<id>``, or the older
    ``<wk>/datasets/<organization>/<name>[/view]``, each with an optional ``?token=<sharing token>``."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    base = f"{parts.scheme}://{parts.netloc}"
    token = _token_of(parts.query)
    if "datasets" not in segments:
        raise ValueError(
            f"{url!r} is not a WEBKNOSSOS dataset URL; expected <server>/datasets/<name>-<id>/view or "
            "<server>/datasets/<organization>/<name>/view."
        )
    rest = segments[segments.index("datasets") + 1 :]
    if rest and rest[-1] in ("view", "edit", "sandbox"):
        rest = rest[:-1]
    if len(rest) == 1:
        candidate = rest[0].rsplit("-", 1)[-1]
        if _OBJECT_ID.match(candidate):
            return DatasetLink(base, dataset_id=candidate, sharing_token=token)
    if len(rest) == 2:
        return DatasetLink(base, organization_id=rest[0], dataset_name=rest[1], sharing_token=token)
    raise ValueError(
        f"Cannot find a dataset id or organization/name in {url!r}; expected <server>/datasets/<name>-<id>/view "
        "or <server>/datasets/<organization>/<name>/view."
    )


def parse_annotation_url(text: str) -> tuple[str | None, str]:
    """``(webknossos_url or None, annotation_id)`` of ``<wk>/annotations/<id>`` or of a plain id."""
    if not is_url(text):
        return None, text
    parts = urlsplit(text)
    segments = [s for s in parts.path.split("/") if s]
    if "annotations" not in segments or segments.index("annotations") + 1 >= len(segments):
        raise ValueError(f"{text!r} is not a WEBKNOSSOS annotation URL; expected <server>/annotations/<id>.")
    rest = segments[segments.index("annotations") + 1 :]
    annotation_id = rest[-1] if len(rest) > 1 and _OBJECT_ID.match(rest[-1]) else rest[0]
    return f"{parts.scheme}://{parts.netloc}", annotation_id


def dataset_view_url(webknossos_url: str, dataset_id: str) -> str:
    """The dataset's page in WEBKNOSSOS."""
    return f"{webknossos_url.rstrip('/')}/datasets/{dataset_id}"


def zarr_streaming_url(datastore_url: str, dataset_id: str, api_version: int, annotation_id: str | None = None) -> str:
    """The datastore's zarr v2 view of a dataset (or of an annotation's layers on top of it)."""
    base = f"{datastore_url.rstrip('/')}/data/v{api_version}"
    if annotation_id is not None:
        return f"{base}/annotations/zarr/{annotation_id}/"
    return f"{base}/zarr/{dataset_id}/"


def proxy_url(datastore_url: str, dataset_id: str, api_version: int) -> str:
    """The datastore's proxy of the dataset's stored arrays (``.../proxy/layers/<layer>/mags/<mag>``)."""
    return f"{datastore_url.rstrip('/')}/data/v{api_version}/datasets/{dataset_id}/proxy/"
