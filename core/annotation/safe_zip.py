"""Defensive zip reading: refuses members escaping the target folder (zip slip), zip bombs and damaged zips.

Zip bomb bounds. Everything extracted (or copied out) of one zip counts against one budget, whatever the
size of each member::

    limit = min(MAX_TOTAL_BYTES, max(RATIO_FREE_BYTES, MAX_RATIO * size of the zip file))

The declared sizes are checked against it before anything is read, and the bytes actually produced are
counted while copying (a member yielding more than it declares is refused as well).

How the bounds were chosen (measured on ``shared/fixtures/wk-testdata/annotations`` and on annotations
daedalus writes): genuine WEBKNOSSOS annotation zips expand to 1.0-2.5 times their size, their volume data
zips to 0.1-3.1 times (one member at most 13 times: LZ4-compressed WKW blocks and blosc-compressed zarr3
chunks hardly deflate further); daedalus' own data zips reach 5.6 times (a single chunk of one constant
label, 115 times), a 9 MB NML 8.9 times. Deflate cannot exceed about 1030:1, which zip bombs use. So
``MAX_RATIO`` = 200 leaves a margin of 35 over the largest whole-zip ratio seen and is still refused for a
1 MB zip expanding to 1 GiB; zips expanding to at most ``RATIO_FREE_BYTES`` are never refused for their
ratio (small files are harmless and their ratios noisy); ``MAX_TOTAL_BYTES`` bounds the disk space any zip
can take. Callers with genuine, larger or more compressible zips can raise the module attributes (they are
read at each call).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from .. import ports
from ..zip_errors import DamagedZipError, UnsafeZipError

MAX_TOTAL_BYTES = 32 * 1024**3
"""Largest total size extracted from one zip, whatever the zip's size (32 GiB)."""
MAX_RATIO = 200
"""Largest accepted ratio of the total extracted size to the size of the zip file."""
RATIO_FREE_BYTES = 16 * 1024**2
"""A zip whose members total at most this many bytes is never refused for its compression ratio (16 MiB)."""

_COPY_BLOCK = 1024**2
_RAISE_HINT = (
    "If the zip is genuine, raise daedalus.core.annotation.safe_zip.MAX_RATIO (now {ratio}) or MAX_TOTAL_BYTES "
    "(now {total})."
)


def damaged(source: str, member: str | None, error: BaseException) -> Exception:
    """The DamagedZipError for ``error`` raised while reading ``member`` (or the directory) of ``source``."""
    return ports.zip_archives().damaged(source, member, error)


def open_zip(file: str | os.PathLike | IO[bytes], source: str) -> Any:
    """Open ``file`` as a zip for reading (a ZipReader); DamagedZipError naming ``source`` when it is not a zip."""
    return ports.zip_archives().open_reader(file, source)


@contextmanager
def reading_member(source: str, member: str | None) -> Iterator[None]:
    """Turn the errors the zip library raises for damaged data inside the block into DamagedZipError."""
    damage = ports.zip_archives().damage_errors
    try:
        yield
    except (UnsafeZipError, DamagedZipError):
        raise
    except damage as error:
        raise damaged(source, member, error) from error


def safe_member_path(name: str) -> PurePosixPath:
    """The relative path of zip member ``name``; UnsafeZipError when it is absolute or contains ``..``."""
    normalized = name.replace("\\", "/")
    path = PurePosixPath(normalized)
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":") or ".." in path.parts:
        raise UnsafeZipError(
            f"Refusing zip member {name!r}: its path would escape the extraction folder (absolute or '..'). "
            "The zip is corrupt or malicious; re-export it."
        )
    return path


def archive_bytes(archive: Any) -> int:
    """Size in bytes of the file (or stream) holding the opened ``archive``."""
    return ports.zip_archives().archive_size(archive)


def extraction_limit(size: int, max_total_bytes: int | None = None) -> int:
    """How many bytes a zip file of ``size`` bytes may expand to (see the module docstring)."""
    cap = MAX_TOTAL_BYTES if max_total_bytes is None else max_total_bytes
    return min(cap, max(RATIO_FREE_BYTES, MAX_RATIO * size))


class ExtractionBudget:
    """Counts the bytes actually produced from one zip against its limit; UnsafeZipError once it is exceeded."""

    def __init__(self, limit: int, source: str, size: int) -> None:
        self.limit = limit
        self.source = source
        self.size = size
        self.used = 0

    def spend(self, count: int, member: str) -> None:
        """Account for ``count`` more bytes produced by ``member``."""
        self.used += count
        if self.used > self.limit:
            raise UnsafeZipError(
                f"Refusing {self.source}: extracting it (member {member!r}) produced more than {self.limit} bytes "
                f"from a zip of {self.size} bytes, which looks like a zip bomb. "
                + _RAISE_HINT.format(ratio=MAX_RATIO, total=MAX_TOTAL_BYTES)
            )


def check_zip_bomb(archive: Any, source: str, max_total_bytes: int | None = None) -> ExtractionBudget:
    """Refuse ``archive`` when its members declare more than its limit; the budget to count actual bytes with."""
    size = archive_bytes(archive)
    limit = extraction_limit(size, max_total_bytes)
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > limit:
            raise UnsafeZipError(
                f"Refusing {source}: its members (up to {info.filename!r}) expand to {total} bytes or more from a zip "
                f"of {size} bytes, more than the limit of {limit} bytes (at most {MAX_RATIO} times the zip's size, "
                f"{RATIO_FREE_BYTES} bytes for any zip, {MAX_TOTAL_BYTES} bytes in all); this looks like a zip bomb. "
                + _RAISE_HINT.format(ratio=MAX_RATIO, total=MAX_TOTAL_BYTES)
            )
    return ExtractionBudget(limit, source, size)


def copy_member(
    archive: Any,
    info: Any,
    target: BinaryIO,
    source: str,
    budget: ExtractionBudget | None = None,
) -> int:
    """Copy one member into ``target``, counting the bytes written against its declared size and ``budget``.

    UnsafeZipError if it yields more than declared or exceeds the budget; DamagedZipError if it is corrupt.
    """
    written = 0
    with reading_member(source, info.filename), archive.open(info) as stream:
        while block := stream.read(_COPY_BLOCK):
            written += len(block)
            if written > info.file_size:
                raise UnsafeZipError(
                    f"Refusing zip member {info.filename!r} of {source}: it expands beyond its declared size "
                    f"of {info.file_size} bytes."
                )
            if budget is not None:
                budget.spend(len(block), info.filename)
            target.write(block)
    return written


def safe_extract(archive: Any, target: Path, source: str, max_total_bytes: int | None = None) -> None:
    """Extract every member of ``archive`` below ``target`` after the zip slip and zip bomb checks."""
    infos = archive.infolist()
    paths = [safe_member_path(info.filename) for info in infos]
    budget = check_zip_bomb(archive, source, max_total_bytes)
    root = target.resolve()
    for info, relative in zip(infos, paths):
        destination = (root / relative).resolve()
        if destination != root and root not in destination.parents:
            raise UnsafeZipError(f"Refusing zip member {info.filename!r} of {source}: it resolves outside {root}.")
        if info.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        with destination.open("wb") as out:
            copy_member(archive, info, out, source, budget)


def zip_directory(folder: Path, target: BinaryIO, prefix: str = "") -> None:
    """Write the files below ``folder`` into a new zip on ``target`` (member names prefixed by ``prefix``)."""
    transfer = ports.file_transfer()
    with ports.zip_archives().open_writer(target) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = prefix + path.relative_to(folder).as_posix()
                with path.open("rb") as src, archive.open_member(name, large=True) as dst:
                    transfer.copy_stream(src, dst, _COPY_BLOCK)
