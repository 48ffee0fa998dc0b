"""Attachment values: one file or folder of a segmentation layer (mesh, agglomerate, segment index, segment
statistics, cumsum, connectome)."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from upath import UPath

from ...properties import AttachmentDataFormat, AttachmentProperties
from ..paths import is_local, path_from_url, to_upath

_Z, _H, _J = AttachmentDataFormat.Zarr3, AttachmentDataFormat.HDF5, AttachmentDataFormat.JSON
_N = AttachmentDataFormat.NeuroglancerPrecomputed


def folder_name(container_name: str) -> str:
    """The layer sub-folder of a container: its name in camelCase (``segment_index`` -> ``segmentIndex``)."""
    head, *rest = container_name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def resolve_attachment_path(dataset_path: UPath, text: str) -> UPath:
    """Where a properties ``path`` points: a URL or absolute path as is, else relative to the dataset."""
    if "://" in text:
        return path_from_url(text)
    if os.path.isabs(text):
        return UPath(text)
    if is_local(dataset_path):
        return UPath(os.path.normpath(os.path.join(os.fspath(dataset_path.path), text)))
    return dataset_path / text.removeprefix("./")


class Attachment:
    """One attachment: its ``name``, where it is (``path``) and its container ``data_format``."""

    container_name: ClassVar[str] = ""
    type_name: ClassVar[str] = ""
    allowed_data_formats: ClassVar[tuple[AttachmentDataFormat, ...]] = (_Z, _H, _J)

    def __init__(self, properties: AttachmentProperties, path: UPath) -> None:
        if properties.data_format not in self.allowed_data_formats:
            allowed = ", ".join(f.value for f in self.allowed_data_formats)
            raise ValueError(
                f"{properties.data_format.value!r} is not a valid data_format for {type(self).__name__} "
                f"{properties.name!r}; use one of: {allowed}."
            )
        if not properties.name:
            raise ValueError(f"An attachment needs a non-empty name (path {path}).")
        self._properties = properties
        self._path = path

    @property
    def name(self) -> str:
        """The attachment's name (unique per kind within a layer)."""
        return self._properties.name

    @property
    def path(self) -> UPath:
        """Where the attachment's file or folder is."""
        return self._path

    @property
    def data_format(self) -> AttachmentDataFormat:
        """The container format (zarr3, hdf5 or json)."""
        return self._properties.data_format

    @classmethod
    def from_path_and_name(
        cls,
        path: Any,
        name: str,
        *,
        data_format: AttachmentDataFormat | str,
        dataset_path: Any = None,
    ) -> Any:
        """An attachment of this kind at ``path`` (relative paths are taken relative to ``dataset_path``)."""
        from ..layer_checks import check_attachment_name

        check_attachment_name(name)
        fmt = AttachmentDataFormat(getattr(data_format, "value", data_format))
        text = os.fspath(path) if isinstance(path, os.PathLike) and not isinstance(path, UPath) else str(path)
        relative = "://" not in text and not os.path.isabs(text)
        if relative and dataset_path is not None:
            resolved = resolve_attachment_path(to_upath(dataset_path), text)
            return cls(AttachmentProperties(name, text, fmt), resolved)
        resolved = to_upath(path)
        return cls(AttachmentProperties(name, str(resolved), fmt), resolved)

    def _with(self, name: str, stored_path: str) -> Any:
        """A copy of this attachment with another name and properties path (same location)."""
        return type(self)(AttachmentProperties(name, stored_path, self.data_format), self._path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attachment):
            return NotImplemented
        return (type(self), self.name, self.data_format, str(self.path)) == (
            type(other),
            other.name,
            other.data_format,
            str(other.path),
        )

    def __hash__(self) -> int:
        return hash((type(self), self.name, self.data_format, str(self.path)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name}, data_format={self.data_format.value})"


class MeshAttachment(Attachment):
    """Precomputed meshes of the layer's segments."""

    container_name: ClassVar[str] = "meshes"
    type_name: ClassVar[str] = "mesh"
    allowed_data_formats = (_Z, _H, _N)


class SegmentIndexAttachment(Attachment):
    """The segment index: which buckets hold each segment."""

    container_name: ClassVar[str] = "segment_index"
    type_name: ClassVar[str] = "segmentIndex"
    allowed_data_formats = (_Z, _H)


class SegmentStatisticsAttachment(Attachment):
    """Statistics per segment (e.g. volume and bounding box), stored as zarr3."""

    container_name: ClassVar[str] = "segment_statistics"
    type_name: ClassVar[str] = "segmentStatistics"
    allowed_data_formats = (_Z,)


class CumsumAttachment(Attachment):
    """Cumulative segment statistics (``cumsum.json`` in older datasets)."""

    container_name: ClassVar[str] = "cumsum"
    type_name: ClassVar[str] = "cumsum"
    allowed_data_formats = (_Z, _J)


class ConnectomeAttachment(Attachment):
    """A connectome: synapses between the layer's agglomerates."""

    container_name: ClassVar[str] = "connectomes"
    type_name: ClassVar[str] = "connectome"
    allowed_data_formats = (_Z, _H)
