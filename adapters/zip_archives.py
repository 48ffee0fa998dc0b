"""The ZipArchives adapter: zip reading and writing with :mod:`zipfile` (annotation zips, volume data zips, exports).

The safety policy (zip slip, zip bomb limits) is core's (``daedalus.core.annotation.safe_zip``); this module opens
archives, turns zipfile's errors for damaged data into DamagedZipError and writes members.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from typing import IO, Any

from daedalus.core.zip_errors import DamagedZipError

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


class DamagedZip(DamagedZipError, zipfile.BadZipFile):
    """A DamagedZipError that is also a ``zipfile.BadZipFile`` (what code written for zipfile catches)."""


class ZipfileWriter:
    """A ZipWriter over a ``zipfile.ZipFile`` opened for writing."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive

    def __enter__(self) -> ZipfileWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._archive.close()

    @staticmethod
    def _info(name: str, precompressed: bool) -> zipfile.ZipInfo | str:
        # a ZipInfo is stored uncompressed; its fixed date keeps the bytes of equal content equal
        return zipfile.ZipInfo(name, date_time=_FIXED_DATE) if precompressed else name

    def open_member(self, name: str, *, precompressed: bool = False, large: bool = False) -> IO[bytes]:
        """A writable stream for the new member ``name``; ``large`` ones may exceed 2 GiB (zip64 headers)."""
        return self._archive.open(self._info(name, precompressed), "w", force_zip64=large)

    def write_bytes(self, name: str, data: bytes, *, precompressed: bool = False) -> None:
        """Add the member ``name`` holding ``data``."""
        self._archive.writestr(self._info(name, precompressed), data)

    def write_file(self, name: str, path: Any) -> None:
        """Add the local file ``path`` as member ``name``."""
        self._archive.write(os.fspath(path), name)


class ZipfileArchives:
    """Implements the ZipArchives port with the standard library's :mod:`zipfile`."""

    name = "zipfile"
    damage_errors = (
        zlib.error,
        zipfile.BadZipFile,
        EOFError,
        UnicodeDecodeError,
        NotImplementedError,
        OverflowError,
        RuntimeError,  # zipfile's "File ... is encrypted, password required"
    )

    def damaged(self, source: str, member: str | None, error: BaseException) -> Exception:
        """The DamagedZipError for ``error`` raised while reading ``member`` (or the directory) of ``source``."""
        where = f"member {member!r} of {source}" if member is not None else source
        return DamagedZip(
            f"Cannot read {where}: the zip is damaged ({type(error).__name__}: {error}). Download or export it again."
        )

    def open_reader(self, file: Any, source: str) -> zipfile.ZipFile:
        """Open ``file`` as a zip for reading; DamagedZipError naming ``source`` when it is not a readable zip."""
        try:
            return zipfile.ZipFile(file)
        except (*self.damage_errors, ValueError) as error:  # ValueError: negative seeks from absurd fields
            raise self.damaged(source, None, error) from error

    def open_writer(self, target: Any, *, compressed: bool = True, comment: bytes | None = None) -> ZipfileWriter:
        """A new zip at ``target`` (local path or binary stream), deflated or stored, zip64 allowed."""
        method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
        archive = zipfile.ZipFile(target, "w", compression=method, allowZip64=True)
        if comment is not None:
            archive.comment = comment
        return ZipfileWriter(archive)

    def archive_size(self, archive: Any) -> int:
        """Size in bytes of the file (or stream) holding ``archive``."""
        if isinstance(archive.filename, str) and os.path.isfile(archive.filename):
            return os.path.getsize(archive.filename)
        stream = archive.fp
        if stream is None:
            return 0
        position = stream.tell()
        try:
            return stream.seek(0, os.SEEK_END)
        finally:
            stream.seek(position)

    def member_path(self, archive_path: Any, member: str) -> zipfile.Path:
        """A ``zipfile.Path`` to ``member`` inside the zip at ``archive_path``."""
        return zipfile.Path(archive_path, at=member)
