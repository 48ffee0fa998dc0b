"""The error raised for a ``datasource-properties.json`` that cannot be read, naming the file and the key."""

from __future__ import annotations


class DatasetPropertiesError(ValueError):
    """A ``datasource-properties.json`` is malformed: not JSON, a required key missing or a bad value.

    ``path`` is the file (or another description of where the JSON came from), ``key`` the JSON path of
    the offending entry, e.g. ``dataLayers[0].boundingBox.width`` (None for the whole document).
    """

    def __init__(self, message: str, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        self.reason = message
        where = f" at {key!r}" if key else ""
        super().__init__(f"Invalid datasource-properties.json {path or '<unknown source>'}{where}: {message}")


class InvalidLayerNameError(DatasetPropertiesError, AssertionError):
    """A layer name in ``datasource-properties.json`` is no plain folder name (empty, ``..``, with ``/``, ...).

    Also an AssertionError: the reference package raises that when it opens such a dataset.
    """


class UnsupportedPropertiesVersionError(DatasetPropertiesError, AssertionError):
    """The properties' ``version`` is not 1 (also an AssertionError, which the reference raises)."""
