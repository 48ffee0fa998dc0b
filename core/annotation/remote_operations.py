"""Annotation.download / upload / open_remote and the remote datasets of an annotation (what annotation.py
delegates to)."""

from __future__ import annotations

import contextlib
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from daedalus.core.client.context import WebknossosContext, get_context, webknossos_context

from .. import ports
from .annotation_urls import AnnotationLink, annotation_url, parse_annotation_link
from .server_transfer import download_file, safe_filename, server_context, upload_file

if TYPE_CHECKING:
    from daedalus.core.remote import RemoteDataset

    from .annotation import Annotation
    from .remote_annotation import RemoteAnnotation


def annotation_from_bytes(cls: type[Annotation], content: bytes, filename: str, fallback_name: str) -> Annotation:
    """An Annotation read from a downloaded file; its volume data stays in a folder removed with the annotation."""
    is_nml = filename.lower().endswith(".nml") or (not filename.lower().endswith(".zip") and content[:1] == b"<")
    suffix = ".nml" if is_nml else ".zip"
    stem = PurePosixPath(filename).stem if filename else fallback_name
    folder = Path(tempfile.mkdtemp(prefix="daedalus-annotation-"))
    try:
        path = folder / safe_filename(stem, suffix)
        path.write_bytes(content)
        annotation = cls.load(path)
    except BaseException:
        ports.file_transfer().remove_quietly(folder)
        raise
    annotation.adopt_scratch_folder(folder)
    return annotation


def fetch(
    cls: type[Annotation], link: AnnotationLink, context: WebknossosContext, skip_volume_data: bool
) -> Annotation:
    """Download the annotation ``link`` names from the server of ``context``."""
    content, filename = download_file(context, link, skip_volume_data)
    return annotation_from_bytes(cls, content, filename, link.annotation_id)


def download(
    cls: type[Annotation],
    annotation_id_or_url: str,
    webknossos_url: str | None,
    skip_volume_data: bool,
    return_context: bool,
) -> Annotation | tuple[Annotation, AbstractContextManager[None]]:
    """Annotation.download: the annotation, and with ``return_context`` a context manager for its server."""
    link = parse_annotation_link(annotation_id_or_url)
    context = server_context(link, webknossos_url)
    annotation = fetch(cls, link, context, skip_volume_data)
    if not return_context:
        return annotation
    if context is get_context():
        return annotation, contextlib.nullcontext()
    return annotation, webknossos_context(url=context.url, token=context.token, timeout=context.timeout)


def upload(annotation: Annotation) -> str:
    """Annotation.upload: send the annotation as a .zip to the server in effect; returns its URL there."""
    context = get_context()
    with tempfile.TemporaryDirectory(prefix="daedalus-upload-") as folder:
        filename = safe_filename(annotation.name, ".zip")
        path = Path(folder) / filename
        annotation.save(path)
        new_id = upload_file(context, path.read_bytes(), filename, annotation.name)
    return annotation_url(context.url, new_id)


def open_remote(annotation_id_or_url: str, webknossos_url: str | None) -> RemoteAnnotation:
    """Annotation.open_remote: the annotation's skeleton and settings, its name and description live."""
    from .remote_annotation import RemoteAnnotation

    link = parse_annotation_link(annotation_id_or_url)
    context = server_context(link, webknossos_url)
    downloaded = fetch(RemoteAnnotation.local_class(), link, context, skip_volume_data=True)
    return RemoteAnnotation.from_downloaded(downloaded, link, context)


def remote_annotation_dataset(
    annotation: Annotation, webknossos_url: str | None = None, sharing_token: str | None = None
) -> RemoteDataset:
    """The annotation's layers on top of its dataset, streamed from the datastore of the server in effect
    (or of ``webknossos_url``)."""
    from daedalus.core.remote import RemoteDataset

    if annotation.annotation_id is None:
        raise ValueError(
            f"Annotation {annotation.name!r} has no annotation_id, so it is not stored in WEBKNOSSOS; upload() it "
            "and open the uploaded one with Annotation.open_as_remote_dataset(url)."
        )
    return RemoteDataset.open(
        dataset_id=annotation.dataset_id,
        annotation_id_or_url=annotation.annotation_id,
        webknossos_url=webknossos_url,
        sharing_token=sharing_token,
    )


def remote_base_dataset(annotation: Annotation, sharing_token: str | None, webknossos_url: str | None) -> RemoteDataset:
    """The dataset the annotation belongs to (by id, else by name and organization)."""
    from daedalus.core.remote import RemoteDataset

    if annotation.dataset_id is not None:
        return RemoteDataset.open(
            dataset_id=annotation.dataset_id, sharing_token=sharing_token, webknossos_url=webknossos_url
        )
    return RemoteDataset.open(
        annotation.dataset_name,
        organization_id=annotation.organization_id,
        sharing_token=sharing_token,
        webknossos_url=webknossos_url,
    )


def open_as_remote_dataset(cls: type[Annotation], annotation_id_or_url: str, webknossos_url: str | None) -> Any:
    """Annotation.open_as_remote_dataset: download without volume data, then stream the annotation's layers."""
    link = parse_annotation_link(annotation_id_or_url)
    context = server_context(link, webknossos_url)
    annotation = fetch(cls, link, context, skip_volume_data=True)
    return remote_annotation_dataset(annotation, context.url, link.sharing_token)
