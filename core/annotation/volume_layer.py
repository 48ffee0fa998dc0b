"""VolumeLayer: one volume layer of an annotation; its data stays a zip (a member of the annotation zip
or a private temp file) until it is extracted."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import numpy as np
from daedalus.core import ports
from daedalus.core.geometry import Vec3Float
from daedalus.core.nml import Volume
from daedalus.core.properties import DataFormat

from .safe_zip import check_zip_bomb, copy_member, open_zip, reading_member
from .segment_information import SegmentInformation
from .wk_volume_layout import data_zip_is_wk_layout

VOLUME_LAYER_NAME = "volumeAnnotationData"
"""Name of the layer inside a volume layer's data (and of its temporary dataset)."""
_RAM_FOLDER = "/dev/shm"  # a tmpfs on Linux: files there live in memory


class VolumeLayerEditMode(Enum):
    """Where ``VolumeLayer.edit`` keeps the temporary dataset being edited."""

    TEMPORARY_DIRECTORY = "temporary_directory"
    """In a temporary directory on disk."""
    MEMORY = "memory"
    """In memory (a RAM-backed folder such as /dev/shm; the temporary directory where there is none)."""


@attrs.frozen
class ZipMemberSource:
    """Volume data stored as member ``member`` of the zip file at ``path``."""

    path: Path
    member: str

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The inner zip's bytes as a binary stream (checked against zip bombs); damage raises DamagedZipError."""
        with open_zip(self.path, str(self.path)) as outer:
            check_zip_bomb(outer, str(self.path))
            with reading_member(str(self.path), self.member), outer.open(self.member) as stream:
                yield stream

    def copy_to(self, target: BinaryIO) -> None:
        """Copy the inner zip's bytes to ``target``."""
        with open_zip(self.path, str(self.path)) as outer:
            budget = check_zip_bomb(outer, str(self.path))
            copy_member(outer, outer.getinfo(self.member), target, str(self.path), budget)


@attrs.frozen
class FileSource:
    """Volume data stored as the zip file ``path`` (a private temp file of the annotation)."""

    path: Path

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The zip's bytes as a binary stream."""
        with self.path.open("rb") as stream:
            yield stream

    def copy_to(self, target: BinaryIO) -> None:
        """Copy the zip's bytes to ``target``."""
        with self.path.open("rb") as stream:
            ports.file_transfer().copy_stream(stream, target, 1024**2)


@attrs.define
class VolumeLayer:
    """A volume layer of an annotation: id, name, fallback layer, format, segments and (optional) data."""

    id: int
    name: str
    fallback_layer_name: str | None
    data_format: DataFormat
    segments: dict[int, SegmentInformation]
    largest_segment_id: int | None
    voxel_size: Vec3Float | None
    dtype: Any = None
    layer_name: str = VOLUME_LAYER_NAME
    source: ZipMemberSource | FileSource | None = attrs.field(default=None, repr=False)
    # kept from the NML <volume> for round trips: its data zip's name and its segments' <groups>
    _nml_location: str | None = attrs.field(default=None, repr=False, eq=False)
    _nml_segment_groups: list | None = attrs.field(default=None, repr=False, eq=False)
    _scratch: Path | None = attrs.field(default=None, repr=False, eq=False)
    _from_file: bool = attrs.field(default=False, repr=False, eq=False)  # read from an NML (not added by the API)

    @property
    def has_data(self) -> bool:
        """Whether the layer holds a (possibly empty) data zip."""
        return self.source is not None

    @property
    def zip(self) -> Any:
        """The layer's data zip: a member of the annotation zip it was read from (``zipfile.Path``), a private
        file after an edit (``Path``), or None without data."""
        if isinstance(self.source, ZipMemberSource):
            return ports.zip_archives().member_path(self.source.path, self.source.member)
        if isinstance(self.source, FileSource):
            return self.source.path
        return None

    @contextmanager
    def edit(
        self, *, edit_mode: VolumeLayerEditMode = VolumeLayerEditMode.TEMPORARY_DIRECTORY, executor: Any = None
    ) -> Iterator[Any]:
        """Edit the volume data as the SegmentationLayer ``volumeAnnotationData`` of a temporary dataset; when the
        block ends without error, the layer's data becomes this volume layer's data (``executor`` is accepted for
        compatibility: the data is repacked in this process)."""
        if not isinstance(edit_mode, VolumeLayerEditMode):
            raise ValueError(
                f"Unsupported volume layer edit mode: {edit_mode}. Use VolumeLayerEditMode.TEMPORARY_DIRECTORY or "
                "VolumeLayerEditMode.MEMORY."
            )
        from daedalus.core.dataset import Dataset

        from .volume_data import replace_volume_data

        memory = edit_mode is VolumeLayerEditMode.MEMORY and os.path.isdir(_RAM_FOLDER)
        with self._temporary_dataset(_RAM_FOLDER if memory else None) as dataset:
            yield dataset.get_segmentation_layer(VOLUME_LAYER_NAME)
            replace_volume_data(self, Dataset.open(dataset.path), self._edit_scratch())

    def export_to_dataset(self, dataset: Any, layer_name: str = "volume_layer") -> Any:
        """Copy this layer's volume data into ``dataset`` as the segmentation layer ``layer_name`` (returned);
        ValueError if the layer holds no data."""
        if not self.has_data:
            raise ValueError(f"Volume layer {self.name!r} has no data to export (it was saved without data).")
        with self._temporary_dataset(None) as source:
            layer = dataset.add_layer_as_copy(source.get_segmentation_layer(VOLUME_LAYER_NAME), layer_name)
        segmentation = layer.as_segmentation_layer()
        if self.largest_segment_id is not None:
            segmentation.largest_segment_id = self.largest_segment_id
        elif segmentation.largest_segment_id is None and segmentation.mags:
            segmentation.refresh_largest_segment_id()
        return segmentation

    @contextmanager
    def _temporary_dataset(self, parent: str | None) -> Iterator[Any]:
        """The volume data extracted into a new temporary dataset below ``parent`` (deleted afterwards)."""
        from daedalus.core.properties import VoxelSize

        from .volume_data import extract_volume_dataset

        folder = Path(tempfile.mkdtemp(prefix=f"volume_{self.id}_", dir=parent))
        try:
            voxel_size = VoxelSize(self.voxel_size if self.voxel_size is not None else (1, 1, 1))
            yield extract_volume_dataset(self, folder / "dataset", voxel_size)
        finally:
            ports.file_transfer().remove_quietly(folder)

    def _edit_scratch(self) -> Path:
        """A private folder for the data zips `edit` writes, deleted with this object."""
        if self._scratch is None or not self._scratch.is_dir():
            self._scratch = Path(tempfile.mkdtemp(prefix="daedalus-volume-"))
            ports.file_transfer().remove_with(self, self._scratch)
        return self._scratch

    @classmethod
    def from_nml_volume(cls, volume: Volume, voxel_size: Vec3Float | None, source: Any) -> VolumeLayer:
        """The layer described by an NML ``<volume>`` whose data zip is ``source`` (or None)."""
        fmt = DataFormat(volume.format) if volume.format else DataFormat.WKW
        return cls(
            id=volume.id,
            name=volume.name if volume.name is not None else "Volume",
            fallback_layer_name=volume.fallback_layer,
            data_format=fmt,
            segments={s.id: SegmentInformation.from_nml_segment(s) for s in volume.segments},
            largest_segment_id=volume.largest_segment_id,
            voxel_size=voxel_size,
            source=source,
            nml_location=volume.location if volume.location and _is_plain_zip_name(volume.location) else None,
            nml_segment_groups=volume.segment_groups,
            from_file=True,
        )

    @property
    def keeps_nml_location(self) -> bool:
        """Internal (not webknossos API): whether the layer keeps the data zip name its NML gave."""
        return self._nml_location is not None

    def drop_nml_location(self) -> None:
        """Internal (not webknossos API): forget the NML's data zip name (``location()`` gives the default)."""
        self._nml_location = None

    @property
    def read_from_file(self) -> bool:
        """Internal (not webknossos API): whether the layer was read from an NML (not added through the API)."""
        return self._from_file

    def location(self) -> str:
        """The member name of this layer's data zip in a saved annotation zip (the one it was read from, if any)."""
        return self._nml_location or f"data_{self.id}_{self.name}.zip"

    def to_nml_volume(self, with_location: bool) -> Volume:
        """This layer as an NML ``<volume>`` (with ``location`` when its data is saved)."""
        return Volume(
            id=self.id,
            location=self.location() if with_location else None,
            fallback_layer=self.fallback_layer_name,
            name=self.name,
            segments=[info.to_nml_segment(segment_id) for segment_id, info in self.segments.items()],
            format=self.data_format.value,
            largest_segment_id=self.largest_segment_id,
            segment_groups=self._nml_segment_groups,
        )

    def dtype_or_default(self) -> np.dtype:
        """The layer's voxel type (uint32 when unknown)."""
        return np.dtype(self.dtype if self.dtype is not None else "uint32")


def _is_plain_zip_name(name: str) -> bool:
    """Whether ``name`` is a bare ``.zip`` file name (no folders), usable as a member of an annotation zip."""
    return name.lower().endswith(".zip") and "/" not in name and "\\" not in name and name not in (".zip", "..zip")


def source_is_wk_layout(source: Any) -> bool:
    """Whether a data zip already uses WEBKNOSSOS's layout (zips from WEBKNOSSOS or a current daedalus)."""
    label = f"the volume data {source}"
    with source.open() as stream, open_zip(stream, label) as inner, reading_member(label, None):
        return data_zip_is_wk_layout(inner)


def source_is_empty(source: Any) -> bool:
    """Whether a data zip holds no members at all (WEBKNOSSOS writes such zips for data-less volumes)."""
    if source is None:
        return True
    with source.open() as stream, open_zip(stream, f"the volume data {source}") as inner:
        return not inner.infolist()
