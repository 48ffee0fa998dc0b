"""How RemoteDataset.open finds a dataset: its server context, its id, and the properties of its layers."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
from upath import UPath

from ..client.context import AUTH_HEADER, WebknossosContext, get_context
from ..client.errors import ApiClientError, UnexpectedStatusError, WebknossosAuthError
from ..client.models import ApiDataset, ApiUnusableDataSource
from ..properties import DatasetProperties, dataset_properties_from_json
from .access_mode import RemoteAccessMode
from .urls import is_url, parse_annotation_url, parse_dataset_url, proxy_url, zarr_streaming_url


class RemoteDatasetNotFoundError(UnexpectedStatusError, FileNotFoundError, LookupError, ValueError):
    """The dataset does not exist on the server, or is not shared with the current user / sharing token.

    Like the reference, an UnexpectedStatusError (the server's reply to an unknown id) and a ValueError (no
    dataset of that name); ``status_code`` and ``server_message`` are the server's when it answered.
    """

    def __init__(self, message: str) -> None:
        self.method, self.url, self.status_code, self.server_message, self.hint = "GET", "", None, "", ""
        Exception.__init__(self, message)

    @classmethod
    def answering(cls, message: str, error: ApiClientError | None) -> RemoteDatasetNotFoundError:
        """The error with ``message``, carrying the request and reply of the server's ``error`` (if any)."""
        found = cls(message)
        if error is not None:
            found.method, found.url, found.status_code = error.method, error.url, error.status_code
            found.server_message = error.server_message
        return found


@attrs.frozen
class Target:
    """What to open: the context, the dataset id and how to read it."""

    context: WebknossosContext
    dataset_id: str
    sharing_token: str | None
    annotation_id: str | None
    access_mode: RemoteAccessMode


def choose_access_mode(access_mode: RemoteAccessMode | None, use_zarr_streaming: bool | None) -> RemoteAccessMode:
    """The access mode from ``access_mode`` or the deprecated ``use_zarr_streaming`` (default zarr streaming)."""
    if use_zarr_streaming is not None:
        warnings.warn(
            "use_zarr_streaming is deprecated; pass access_mode=RemoteAccessMode.ZARR_STREAMING (or DIRECT_PATH).",
            DeprecationWarning,
            stacklevel=3,
        )
        if access_mode is None:
            access_mode = RemoteAccessMode.ZARR_STREAMING if use_zarr_streaming else RemoteAccessMode.DIRECT_PATH
    if access_mode is None:
        return RemoteAccessMode.ZARR_STREAMING
    return RemoteAccessMode(access_mode)


def context_for(webknossos_url: str | None) -> WebknossosContext:
    """The context in effect, or (for another server) a context for ``webknossos_url`` without a token."""
    current = get_context()
    if webknossos_url is None or webknossos_url.rstrip("/") == current.url:
        return current
    return WebknossosContext(url=webknossos_url, token=None, timeout=current.timeout, api_version=current.api_version)


def _not_found(what: str, error: ApiClientError | None = None) -> RemoteDatasetNotFoundError:
    detail = f" (the server said: {error})" if error is not None else ""
    return RemoteDatasetNotFoundError.answering(
        f"Cannot open the remote dataset {what}: it does not exist or is not shared with you{detail}. Check the "
        "id or name and organization, pass a sharing_token, or use a token (webknossos_context(token=...) or "
        "WK_TOKEN) of a user who may see it.",
        error,
    )


def find_dataset_id(
    context: WebknossosContext, name: str, organization_id: str | None, *, first_of_several: bool = False
) -> str:
    """The id of the dataset named ``name`` (its name or directory name) in the organization. Several datasets of
    that name are refused, or (``first_of_several``) the server's first one is taken with a warning."""
    organization = organization_id or context.organization_id
    found = context.api_client.dataset_list(is_active=True, organization_id=organization, name=name, folder_id=None)
    exact = [d for d in found if d.directory_name == name] or [d for d in found if d.name == name]
    if not exact:  # as the reference: the server's own lookup of a directory name (datasets the search misses)
        try:
            return context.api_client.dataset_id_from_name(directory_name=name, organization_id=organization)
        except WebknossosAuthError:
            raise
        except ApiClientError as error:
            if error.status_code not in (400, 403, 404):
                raise
            raise _not_found(f"{name!r} of organization {organization!r}", error) from None
    if len({d.id for d in exact}) > 1 and first_of_several:
        warnings.warn(
            f"Several datasets of organization {organization!r} are named {name!r} (ids {[d.id for d in exact]}); "
            f"using {exact[0].id}. Pass dataset_id=... to choose another.",
            UserWarning,
            stacklevel=3,
        )
    elif len({d.id for d in exact}) > 1:
        raise ValueError(
            f"Several datasets of organization {organization!r} are named {name!r} (ids "
            f"{sorted({d.id for d in exact})}); open one with RemoteDataset.open(dataset_id=...)."
        )
    return exact[0].id


def resolve_target(
    dataset_name_or_url: str | None,
    *,
    organization_id: str | None,
    sharing_token: str | None,
    webknossos_url: str | None,
    dataset_id: str | None,
    annotation_id_or_url: str | None,
    access_mode: RemoteAccessMode,
) -> Target:
    """Interpret RemoteDataset.open's arguments (see its docstring)."""
    annotation_id = None
    if dataset_name_or_url is not None and is_url(dataset_name_or_url):
        if organization_id is not None or webknossos_url is not None or sharing_token is not None:
            raise ValueError(
                "When opening a dataset by URL, do not pass organization_id, webknossos_url or sharing_token: the "
                f"URL {dataset_name_or_url!r} names them."
            )
        link = parse_dataset_url(dataset_name_or_url)
        context = context_for(link.webknossos_url)
        sharing_token = link.sharing_token
        dataset_id = link.dataset_id or find_dataset_id(context, str(link.dataset_name), link.organization_id)
        return Target(context, dataset_id, sharing_token, None, access_mode)
    if annotation_id_or_url is not None:
        annotation_url, annotation_id = parse_annotation_url(annotation_id_or_url)
        webknossos_url = webknossos_url or annotation_url
    context = context_for(webknossos_url)
    if annotation_id is not None and dataset_id is None:
        info = context.api_client.annotation_info(annotation_id=annotation_id)
        dataset_id = info.extra_json.get("datasetId")
        if not dataset_id:
            raise ValueError(f"The server did not say which dataset annotation {annotation_id!r} belongs to.")
    if dataset_id is None:
        if dataset_name_or_url is None:
            raise ValueError("Pass a dataset name, a dataset URL, dataset_id= or annotation_id_or_url=.")
        dataset_id = find_dataset_id(context, dataset_name_or_url, organization_id)
    return Target(context, str(dataset_id), sharing_token, annotation_id, access_mode)


def fetch_info(context: WebknossosContext, dataset_id: str, sharing_token: str | None) -> ApiDataset:
    """The dataset's information; RemoteDatasetNotFoundError if the server does not know or share it."""
    try:
        return context.api_client.dataset_info(dataset_id=dataset_id, sharing_token=sharing_token)
    except WebknossosAuthError:
        raise
    except ApiClientError as error:
        if error.status_code in (400, 403, 404):
            raise _not_found(f"with id {dataset_id!r}", error) from None
        raise


def auth_headers(context: WebknossosContext, sharing_token: str | None) -> dict[str, str]:
    """The header datastore requests carry: the user's token, else the sharing token."""
    token = context.token or sharing_token
    return {AUTH_HEADER: token} if token else {}


def data_location(target: Target, info: ApiDataset) -> UPath | None:
    """Where the layers' arrays are read from (None for direct paths), carrying the auth header."""
    version = target.context.api_version
    if target.access_mode is RemoteAccessMode.ZARR_STREAMING:
        url = zarr_streaming_url(info.data_store.url, target.dataset_id, version, target.annotation_id)
    elif target.access_mode is RemoteAccessMode.PROXY_PATH:
        url = proxy_url(info.data_store.url, target.dataset_id, version)
    else:
        return None
    headers = auth_headers(target.context, target.sharing_token)
    return UPath(url, headers=headers) if headers else UPath(url)


def stored_data_formats(info: ApiDataset) -> dict[str, Any]:
    """The data format of each layer as the server stores it (its information's data source), by layer name;
    empty when the server cannot use the dataset."""
    source = info.data_source
    if not isinstance(source, DatasetProperties):
        return {}
    return {layer.name: layer.data_format for layer in source.data_layers}


def read_properties(target: Target, info: ApiDataset, location: UPath | None) -> DatasetProperties:
    """The layers' properties: the datastore's ``datasource-properties.json`` at ``location``, or the server's
    information for direct paths."""
    if location is None:
        source: Any = info.data_source
        if isinstance(source, ApiUnusableDataSource):
            raise RuntimeError(f"WEBKNOSSOS cannot use the dataset {target.dataset_id!r}: {source.status}.")
        return source
    return fetch_properties(target, location)


def fetch_properties(target: Target, location: UPath) -> DatasetProperties:
    """The datastore's ``datasource-properties.json`` at ``location``; RemoteDatasetNotFoundError if it does not
    serve the dataset."""
    url = str(location).rstrip("/") + "/datasource-properties.json"
    headers = auth_headers(target.context, target.sharing_token)
    try:
        reply = target.context.transport.request("GET", url, headers=headers)
    except WebknossosAuthError:
        raise
    except ApiClientError as error:
        if error.status_code in (400, 403, 404):
            raise _not_found(f"with id {target.dataset_id!r}", error) from None
        raise
    return dataset_properties_from_json(reply.content)


def fetch_info_and_properties(
    target: Target, datastore_url: str | None = None
) -> tuple[ApiDataset, UPath | None, DatasetProperties]:
    """The dataset's information, where its layers are read from, and their properties.

    With ``datastore_url`` (the datastore known to hold the dataset, e.g. the one it was just uploaded to) the
    datastore's properties are fetched while the information is (one round trip instead of two); if the
    information names another datastore they are fetched again from there. Errors are those of the sequential
    order: the information's first."""
    if datastore_url is None or target.access_mode is not RemoteAccessMode.ZARR_STREAMING:
        info = fetch_info(target.context, target.dataset_id, target.sharing_token)
        location = data_location(target, info)
        return info, location, read_properties(target, info, location)
    version = target.context.api_version
    guess = zarr_streaming_url(datastore_url, target.dataset_id, version, target.annotation_id)
    headers = auth_headers(target.context, target.sharing_token)
    guessed_location = UPath(guess, headers=headers) if headers else UPath(guess)
    with ThreadPoolExecutor(1) as pool:
        early = pool.submit(fetch_properties, target, guessed_location)
        info = fetch_info(target.context, target.dataset_id, target.sharing_token)
        location = data_location(target, info)
        if location is not None and str(location) == guess:
            return info, location, early.result()
    return info, location, read_properties(target, info, location)
