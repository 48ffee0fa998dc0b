"""Attachments: the API on ``SegmentationLayer.attachments`` to list, add, copy, rename and delete attachments.

Every change is checked first and then persisted in one properties write; if the write fails the
in-memory properties are restored, so a refused change leaves ``datasource-properties.json`` untouched.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ...properties import AttachmentDataFormat, AttachmentProperties, AttachmentsProperties
from ..layer_checks import check_attachment_name
from .agglomerate_attachment import AgglomerateAttachment
from .attachment import (
    Attachment,
    ConnectomeAttachment,
    CumsumAttachment,
    MeshAttachment,
    SegmentIndexAttachment,
    SegmentStatisticsAttachment,
    folder_name,
    resolve_attachment_path,
)
from .file_ops import copy_entry, remove_entry, stored_path

if TYPE_CHECKING:
    from ..layer import SegmentationLayer

ATTACHMENT_CLASSES: tuple[type[Attachment], ...] = (
    MeshAttachment,
    AgglomerateAttachment,
    SegmentIndexAttachment,
    SegmentStatisticsAttachment,
    CumsumAttachment,
    ConnectomeAttachment,
)
LIST_KINDS = ("meshes", "agglomerates", "connectomes")


def kind_of(attachment: Attachment) -> str:
    """The properties list (``meshes``, ``agglomerates``, ...) an attachment of this class belongs to."""
    for cls in ATTACHMENT_CLASSES:
        if isinstance(attachment, cls):
            return cls.container_name
    raise TypeError(f"{attachment!r} is not a MeshAttachment, AgglomerateAttachment, ... instance.")


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"[DEPRECATION] `{old}` is deprecated, please use `{new}` instead.", DeprecationWarning, stacklevel=3)


class Attachments:
    """The attachments of one segmentation layer (meshes, agglomerates, segment index, cumsum, connectomes)."""

    def __init__(self, layer: SegmentationLayer) -> None:
        self._layer = layer

    # ------------------------------------------------------------------ reading

    @property
    def _props(self) -> AttachmentsProperties:
        return self._layer.attachments_properties

    def _make(self, cls: type[Attachment], props: AttachmentProperties) -> Any:
        return cls(props, resolve_attachment_path(self._layer.dataset.path, str(props.path)))

    def _list(self, cls: type[Attachment]) -> tuple[Any, ...]:
        return tuple(self._make(cls, p) for p in getattr(self._props, cls.container_name) or [])

    def _single(self, cls: type[Attachment]) -> Any:
        props = getattr(self._props, cls.container_name)
        return None if props is None else self._make(cls, props)

    @property
    def meshes(self) -> tuple[MeshAttachment, ...]:
        """The mesh attachments."""
        return self._list(MeshAttachment)

    @property
    def agglomerates(self) -> tuple[AgglomerateAttachment, ...]:
        """The agglomerate attachments."""
        return self._list(AgglomerateAttachment)

    @property
    def connectomes(self) -> tuple[ConnectomeAttachment, ...]:
        """The connectome attachments."""
        return self._list(ConnectomeAttachment)

    @property
    def segment_index(self) -> SegmentIndexAttachment | None:
        """The segment index, if any."""
        return self._single(SegmentIndexAttachment)

    @property
    def segment_statistics(self) -> SegmentStatisticsAttachment | None:
        """The segment statistics, if any."""
        return self._single(SegmentStatisticsAttachment)

    @property
    def cumsum(self) -> CumsumAttachment | None:
        """The cumsum attachment, if any."""
        return self._single(CumsumAttachment)

    @property
    def is_empty(self) -> bool:
        """Whether the layer has no attachment at all."""
        return self._props.is_empty()

    def __iter__(self) -> Any:
        """Every attachment of every kind."""
        for cls in ATTACHMENT_CLASSES:
            if cls.container_name in LIST_KINDS:
                yield from self._list(cls)
            elif (single := self._single(cls)) is not None:
                yield single

    def __repr__(self) -> str:
        return f"Attachments({list(self)!r})"

    # ------------------------------------------------------------------ checks and persistence

    def check_name_free(self, cls: type[Attachment], name: str) -> None:
        """Internal (not webknossos API): raise if an attachment of ``cls``'s kind is named ``name`` already."""
        if cls.container_name in LIST_KINDS:
            existing = getattr(self._props, cls.container_name) or []
            if any(p.name == name for p in existing):
                raise ValueError(
                    f"Layer {self._layer.name!r} already has a {cls.type_name} attachment named {name!r}; "
                    "choose another name, or rename or delete the existing one first."
                )

    def _check_content(self, attachment: Attachment, must_exist: bool = False) -> None:
        """Refuse agglomerates written for another segment dtype, and (``must_exist``: for copies) missing files.

        A reference may name files that do not exist yet (as in the reference library): they are written later.
        """
        if not attachment.path.exists():
            if not must_exist:
                return
            raise FileNotFoundError(
                f"Cannot add {type(attachment).__name__} {attachment.name!r}: nothing exists at {attachment.path}. "
                "Write the attachment first or fix its path."
            )
        if isinstance(attachment, AgglomerateAttachment):
            dtype = attachment.segmentation_dtype()
            if dtype != self._layer.dtype:
                raise ValueError(
                    f"Agglomerate {attachment.name!r} at {attachment.path} holds {dtype} segment ids, but layer "
                    f"{self._layer.name!r} has dtype {self._layer.dtype}. Recreate it with "
                    f"segmentation_dtype={self._layer.dtype}."
                )

    def _commit(self, change: Callable[[AttachmentsProperties], None]) -> None:
        """Apply ``change`` to a copy of the properties and save; the old properties stay if saving fails."""
        before = self._layer.attachments_properties
        after = attrs.evolve(
            before,
            meshes=list(before.meshes) if before.meshes is not None else None,
            agglomerates=list(before.agglomerates) if before.agglomerates is not None else None,
            connectomes=list(before.connectomes) if before.connectomes is not None else None,
            extra=dict(before.extra),
        )
        change(after)
        self._layer.save_attachments_properties(after)

    def _register(self, attachment: Attachment, props: AttachmentProperties) -> Any:
        kind = kind_of(attachment)

        def change(target: AttachmentsProperties) -> None:
            if kind in LIST_KINDS:
                setattr(target, kind, [*(getattr(target, kind) or []), props])
            else:
                setattr(target, kind, props)

        self._commit(change)
        return self._make(type(attachment), props)

    def add_reference(self, attachment: Attachment, new_name: str | None, make_relative: bool) -> Any:
        """Internal (not webknossos API): register ``attachment`` where it is, as ``new_name`` (default: its name)."""
        self._layer.check_writable()
        name = new_name or attachment.name
        check_attachment_name(name)
        self.check_name_free(type(attachment), name)
        self._check_content(attachment)
        text = stored_path(attachment.path, self._layer.dataset.path, make_relative=make_relative)
        return self._register(attachment, AttachmentProperties(name, text, attachment.data_format))

    # ------------------------------------------------------------------ adding

    def add_attachment_as_ref(self, attachment: Attachment, *, new_name: str | None = None) -> Any:
        """Register ``attachment`` where it is (inside the dataset: relative path; else absolute or URL)."""
        return self.add_reference(attachment, new_name, make_relative=False)

    def add_attachment_as_copy(self, attachment: Attachment) -> Any:
        """Copy ``attachment`` into the layer's container folder (e.g. ``meshes/``) and register the copy."""
        self._layer.check_writable()
        self.check_name_free(type(attachment), attachment.name)
        self._check_content(attachment, must_exist=True)
        source = attachment.path
        entry = attachment.name + (source.suffix if source.is_file() else "")
        target = self._layer.path / folder_name(attachment.container_name) / entry
        if str(target) != str(source):
            if target.exists():
                raise FileExistsError(
                    f"Cannot copy {attachment.name!r} to {target}: it exists. Delete it or rename the attachment."
                )
            copy_entry(source, target)
        copied = type(attachment).from_path_and_name(target, attachment.name, data_format=attachment.data_format)
        try:
            return self.add_reference(copied, None, make_relative=False)
        except BaseException:
            if str(target) != str(source):
                remove_entry(target)
            raise

    def _add_by_path(self, cls: type[Attachment], method: str, path: Any, name: str, data_format: Any) -> Any:
        warnings.warn(
            f"[DEPRECATION] `{method}` is deprecated, please use `{cls.__name__}.from_path_and_name` and "
            "`Attachments.add_attachment_as_copy` or `Attachments.add_attachment_as_ref` instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        attachment = cls.from_path_and_name(
            path, name, data_format=AttachmentDataFormat(data_format), dataset_path=self._layer.dataset.path
        )
        return self.add_attachment_as_ref(attachment)

    def add_mesh(self, path: Any, *, name: str, data_format: Any) -> MeshAttachment:
        """Deprecated: register the mesh file at ``path`` (use add_attachment_as_ref)."""
        return self._add_by_path(MeshAttachment, "add_mesh", path, name, data_format)

    def add_agglomerate(self, path: Any, *, name: str, data_format: Any) -> AgglomerateAttachment:
        """Deprecated: register the agglomerate file at ``path`` (use add_attachment_as_ref)."""
        return self._add_by_path(AgglomerateAttachment, "add_agglomerate", path, name, data_format)

    def add_connectome(self, path: Any, *, name: str, data_format: Any) -> ConnectomeAttachment:
        """Deprecated: register the connectome file at ``path`` (use add_attachment_as_ref)."""
        return self._add_by_path(ConnectomeAttachment, "add_connectome", path, name, data_format)

    def set_segment_index(self, path: Any, *, name: str, data_format: Any) -> SegmentIndexAttachment:
        """Deprecated: set the segment index to the file at ``path``, replacing any previous one."""
        return self._add_by_path(SegmentIndexAttachment, "set_segment_index", path, name, data_format)

    def set_cumsum(self, path: Any, *, name: str, data_format: Any) -> CumsumAttachment:
        """Deprecated: set the cumsum to the file at ``path``, replacing any previous one."""
        return self._add_by_path(CumsumAttachment, "set_cumsum", path, name, data_format)

    def add_attachments(self, *other: Attachment) -> list[Attachment]:
        """Deprecated: add_attachment_as_ref for each of ``other``."""
        _deprecated("add_attachments", "add_attachment_as_ref")
        return [self.add_attachment_as_ref(a) for a in other]

    def add_copy_attachments(self, *other: Attachment) -> list[Attachment]:
        """Deprecated: add_attachment_as_copy for each of ``other``."""
        _deprecated("add_copy_attachments", "add_attachment_as_copy")
        return [self.add_attachment_as_copy(a) for a in other]

    def add_symlink_attachments(self, *other: Attachment, make_relative: bool = False) -> list[Attachment]:
        """Deprecated: references ``other`` (``make_relative`` stores relative paths) and, for local files, links
        them into the layer's container folders (e.g. ``meshes/``) like the reference library."""
        _deprecated("add_symlink_attachments", "add_attachment_as_ref")
        added = [self.add_reference(a, None, make_relative=make_relative) for a in other]
        for attachment in other:
            _link_into(attachment.path, self._layer.path / folder_name(attachment.container_name))
        return added

    # ------------------------------------------------------------------ removing and renaming

    def _index_of(self, attachment: Attachment) -> int | None:
        kind = kind_of(attachment)
        entries = getattr(self._props, kind)
        entries = (entries or []) if kind in LIST_KINDS else ([entries] if entries is not None else [])
        for i, props in enumerate(entries):
            if props.name == attachment.name and props.data_format == attachment.data_format:
                return i
        raise ValueError(
            f"{attachment!r} is not an attachment of layer {self._layer.name!r}; "
            f"its {kind}: {[p.name for p in entries]}."
        )

    def delete_attachment(self, attachment: Attachment) -> None:
        """Remove ``attachment`` from the layer's properties (its files are left on disk)."""
        self._layer.check_writable()
        kind, index = kind_of(attachment), self._index_of(attachment)

        def change(target: AttachmentsProperties) -> None:
            if kind in LIST_KINDS:
                remaining = [p for i, p in enumerate(getattr(target, kind)) if i != index]
                setattr(target, kind, remaining or None)
            else:
                setattr(target, kind, None)

        self._commit(change)

    def rename_attachment(self, attachment: Attachment, *, new_name: str) -> Any:
        """Give ``attachment`` a new name (its files stay where they are)."""
        self._layer.check_writable()
        kind, index = kind_of(attachment), self._index_of(attachment)
        if new_name == attachment.name:
            return attachment
        if not new_name:
            raise ValueError(f"Renaming {attachment.name!r} failed: new_name must not be empty.")
        check_attachment_name(new_name)
        self.check_name_free(type(attachment), new_name)
        entries = getattr(self._props, kind)
        old = entries[index] if kind in LIST_KINDS else entries
        renamed = AttachmentProperties(new_name, old.path, old.data_format, extra=dict(old.extra))

        def change(target: AttachmentsProperties) -> None:
            if kind in LIST_KINDS:
                getattr(target, kind)[index] = renamed
            else:
                setattr(target, kind, renamed)

        self._commit(change)
        return self._make(type(attachment), renamed)

    def detect_legacy_attachments(self) -> None:
        """Register attachment files in the layer folder that have no metadata yet (hdf5 files, cumsum.json)."""
        from .legacy import find_legacy_attachments

        self._layer.check_writable()
        found = find_legacy_attachments(self._layer)
        if not found:
            return

        def change(target: AttachmentsProperties) -> None:
            for kind, props in found:
                if kind in LIST_KINDS:
                    setattr(target, kind, [*(getattr(target, kind) or []), props])
                else:
                    setattr(target, kind, props)

        self._commit(change)


def _link_into(source: Any, folder: Any) -> None:
    """A symbolic link to the local file or folder ``source`` inside the local ``folder`` (kept if one exists)."""
    from ..paths import is_local, local_path

    if not (is_local(source) and is_local(folder)) or not source.exists():
        return
    link = local_path(folder) / source.name
    if link.exists() or link.is_symlink():
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(local_path(source))
