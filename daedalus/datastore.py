"""``webknossos.datastore``: the datastores of a WEBKNOSSOS server."""

from daedalus.core.datastore import Datastore

__all__ = ["Datastore"]
