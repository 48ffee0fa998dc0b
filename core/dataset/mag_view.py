"""MagView: the whole of one mag of a layer, a View whose box is the layer's bounding box."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from upath import UPath

from .. import ports
from ..array_info import ArrayInfo
from ..errors import InvalidArgumentError, ReadOnlyViewError
from ..geometry import Mag, NDBoundingBox, Vec3Int
from ..properties import DataFormat
from ..zarr3_config import Zarr3Config, with_compress
from .array_axes import array_axes, array_shape_for, has_extra_axes, voxel_description
from .axis_permuted_array import AxisPermutedArray, stored_axes_from_order
from .chunk_runner import run_on_chunks
from .compression import compress_mag, rechunk_mag
from .paths import is_local, is_relative_to, to_upath
from .region import array_box
from .view import View, views_on_disk

if TYPE_CHECKING:
    from .layer import Layer


class MagView(View):
    """One mag of a layer. Offsets and sizes in its methods are Mag(1) voxels, like in every View."""

    def __init__(self, layer: Layer, mag: Any, path: Any, read_only: bool = False, data_format: Any = None) -> None:
        """The mag ``mag`` of ``layer`` stored at ``path`` in ``data_format`` (default: the layer's)."""
        # A mag stored outside its layer's folder (added with add_mag_as_ref / add_layer_as_ref, or listed so in
        # the properties) is referenced data of another layer or dataset: it is read-only, like in the reference.
        referenced = _is_outside(path, layer.path)
        super().__init__(
            path, None, mag, layer.data_format if data_format is None else data_format, read_only or referenced
        )
        self._referenced = referenced
        self._layer = layer
        self._aligned: tuple[Any, NDBoundingBox] | None = None  # (layer box, that box aligned to this mag)

    def __repr__(self) -> str:
        return f"MagView(name={self.name!r}, bounding_box={self.bounding_box})"

    @property
    def _array(self) -> Any:
        """The opened array; an array that names no axes is read through the properties' ``axisOrder`` of this mag
        (checked on first opening)."""
        zarr = self._data_format in (DataFormat.Zarr, DataFormat.Zarr3)
        if self._cached_array is not None or not zarr or self._layer is None:  # no layer: pickled to a worker
            return super()._array
        array = super()._array
        try:
            axis_order = self._layer.mag_entry(self.mag).axis_order
        except KeyError:  # not registered yet (being added)
            axis_order = None
        try:
            stored_axes = stored_axes_from_order(array.info, axis_order)
        except ValueError as error:
            self._cached_array = None
            raise ValueError(f"Cannot read mag {self.mag.to_layer_name()} at {self._path}: {error}") from None
        if stored_axes is not None:
            self._cached_array = array = AxisPermutedArray(array, stored_axes)
        return array

    @classmethod
    def create(
        cls,
        layer: Layer,
        mag: Any,
        *,
        path: Any,
        chunk_shape: Any,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compression_mode: bool | Zarr3Config,
        read_only: bool = False,
    ) -> MagView:
        """Create the mag's array on disk (use ``Layer.add_mag`` instead of calling this)."""
        mag = Mag(mag)
        chunk = Vec3Int.from_vec_or_int(chunk_shape)
        if shard_shape is None:
            shard_shape = chunk * Vec3Int.from_vec_or_int(chunks_per_shard or 1)
        shard = Vec3Int.from_vec_or_int(shard_shape)
        info = ArrayInfo(
            data_format=layer.data_format,
            num_channels=layer.num_channels,
            voxel_type=layer.dtype,
            chunk_shape=chunk,
            shard_shape=shard,
            compression_mode=bool(compression_mode),  # a Zarr3Config is applied by with_compress below
            shape=array_shape_for(layer.bounding_box, mag, layer.num_channels, chunk),
            dimension_names=array_axes(layer.bounding_box),
            # n-d layers (extra axes such as t) store no channel axis, like the reference's; they have 1 channel
            has_channel_axis=not has_extra_axes(layer.bounding_box),
            **voxel_description(layer, mag),
        )
        info = with_compress(info, compression_mode)
        ports.resolve_storage(layer.data_format).create(UPath(path), info)
        return cls(layer, mag, path, read_only)

    # ------------------------------------------------------------------ properties

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["_bounding_box"] = self.bounding_box  # keep the box, not the live layer, across processes
        state["_layer"] = None
        state["_aligned"] = None
        return state

    @property
    def layer(self) -> Layer:
        """The layer this mag belongs to."""
        if self._layer is None:
            raise RuntimeError("This MagView was sent to another process; its layer is not available there.")
        return self._layer

    @property
    def bounding_box(self) -> NDBoundingBox:
        """The layer's bounding box (Mag(1)), grown to whole voxels of this mag (``align_with_mag(ceil=True)``)."""
        if self._layer is None:
            return self._bounding_box  # type: ignore[return-value]
        layer_box = self._layer.bounding_box
        aligned = self._aligned
        if aligned is None or aligned[0] is not layer_box:  # boxes are immutable: same object, same result
            aligned = self._aligned = (layer_box, layer_box.align_with_mag(self._mag, ceil=True))
        return aligned[1]

    @property
    def name(self) -> str:
        """The mag's directory name, e.g. ``"1"`` or ``"2-2-1"``."""
        return self._mag.to_layer_name()

    @property
    def path(self) -> UPath:
        """Where the mag's array is stored."""
        return self._path

    @property
    def read_only(self) -> bool:
        """Whether writes are refused (read-only dataset or mag)."""
        return self._read_only or (self._layer is not None and self._layer.read_only)

    @property
    def is_foreign(self) -> bool:
        """Whether the mag's data lives outside the dataset's own layer folder."""
        return self.layer.is_mag_view_foreign(self)

    def check_writable(self) -> None:
        """Internal (not webknossos API): raise if this mag must not be written."""
        if self._referenced:
            raise ReadOnlyViewError(
                f"Cannot write to mag {self._mag.to_layer_name()} at {self._path}: it is stored outside its "
                "layer's folder (a reference added with add_mag_as_ref or add_layer_as_ref), and referenced data "
                "is read-only. Copy it into the dataset with add_mag_as_copy or add_layer_as_copy to change it."
            )
        if self.read_only:
            raise ReadOnlyViewError(f"Cannot write to {self._path}: the dataset or mag is read-only.")

    # ------------------------------------------------------------------ writing

    def write(
        self,
        data: np.ndarray,
        *,
        allow_resize: bool = False,
        allow_unaligned: bool = False,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> None:
        """Write ``data`` at a Mag(1) position; ``allow_resize`` grows the layer's bounding box to fit."""
        bbox, data = self._prepare_write(
            data, relative_offset, absolute_offset, relative_bounding_box, absolute_bounding_box
        )
        layer_bbox = self.bounding_box
        if not layer_bbox.contains_bbox(bbox):
            if not allow_resize:
                raise InvalidArgumentError(
                    f"The write region {bbox} lies outside the bounding box {layer_bbox} of layer "
                    f"{self.layer.name!r}; pass allow_resize=True to grow the layer (not while other "
                    "processes write to it), or set layer.bounding_box first."
                )
            if any(v < 0 for v in bbox.topleft_xyz):
                raise InvalidArgumentError(
                    f"Cannot grow layer {self.layer.name!r} to {bbox}: its topleft must not contain negative "
                    "dimensions; data starts at (0, 0, 0)."
                )
            current = self.layer.bounding_box
            grown = bbox if current.is_empty() else current.extended_by(bbox)
            if not allow_unaligned:
                # refuse an unaligned write before the layer grows, judging alignment by the grown borders
                info = self.info
                offset, shape = array_box(bbox, self._mag, info.dimension_names, info.shape)
                self._check_alignment(offset, shape, edges=grown)
            self.layer.bounding_box = grown
        self._write_box(bbox, data, allow_unaligned)

    def write_cxyz(
        self,
        data: np.ndarray,
        *,
        allow_resize: bool = False,
        allow_unaligned: bool = False,
        relative_offset: Any = None,
        absolute_offset: Any = None,
        relative_bounding_box: NDBoundingBox | None = None,
        absolute_bounding_box: NDBoundingBox | None = None,
    ) -> None:
        """Like ``write`` but ``data`` is always ``(c, x, y, z)``."""
        self.write(
            self._from_cxyz(data),
            allow_resize=allow_resize,
            allow_unaligned=allow_unaligned,
            relative_offset=relative_offset,
            absolute_offset=absolute_offset,
            relative_bounding_box=relative_bounding_box,
            absolute_bounding_box=absolute_bounding_box,
        )

    def _write_slab(self, data: np.ndarray, absolute_offset: Vec3Int, allow_unaligned: bool) -> None:
        """Write a slice writer's block, growing the array as needed."""
        self.write(data, absolute_offset=absolute_offset, allow_unaligned=allow_unaligned, allow_resize=True)

    def ensure_shape_for(self, bbox: NDBoundingBox) -> None:
        """Internal: grow the array so that it covers ``bbox`` (Mag(1)), rounded up to whole chunks."""
        info = self.info
        needed = array_shape_for(bbox, self._mag, info.num_channels, info.chunk_shape)
        if len(needed) == len(info.shape) and any(n > s for n, s in zip(needed, info.shape)):
            self._array.resize(tuple(max(n, s) for n, s in zip(needed, info.shape)))

    # ------------------------------------------------------------------ files on disk

    def get_bounding_boxes_on_disk(self) -> Iterator[NDBoundingBox]:
        """A Mag(1) bounding box for every shard (or chunk file) stored on disk."""
        info = self.info
        factors = dict(zip(("x", "y", "z"), self._mag.to_list()))
        template = self.bounding_box
        for offset, shape in self._array.list_bounding_boxes():
            bbox = template
            for axis, start, size in zip(info.dimension_names, offset, shape):
                if axis in template.axes:
                    factor = factors.get(axis, 1)
                    bbox = bbox.with_bounds(axis, start * factor, size * factor)
            yield bbox

    def get_views_on_disk(self, read_only: bool | None = None) -> Iterator[View]:
        """A view for every shard on disk (clipped to the layer's box): natural units for parallel work."""
        return views_on_disk(self, self.get_bounding_boxes_on_disk(), read_only)

    def compress(self, *, target_path: Any = None, executor: Any = None) -> None:
        """Compress the mag's data in place (local only; no-op if compressed) or into ``target_path``."""
        compress_mag(self, target_path=target_path, executor=executor)

    def rechunk(
        self,
        *,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        compress: Any = None,
        target_path: Any = None,
        executor: Any = None,
        _progress_desc: str | None = None,
    ) -> None:
        """Rewrite the mag with a new chunk shape, shard shape or compression, in place or into ``target_path``."""
        rechunk_mag(
            self,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            compress=compress,
            target_path=target_path,
            executor=executor,
            progress_desc=_progress_desc,
        )

    def get_zarr_array(self) -> Any:
        """The engine's own handle of the array (a tensorstore.TensorStore for the tensorstore engine)."""
        if self._data_format not in (DataFormat.Zarr, DataFormat.Zarr3):
            raise ValueError(
                f"Cannot get the zarr array of {self._path}: its data format is {self._data_format.value}, "
                "not zarr or zarr3. Use read()/write(), or convert the layer (e.g. Dataset.copy_dataset with "
                "data_format='zarr3')."
            )
        native = self._array.native
        if native is None:
            raise ValueError(f"The storage engine of {self._path} offers no direct array handle.")
        return native

    # ------------------------------------------------------------------ merging

    def merge_with_view(self, other: MagView, executor: Any = None) -> None:
        """Overlay ``other``'s non-zero voxels onto this mag, one task per target shard on ``executor``.

        Both mags must have the same mag and voxel type; this layer's bounding box grows to cover ``other``'s.
        """
        if Mag(self.mag) != Mag(other.mag):
            raise ValueError(f"Cannot merge mag {other.mag} of {other.path} into mag {self.mag} of {self.path}.")
        if np.dtype(self.info.voxel_type) != np.dtype(other.info.voxel_type):
            raise ValueError(
                f"Cannot merge {other.path} (voxel type {other.info.voxel_type}) into {self.path} "
                f"(voxel type {self.info.voxel_type}); convert one of them first."
            )
        self.check_writable()
        source_boxes = list(other.get_bounding_boxes_on_disk())
        if not source_boxes:
            return
        own = self.layer.bounding_box
        grown = own.extended_by(other.bounding_box) if not own.is_empty() else other.bounding_box
        if grown != own:
            self.layer.bounding_box = grown
        self.ensure_shape_for(grown)
        shard = self.info.shard_shape * Vec3Int(Mag(self.mag).to_list())
        target = self.bounding_box
        tasks = []
        for shard_box in target.chunk(shard, shard):
            overlapping = [b for b in source_boxes if not b.intersected_with(shard_box, dont_assert=True).is_empty()]
            if overlapping:
                tasks.append((other, shard_box, overlapping))
        run_on_chunks(self.merge_chunk, tasks, executor, None)

    def merge_chunk(self, args: tuple[MagView, NDBoundingBox, list[NDBoundingBox]]) -> None:
        """Merge ``other``'s non-zero voxels inside ``bboxes`` into the target ``shard`` (one task of a merge)."""
        other, shard, bboxes = args
        data = self.read(absolute_bounding_box=shard)
        factors = dict(zip(("x", "y", "z"), Mag(self.mag).to_list()))
        for bbox in bboxes:
            overlap = bbox.intersected_with(shard, dont_assert=True)
            if overlap.is_empty():
                continue
            incoming = other.read(absolute_bounding_box=overlap)
            starts = [
                (overlap.get_bounds(axis)[0] - shard.get_bounds(axis)[0]) // factors.get(axis, 1)
                for axis in array_axes(shard)[1:]
            ]
            region = data[(slice(None), *(slice(s, s + n) for s, n in zip(starts, incoming.shape[1:])))]
            mask = incoming != 0
            region[mask] = incoming[mask]
        self.write_cxyz(data, absolute_bounding_box=shard)


def _is_outside(path: Any, layer_path: Any) -> bool:
    """Whether the mag at ``path`` lies outside the folder ``layer_path`` (another location or protocol)."""
    if is_local(path) != is_local(layer_path):
        return True
    return not is_relative_to(to_upath(path), to_upath(layer_path))
