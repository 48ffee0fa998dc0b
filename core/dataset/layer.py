"""Layer and SegmentationLayer: named volumes of a dataset holding one array per mag."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from upath import UPath

from .. import ports
from ..geometry import Mag, NDBoundingBox, Vec3Int
from ..properties import (
    SEGMENTATION_CATEGORY,
    AttachmentsProperties,
    DataFormat,
    LayerProperties,
    LayerViewConfiguration,
    MagViewProperties,
    SegmentationLayerProperties,
)
from ..properties.conflicts import NameTakenError
from ..properties.coordinate_transformations import CoordinateTransformation
from ..properties.updates import claiming_name
from ..zarr3_config import Zarr3Config
from .abstract_layer import AbstractLayer, AbstractSegmentationLayer
from .deprecation import deprecated
from .downsampling import DownsamplingMixin
from .layer_checks import check_storage_shapes, warn_chunk_shape
from .layer_discovery import axis_order_of
from .mag_view import MagView
from .paths import is_local, is_relative_to, resolve_mag_path
from .storage_defaults import DEFAULT_CHUNK_SHAPE, default_shard_shape

if TYPE_CHECKING:
    from .attachments import Attachments
    from .dataset import Dataset


class Layer(DownsamplingMixin, AbstractLayer):
    """A color (or generic) layer of a local dataset: bounding box, voxel type, channels and its mags."""

    def __init__(self, dataset: Dataset, properties: LayerProperties, read_only: bool) -> None:
        AbstractLayer.__init__(self, dataset, properties, read_only)
        if properties.mags:
            ports.prepare_storage(self.data_format)
        for entry in properties.mags:
            path = resolve_mag_path(dataset.path, self.path, entry)
            self._mags[entry.mag] = self.new_mag_view(entry.mag, path)

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, dtype={self.dtype}, num_channels={self.num_channels})"  # also segmentation

    # ------------------------------------------------------------------ plain attributes

    @property
    def dataset(self) -> Dataset:
        """The dataset this layer belongs to."""
        return self._dataset

    @AbstractLayer.name.setter
    def name(self, new_name: str) -> None:
        """The layer's name (also its folder name); assigning renames layer and folder."""
        self.check_writable()
        self._dataset.rename_layer(self, new_name)

    @property
    def path(self) -> UPath:
        """The layer's folder inside the dataset (linked or remote mags may live elsewhere)."""
        return self._dataset.path / self.name

    @property
    def resolved_path(self) -> UPath:
        """``path`` with symbolic links resolved."""
        return self._dataset.resolved_path / self.name

    @AbstractLayer.default_view_configuration.setter
    def default_view_configuration(self, value: LayerViewConfiguration | None) -> None:
        """How WEBKNOSSOS shows the layer by default; assigning persists it."""
        self.check_writable()
        self._properties.default_view_configuration = value
        self.save_properties()

    @AbstractLayer.bounding_box.setter
    def bounding_box(self, bbox: NDBoundingBox) -> None:
        """The layer's extent in Mag(1) voxels; assigning persists it and grows the mags' arrays."""
        self.check_writable()
        current = self._properties.bounding_box
        if tuple(bbox.axes) != tuple(current.axes) and set(bbox.axes) == {"x", "y", "z"}:
            bbox = current.with_topleft_xyz(bbox.topleft_xyz).with_size_xyz(bbox.size_xyz)
        self._properties.bounding_box = bbox
        for mag_view in self._mags.values():
            if not mag_view.read_only and not self.is_mag_view_foreign(mag_view):
                mag_view.ensure_shape_for(bbox)
        self.save_properties()

    @AbstractLayer.coordinate_transformations.setter
    def coordinate_transformations(self, value: Iterable[CoordinateTransformation] | None) -> None:
        """How WEBKNOSSOS places the layer in the dataset's space; assigning (a list, or None for none) persists it."""
        self.check_writable()
        transformations = list(value or ())
        for transformation in transformations:
            if not isinstance(transformation, CoordinateTransformation):
                raise TypeError(
                    f"coordinate_transformations of layer {self.name!r} must be AffineCoordinateTransformation or "
                    f"ThinPlateSplineCoordinateTransformation objects, not {transformation!r}."
                )
        self._properties.coordinate_transformations = transformations or None
        self.save_properties()

    @property
    def is_foreign(self) -> bool:
        """Whether the layer's data lives outside the dataset folder."""
        return any(self.is_mag_view_foreign(m) for m in self._mags.values())

    @property
    def is_remote_to_dataset(self) -> bool:
        """Deprecated alias of ``is_foreign``."""
        return self.is_foreign

    def is_mag_view_foreign(self, mag: MagView) -> bool:
        """Whether ``mag``'s data is stored outside this layer's folder."""
        if is_local(mag.path) != is_local(self.path):
            return True
        return not is_relative_to(mag.path, self.path)

    # ------------------------------------------------------------------ mags

    def add_mag(
        self,
        mag: Any,
        *,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compress: bool | Zarr3Config = True,
    ) -> MagView:
        """Create a new mag on disk (defaults: chunk 32³, shard 1024³ for zarr3, compressed).

        ``compress`` is a bool, or for zarr3 layers a ``Zarr3Config`` with the codecs and chunk key encoding."""
        self.check_writable()
        mag = Mag(mag)
        if mag in self._mags:
            raise IndexError(f"Adding mag {mag.to_layer_name()} to layer {self.name!r} failed: it exists.")
        if shard_shape is not None and chunks_per_shard is not None:
            raise ValueError("Give shard_shape or the deprecated chunks_per_shard, not both.")
        if chunks_per_shard is not None:
            deprecated("add_mag(chunks_per_shard=...)", "add_mag(shard_shape=...)")
        ports.resolve_storage(self.data_format)  # fail before touching the disk if the format is unknown
        chunk = Vec3Int.from_vec_or_int(chunk_shape) if chunk_shape is not None else None
        if chunk is not None:
            warn_chunk_shape(chunk)
        chunk = chunk or DEFAULT_CHUNK_SHAPE
        if chunks_per_shard is not None:
            shard = chunk * Vec3Int.from_vec_or_int(chunks_per_shard)
        elif shard_shape is not None:
            shard = Vec3Int.from_vec_or_int(shard_shape)
        else:
            shard = default_shard_shape(self.data_format, chunk)
        check_storage_shapes(self.data_format, chunk, shard)
        if any(s % c for s, c in zip(shard, chunk)):
            raise ValueError(f"shard_shape {tuple(shard)} must be a multiple of chunk_shape {tuple(chunk)}.")
        path = self.path / mag.to_layer_name()
        try:
            with claiming_name(self._dataset.path, self.name, mag):  # refuses a mag another process added meanwhile
                if path.exists() and any(path.iterdir()):
                    raise FileExistsError(f"Adding mag {mag.to_layer_name()} failed: {path} already holds files.")
                mag_view = MagView.create(
                    self, mag, path=path, chunk_shape=chunk, shard_shape=shard, compression_mode=compress
                )
                self.register_mag(mag_view, f"./{self.name}/{mag.to_layer_name()}")
                self.save_properties()
        except NameTakenError as taken:
            self._dataset.adopt_taken(taken)
            raise
        return mag_view

    def get_or_add_mag(
        self,
        mag: Any,
        *,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compress: bool | Zarr3Config | None = None,
    ) -> MagView:
        """The mag if it exists (its storage settings must then match any given), else a new one."""
        mag = Mag(mag)
        if mag not in self._mags:
            return self.add_mag(
                mag,
                chunk_shape=chunk_shape,
                shard_shape=shard_shape,
                chunks_per_shard=chunks_per_shard,
                compress=True if compress is None else compress,
            )
        existing = self._mags[mag]
        info = existing.info
        if chunk_shape is not None and Vec3Int.from_vec_or_int(chunk_shape) != info.chunk_shape:
            raise ValueError(f"Mag {mag} exists with chunk shape {tuple(info.chunk_shape)}, not {chunk_shape}.")
        if shard_shape is not None and Vec3Int.from_vec_or_int(shard_shape) != info.shard_shape:
            raise ValueError(f"Mag {mag} exists with shard shape {tuple(info.shard_shape)}, not {shard_shape}.")
        compressed = compress.compresses if isinstance(compress, Zarr3Config) else compress
        if compress is not None and bool(compressed) != info.compression_mode:
            raise ValueError(f"Mag {mag} exists with compression {info.compression_mode}, not {compress}.")
        return existing

    def delete_mag(self, mag: Any) -> None:
        """Delete ``mag``'s data, then remove it from the properties; IndexError if absent.

        Only data inside the layer folder is deleted (a referenced mag elsewhere is just unregistered; a
        symbolic link is removed, not its target). See ``remove_tree_and_commit`` for what a failure leaves.
        """
        self.check_writable()
        mag = Mag(mag)
        if mag not in self._mags:
            raise IndexError(f"Deleting mag {mag.to_layer_name()} failed: layer {self.name!r} has no such mag.")
        mag_view, entries, mag_views = self._mags[mag], list(self._properties.mags), dict(self._mags)

        def commit() -> None:
            del self._mags[mag]
            self._properties.mags = [m for m in entries if m.mag != mag]
            try:
                self.save_properties()
            except BaseException:
                self._mags, self._properties.mags = mag_views, entries
                raise

        # A mag path naming the layer folder itself (or above) must not delete the layer's other mags.
        if not self.is_mag_view_foreign(mag_view) and not is_relative_to(self.path, mag_view.path):
            remove_tree_and_commit(mag_view.path, commit)
        else:
            commit()

    # ------------------------------------------------------------------ copies and references

    def add_mag_as_copy(
        self,
        foreign_mag_view_or_path: Any,
        *,
        mag: Any = None,
        extend_layer_bounding_box: bool = True,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compress: Any = None,
        exists_ok: bool = False,
        executor: Any = None,
        progress_desc: str | None = None,
    ) -> MagView:
        """Copy a mag of another dataset (a MagView or its path) into this layer, as ``mag`` if given (the
        voxels are kept; the layer's Mag(1) bounding box grows by the ratio of the mags).

        The files are copied when format and layout match; otherwise the data is recoded.
        """
        from .copying import add_mag_as_copy

        return add_mag_as_copy(
            self,
            foreign_mag_view_or_path,
            mag=mag,
            extend_layer_bounding_box=extend_layer_bounding_box,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            compress=compress,
            exists_ok=exists_ok,
            executor=executor,
            progress_desc=progress_desc,
        )

    def add_mag_as_ref(
        self, foreign_mag_view_or_path: Any, *, mag: Any = None, extend_layer_bounding_box: bool = True
    ) -> MagView:
        """Add a mag of another dataset by reference (its absolute path or URL goes into the properties)."""
        from .references import add_mag_as_ref

        return add_mag_as_ref(
            self, foreign_mag_view_or_path, mag=mag, extend_layer_bounding_box=extend_layer_bounding_box
        )

    def add_mag_from_zarrarray(
        self, mag: Any, path: Any, *, move: bool = False, extend_layer_bounding_box: bool = True
    ) -> MagView:
        """Copy (or with ``move`` move) the array at ``path`` into this layer as ``mag``."""
        from .copying import add_mag_from_zarrarray

        return add_mag_from_zarrarray(self, mag, path, move=move, extend_layer_bounding_box=extend_layer_bounding_box)

    def add_copy_mag(
        self,
        foreign_mag_view_or_path: Any,
        *,
        extend_layer_bounding_box: bool = True,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compress: Any = None,
        exists_ok: bool = False,
        executor: Any = None,
        progress_desc: str | None = None,
    ) -> MagView:
        """Deprecated: use ``add_mag_as_copy`` (same arguments)."""
        deprecated("Layer.add_copy_mag", "Layer.add_mag_as_copy")
        return self.add_mag_as_copy(
            foreign_mag_view_or_path,
            extend_layer_bounding_box=extend_layer_bounding_box,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            compress=compress,
            exists_ok=exists_ok,
            executor=executor,
            progress_desc=progress_desc,
        )

    def add_fs_copy_mag(
        self, foreign_mag_view_or_path: Any, *, extend_layer_bounding_box: bool = True, exists_ok: bool = False
    ) -> MagView:
        """Deprecated: use ``add_mag_as_copy`` (which copies files whenever it can)."""
        deprecated("Layer.add_fs_copy_mag", "Layer.add_mag_as_copy")
        return self.add_mag_as_copy(
            foreign_mag_view_or_path, extend_layer_bounding_box=extend_layer_bounding_box, exists_ok=exists_ok
        )

    def add_remote_mag(self, foreign_mag_view_or_path: Any, *, extend_layer_bounding_box: bool = True) -> MagView:
        """Deprecated: use ``add_mag_as_ref``."""
        deprecated("Layer.add_remote_mag", "Layer.add_mag_as_ref")
        return self.add_mag_as_ref(foreign_mag_view_or_path, extend_layer_bounding_box=extend_layer_bounding_box)

    def add_symlink_mag(
        self, foreign_mag_view_or_path: Any, *, make_relative: bool = False, extend_layer_bounding_box: bool = True
    ) -> MagView:
        """Deprecated: use ``add_mag_as_ref`` (the mag is referenced, relative with ``make_relative``)."""
        from .references import add_mag_as_ref

        deprecated("Layer.add_symlink_mag", "Layer.add_mag_as_ref")
        return add_mag_as_ref(
            self,
            foreign_mag_view_or_path,
            extend_layer_bounding_box=extend_layer_bounding_box,
            make_relative=make_relative,
        )

    # ------------------------------------------------------------------ conversion and helpers

    def as_segmentation_layer(self) -> SegmentationLayer:
        """This layer as a SegmentationLayer (TypeError if it is not one)."""
        return AbstractLayer.as_segmentation_layer(self)

    def new_mag_view(self, mag: Mag, path: Any) -> MagView:
        """Internal: the MagView object for ``mag`` stored at ``path`` (RemoteLayer makes RemoteMagViews)."""
        return MagView(self, mag, path, self._read_only)

    def register_mag(self, mag_view: MagView, entry_path: str, axis_order: dict[str, int] | None = None) -> None:
        """Internal (not webknossos API): add ``mag_view`` (its array complete) to the
        mags and the properties (path ``entry_path``, the array's axis order unless given); the caller persists."""
        info = mag_view.info
        self._properties.mags.append(
            MagViewProperties(
                mag=mag_view.mag,
                path=entry_path,
                cube_length=info.shard_shape.x if self.data_format == DataFormat.WKW else None,
                axis_order=axis_order_of(info) if axis_order is None else axis_order,
            )
        )
        self._properties.mags.sort(key=lambda m: (m.mag.max_dim, m.mag.to_list()))
        self._mags[mag_view.mag] = mag_view

    def set_cube_length(self, mag: Mag, cube_length: int) -> None:
        """Internal (not webknossos API): record the new cube length of a rechunked WKW mag and persist."""
        for entry in self._properties.mags:
            if entry.mag == mag:
                entry.cube_length = cube_length
        self.save_properties()

    def check_writable(self) -> None:
        """Internal (not webknossos API): raise RuntimeError if the layer is read-only."""
        if self._read_only:
            raise RuntimeError(f"Cannot change layer {self.name!r}: the dataset is opened read-only.")

    def save_properties(self) -> None:
        """Internal (not webknossos API): persist the dataset's properties with this layer's changes."""
        self._dataset.save_properties()

    def _adopt_properties(self, merged: LayerProperties) -> None:
        """Take over ``merged`` (this layer's entry as just written, possibly with others' changes merged in):
        values that differ are replaced in this layer's properties object, MagViews of mags others added are
        created and those of mags others removed dropped. Unchanged values (and MagViews) stay the same objects.
        """
        current = self._properties
        for field in attrs.fields(type(current)):
            if field.name != "mags" and getattr(current, field.name) != getattr(merged, field.name):
                setattr(current, field.name, getattr(merged, field.name))
        if current.mags != merged.mags:
            existing = {entry.mag: entry for entry in current.mags}
            current.mags = [existing[m.mag] if existing.get(m.mag) == m else m for m in merged.mags]
        wanted = {entry.mag: entry for entry in current.mags}
        for mag in [mag for mag in self._mags if mag not in wanted]:
            del self._mags[mag]
        added = [entry for mag, entry in wanted.items() if mag not in self._mags]
        if added:
            ports.prepare_storage(self.data_format)
        for entry in added:
            path = resolve_mag_path(self._dataset.path, self.path, entry)
            self._mags[entry.mag] = self.new_mag_view(entry.mag, path)


class SegmentationLayer(Layer, AbstractSegmentationLayer):
    """A segmentation layer: adds the largest segment id, mappings and attachments."""

    _properties: SegmentationLayerProperties

    @AbstractSegmentationLayer.largest_segment_id.setter
    def largest_segment_id(self, value: int | None) -> None:
        """The largest segment id in the data (None when unknown); assigning persists it."""
        self.check_writable()
        if value is not None:
            value = int(value)
            if self.dtype.kind in "iu" and not 0 <= value <= np.iinfo(self.dtype).max:
                raise ValueError(f"largest_segment_id {value} does not fit the layer's dtype {self.dtype}.")
        self._properties.largest_segment_id = value
        self.save_properties()

    @property
    def mappings(self) -> list[str]:
        """Names of the layer's mappings."""
        return list(self._properties.mappings)

    def save_attachments_properties(self, attachments: AttachmentsProperties) -> None:
        """Internal (not webknossos API): make ``attachments`` this layer's attachments entry and persist; the
        old entry stays if saving fails."""
        before = self._properties.attachments
        self._properties.attachments = attachments
        try:
            self.save_properties()
        except BaseException:
            self._properties.attachments = before
            raise

    @property
    def attachments(self) -> Attachments:
        """Access, add and remove the layer's attachments (meshes, agglomerates, segment index, cumsum, connectomes)."""
        from .attachments import Attachments

        return Attachments(self)

    @property
    def category(self) -> str:
        """Always ``"segmentation"``."""
        return SEGMENTATION_CATEGORY

    def refresh_largest_segment_id(self, *, chunk_shape: Any = None, executor: Any = None) -> None:
        """Scan the finest mag and set ``largest_segment_id`` to its maximum (None if the layer is empty)."""
        self.check_writable()
        if not self._mags or self.bounding_box.is_empty():
            self.largest_segment_id = None
            return
        maxima = self.get_finest_mag().map_chunk(
            _chunk_max, chunk_shape=chunk_shape, executor=executor, progress_desc=None
        )
        found = max((m for m in maxima if m is not None), default=None)
        self.largest_segment_id = None if not found else found


def _chunk_max(view: Any) -> int | None:
    data = view.read()
    return int(data.max()) if data.size else None


def remove_tree_and_commit(path: UPath, commit: Callable[[], None]) -> None:
    """Delete the folder ``path`` and run ``commit`` (the properties update) so that a failure of either leaves
    properties and files consistent.

    Locally the folder (or symbolic link) is first renamed to a hidden name next to it: if that fails nothing
    changed; if ``commit`` fails it is renamed back. Only then is it deleted; a failure there leaves the
    properties updated and warns naming the left-over folder. Elsewhere (fsspec) the files go first, then
    ``commit`` runs, so a failed deletion leaves the properties unchanged.
    """
    if not is_local(path):
        remove_tree(path)
        commit()
        return
    local = Path(path.path if hasattr(path, "path") else path)
    if not os.path.lexists(local):
        commit()
        return
    trash = local.with_name(f".{local.name}.deleting-{uuid.uuid4().hex[:8]}")
    os.rename(local, trash)
    try:
        commit()
    except BaseException:
        os.rename(trash, local)
        raise
    try:
        remove_tree(UPath(trash))
    except OSError as error:
        warnings.warn(
            f"{local} was removed from the dataset's properties, but deleting its files at {trash} failed "
            f"({error}); delete that folder by hand.",
            stacklevel=3,
        )


def remove_tree(path: UPath) -> None:
    """Delete a folder (local or fsspec) if it exists; a symbolic link (even a dangling one) is removed itself,
    never the folder it points to."""
    ports.file_transfer().remove(path)
