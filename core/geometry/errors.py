"""Exceptions of the geometry values, typed like the reference's so that scripts catching either kind work."""

from __future__ import annotations


class GeometryValueError(ValueError, AssertionError):
    """A vector, mag or box value was refused.

    The reference checks these inputs with ``assert``; this error is both the ``AssertionError`` scripts written
    for it may catch and the ``ValueError`` the message describes.
    """


class AxisNotFoundError(KeyError, ValueError):
    """A vector or box has no axis of the requested name (a ``KeyError`` like the reference's, and a ValueError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
