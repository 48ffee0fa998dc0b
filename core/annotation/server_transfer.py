"""Moving annotation files to and from a WEBKNOSSOS server: which server, download, upload, and clear errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from daedalus.core.client.abstract_client import query_string, segment
from daedalus.core.client.api_client import filename_from_disposition
from daedalus.core.client.context import WebknossosContext, get_context
from daedalus.core.client.errors import (
    ApiClientError,
    UnexpectedStatusError,
    WebknossosAuthError,
    WebknossosConnectionError,
)

from .annotation_urls import AnnotationLink, AnnotationUrlError

T = TypeVar("T")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")


class RemoteAnnotationNotFoundError(UnexpectedStatusError, FileNotFoundError, LookupError):
    """The server does not know the annotation, or does not share it with this token / sharing token.

    An UnexpectedStatusError like the reference's error for that reply; ``status_code`` and ``server_message``
    are the server's.
    """

    def __init__(self, message: str, error: ApiClientError | None = None) -> None:
        self.method, self.url, self.status_code, self.server_message, self.hint = "GET", "", None, "", ""
        if error is not None:
            self.method, self.url, self.status_code = error.method, error.url, error.status_code
            self.server_message = error.server_message
        Exception.__init__(self, message)


def server_context(link: AnnotationLink, webknossos_url: str | None) -> WebknossosContext:
    """The context to talk to the annotation's server: the one in effect, or a token-less one for another server."""
    named = link.webknossos_url
    if named is not None and webknossos_url is not None and named.rstrip("/") != webknossos_url.rstrip("/"):
        raise AnnotationUrlError(
            f"The annotation URL names the server {named} but webknossos_url={webknossos_url!r} was passed; "
            "leave out webknossos_url or pass a plain annotation id."
        )
    wanted = named or webknossos_url
    current = get_context()
    if wanted is None or wanted.rstrip("/") == current.url:
        return current
    return WebknossosContext(url=wanted, token=None, timeout=current.timeout, api_version=current.api_version)


def _not_found(what: str, context: WebknossosContext, error: ApiClientError) -> RemoteAnnotationNotFoundError:
    return RemoteAnnotationNotFoundError(
        f"{what} on {context.url} failed: the annotation does not exist or is not shared with you (the server "
        f"said: HTTP {error.status_code} {error.server_message}). Check the annotation id or URL, use a URL with "
        "the annotation's sharing token (?token=...), or a token (webknossos_context(token=...) or WK_TOKEN) of "
        "a user who may see it.",
        error,
    )


def calling_server(what: str, context: WebknossosContext, call: Callable[[], T]) -> T:
    """``call()``, with server failures turned into errors that say what was asked (``what``) and what to do."""
    try:
        return call()
    except (WebknossosAuthError, WebknossosConnectionError) as error:
        hint = f"{what} on {context.url} was refused or could not be sent. {error.hint}".rstrip(". ")
        raise type(error)(error.method, error.url, error.status_code, error.server_message, hint) from None
    except ApiClientError as error:
        if error.status_code in (400, 404):
            raise _not_found(what, context, error) from None
        raise


@contextmanager
def _streamed_download(
    context: WebknossosContext, annotation_id: str, query: dict[str, object]
) -> Iterator[tuple[bytes, str]]:
    client = context.api_client
    url = client.url_from_route(f"/annotations/{segment(annotation_id)}/download") + query_string(query)
    with client.transport.stream("GET", url, headers=client.headers, timeout=client.timeout_seconds) as response:
        content = b"".join(response.iter_bytes())
        yield content, filename_from_disposition(response.headers.get("content-disposition"))


def download_file(context: WebknossosContext, link: AnnotationLink, skip_volume_data: bool) -> tuple[bytes, str]:
    """The annotation's file (zip with zarr3 volume data, or NML) and its file name, as the server sends it."""
    what = f"Downloading annotation {link.annotation_id!r}"

    def download() -> tuple[bytes, str]:
        if link.sharing_token is None:
            return context.api_client.annotation_download(
                annotation_id=link.annotation_id, skip_volume_data=skip_volume_data
            )
        # WkApiClient.annotation_download takes no sharing token: send the same route with ``sharingToken``
        query = {"skipVolumeData": skip_volume_data, "volumeDataZipFormat": "zarr3", "sharingToken": link.sharing_token}
        with _streamed_download(context, link.annotation_id, query) as result:
            return result

    return calling_server(what, context, download)


def safe_filename(name: str, suffix: str) -> str:
    """``name`` + ``suffix`` usable as a file name (path separators and odd characters replaced)."""
    cleaned = _UNSAFE_FILENAME.sub("_", name).strip(" .") or "annotation"
    return cleaned + suffix


def upload_file(context: WebknossosContext, body: bytes, filename: str, name: str) -> str:
    """Upload an annotation file; returns the id the server gave the new annotation."""
    if context.token is None:
        raise RuntimeError(
            f"Cannot upload annotation {name!r} to {context.url}: no token is configured. Use "
            "webknossos_context(url=..., token=...) or set WK_TOKEN (get it from <server>/account/token)."
        )
    result = calling_server(
        f"Uploading annotation {name!r}",
        context,
        lambda: context.api_client.annotation_upload(file_body=body, filename=filename, createGroupForEachFile=False),
    )
    return result.annotation.id
