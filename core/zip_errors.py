"""The errors of zip reading: a zip refused as unsafe (zip slip, zip bomb) and a damaged zip.

In a module of their own (re-exported by ``daedalus.core.annotation.safe_zip``) so that the ZipArchives adapter can
subclass DamagedZipError without importing the annotation model.
"""

from __future__ import annotations

__all__ = ["DamagedZipError", "UnsafeZipError"]


class UnsafeZipError(ValueError, RuntimeError):
    """A zip member would escape the extraction folder, or the zip looks like a zip bomb.

    A ValueError (what ``Skeleton.load`` documents for a corrupt file) and a RuntimeError (what
    ``Annotation.load`` documents for an invalid file).
    """


class DamagedZipError(ValueError, RuntimeError):
    """A zip (or one of its members) cannot be decoded: not a zip, corrupt data, bad CRC, truncated, ...

    A ValueError and a RuntimeError (the types ``Skeleton.load`` and ``Annotation.load`` document); the errors
    raised are also a ``zipfile.BadZipFile`` (the ZipArchives adapter raises a subclass).
    """
