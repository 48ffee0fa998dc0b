"""Reading and writing annotation files: a bare ``.nml``, or a ``.zip`` with the NML and one data zip per volume."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path, PurePosixPath
from typing import Any

from daedalus.core import ports
from daedalus.core.nml.document import NmlDocument
from daedalus.core.ports import resolve_annotation_codec

from .safe_zip import DamagedZipError, UnsafeZipError, check_zip_bomb, copy_member, open_zip, safe_member_path
from .volume_layer import VolumeLayer, ZipMemberSource

MAX_NML_BYTES = 4 * 1024**3
"""Largest NML (uncompressed) read from an annotation zip."""


_EMPTY_ZIP = b"PK\x05\x06" + bytes(18)
"""A zip file without members (what WEBKNOSSOS writes for a volume layer without data)."""


class AnnotationFileError(RuntimeError, ValueError):
    """An annotation file cannot be read: not a zip, no NML, or a volume's data is missing.

    The RuntimeError ``Annotation.load`` documents, and the ValueError ``Skeleton.load`` documents.
    """


class AnnotationFormatError(AnnotationFileError):
    """An annotation's NML is malformed: the RuntimeError the API reference documents, and the codec's ValueError."""


def _parse_nml(source: Any, label: Any) -> NmlDocument:
    """Parse an NML with the registered codec; a malformed file raises AnnotationFormatError naming ``label``."""
    try:
        return resolve_annotation_codec("nml").load(source)
    except (AnnotationFileError, UnsafeZipError, DamagedZipError):
        raise
    except ValueError as exc:
        message = str(exc) if str(label) in str(exc) else f"{label}: {exc}"
        raise AnnotationFormatError(f"Cannot load annotation: {message}") from exc


def read_nml(path: Path) -> NmlDocument:
    """Parse the NML file at ``path``."""
    return _parse_nml(path, path)


def read_annotation_zip(path: Any) -> tuple[str, NmlDocument, dict[int, Any]]:
    """Parse an annotation zip: (NML member stem, document, volume id -> data source or None).

    ``path`` is local, or a UPath (read as a stream; its volume sources then only serve local paths). A damaged
    zip, a zip bomb or a malformed NML raise AnnotationFileError, UnsafeZipError or DamagedZipError, all of them
    RuntimeErrors and ValueErrors naming the file.
    """
    with contextlib.ExitStack() as stack:
        remote = getattr(path, "protocol", "") not in ("", "file", "local")
        file = stack.enter_context(path.open("rb")) if remote else path
        try:
            archive = stack.enter_context(open_zip(file, str(path)))
        except DamagedZipError as exc:
            raise AnnotationFileError(
                f"Cannot load annotation {path}: it is not a valid zip file ({exc.__cause__})."
            ) from exc
        infos = archive.infolist()
        for info in infos:
            safe_member_path(info.filename)
        budget = check_zip_bomb(archive, str(path))
        nmls = [i for i in infos if i.filename.lower().endswith(".nml") and not i.is_dir()]
        if not nmls:
            raise AnnotationFileError(f"Cannot load annotation {path}: the zip contains no .nml file.")
        nml = min(nmls, key=lambda i: (i.filename.count("/"), i.filename))
        if nml.file_size > MAX_NML_BYTES:
            raise UnsafeZipError(f"Refusing {nml.filename!r} of {path}: {nml.file_size} bytes is too large an NML.")
        buffer = io.BytesIO()
        copy_member(archive, nml, buffer, str(path), budget)
        buffer.seek(0)
        buffer.name = f"{path}/{nml.filename}"
        document = _parse_nml(buffer, path)
        members = {i.filename for i in infos}
    sources: dict[int, Any] = {}
    for volume in document.volumes:
        location = volume.location
        sources[volume.id] = ZipMemberSource(path, location) if location and location in members else None
    unlocated = [volume.name for volume in document.volumes if not volume.location]
    if unlocated:
        warnings.warn(
            f"[INFO] Omitting the volume layer annotation data for layers {unlocated}, as their location is not "
            f"referenced in the NML of {path}.",
            UserWarning,
            stacklevel=3,
        )
    return PurePosixPath(nml.filename).stem, document, sources


def write_annotation(path: Path, document: NmlDocument, volumes: list[VolumeLayer], nml_name: str) -> None:
    """Write a .nml (no volume data) or .zip annotation at ``path`` via a temp file + rename."""
    codec = resolve_annotation_codec("nml")
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if path.suffix.lower() == ".nml":
            codec.dump(document, temp)
        else:
            with ports.zip_archives().open_writer(temp) as archive:
                with archive.open_member(f"{nml_name}.nml") as stream:
                    codec.dump(document, stream)
                for volume in volumes:
                    if volume.source is not None:
                        # data zips are already compressed: store them as they are
                        with archive.open_member(volume.location(), precompressed=True, large=True) as stream:
                            volume.source.copy_to(stream)
                    elif volume.keeps_nml_location:  # read without data: keep its (empty) data zip
                        archive.write_bytes(volume.location(), _EMPTY_ZIP, precompressed=True)
        ports.file_transfer().replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
