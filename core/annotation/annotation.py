"""Annotation: a WEBKNOSSOS annotation (skeleton, view state, bounding boxes, volume layers) with load/save."""

from __future__ import annotations

import os
import tempfile
import time as _time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from daedalus.core.geometry import NDBoundingBox, Vec3Float
from daedalus.core.nml import Meta, Parameters
from daedalus.core.nml.document import NmlDocument
from daedalus.core.properties import DataFormat, VoxelSize
from daedalus.core.skeleton import Skeleton

from .. import ports
from .annotation_files import read_annotation_zip, read_nml, write_annotation
from .segment_information import SegmentInformation
from .volume_data import extract_volume_dataset, replace_volume_data
from .volume_layer import VolumeLayer, ZipMemberSource, source_is_empty, source_is_wk_layout


class AnnotationPathError(ValueError, AssertionError):
    """An annotation path does not end with .nml or .zip, or does not exist."""


class AnnotationNotFoundError(AnnotationPathError, FileNotFoundError):
    """The annotation file to load does not exist (documented AssertionError; FileNotFoundError like the reference)."""


class VolumeLayerSelectionError(ValueError, AssertionError):
    """The requested volume layer does not exist, or it is ambiguous which one is meant."""


_RESERVED_META = ("annotationId", "username")


def _now_ms() -> int:
    """Now in milliseconds, on whole seconds (as the reference sets an annotation's default time)."""
    return int(_time.time()) * 1000


def _vec3_or_none(value: Any) -> Vec3Float | None:
    return None if value is None else Vec3Float(value)


def _kept_parameters(loaded: Parameters | None, boxes: list[NDBoundingBox], skeleton: Skeleton) -> dict[str, Any]:
    """The NML parameters without an Annotation attribute (offset, wkUrl, activeNode, user bounding box ids)
    as read from the file, still valid for the annotation as it is now."""
    if loaded is None:
        return {}
    kept: dict[str, Any] = {"offset": loaded.offset, "wkUrl": loaded.wkUrl}
    if loaded.activeNode is not None and any(loaded.activeNode in t.node_store for t in skeleton.flattened_trees()):
        kept["activeNode"] = loaded.activeNode
    if boxes and loaded.userBoundingBoxIds and loaded.userBoundingBoxes:
        # a box keeps its id while an equal box was loaded with it; other boxes get fresh ids after the largest
        unused = list(zip(loaded.userBoundingBoxes, loaded.userBoundingBoxIds))
        ids: list[int | None] = []
        for box in boxes:
            match = next((i for i, (old, _) in enumerate(unused) if old == box), None)
            ids.append(None if match is None else unused.pop(match)[1])
        next_id = max((i for i in ids if i is not None), default=-1) + 1
        for index, box_id in enumerate(ids):
            if box_id is None:
                ids[index], next_id = next_id, next_id + 1
        kept["userBoundingBoxIds"] = ids
    return kept


def _drop_clashing_locations(volumes: list[VolumeLayer]) -> None:
    """Give a layer whose kept data zip name (``location``) another layer also uses its default name instead."""
    used = {v.location() for v in volumes if not v.keeps_nml_location}
    for volume in volumes:
        if volume.keeps_nml_location:
            if volume.location() in used:
                volume.drop_nml_location()
            used.add(volume.location())


def _path(value: Any) -> Path:
    if hasattr(value, "protocol") and value.protocol not in ("", "file", "local"):
        raise AnnotationPathError(f"Annotations are read and written on the local file system only, got {value}.")
    return Path(os.fspath(value))


@attrs.define(init=False, eq=False)
class Annotation:
    """A WEBKNOSSOS annotation: a Skeleton plus view state, bounding boxes, metadata and volume layers.

    ``Annotation(name="a", dataset_name="ds", voxel_size=(11.2, 11.2, 25))``; ``Annotation.load("a.zip")``.
    """

    name: str
    skeleton: Skeleton
    owner_name: str | None
    annotation_id: str | None
    time: int | None
    edit_position: Vec3Float | None = attrs.field(converter=_vec3_or_none)
    edit_rotation: Vec3Float | None = attrs.field(converter=_vec3_or_none)
    zoom_level: float | None
    metadata: dict[str, str]
    task_bounding_box: NDBoundingBox | None
    user_bounding_boxes: list[NDBoundingBox]
    _volume_layers: list[VolumeLayer]
    _nml_parameters: Parameters | None  # the <parameters> read from the file: keeps what has no attribute here
    _scratch: Path | None
    _finalizer: Any

    def __init__(
        self,
        name: str,
        skeleton: Skeleton | None = None,
        dataset_name: str | None = None,
        voxel_size: Any = None,
        organization_id: str | None = None,
        description: str | None = None,
        owner_name: str | None = None,
        annotation_id: str | None = None,
        time: int | None = attrs.NOTHING,  # type: ignore[assignment]
        edit_position: Any = None,
        edit_rotation: Any = None,
        zoom_level: float | None = None,
        metadata: dict[str, str] | None = None,
        task_bounding_box: NDBoundingBox | None = None,
        user_bounding_boxes: list[NDBoundingBox] | None = None,
    ) -> None:
        if skeleton is None:
            if dataset_name is None or voxel_size is None:
                raise ValueError(f"Annotation {name!r} needs either a skeleton or both dataset_name and voxel_size.")
            skeleton = Skeleton(
                voxel_size=voxel_size,
                dataset_name=dataset_name,
                organization_id=organization_id,
                description=description,
            )
        elif any(v is not None for v in (dataset_name, voxel_size, organization_id, description)):
            raise ValueError(
                f"Annotation {name!r}: pass dataset_name, voxel_size, organization_id and description either "
                "through the skeleton or as arguments, not both."
            )
        self.__attrs_init__(  # type: ignore[attr-defined]
            name=name,
            skeleton=skeleton,
            owner_name=owner_name,
            annotation_id=annotation_id,
            time=_now_ms() if time is attrs.NOTHING else time,
            edit_position=edit_position,
            edit_rotation=edit_rotation,
            zoom_level=zoom_level,
            metadata=dict(metadata or {}),
            task_bounding_box=task_bounding_box,
            user_bounding_boxes=list(user_bounding_boxes or []),
            volume_layers=[],
            nml_parameters=None,
            scratch=None,
            finalizer=None,
        )

    # ------------------------------------------------------------------ skeleton proxies

    @property
    def dataset_name(self) -> str:
        """Name of the dataset this annotation belongs to (the skeleton's)."""
        return self.skeleton.dataset_name

    @dataset_name.setter
    def dataset_name(self, value: str) -> None:
        self.skeleton.dataset_name = value

    @property
    def dataset_id(self) -> str | None:
        """Id of the dataset this annotation belongs to (the skeleton's)."""
        return self.skeleton.dataset_id

    @dataset_id.setter
    def dataset_id(self, value: str | None) -> None:
        self.skeleton.dataset_id = value

    @property
    def organization_id(self) -> str | None:
        """Id of the organization owning the dataset (the skeleton's)."""
        return self.skeleton.organization_id

    @organization_id.setter
    def organization_id(self, value: str | None) -> None:
        self.skeleton.organization_id = value

    @property
    def description(self) -> str | None:
        """Description of the annotation (the skeleton's)."""
        return self.skeleton.description

    @description.setter
    def description(self, value: str | None) -> None:
        self.skeleton.description = value

    @property
    def voxel_size(self) -> tuple[float, float, float]:
        """Voxel size (x, y, z) in nanometers (the skeleton's)."""
        return self.skeleton.voxel_size

    @voxel_size.setter
    def voxel_size(self, value: Any) -> None:
        self.skeleton.voxel_size = value

    @property
    def voxel_size_with_unit(self) -> VoxelSize:
        """Voxel size with its length unit (the skeleton's)."""
        return self.skeleton.voxel_size_with_unit

    @voxel_size_with_unit.setter
    def voxel_size_with_unit(self, value: VoxelSize) -> None:
        self.skeleton.voxel_size_with_unit = value

    # ------------------------------------------------------------------ files

    @classmethod
    def load(cls, annotation_path: Any) -> Annotation:
        """Load an annotation from an .nml file or an annotation .zip (NML plus volume data zips)."""
        path = _path(annotation_path)
        suffix = path.suffix.lower()
        if suffix not in (".nml", ".zip"):
            raise AnnotationPathError(f"Cannot load annotation {annotation_path}: the file must end with .nml or .zip.")
        if not path.is_file():
            raise AnnotationNotFoundError(f"Cannot load annotation {annotation_path}: the file does not exist.")
        if suffix == ".nml":
            name, document, sources = path.stem, read_nml(path), {}
        else:
            name, document, sources = read_annotation_zip(path)
        return cls._from_document(name, document, sources)

    @classmethod
    def _from_document(cls, name: str, document: NmlDocument, sources: dict[int, Any]) -> Annotation:
        params = document.parameters
        meta = {m.name: m.content for m in document.meta}
        annotation = cls(
            name=name,
            skeleton=document.skeleton,
            owner_name=meta.get("username"),
            annotation_id=meta.get("annotationId"),
            time=params.time,
            edit_position=params.editPosition,
            edit_rotation=params.editRotation,
            zoom_level=params.zoomLevel,
            metadata={k: v for k, v in meta.items() if k not in _RESERVED_META},
            task_bounding_box=params.taskBoundingBox,
            user_bounding_boxes=params.userBoundingBoxes or [],
        )
        annotation._nml_parameters = params
        for volume in document.volumes:
            source = sources.get(volume.id)
            if source is not None and source_is_empty(source):
                source = None
            layer = VolumeLayer.from_nml_volume(volume, annotation.voxel_size, source)
            annotation._volume_layers.append(layer)
        return annotation

    def _document(self, with_locations: bool) -> NmlDocument:
        meta = [Meta(key, str(value)) for key, value in self.metadata.items() if key not in _RESERVED_META]
        if self.annotation_id is not None:
            meta.append(Meta("annotationId", self.annotation_id))
        if self.owner_name is not None:
            meta.append(Meta("username", self.owner_name))
        parameters = Parameters(
            name=self.dataset_name,
            scale=self.voxel_size_with_unit,
            time=self.time,
            editPosition=None if self.edit_position is None else tuple(self.edit_position),
            editRotation=None if self.edit_rotation is None else tuple(self.edit_rotation),
            zoomLevel=self.zoom_level,
            taskBoundingBox=self.task_bounding_box,
            userBoundingBoxes=list(self.user_bounding_boxes) or None,
            **_kept_parameters(self._nml_parameters, self.user_bounding_boxes, self.skeleton),
        )
        _drop_clashing_locations(self._volume_layers)
        volumes = [
            v.to_nml_volume(with_locations and (v.has_data or v.keeps_nml_location)) for v in self._volume_layers
        ]
        return NmlDocument(self.skeleton, parameters, meta, volumes)

    def save(self, path: Any) -> None:
        """Save as .nml (only without volume data) or .zip; an existing file is replaced only on success."""
        target = _path(path)
        suffix = target.suffix.lower()
        if suffix not in (".nml", ".zip"):
            raise AnnotationPathError(f"Cannot save annotation to {path}: the file name must end with .nml or .zip.")
        if suffix == ".nml" and self._volume_layers:
            raise AnnotationPathError(
                f"Annotation {self.name} contains volume annotations and cannot be saved as an NML file "
                f"({path}): volume layers {[v.name for v in self._volume_layers]}. Please use a .zip path instead."
            )
        if suffix == ".zip":
            self._recode_to_wk_layout()
        write_annotation(target, self._document(suffix == ".zip"), self._volume_layers, self.name)
        if suffix == ".zip":
            resolved = target.resolve()
            for volume in self._volume_layers:
                source = volume.source
                if isinstance(source, ZipMemberSource) and source.path.resolve() == resolved:
                    volume.source = ZipMemberSource(source.path, volume.location())

    def _recode_to_wk_layout(self) -> None:
        """Recode volume data zips not in WEBKNOSSOS's layout (e.g. written by older daedalus versions)."""
        for volume in self._volume_layers:
            if volume.source is not None and not source_is_wk_layout(volume.source):
                with self.temporary_volume_layer_copy(volume_layer_id=volume.id, read_only=False):
                    pass

    # ------------------------------------------------------------------ WEBKNOSSOS (see remote_operations.py)

    @classmethod
    def download(
        cls,
        annotation_id_or_url: str,
        webknossos_url: str | None = None,
        *,
        skip_volume_data: bool = False,
        retry_count: int = 5,
        _return_context: bool = False,
    ) -> Any:
        """Download an annotation by id or URL (``<server>/annotations/<id>``, ``?token=`` for a sharing token).

        ``retry_count`` is accepted for compatibility; retries follow the transport's policy.
        """
        from .remote_operations import download

        return download(cls, annotation_id_or_url, webknossos_url, skip_volume_data, _return_context)

    def upload(self) -> str:
        """Upload the annotation to the server of the current ``webknossos_context``; returns its URL there."""
        from .remote_operations import upload

        return upload(self)

    @classmethod
    def id_from_url(cls, annotation_id_or_url: str) -> str:
        """The annotation id in an annotation URL (with or without type segment, query or fragment), or the
        argument itself if it is no annotation URL. No request is made; short links are not resolved."""
        from .annotation_urls import annotation_id_from_url

        return annotation_id_from_url(annotation_id_or_url)

    @classmethod
    def open_remote(cls, annotation_id_or_url: str, webknossos_url: str | None = None) -> Any:
        """A RemoteAnnotation: name and description synchronized with the server."""
        from .remote_operations import open_remote

        return open_remote(annotation_id_or_url, webknossos_url)

    @classmethod
    def open_as_remote_dataset(cls, annotation_id_or_url: str, webknossos_url: str | None = None) -> Any:
        """The annotation's layers on top of its dataset as a RemoteDataset (volume data streamed, not downloaded)."""
        from .remote_operations import open_as_remote_dataset

        return open_as_remote_dataset(cls, annotation_id_or_url, webknossos_url)

    def get_remote_annotation_dataset(self) -> Any:
        """This (uploaded) annotation's layers on top of its dataset, streamed from the current server."""
        from .remote_operations import remote_annotation_dataset

        return remote_annotation_dataset(self)

    def get_remote_base_dataset(self, sharing_token: str | None = None, webknossos_url: str | None = None) -> Any:
        """The RemoteDataset this annotation belongs to."""
        from .remote_operations import remote_base_dataset

        return remote_base_dataset(self, sharing_token, webknossos_url)

    # ------------------------------------------------------------------ volume layers

    def get_volume_layer_names(self) -> Iterable[str]:
        """The names of all volume layers."""
        return (volume.name for volume in self._volume_layers)

    def get_volume_layer(self, volume_layer_name: str | None = None, volume_layer_id: int | None = None) -> VolumeLayer:
        """The volume layer with this name or id (the only one when neither is given)."""
        layers = self._volume_layers
        if volume_layer_name is not None:
            layers = [v for v in layers if v.name == volume_layer_name]
        if volume_layer_id is not None:
            layers = [v for v in layers if v.id == volume_layer_id]
        wanted = f"name={volume_layer_name!r}, id={volume_layer_id!r}"
        if not layers:
            known = [(v.name, v.id) for v in self._volume_layers]
            raise VolumeLayerSelectionError(
                f"Annotation {self.name!r} has no volume layer with {wanted}; it has {known}."
            )
        if len(layers) > 1:
            raise VolumeLayerSelectionError(
                f"Annotation {self.name!r} has several volume layers matching {wanted} "
                f"({[v.name for v in layers]}); pass volume_layer_name or volume_layer_id."
            )
        return layers[0]

    def add_volume_layer(
        self, name: str, dtype: Any, fallback_layer: Any = None, volume_layer_id: int | None = None
    ) -> VolumeLayer:
        """Add an empty volume layer (data in zarr3) named ``name``; ``fallback_layer`` is a layer or its name."""
        if volume_layer_id is None:
            volume_layer_id = max((v.id for v in self._volume_layers), default=-1) + 1
        elif any(v.id == volume_layer_id for v in self._volume_layers):
            raise VolumeLayerSelectionError(
                f"A volume layer with id {volume_layer_id} already exists in {self.name!r}."
            )
        if fallback_layer is not None and not isinstance(fallback_layer, str):
            if getattr(fallback_layer, "category", None) != "segmentation":
                raise VolumeLayerSelectionError(
                    f"The fallback layer {getattr(fallback_layer, 'name', fallback_layer)!r} is not a segmentation "
                    "layer; pass a segmentation layer or its name."
                )
            fallback_layer = fallback_layer.name
        volume = VolumeLayer(
            id=volume_layer_id,
            name=name,
            fallback_layer_name=fallback_layer,
            data_format=DataFormat.Zarr3,
            segments={},
            largest_segment_id=None,
            voxel_size=self.voxel_size,
            dtype=np.dtype(dtype),
        )
        self._volume_layers.append(volume)
        return volume

    def delete_volume_layer(self, volume_layer_name: str | None = None, volume_layer_id: int | None = None) -> None:
        """Remove the volume layer with this name or id (the only one when neither is given)."""
        self._volume_layers.remove(self.get_volume_layer(volume_layer_name, volume_layer_id))

    def get_volume_layer_segments(
        self, volume_layer_name: str | None = None, volume_layer_id: int | None = None
    ) -> dict[int, SegmentInformation]:
        """The mutable segment id -> SegmentInformation mapping of a volume layer; changes are saved."""
        return self.get_volume_layer(volume_layer_name, volume_layer_id).segments

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            self.adopt_scratch_folder(Path(tempfile.mkdtemp(prefix="daedalus-annotation-")))
        return self._scratch

    def adopt_scratch_folder(self, folder: Path, remove_with_this: bool = True) -> None:
        """Internal (not webknossos API): use ``folder`` as this annotation's scratch folder; with
        ``remove_with_this`` it is deleted when the annotation is."""
        self._scratch = folder
        if remove_with_this:
            self._finalizer = ports.file_transfer().remove_with(self, folder)

    def release_scratch_folder(self) -> Path | None:
        """Internal (not webknossos API): stop deleting the scratch folder with this annotation; the folder
        (None if this annotation deletes none)."""
        if self._finalizer is None:
            return None
        self._finalizer.detach()
        self._finalizer = None
        return self._scratch

    @contextmanager
    def temporary_volume_layer_copy(
        self, volume_layer_name: str | None = None, volume_layer_id: int | None = None, read_only: bool = True
    ) -> Iterator[Any]:
        """A SegmentationLayer of a temporary dataset holding the volume data; changes to a writable copy
        (``read_only=False``) become the layer's data when the block ends without error."""
        volume = self.get_volume_layer(volume_layer_name, volume_layer_id)
        if not volume.has_data and volume.read_from_file:  # a layer added by the API starts empty; a read one has none
            raise VolumeLayerSelectionError(
                f"The selected volume layer data is not available and cannot be exported: volume layer "
                f"{volume.name!r} of {self.name!r} was saved without data (its NML names no data zip, or an empty "
                "one)."
            )
        folder = Path(tempfile.mkdtemp(prefix="volume-", dir=self._scratch_dir()))
        try:
            dataset = extract_volume_dataset(volume, folder / "dataset", self.voxel_size_with_unit)
            layer_name = "volumeAnnotationData"
            layer = dataset.get_segmentation_layer(layer_name)
            if layer.largest_segment_id is None and layer.mags:  # as the reference: the id is known in the copy
                layer.largest_segment_id = volume.largest_segment_id
                if layer.largest_segment_id is None:
                    layer.refresh_largest_segment_id()
            if read_only:
                dataset = type(dataset).open(dataset.path, read_only=True)
            yield dataset.get_segmentation_layer(layer_name)
            if not read_only:
                replace_volume_data(volume, type(dataset).open(dataset.path), self._scratch_dir())
        finally:
            ports.file_transfer().remove_quietly(folder)

    def export_volume_layer_to_dataset(
        self,
        dataset: Any,
        layer_name: str = "volume_layer",
        volume_layer_name: str | None = None,
        volume_layer_id: int | None = None,
    ) -> Any:
        """Copy a volume layer's data into ``dataset`` as segmentation layer ``layer_name``."""
        volume = self.get_volume_layer(volume_layer_name, volume_layer_id)
        if not volume.has_data:
            raise VolumeLayerSelectionError(
                f"Volume layer {volume.name!r} of {self.name!r} has no data to export (it was saved without data)."
            )
        return volume.export_to_dataset(dataset, layer_name)

    def merge_fallback_layer(
        self, target: Any, dataset_directory: Any, volume_layer_name: str | None = None, executor: Any = None
    ) -> None:
        """Write a dataset at ``target``: the volume layer's fallback layer from ``dataset_directory`` with the
        annotated (non-zero) voxels of the volume layer written over it."""
        from .merge import merge_with_fallback

        if not self._volume_layers:
            raise VolumeLayerSelectionError(f"Annotation {self.name!r} has no volume layers to merge.")
        volume = self.get_volume_layer(volume_layer_name)
        merge_with_fallback(self, volume, target, dataset_directory, executor)

    def __repr__(self) -> str:
        """As the reference shows an annotation: every field, the dataset fields inside the skeleton (the
        reference's own copies of them, always None once the skeleton holds them, are shown as None too)."""
        return (
            f"Annotation(name={self.name!r}, skeleton={self.skeleton!r}, _dataset_name=None, _voxel_size=None, "
            f"_organization_id=None, _description=None, owner_name={self.owner_name!r}, "
            f"annotation_id={self.annotation_id!r}, time={self.time!r}, edit_position={self.edit_position!r}, "
            f"edit_rotation={self.edit_rotation!r}, zoom_level={self.zoom_level!r}, metadata={self.metadata!r}, "
            f"task_bounding_box={self.task_bounding_box!r}, user_bounding_boxes={self.user_bounding_boxes!r}, "
            f"_volume_layers={self._volume_layers!r})"
        )
