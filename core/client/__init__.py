"""The WEBKNOSSOS server client: context, API clients and their models (the ``webknossos.client`` section)."""

from .api_client import WkApiClient
from .context import (
    DEFAULT_HTTP_TIMEOUT,
    DEFAULT_WEBKNOSSOS_URL,
    WebknossosContext,
    get_api_client,
    get_context,
    get_datastore_api_client,
    get_organization_id,
    get_tracingstore_api_client,
    login,
    webknossos_context,
)
from .errors import (
    ApiClientError,
    CannotHandleResponseError,
    UnexpectedStatusError,
    WebknossosApiVersionError,
    WebknossosAuthError,
    WebknossosConnectionError,
    WebknossosTimeoutError,
)
from .store_clients import DatastoreApiClient, TracingStoreApiClient

__all__ = [
    "DEFAULT_HTTP_TIMEOUT",
    "DEFAULT_WEBKNOSSOS_URL",
    "ApiClientError",
    "CannotHandleResponseError",
    "DatastoreApiClient",
    "TracingStoreApiClient",
    "UnexpectedStatusError",
    "WebknossosApiVersionError",
    "WebknossosAuthError",
    "WebknossosConnectionError",
    "WebknossosContext",
    "WebknossosTimeoutError",
    "WkApiClient",
    "get_api_client",
    "get_context",
    "get_datastore_api_client",
    "get_organization_id",
    "get_tracingstore_api_client",
    "login",
    "webknossos_context",
]
