"""The layout of a TIFF export: the exported box in mag voxels, the file name of each slice, the tile grid.

As the reference CLI writes them: one image per z-slice named ``{index:06d}.tiff`` (``{name}_{index:06d}.tiff``
with a name), or, when tiled, ``{index}/{row}/{column}.tiff`` (rows and columns counted from 1). ``index`` is
the slice's distance from the box's first slice in Mag(1) voxels (``0, 2, 4, ...`` for a mag with z = 2).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ..errors import InvalidArgumentError
from ..geometry import BoundingBox, Mag, NDBoundingBox


def _ceildiv(a: int, b: int) -> int:
    return -(-a // b)


def _positive_pair(value: tuple[int, int] | None, what: str) -> tuple[int, int] | None:
    if value is None:
        return None
    pair = tuple(int(v) for v in value)
    if len(pair) != 2 or min(pair) < 1:
        raise InvalidArgumentError(f"{what} must be two positive integers (x, y), got {value!r}.")
    return pair  # type: ignore[return-value]


def export_box_in_mag(bbox: NDBoundingBox, mag: Mag, *, grow: bool) -> BoundingBox:
    """The Mag(1) box ``bbox`` as a box of ``mag`` voxels: grown to whole voxels (``grow``) or shrunk to them.

    The reference exports a layer's whole box grown to the mag, and a box given by the user shrunk to it.
    """
    box = BoundingBox.from_ndbbox(bbox) if not isinstance(bbox, BoundingBox) else bbox
    aligned = box.align_with_mag(mag, ceil=grow)
    if aligned.is_empty():
        raise InvalidArgumentError(
            f"The bounding box {box.to_csv()} holds no whole voxel of mag {mag.to_layer_name()}; give a box at "
            f"least {mag.to_layer_name()} voxels large that covers whole voxels of that mag."
        )
    return aligned.in_mag(mag)


@attrs.frozen
class TiffStackLayout:
    """Which voxels each image of an export shows and where it is written (all sizes in voxels of ``mag``)."""

    box: BoundingBox
    """The exported box in voxels of ``mag``."""
    mag: Mag
    name: str | None = None
    tile_shape: tuple[int, int] | None = None
    """Width and height (x, y) of a tile, None for one image per slice."""
    absolute_index: bool = False
    """Name slices by their absolute Mag(1) z (``Layer.export``) instead of their distance from the first slice."""
    index_digits: int = 6
    """Zero-padded width of the slice index in the file names."""
    index_label: str = ""
    """Written before the slice index (``z`` in ``t0_z3.tiff``, the stacks of layers with extra axes)."""

    @classmethod
    def create(
        cls,
        box: BoundingBox,
        mag: Mag,
        *,
        name: str | None = None,
        tile_size: tuple[int, int] | None = None,
        tiles_per_dimension: tuple[int, int] | None = None,
        absolute_index: bool = False,
        index_digits: int = 6,
        index_label: str = "",
    ) -> TiffStackLayout:
        """The layout for ``box`` (mag voxels); ``tiles_per_dimension`` wins over ``tile_size`` when both are given."""
        tiles = _positive_pair(tiles_per_dimension, "tiles_per_dimension")
        size = _positive_pair(tile_size, "tile_size")
        if tiles is not None:
            size = (_ceildiv(box.size.x, tiles[0]), _ceildiv(box.size.y, tiles[1]))
        if name is not None and ("/" in name or "\\" in name):
            raise InvalidArgumentError(f"The name {name!r} of the TIFF files must not contain a path separator.")
        return cls(
            box=box,
            mag=mag,
            name=name or None,
            tile_shape=size,
            absolute_index=absolute_index,
            index_digits=int(index_digits),
            index_label=index_label,
        )

    @property
    def image_shape(self) -> tuple[int, int]:
        """Width and height (x, y) of every image before downsampling."""
        return self.tile_shape if self.tile_shape is not None else (self.box.size.x, self.box.size.y)

    @property
    def tile_counts(self) -> tuple[int, int]:
        """Number of tiles along x and y (1, 1 without tiling)."""
        if self.tile_shape is None:
            return 1, 1
        return _ceildiv(self.box.size.x, self.tile_shape[0]), _ceildiv(self.box.size.y, self.tile_shape[1])

    @property
    def num_slices(self) -> int:
        """Number of z-slices exported."""
        return self.box.size.z

    def slice_index(self, z: int) -> int:
        """The index in the file names of slice ``z`` (mag voxels): its Mag(1) distance from the first slice
        (or its absolute Mag(1) z with ``absolute_index``)."""
        if self.absolute_index:
            return z * self.mag.z
        return (z - self.box.topleft.z) * self.mag.z

    def images(self, z: int) -> Iterator[tuple[str, int, int]]:
        """``(relative path, x, y)`` of every image of slice ``z``; x, y is its first voxel relative to the box."""
        index = self.slice_index(z)
        if self.tile_shape is None:
            number = f"{self.index_label}{index:0{self.index_digits}d}"
            yield (f"{self.name}_{number}.tiff" if self.name else f"{number}.tiff"), 0, 0
            return
        width, height = self.tile_shape
        columns, rows = self.tile_counts
        for row in range(rows):
            for column in range(columns):
                yield f"{index}/{row + 1}/{column + 1}.tiff", column * width, row * height

    def directories(self, z: int) -> list[str]:
        """The folders (relative to the target) the images of slice ``z`` go into."""
        if self.tile_shape is None:
            return []
        index = self.slice_index(z)
        return [f"{index}/{row + 1}" for row in range(self.tile_counts[1])]

    def num_images(self) -> int:
        """Number of files the export writes."""
        columns, rows = self.tile_counts
        return self.num_slices * columns * rows


def z_batches(start: int, stop: int, batch_size: int) -> list[tuple[int, int]]:
    """``[start, stop)`` cut at multiples of ``batch_size`` (so batches of chunk-sized slabs stay chunk-aligned)."""
    if batch_size < 1:
        raise InvalidArgumentError(f"batch_size must be at least 1, got {batch_size}.")
    edges = [start, *range((start // batch_size + 1) * batch_size, stop, batch_size), stop]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def mag1_box(box: BoundingBox, mag: Mag) -> BoundingBox:
    """A box of ``mag`` voxels in Mag(1) voxels."""
    return BoundingBox(box.topleft * mag.to_vec3_int(), box.size * mag.to_vec3_int())
