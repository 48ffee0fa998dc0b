"""Export a View or MagView to a stack of TIFF images: one per z-slice or tiled, optionally downsampled or mapped.

The exported box is cut into z-batches; each batch is one read of the whole box in x and y (batches start at
multiples of ``batch_size``, so with the default 32 they cover whole chunks), written as images through the
ImageWriter port. Batches run on the given executor, each in its own task.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from .. import ports
from ..errors import InvalidArgumentError
from ..geometry import BoundingBox
from .bilinear import downsample_image, downsampled_size
from .segment_mapping import AgglomerateLookup, ArrayLookup
from .tiff_layout import TiffStackLayout, export_box_in_mag, mag1_box, z_batches

DEFAULT_BATCH_SIZE = 32
PROGRESS_DESCRIPTION = "Exporting tiff files"
_WRITE_THREADS = 2
"""Images of one batch written in parallel (tifffile and the file system release the GIL for the bytes)."""


@attrs.frozen
class TiffStack:
    """What an export wrote: the folder, the layout of its files, and the size and dtype of every image."""

    target: Path
    layout: TiffStackLayout
    image_size: tuple[int, int]
    """Width and height (x, y) of each image in pixels (after downsampling)."""
    dtype: np.dtype
    num_channels: int

    @property
    def num_files(self) -> int:
        """Number of TIFF files written."""
        return self.layout.num_images()

    def paths(self) -> Iterator[Path]:
        """Every file written, slice by slice (tiles row by row)."""
        for z in range(self.layout.box.topleft.z, self.layout.box.bottomright.z):
            for relative, _, _ in self.layout.images(z):
                yield self.target / relative


@attrs.frozen(eq=False)
class TiffBatch:
    """One task of an export: the z-slices ``z_start .. z_stop`` (mag voxels) of the layout."""

    view: Any
    layout: TiffStackLayout
    target: str
    z_start: int
    z_stop: int
    data_box: BoundingBox | None
    """The part of the batch (mag voxels) that lies inside the view's data; None when it has none."""
    downsample: int
    compress: bool
    mapping: AgglomerateLookup | ArrayLookup | None
    dtype: np.dtype
    num_channels: int


def _read_batch(batch: TiffBatch) -> np.ndarray:
    """The batch's voxels as ``(c, x, y, z)`` over the whole box in x and y; zeros outside the data."""
    box = batch.layout.box
    shape = (batch.num_channels, box.size.x, box.size.y, batch.z_stop - batch.z_start)
    data_box = batch.data_box
    if data_box is None:
        return np.zeros(shape, dtype=batch.dtype, order="F")
    data = batch.view.read_cxyz(absolute_bounding_box=mag1_box(data_box, batch.layout.mag))
    if data.shape == shape:
        return data
    padded = np.zeros(shape, dtype=data.dtype, order="F")
    start = data_box.topleft - box.topleft.with_z(batch.z_start)
    padded[
        :, start.x : start.x + data.shape[1], start.y : start.y + data.shape[2], start.z : start.z + data.shape[3]
    ] = data
    return padded


def _tile(page: np.ndarray, x: int, y: int, width: int, height: int) -> np.ndarray:
    """``page[x:x+width, y:y+height]`` (x, y, c), padded with zeros where the page ends."""
    part = page[x : x + width, y : y + height]
    if part.shape[:2] == (width, height):
        return part
    padded = np.zeros((width, height, page.shape[2]), dtype=page.dtype)
    padded[: part.shape[0], : part.shape[1]] = part
    return padded


def _images(batch: TiffBatch, data: np.ndarray) -> Iterator[tuple[Path, np.ndarray]]:
    """``(path, image (x, y, c))`` of every image of the batch."""
    layout, target = batch.layout, Path(batch.target)
    width, height = layout.image_shape
    for k, z in enumerate(range(batch.z_start, batch.z_stop)):
        page = np.moveaxis(data[:, :, :, k], 0, -1)  # (x, y, c), a view
        for directory in layout.directories(z):
            os.makedirs(target / directory, exist_ok=True)
        for relative, x, y in layout.images(z):
            image = page if layout.tile_shape is None else _tile(page, x, y, width, height)
            if batch.downsample > 1:  # rows are y, columns x, as in the image file
                image = downsample_image(image.transpose(1, 0, 2), batch.downsample).transpose(1, 0, 2)
            yield target / relative, image


def export_batch(batch: TiffBatch) -> int:
    """Read, map, cut and write the images of one batch; returns how many files it wrote."""
    writer = ports.resolve_image_writer(".tiff")
    data = _read_batch(batch)
    if batch.mapping is not None:
        data = batch.mapping.apply(data)

    def write(item: tuple[Path, np.ndarray]) -> None:
        writer.write(item[0], item[1], compress=batch.compress)

    with ThreadPoolExecutor(_WRITE_THREADS) as pool:
        return sum(1 for _ in pool.map(write, _images(batch, data)))


def _layer_of(view: Any) -> Any:
    """The layer of a MagView (None for other views)."""
    from ..dataset.mag_view import MagView

    if not isinstance(view, MagView):
        return None
    try:
        return view.layer
    except RuntimeError:  # a MagView sent to another process has no layer there
        return None


def resolve_mapping(view: Any, mapping: Any) -> AgglomerateLookup | ArrayLookup | None:
    """The lookup for ``mapping``: an agglomerate attachment (or its name on the view's layer) or an array."""
    if mapping is None:
        return None
    from ..dataset.attachments import AgglomerateAttachment

    if isinstance(mapping, AgglomerateAttachment):
        return AgglomerateLookup.of(mapping)
    if isinstance(mapping, str):
        layer = _layer_of(view)
        if layer is None:
            raise InvalidArgumentError(
                f"The mapping {mapping!r} is the name of an agglomerate attachment, which needs a MagView of a "
                "segmentation layer; pass the AgglomerateAttachment (or a lookup array) instead."
            )
        if layer.category != "segmentation":
            raise InvalidArgumentError(
                f"Applying the mapping {mapping!r} needs a segmentation layer, but {layer.name!r} is a "
                f"{layer.category!r} layer."
            )
        found = [a for a in layer.attachments.agglomerates if a.name == mapping]
        if not found:
            available = [a.name for a in layer.attachments.agglomerates]
            raise InvalidArgumentError(
                f"The layer {layer.name!r} has no agglomerate attachment named {mapping!r}; available: "
                f"{available or 'none'}."
            )
        return AgglomerateLookup.of(found[0])
    if isinstance(mapping, np.ndarray):
        return ArrayLookup(mapping)
    raise InvalidArgumentError(
        f"mapping must be an agglomerate attachment, its name or a lookup array, got {type(mapping).__name__}."
    )


def _check_xyz(view: Any) -> None:
    axes = tuple(view.bounding_box.axes)
    if axes != ("x", "y", "z"):
        raise InvalidArgumentError(
            f"TIFF export needs a 3-d layer (axes x, y, z), but {view} has axes {axes}; export one x/y/z view "
            "of it (get_view with a box fixing the other axes) instead."
        )


def export_tiff_stack(
    view: Any,
    target: str | os.PathLike[str],
    *,
    bbox: Any = None,
    name: str | None = None,
    downsample: int = 1,
    mapping: Any = None,
    tile_size: tuple[int, int] | None = None,
    tiles_per_dimension: tuple[int, int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    compress: bool | None = None,
    executor: Any = None,
    progress_desc: str | None = PROGRESS_DESCRIPTION,
    absolute_index: bool = False,
    index_digits: int = 6,
    index_label: str = "",
) -> TiffStack:
    """Write the voxels of ``view`` (a MagView or View) inside ``bbox`` as TIFF images into the folder ``target``.

    - ``bbox``: the Mag(1) box to export (default: the view's box). Parts outside the data are written as 0;
      a box that is not aligned with the view's mag is shrunk to whole voxels of it.
    - One image per z-slice, ``{index:06d}.tiff`` or ``{name}_{index:06d}.tiff``, where ``index`` counts Mag(1)
      slices from the first one. With ``tile_size`` (x, y pixels) or ``tiles_per_dimension`` (x, y counts; wins
      when both are given), every slice is cut into tiles ``{index}/{row}/{column}.tiff`` (from 1), edge tiles
      padded with 0.
    - ``downsample``: shrink every image (or tile) by this factor in x and y (bilinear, as the reference).
    - ``mapping``: replace segment ids before the export: an AgglomerateAttachment, the name of one of the
      layer's agglomerate attachments (``view`` must be a MagView of a segmentation layer), or a lookup array.
    - ``compress``: deflate-compress the images (default: for segmentation layers and mapped data).
    - ``batch_size``: z-slices read at once by one task (memory: about ``batch_size`` whole slices).
    - ``executor``: runs the batches (default: in this process); ``progress_desc`` labels the progress bar.
    - ``absolute_index``/``index_digits``: name slices by their absolute Mag(1) z, zero-padded to that width;
      ``index_label`` is written before that number (``t0_z3.tiff``).

    Images are ``(y, x)`` pages like any TIFF: columns are x, rows are y; three channels are written as RGB.
    """
    _check_xyz(view)
    if int(downsample) < 1:
        raise InvalidArgumentError(f"downsample must be at least 1, got {downsample}.")
    mag = view.mag
    data_box = export_box_in_mag(view.bounding_box, mag, grow=True)
    box = data_box if bbox is None else export_box_in_mag(_as_box(bbox), mag, grow=False)
    layout = TiffStackLayout.create(
        box,
        mag,
        name=name,
        tile_size=tile_size,
        tiles_per_dimension=tiles_per_dimension,
        absolute_index=absolute_index,
        index_digits=index_digits,
        index_label=index_label,
    )
    lookup = resolve_mapping(view, mapping)
    dtype = np.dtype(view.get_dtype())
    num_channels = int(view.num_channels)
    if compress is None:
        layer = _layer_of(view)
        compress = lookup is not None or (layer is not None and layer.category == "segmentation")
    out_dtype = dtype if lookup is None else lookup.dtype()
    target_path = Path(target)
    target_path.mkdir(parents=True, exist_ok=True)
    batches = []
    for z_start, z_stop in z_batches(box.topleft.z, box.bottomright.z, int(batch_size)):
        batch_box = box.with_bounds_z(z_start, z_stop - z_start)
        inside = batch_box.intersected_with(data_box, dont_assert=True)
        batches.append(
            TiffBatch(
                view=view,
                layout=layout,
                target=str(target_path),
                z_start=z_start,
                z_stop=z_stop,
                data_box=None if inside.is_empty() else inside,
                downsample=int(downsample),
                compress=bool(compress),
                mapping=lookup,
                dtype=dtype,
                num_channels=num_channels,
            )
        )
    _run(batches, executor, progress_desc)
    width, height = layout.image_shape
    image_size = (downsampled_size(width, int(downsample)), downsampled_size(height, int(downsample)))
    return TiffStack(target_path, layout, image_size, out_dtype, num_channels)


def _as_box(bbox: Any) -> BoundingBox:
    if isinstance(bbox, BoundingBox):
        return bbox
    if hasattr(bbox, "topleft_xyz"):
        return BoundingBox.from_ndbbox(bbox)
    return BoundingBox.from_auto(bbox)


def _run(batches: list[TiffBatch], executor: Any, progress_desc: str | None) -> None:
    from ..dataset.chunk_runner import run_on_chunks

    run_on_chunks(export_batch, batches, executor, progress_desc)
