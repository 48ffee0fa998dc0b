"""Path helpers for datasets: local vs. fsspec paths, mag folder resolution, relative checks."""

from __future__ import annotations

import ipaddress
import os
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from upath import UPath

_LOCAL = ("", "file", "local")
_S3_SCHEMES = ("s3", "s3a")


def to_upath(path: Any) -> UPath:
    """A UPath for ``path``; local paths become absolute."""
    upath = path if isinstance(path, UPath) else UPath(os.fspath(path) if isinstance(path, os.PathLike) else path)
    if is_local(upath):
        return UPath(os.path.abspath(os.fspath(upath.path if hasattr(upath, "path") else upath)))
    return upath


def is_local(path: Any) -> bool:
    """Whether ``path`` is on the local file system."""
    return getattr(path, "protocol", "") in _LOCAL


def local_path(path: Any) -> Path:
    """A pathlib.Path for a local UPath."""
    return Path(path.path if isinstance(path, UPath) else path)


def is_relative_to(path: Any, parent: Any) -> bool:
    """Whether ``path`` lies inside ``parent`` (same protocol), after resolving ``.`` and ``..`` segments.

    ``dataset/color/../../victim`` is not inside ``dataset/color``: a path from a properties file cannot pass
    for one inside the dataset (whose data a deletion removes) by climbing out with ``..``. Symbolic links
    are not followed.
    """
    if getattr(path, "protocol", "") != getattr(parent, "protocol", ""):
        return False
    child_parts, parent_parts = _normalized_parts(path), _normalized_parts(parent)
    return child_parts[: len(parent_parts)] == parent_parts


def _normalized_parts(path: Any) -> list[str]:
    """The segments of ``path`` with ``.`` and ``..`` resolved lexically (a URL keeps its ``scheme://``)."""
    text = str(path)
    if is_local(path):
        return list(Path(os.path.normpath(text)).parts)
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    normalized = posixpath.normpath(rest) if rest else ""
    return [scheme + separator, *(part for part in normalized.split("/") if part not in ("", "."))]


def resolve_mag_path(dataset_path: UPath, layer_path: UPath, entry: Any) -> UPath:
    """Where a mag's array is: its properties ``path`` (relative to the dataset, absolute or a URL), or
    for old files without ``path`` the layer folder's ``"2"`` / ``"2-2-1"`` style directory (local or remote)."""
    if entry.path:
        text = str(entry.path)
        if "://" in text:
            return path_from_url(text)
        if os.path.isabs(text):
            return UPath(text)
        return dataset_path / text.removeprefix("./")
    short = layer_path / entry.mag.to_layer_name()
    try:
        if not short.exists():
            long = layer_path / entry.mag.to_long_layer_name()
            if long.exists():
                return long
    except (OSError, ValueError):  # a location that cannot tell: keep the short name
        pass
    return short


def url_for_properties(path: Any) -> str:
    """How the remote ``path`` is written into a properties file: an ``s3://`` path with a custom endpoint as
    ``s3://host[:port]/bucket/key`` (the endpoint's host first, as WEBKNOSSOS and the reference write it; keys
    are never written), any other location as its URL."""
    if getattr(path, "protocol", "") in _S3_SCHEMES:
        options = getattr(path, "storage_options", None) or {}
        endpoint = options.get("endpoint_url") or (options.get("client_kwargs") or {}).get("endpoint_url")
        host = urlsplit(str(endpoint)).netloc if endpoint else ""
        if host:
            return f"s3://{host}/{str(path.path).strip('/')}"
    return str(path)


def path_from_url(text: str) -> UPath:
    """The location a properties URL names. ``s3://host[:port]/bucket/key``, whose host has a port or a dot or is
    ``localhost``, is ``bucket/key`` on that endpoint: https, or the scheme of ``$AWS_ENDPOINT_URL_S3`` /
    ``$AWS_ENDPOINT_URL`` when that names the same host (a local http server). ``s3://bucket/key`` is a
    bucket on the default endpoint (AWS, or the one those variables name)."""
    scheme, _, rest = text.partition("://")
    if scheme in _S3_SCHEMES:
        host, _, key = rest.partition("/")
        if key.strip("/") and _is_endpoint_host(host):
            return UPath(f"{scheme}://{key}", endpoint_url=_endpoint_for(host))
    return UPath(text)


def _is_endpoint_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if ":" in host or "." in name or name == "localhost":
        return True
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _endpoint_for(host: str) -> str:
    for variable in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        configured = os.environ.get(variable)
        if configured and urlsplit(configured).netloc == host:
            return f"{urlsplit(configured).scheme or 'https'}://{host}"
    return f"https://{host}"
