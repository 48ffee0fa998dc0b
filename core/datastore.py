"""Datastore (``webknossos.datastore``): the datastores of a WEBKNOSSOS server and where datasets are uploaded."""

from __future__ import annotations

import attrs
from daedalus.core.client import get_api_client


@attrs.frozen
class Datastore:
    """Datastore class for managing datastores: a datastore's name, URL and whether it accepts uploads."""

    name: str
    url: str
    allows_upload: bool

    @classmethod
    def get_datastores(cls, allows_upload: bool | None = None) -> list[Datastore]:
        """All datastores of the server, or only those that do (``True``) or do not (``False``) accept uploads."""
        datastores = [
            cls(name=d.name, url=d.url, allows_upload=d.allows_upload) for d in get_api_client().datastore_list()
        ]
        if allows_upload is None:
            return datastores
        return [d for d in datastores if d.allows_upload == allows_upload]

    @classmethod
    def get_upload_url(cls) -> str:
        """The URL of the first datastore that accepts dataset uploads."""
        datastores = cls.get_datastores(allows_upload=True)
        if not datastores:
            raise LookupError(
                "No datastore of this WEBKNOSSOS server accepts dataset uploads; ask its admin to enable uploads, "
                "or use a server that allows them."
            )
        return datastores[0].url
