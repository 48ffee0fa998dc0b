"""Defensive zip extraction: refuses members escaping the target folder (zip slip) and zip bombs."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MAX_TOTAL_BYTES = 64 * 1024**3
"""Largest total declared uncompressed size of the members extracted from one zip (64 GiB)."""
MAX_RATIO = 1_000
"""Largest compression ratio accepted for a member bigger than ``RATIO_MIN_BYTES``."""
RATIO_MIN_BYTES = 16 * 1024**2
"""Members below this size are never refused for their compression ratio."""

_COPY_BLOCK = 1024**2


class UnsafeZipError(ValueError):
    """A zip member would escape the extraction folder, or the zip looks like a zip bomb."""


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


def check_zip_bomb(archive: zipfile.ZipFile, source: str, max_total_bytes: int = MAX_TOTAL_BYTES) -> None:
    """Refuse ``archive`` when its declared sizes exceed ``max_total_bytes`` or a member's ratio is absurd."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeZipError(
                f"Refusing zip member {info.filename!r} of {source}: it expands {info.compress_size} bytes to "
                f"{info.file_size} bytes (ratio above {MAX_RATIO}), which looks like a zip bomb."
            )
    if total > max_total_bytes:
        raise UnsafeZipError(
            f"Refusing {source}: its members expand to {total} bytes, more than the limit of {max_total_bytes} "
            "bytes (daedalus.core.annotation.safe_zip.MAX_TOTAL_BYTES)."
        )


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: BinaryIO, source: str) -> int:
    """Copy one member into ``target``, counting bytes; UnsafeZipError if it yields more than declared."""
    written = 0
    with archive.open(info) as stream:
        while block := stream.read(_COPY_BLOCK):
            written += len(block)
            if written > info.file_size:
                raise UnsafeZipError(
                    f"Refusing zip member {info.filename!r} of {source}: it expands beyond its declared size "
                    f"of {info.file_size} bytes."
                )
            target.write(block)
    return written


def safe_extract(archive: zipfile.ZipFile, target: Path, source: str, max_total_bytes: int = MAX_TOTAL_BYTES) -> None:
    """Extract every member of ``archive`` below ``target`` after the zip slip and zip bomb checks."""
    infos = archive.infolist()
    paths = [safe_member_path(info.filename) for info in infos]
    check_zip_bomb(archive, source, max_total_bytes)
    root = target.resolve()
    total = 0
    for info, relative in zip(infos, paths):
        destination = (root / relative).resolve()
        if destination != root and root not in destination.parents:
            raise UnsafeZipError(f"Refusing zip member {info.filename!r} of {source}: it resolves outside {root}.")
        if info.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        with destination.open("wb") as out:
            total += copy_member(archive, info, out, source)
        if total > max_total_bytes:
            raise UnsafeZipError(f"Refusing {source}: extraction exceeded {max_total_bytes} bytes.")


def zip_directory(folder: Path, target: BinaryIO, prefix: str = "") -> None:
    """Write the files below ``folder`` into a new zip on ``target`` (member names prefixed by ``prefix``)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = prefix + path.relative_to(folder).as_posix()
                with path.open("rb") as src, archive.open(name, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, _COPY_BLOCK)
