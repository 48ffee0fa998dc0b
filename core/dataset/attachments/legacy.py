"""Finds attachment files stored in a layer folder by the old convention, without properties metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...properties import AttachmentDataFormat, AttachmentProperties
from .attachment import folder_name, resolve_attachment_path
from .file_ops import stored_path

if TYPE_CHECKING:
    from ..layer import SegmentationLayer

_HDF5_KINDS = ("meshes", "agglomerates", "segment_index", "connectomes")
_LIST_KINDS = ("meshes", "agglomerates", "connectomes")


def find_legacy_attachments(layer: SegmentationLayer) -> list[tuple[str, AttachmentProperties]]:
    """``(kind, properties)`` for every ``<kind folder>/*.hdf5`` and ``agglomerates/cumsum.json`` not yet listed.

    Files already registered (same location) are skipped, as are names already taken within a kind.
    """
    dataset_path = layer.dataset.path
    props = layer.attachments_properties
    known = {str(resolve_attachment_path(dataset_path, str(p.path))) for p in props}
    found: list[tuple[str, AttachmentProperties]] = []

    def consider(kind: str, path: object, name: str, fmt: AttachmentDataFormat) -> None:
        if str(path) in known:
            return
        existing = getattr(props, kind)
        taken = [p.name for p in (existing or [])] if kind in _LIST_KINDS else ([existing.name] if existing else [])
        taken += [p.name for k, p in found if k == kind]
        if kind not in _LIST_KINDS and (existing is not None or taken):
            return
        if name in taken:
            return
        found.append((kind, AttachmentProperties(name, stored_path(path, dataset_path), fmt)))

    for kind in _HDF5_KINDS:
        folder = layer.path / folder_name(kind)
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir(), key=lambda p: p.name):
            if file.is_file() and file.suffix == ".hdf5":
                consider(kind, file, file.stem, AttachmentDataFormat.HDF5)
    cumsum = layer.path / folder_name("agglomerates") / "cumsum.json"
    if cumsum.is_file():
        consider("cumsum", cumsum, "cumsum", AttachmentDataFormat.JSON)
    return found
