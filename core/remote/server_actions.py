"""Server-side actions on remote datasets: add a dataset by exploring a URI, make the datastore reload one."""

from __future__ import annotations

import os
import warnings
from contextlib import nullcontext
from typing import Any

from upath import UPath

from ..client.context import get_context, webknossos_context
from ..client.errors import ApiClientError
from ..client.models import ApiDatasetExploreAndAddRemote
from .opening import context_for, find_dataset_id
from .remote_folder import RemoteFolder
from .upload import default_datastore_url
from .urls import is_url, parse_dataset_url


def _deprecated(old: str, new: str, stacklevel: int = 4) -> None:
    warnings.warn(f"{old} is deprecated; use {new} instead.", DeprecationWarning, stacklevel=stacklevel)


def _folder_id(folder: str | RemoteFolder | None, folder_path: str | None) -> str | None:
    """The id of ``folder`` (a RemoteFolder, or a path like ``"Organization_X/Datasets"``) or of ``folder_path``."""
    if folder_path is not None:
        if folder is not None:
            raise ValueError("Give folder or its deprecated alias folder_path, not both.")
        _deprecated("folder_path", "folder", stacklevel=5)
        folder = folder_path
    if folder is None:
        return None
    if isinstance(folder, RemoteFolder):
        return folder.id
    if isinstance(folder, str):
        return RemoteFolder.get_by_path(folder).id
    raise TypeError(f"folder must be a RemoteFolder or a folder path (str), not {type(folder).__name__}.")


def _uri_text(dataset_uri: Any) -> str:
    """``dataset_uri`` as the server expects it: a URI (``s3://``, ``https://``, ...) or an absolute local path."""
    if isinstance(dataset_uri, str):
        text = dataset_uri
    elif isinstance(dataset_uri, UPath) and dataset_uri.protocol not in ("", "file", "local"):
        text = str(dataset_uri)
    elif isinstance(dataset_uri, os.PathLike):
        text = os.path.abspath(os.fspath(dataset_uri))
    else:
        raise TypeError(f"dataset_uri must be a str, os.PathLike or UPath, not {type(dataset_uri).__name__}.")
    if not text.strip():
        raise ValueError("dataset_uri is empty; pass the URI of the dataset to explore (e.g. s3://bucket/dataset).")
    return text


def explore_and_add_remote(
    dataset_uri: Any,
    dataset_name: str,
    *,
    folder: str | RemoteFolder | None = None,
    folder_path: str | None = None,
    credentials: Any = None,
) -> Any:
    """``RemoteDataset.explore_and_add_remote`` (see its docstring): returns the new dataset, opened."""
    from .remote_dataset import RemoteDataset

    if not isinstance(dataset_name, str) or not dataset_name.strip():
        raise ValueError(f"dataset_name must be a non-empty string, got {dataset_name!r}.")
    uri = _uri_text(dataset_uri)
    payload = ApiDatasetExploreAndAddRemote(
        remote_uri=uri,
        dataset_name=dataset_name,
        folder_id=_folder_id(folder, folder_path),
        data_store_name=None,
        credential_identifier=None if credentials is None else credentials.credential_identifier,
        credential_secret=None if credentials is None else credentials.credential_secret,
    )
    context = get_context()
    try:
        dataset_id = context.api_client.dataset_explore_and_add_remote(dataset=payload)
    except ApiClientError as error:
        if error.status_code in (400, 404, 422):
            raise RuntimeError(
                f"WEBKNOSSOS ({context.url}) could not add {uri!r} as dataset {dataset_name!r}: "
                f"{error.server_message or error}. Check that the server can reach the URI and that it holds a "
                "dataset (zarr, N5, Neuroglancer precomputed, WKW)."
            ) from None
        raise
    return RemoteDataset.open(dataset_id=dataset_id)


def _reload_target(
    dataset_name_or_url: str | None, organization_id: str | None, webknossos_url: str | None, dataset_id: str | None
) -> tuple[str, str | None, str | None]:
    """(dataset id, organization id if named, server URL if named) of the dataset to reload."""
    if dataset_id is not None:
        return dataset_id, organization_id, webknossos_url
    if dataset_name_or_url is None:
        raise ValueError("Pass dataset_id=... or dataset_name_or_url=... (a dataset name or URL) to reload a dataset.")
    if not is_url(dataset_name_or_url):
        context = context_for(webknossos_url)
        found = find_dataset_id(context, dataset_name_or_url, organization_id, first_of_several=True)
        return found, organization_id, webknossos_url
    link = parse_dataset_url(dataset_name_or_url)
    if webknossos_url is not None and webknossos_url.rstrip("/") != link.webknossos_url:
        raise ValueError(
            f"The URL {dataset_name_or_url!r} names the server {link.webknossos_url}, but webknossos_url="
            f"{webknossos_url!r} was passed; leave out webknossos_url."
        )
    organization = organization_id or link.organization_id
    if link.dataset_id is not None:
        return link.dataset_id, organization, link.webknossos_url
    context = context_for(link.webknossos_url)
    found = find_dataset_id(context, str(link.dataset_name), organization, first_of_several=True)
    return found, organization, link.webknossos_url


def trigger_reload_in_datastore(
    *,
    dataset_name_or_url: str | None = None,
    organization_id: str | None = None,
    webknossos_url: str | None = None,
    dataset_id: str | None = None,
    organization: str | None = None,
    datastore_url: str | None = None,
    token: str | None = None,
) -> None:
    """``RemoteDataset.trigger_reload_in_datastore`` (see its docstring)."""
    if organization is not None:
        if organization_id is not None and organization_id != organization:
            raise ValueError("Give organization_id or its deprecated alias organization, not both.")
        _deprecated("organization", "organization_id")
        organization_id = organization
    scope: Any = nullcontext()
    if token is not None:
        _deprecated("token", "a webknossos_context(token=...)")
        scope = webknossos_context(url=webknossos_url, token=token)
    with scope:
        target_id, target_organization, server_url = _reload_target(
            dataset_name_or_url, organization_id, webknossos_url, dataset_id
        )
        context = context_for(server_url)
        store_url = datastore_url or default_datastore_url(context)
        store = context.get_datastore_api_client(store_url)
        store.dataset_trigger_reload(
            organization_id=target_organization or context.organization_id, dataset_id=target_id
        )
