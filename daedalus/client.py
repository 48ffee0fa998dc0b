"""The ``webknossos.client`` names: the server context and the API client (and its errors).

``from daedalus.client import webknossos_context`` works like ``from webknossos.client import webknossos_context``.
"""

from daedalus.core.client import (
    ApiClientError,
    DatastoreApiClient,
    TracingStoreApiClient,
    WebknossosApiVersionError,
    WebknossosAuthError,
    WebknossosConnectionError,
    WkApiClient,
    login,
    webknossos_context,
)

__all__ = [
    "ApiClientError",
    "DatastoreApiClient",
    "TracingStoreApiClient",
    "WebknossosApiVersionError",
    "WebknossosAuthError",
    "WebknossosConnectionError",
    "WkApiClient",
    "login",
    "webknossos_context",
]
