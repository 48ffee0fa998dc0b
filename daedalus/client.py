"""The ``webknossos.client`` names: the server context and the API client.

``from daedalus.client import webknossos_context`` works like ``from webknossos.client import webknossos_context``.
"""

from daedalus.core.client import WkApiClient, login, webknossos_context

__all__ = ["WkApiClient", "login", "webknossos_context"]
