"""Image import: ``Dataset.add_layer_from_images``, ``Dataset.from_images`` and ``ConversionLayerMapping``.

Files are read through the ImageReader port (``ports.resolve_image_reader`` by file suffix); readers return
``(x, y, z, c)`` arrays. The z-slices of a layer are written in batches of whole shards (or chunks for
uncompressed layers), sequentially or on an executor.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable, Sequence
from enum import Enum
from functools import partial
from typing import Any

import attrs
import numpy as np
from upath import UPath

from .. import ports
from ..geometry import BoundingBox, Mag, Vec3Int
from ..properties import SEGMENTATION_CATEGORY, LayerViewConfiguration, VoxelSize
from .chunk_runner import run_on_chunks
from .image_errors import (
    CorruptImageError,
    ImageConversionError,
    UnsupportedImageDataError,
    UnsupportedImageFormatError,
)
from .layer_checks import UnsupportedLayerDtypeError, check_layer_dtype
from .paths import to_upath
from .storage_defaults import DEFAULT_CHUNK_SHAPE, DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES, DEFAULT_DATA_FORMAT

_GLOB_CHARS = set("*?[")
_UNSUPPORTED_SUFFIXES = {".czi": "CZI files need pylibczirw, which daedalus does not support"}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.\-$@]")
"""Characters that ``from_images`` drops from names it derives from file paths, as the reference does."""


class ConversionLayerMapping(Enum):
    """Strategies for mapping image file paths to layers in ``Dataset.from_images``."""

    INSPECT_SINGLE_FILE = "inspect_single_file"
    INSPECT_EVERY_FILE = "inspect_every_file"
    ENFORCE_LAYER_PER_FILE = "enforce_layer_per_file"
    ENFORCE_SINGLE_LAYER = "enforce_single_layer"
    ENFORCE_LAYER_PER_FOLDER = "enforce_layer_per_folder"
    ENFORCE_LAYER_PER_TOPLEVEL_FOLDER = "enforce_layer_per_toplevel_folder"


def natural_sort_key(path: Any) -> list[Any]:
    """Sort key that orders ``img2`` before ``img10`` (numbers compare by value)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(path))]


# --------------------------------------------------------------------------- readers


def _reader_for(path: UPath) -> Any:
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED_SUFFIXES:
        raise UnsupportedImageFormatError(
            f"Cannot import {path}: {_UNSUPPORTED_SUFFIXES[suffix]}; convert it to TIFF first.",
            path=path,
            file_extension=suffix.lstrip("."),
        )
    try:
        return ports.resolve_image_reader(suffix)
    except ValueError as error:
        raise UnsupportedImageFormatError(
            f"Cannot import {path}: no image reader for {suffix or 'files without suffix'!r} ({error}) "
            "TIFF needs tifffile, PNG/JPEG need Pillow, MRC needs mrcfile: pip install 'daedalus[images]'.",
            path=path,
            file_extension=suffix.lstrip(".") or None,
        ) from None


def _info(reader: Any, path: UPath) -> Any:
    """``reader.info(path)``; a file of a supported format that cannot be read raises CorruptImageError."""
    try:
        return reader.info(path)
    except ImageConversionError:
        raise
    except Exception as error:
        raise CorruptImageError(
            f"Could not read {path}. Its format is supported, so the file is likely damaged or was not written "
            f"completely ({type(error).__name__}: {error}).",
            path=path,
        ) from error


def _no_images_error(folder: Any, message: str) -> UnsupportedImageFormatError:
    found = sorted({p.suffix.lower().lstrip(".") for p in to_upath(folder).rglob("*") if p.is_file() and p.suffix})
    return UnsupportedImageFormatError(message, path=to_upath(folder), found_file_extensions=tuple(found))


def _is_readable(path: UPath, cache: dict[str, bool]) -> bool:
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED_SUFFIXES:
        return True  # reported with a clear error when read
    if suffix not in cache:
        try:
            ports.resolve_image_reader(suffix)
            cache[suffix] = bool(suffix)
        except ValueError:
            cache[suffix] = False
    return cache[suffix]


def _image_files_in(folder: UPath, recursive: bool) -> list[UPath]:
    """Image files (by registered reader suffix) in ``folder``, skipping hidden files and other files."""
    cache: dict[str, bool] = {}
    candidates = folder.rglob("*") if recursive else folder.iterdir()
    found = []
    for path in candidates:
        relative = path.relative_to(folder).parts if recursive else (path.name,)
        if any(part.startswith(".") for part in relative) or not path.is_file():
            continue
        if _is_readable(path, cache):
            found.append(path)
    return sorted(found, key=natural_sort_key)


def _collect_files(images: Any) -> list[UPath]:
    """Files named by a glob string, a path (file or folder) or a list of paths."""
    if isinstance(images, (str, os.PathLike, UPath)):
        text = os.fspath(images) if not isinstance(images, UPath) else str(images)
        if isinstance(images, str) and _GLOB_CHARS & set(images):
            files = [to_upath(p) for p in sorted(glob.glob(images, recursive=True), key=natural_sort_key)]
            files = [f for f in files if f.is_file()]
            if not files:
                raise FileNotFoundError(f"The glob {images!r} matches no image files.")
            return files
        path = to_upath(images)
        if path.is_dir():
            files = _image_files_in(path, recursive=False)
            if not files:
                raise _no_images_error(path, f"The folder {text} contains no image files this installation can read.")
            return files
        if not path.exists():
            raise FileNotFoundError(f"The image file {text} does not exist.")
        return [path]
    if isinstance(images, Sequence) and not isinstance(images, (bytes, np.ndarray)) and hasattr(images, "__iter__"):
        if type(images).__module__.startswith("pims"):
            raise _frames_sequence_error(images)
        files = [to_upath(p) for p in images]
        if not files:
            raise ValueError("add_layer_from_images got an empty list of images.")
        for path in files:
            if not path.is_file():
                raise FileNotFoundError(f"The image file {path} does not exist.")
        return files
    raise _frames_sequence_error(images)


def _frames_sequence_error(images: Any) -> Exception:
    return TypeError(
        f"images={type(images).__name__} is not supported: pims FramesSequence input is not available in daedalus. "
        "Pass a glob string, a folder, or a list of TIFF/PNG/JPEG paths."
    )


# --------------------------------------------------------------------------- slices and batches


def _inspect(files: list[UPath]) -> tuple[list[Any], list[tuple[int, int]], tuple[int, int, int], np.dtype]:
    """Readers per file, (file index, page) per z-slice, the common (x, y, channels) and dtype."""
    readers, slices = [], []
    common: tuple[int, int, int] | None = None
    dtype: np.dtype | None = None
    first: UPath | None = None
    for index, path in enumerate(files):
        reader = _reader_for(path)
        (size_x, size_y, size_z, channels), file_dtype = _info(reader, path)
        shape = (int(size_x), int(size_y), int(channels))
        if common is None:
            common, dtype, first = shape, np.dtype(file_dtype), path
        elif shape != common or np.dtype(file_dtype) != dtype:
            raise ValueError(
                f"Image {path} has (x, y, channels)={shape} and dtype {np.dtype(file_dtype)}, but {first} has "
                f"{common} and {dtype}; all images of one layer need the same size, channels and dtype."
            )
        readers.append(reader)
        slices.extend((index, page) for page in range(int(size_z)))
    assert common is not None and dtype is not None
    return readers, slices, common, dtype


def _read_slices(files: Sequence[Any], readers: Sequence[Any], slices: Sequence[tuple[int, int]]) -> np.ndarray:
    """The given (file, page) slices stacked along z as an ``(x, y, z, c)`` array."""
    parts = []
    start = 0
    while start < len(slices):
        file_index = slices[start][0]
        stop = start
        while stop < len(slices) and slices[stop][0] == file_index:
            stop += 1
        pages = [page for _, page in slices[start:stop]]
        low, high = min(pages), max(pages) + 1
        block = readers[file_index].read(files[file_index], low, high)
        parts.append(block[:, :, [page - low for page in pages]])
        start = stop
    return np.concatenate(parts, axis=2)


def import_batch(
    z_range: tuple[int, int],
    *,
    mag_view: Any,
    files: Sequence[Any],
    readers: Sequence[Any],
    slices: Sequence[tuple[int, int]],
    z_origin: int,
    xy_offset: tuple[int, int],
    channel: int | None,
    num_channels: int,
    dtype: np.dtype,
    swap_xy: bool,
    flip_x: bool,
    flip_y: bool,
) -> tuple[Any, Any] | None:
    """Read the slices of ``z_range`` (mag coordinates), transform them and write them; returns their minimum and
    maximum (None for no voxels)."""
    z_start, z_stop = z_range
    data = _read_slices(files, readers, slices[z_start - z_origin : z_stop - z_origin])
    if channel is not None:
        data = data[..., channel : channel + 1]
    else:
        data = data[..., :num_channels]
    data = data.astype(dtype, copy=False)
    if swap_xy:
        data = np.swapaxes(data, 0, 1)
    if flip_x:
        data = data[::-1]
    if flip_y:
        data = data[:, ::-1]
    data = np.ascontiguousarray(np.moveaxis(data, 3, 0))  # (c, x, y, z)
    mag = mag_view.mag.to_vec3_int()
    mag_view.write(data, absolute_offset=(xy_offset[0], xy_offset[1], z_start * mag.z))
    return (data.min().item(), data.max().item()) if data.size else None


def _batches(z_start: int, z_stop: int, batch_size: int) -> list[tuple[int, int]]:
    """``[z_start, z_stop)`` cut at multiples of ``batch_size``."""
    batches = []
    start = z_start
    while start < z_stop:
        stop = min((start // batch_size + 1) * batch_size, z_stop)
        batches.append((start, stop))
        start = stop
    return batches


def _refuse_unsupported(
    use_bioformats: bool, timepoint: Any = None, czi_channel: Any = None, scale: int | None = None
) -> None:
    if use_bioformats:
        raise ValueError(
            "use_bioformats=True is not supported: daedalus reads TIFF (tifffile) and PNG/JPEG (Pillow) "
            "itself and has no bioformats adapter. Pass use_bioformats=False."
        )
    if timepoint is not None:
        raise ValueError(
            f"timepoint={timepoint!r} is not supported: the TIFF/PNG/JPEG readers of daedalus read images "
            "without a time axis. Leave timepoint=None."
        )
    if czi_channel is not None:
        raise ValueError(f"czi_channel={czi_channel!r} is not supported: daedalus cannot read .czi files.")
    if scale not in (None, 0):
        raise ValueError(
            f"scale={scale!r} is not supported: it selects a resolution level of a multiscale source (zarr, N5, "
            "neuroglancer precomputed), and daedalus imports TIFF, PNG/JPEG and MRC images only. Leave scale=None."
        )


def _zarr3_shapes(chunk_shape: Any, shard_shape: Any, chunks_per_shard: Any, depth: int) -> tuple[Vec3Int, Any]:
    """The chunk and shard shape of a zarr3 layer from images, as the reference chooses them: by default slab
    shards of 128 x 128 x 1 chunks (written slab by slab); one voxel deep when the images are one slice."""
    chunk = DEFAULT_CHUNK_SHAPE if chunk_shape is None else Vec3Int.from_vec_or_int(chunk_shape)
    if shard_shape is not None:
        shard = Vec3Int.from_vec_or_int(shard_shape)
    elif chunks_per_shard is not None:
        shard = chunk * Vec3Int.from_vec_or_int(chunks_per_shard)
    else:
        shard = chunk * DEFAULT_CHUNKS_PER_SHARD_FROM_IMAGES
    if depth == 1:
        chunk, shard = chunk.with_z(1), shard.with_z(1)
    return chunk, shard


_CHANNEL_COLORS = ((255, 0, 0), (0, 255, 0), (0, 0, 255))


def add_layer_from_images(
    dataset: Any,
    images: Any,
    layer_name: str,
    category: str | None = "color",
    *,
    data_format: Any = DEFAULT_DATA_FORMAT,
    mag: Any = Mag(1),
    chunk_shape: Any = None,
    shard_shape: Any = None,
    chunks_per_shard: Any = None,
    compress: bool = True,
    topleft: Any = (0, 0, 0),
    swap_xy: bool = False,
    flip_x: bool = False,
    flip_y: bool = False,
    flip_z: bool = False,
    dtype: Any = None,
    use_bioformats: bool = False,
    channel: int | None = None,
    timepoint: int | None = None,
    czi_channel: int | None = None,
    scale: int | None = None,
    batch_size: int | None = None,
    allow_multiple_layers: bool = False,
    max_layers: int = 20,
    truncate_rgba_to_rgb: bool = True,
    executor: Any = None,
) -> Any:
    """Create layer ``layer_name`` at ``mag`` from image files (see ``Dataset.add_layer_from_images``)."""
    _refuse_unsupported(use_bioformats, timepoint, czi_channel, scale)
    files = _collect_files(images)
    readers, slices, (size_x, size_y, source_channels), source_dtype = _inspect(files)
    if flip_z:
        slices = slices[::-1]
    if channel is not None:
        if not 0 <= int(channel) < source_channels:
            raise ValueError(f"channel={channel} is out of range: the images have {source_channels} channel(s).")
        num_channels = 1
    else:
        num_channels = source_channels
        if source_channels == 4 and source_dtype == np.uint8 and truncate_rgba_to_rgb:
            num_channels = 3  # RGBA images are imported as RGB, as the reference does
        if allow_multiple_layers and num_channels not in (1, 3):
            if num_channels > max_layers:
                raise ValueError(
                    f"The images have {num_channels} channels, more than max_layers={max_layers} layers (one per "
                    "channel); raise max_layers, pick one channel with channel=..., or pass "
                    "allow_multiple_layers=False to write all channels into one layer."
                )
            # one layer per channel, as the reference does: WEBKNOSSOS shows only 1- and 3-channel layers
            layers = [
                add_layer_from_images(
                    dataset, images, f"{layer_name}__channel{index}", category, mag=mag, data_format=data_format,
                    chunk_shape=chunk_shape, shard_shape=shard_shape, chunks_per_shard=chunks_per_shard,
                    compress=compress, topleft=topleft, swap_xy=swap_xy, flip_x=flip_x, flip_y=flip_y, flip_z=flip_z,
                    dtype=dtype, channel=index, batch_size=batch_size, executor=executor,
                )
                for index in range(num_channels)
            ]  # fmt: skip
            for index, layer in enumerate(layers[: len(_CHANNEL_COLORS)]):  # shown red, green, blue, as the reference
                view = layer.default_view_configuration or LayerViewConfiguration()
                layer.default_view_configuration = attrs.evolve(view, color=_CHANNEL_COLORS[index])
            return layers[0]
        if num_channels not in (1, 3):
            raise UnsupportedImageDataError(
                f"Cannot write the {num_channels} channels of {files[0]}{' ...' if len(files) > 1 else ''} into one "
                f"layer {layer_name!r}: WEBKNOSSOS shows only 1-channel layers and RGB (3 uint8 channels). Pass "
                "allow_multiple_layers=True to write one layer per channel, or channel=<index> to import one channel."
            )
    out_dtype = np.dtype(dtype) if dtype is not None else source_dtype
    mag = Mag(mag)
    mag_xyz = mag.to_vec3_int()
    top = Vec3Int.from_vec_or_int(topleft)
    if any(t % m for t, m in zip(top, mag_xyz)):
        raise ValueError(f"topleft={tuple(top)} must be a multiple of mag {mag.to_layer_name()}.")
    width, height = (size_y, size_x) if swap_xy else (size_x, size_y)
    size = Vec3Int(width, height, len(slices)) * mag_xyz
    bbox = BoundingBox(top, size)
    try:
        check_layer_dtype(layer_name, category or "color", out_dtype)
    except UnsupportedLayerDtypeError as error:  # the images hold data no layer can (the reference's error type)
        raise UnsupportedImageDataError(f"{error} (images: {files[0]}{' ...' if len(files) > 1 else ''})") from None
    layer = dataset.add_layer(
        layer_name,
        category or "color",
        dtype=out_dtype,
        num_channels=num_channels,
        data_format=data_format,
        bounding_box=bbox,
    )
    if str(getattr(data_format, "value", data_format)) == "zarr3":
        chunk_shape, shard_shape = _zarr3_shapes(chunk_shape, shard_shape, chunks_per_shard, len(slices))
        chunks_per_shard = None
    mag_view = layer.add_mag(
        mag, chunk_shape=chunk_shape, shard_shape=shard_shape, chunks_per_shard=chunks_per_shard, compress=compress
    )
    info = mag_view.info
    whole_shards = compress or str(info.data_format) == "zarr3"  # zarr3 shards are rewritten whole, even raw
    unit = int(info.shard_shape.z if whole_shards else info.chunk_shape.z)
    if batch_size is None:
        batch_size = unit
    if batch_size <= 0 or batch_size % unit:
        kind = "shard" if whole_shards else "chunk"
        dataset.delete_layer(layer_name)  # leave no empty layer behind
        raise ValueError(
            f"batch_size={batch_size} must be a positive multiple of the {kind} depth {unit} of layer {layer_name!r}."
        )
    z_origin = top.z // mag_xyz.z
    func = partial(
        import_batch,
        mag_view=mag_view,
        files=files,
        readers=readers,
        slices=slices,
        z_origin=z_origin,
        xy_offset=(top.x, top.y),
        channel=None if channel is None else int(channel),
        num_channels=num_channels,
        dtype=out_dtype,
        swap_xy=swap_xy,
        flip_x=flip_x,
        flip_y=flip_y,
    )
    batches = _batches(z_origin, z_origin + len(slices), batch_size)
    extremes = [e for e in run_on_chunks(func, batches, executor, f"Importing images into layer {layer_name}") if e]
    if extremes and layer.category == SEGMENTATION_CATEGORY:
        layer.largest_segment_id = int(max(high for _, high in extremes))
    elif extremes:  # as the reference: WEBKNOSSOS shows the imported value range by default
        low, high = min(low for low, _ in extremes), max(high for _, high in extremes)
        layer.default_view_configuration = LayerViewConfiguration(min=float(low), max=float(high))
    return layer


# --------------------------------------------------------------------------- from_images


def _layer_name(text: str) -> str:
    """A name derived from file paths: characters layer names cannot hold dropped, then leading dots."""
    return _NAME_CHARS.sub("", text).lstrip(".")


def _group_files(
    root: UPath, files: list[UPath], mapping: ConversionLayerMapping | Callable[[UPath], str]
) -> dict[str, list[UPath]]:
    """Layer name -> files, by mapping strategy or callable (given the path relative to the folder).

    Named as the reference names them: paths count from ``root`` (from its folder when ``root`` is one file);
    files directly in that folder take the folder's name; a layer per file is named by its path with suffix,
    joined by ``_`` (``ENFORCE_LAYER_PER_FILE``) or without separators (the inspecting strategies).
    """
    base = root if root.is_dir() else root.parent
    folder_name = base.name

    def relative(path: UPath) -> tuple[str, ...]:
        return path.relative_to(base).parts

    def per_file(path: UPath) -> str:
        return "_".join(relative(path))

    def joined(path: UPath) -> str:
        return "".join(relative(path))

    def per_folder(path: UPath) -> str:
        parts = relative(path)[:-1]
        return "_".join(parts) if parts else folder_name

    def per_parent(path: UPath) -> str:
        return path.parent.name

    def per_toplevel(path: UPath) -> str:
        parts = relative(path)
        return parts[0] if len(parts) > 1 else folder_name

    def is_3d(path: UPath) -> bool:
        return int(_info(_reader_for(path), path)[0][2]) > 1

    def inspect_every_file(path: UPath) -> str:
        return joined(path) if is_3d(path) else per_folder(path)

    if callable(mapping) and not isinstance(mapping, ConversionLayerMapping):
        key: Callable[[UPath], str] = lambda path: str(mapping(UPath(path.relative_to(base))))  # noqa: E731
    else:
        try:
            mapping = ConversionLayerMapping(mapping)
        except ValueError:
            raise ValueError(
                f"map_filepath_to_layer_name={mapping!r} is neither a ConversionLayerMapping nor a callable; "
                f"use one of {[m.name for m in ConversionLayerMapping]} or a function path -> layer name."
            ) from None
        if mapping is ConversionLayerMapping.INSPECT_SINGLE_FILE:
            # one file closest to the root decides: 3-d files are a layer each, 2-d slices a layer per folder
            first = min(files, key=lambda p: (len(relative(p)), natural_sort_key(p)))
            key = joined if is_3d(first) else per_parent
        else:
            key = {
                ConversionLayerMapping.INSPECT_EVERY_FILE: inspect_every_file,
                ConversionLayerMapping.ENFORCE_LAYER_PER_FILE: per_file,
                ConversionLayerMapping.ENFORCE_SINGLE_LAYER: lambda p: folder_name,
                ConversionLayerMapping.ENFORCE_LAYER_PER_FOLDER: per_folder,
                ConversionLayerMapping.ENFORCE_LAYER_PER_TOPLEVEL_FOLDER: per_toplevel,
            }[mapping]
    groups: dict[str, list[UPath]] = {}
    for path in files:
        groups.setdefault(key(path), []).append(path)
    return groups


def dataset_from_images(
    dataset_class: Any,
    input_path: Any,
    output_path: Any,
    voxel_size: tuple[float, float, float] | None = None,
    name: str | None = None,
    *,
    map_filepath_to_layer_name: Any = ConversionLayerMapping.INSPECT_SINGLE_FILE,
    z_slices_sort_key: Callable[[UPath], Any] | None = None,
    voxel_size_with_unit: VoxelSize | None = None,
    layer_name: str | None = None,
    layer_category: str | None = None,
    data_format: Any = DEFAULT_DATA_FORMAT,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    chunks_per_shard: Any = None,
    compress: bool = True,
    swap_xy: bool = False,
    flip_x: bool = False,
    flip_y: bool = False,
    flip_z: bool = False,
    use_bioformats: bool = False,
    max_layers: int = 20,
    batch_size: int | None = None,
    executor: Any = None,
) -> Any:
    """Create a dataset at ``output_path`` from the images at ``input_path`` (see ``Dataset.from_images``)."""
    _refuse_unsupported(use_bioformats)
    root = to_upath(input_path)
    if not root.exists():
        raise FileNotFoundError(f"from_images: the input path {input_path} does not exist.")
    if root.is_dir():
        files = _image_files_in(root, recursive=True)
        if not files:
            raise _no_images_error(
                root,
                f"from_images: {input_path} contains no image files this installation can read "
                "(TIFF via tifffile, PNG/JPEG via Pillow, MRC via mrcfile: pip install 'daedalus[images]').",
            )
    else:
        files = [root]
    groups = _group_files(root, files, map_filepath_to_layer_name)
    if len(groups) > max_layers:
        raise ValueError(
            f"from_images would create {len(groups)} layers from {input_path}, more than max_layers={max_layers}; "
            "raise max_layers or choose another map_filepath_to_layer_name."
        )
    if layer_name is not None:
        names = {old: layer_name if len(groups) == 1 else f"{layer_name}_{old}" for old in groups}
    else:
        names = {old: old for old in groups}
    if voxel_size is None and voxel_size_with_unit is None:
        voxel_size = (1.0, 1.0, 1.0)
    dataset = dataset_class(output_path, voxel_size=voxel_size, name=name, voxel_size_with_unit=voxel_size_with_unit)
    sort_key = z_slices_sort_key or natural_sort_key
    for old, group in groups.items():
        add_layer_from_images(
            dataset,
            sorted(group, key=sort_key),
            _layer_name(names[old]),
            layer_category or "color",
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            compress=compress,
            swap_xy=swap_xy,
            flip_x=flip_x,
            flip_y=flip_y,
            flip_z=flip_z,
            batch_size=batch_size,
            allow_multiple_layers=True,  # channels WEBKNOSSOS cannot show together become layers, as the reference's
            executor=executor,
        )
    return dataset
