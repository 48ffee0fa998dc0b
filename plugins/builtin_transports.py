"""Built-in plugin: registers the WEBKNOSSOS server transport on ``requests``."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


@hookimpl
def daedalus_webknossos_transports() -> dict[str, Any]:
    """Transport factories keyed by name; ``requests`` is imported only when a transport is made."""
    return {"requests": requests_transport}


def requests_transport(**kwargs: Any) -> Any:
    """A RequestsTransport (``timeout_seconds``, ``retry_policy``); fails clearly when requests is missing."""
    try:
        from daedalus.adapters.requests_transport import make_requests_transport
    except ImportError as error:
        raise ImportError(
            f"The WEBKNOSSOS server client needs the requests library ({error}); pip install 'daedalus[all]'."
        ) from error
    return make_requests_transport(**kwargs)
