"""Import of one magnification of a KNOSSOS cube dataset into a new layer.

A KNOSSOS magnification folder (e.g. ``mag1``) holds cubes of 128³ voxels, each a raw file (x fastest, no header)
in ``x{X:04d}/y{Y:04d}/z{Z:04d}/`` named like ``<experiment>_mag1_x0000_y0000_z0000.raw``; cube (X, Y, Z) covers
voxels ``128*X .. 128*X+127`` and so on. Missing cubes read as zeros.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import numpy as np

from ..dataset.chunk_runner import run_on_chunks
from ..dataset.paths import to_upath
from ..dataset.storage_defaults import DEFAULT_DATA_FORMAT
from ..geometry import BoundingBox, Mag, Vec3Int
from .errors import ConversionInputError, SourceNotFoundError
from .target import add_import_layer, dtype_of, target_dataset
from .tasks import Box, import_boxes, write_box

KNOSSOS_CUBE_EDGE = 128
"""Edge length of a KNOSSOS cube in voxels."""
_CUBE_SUFFIX = ".raw"
_INDEX_PATTERNS = tuple(re.compile(rf"^{axis}(\d+)$") for axis in "xyz")
_MAG_FOLDER = re.compile(r"^(mag)?\d+$")


def _indexed_children(folder: Any, pattern: re.Pattern[str]) -> list[tuple[int, Any]]:
    found = []
    for child in folder.iterdir():
        match = pattern.match(child.name)
        if match and child.is_dir():
            found.append((int(match.group(1)), child))
    return found


def find_knossos_cubes(mag_path: Any) -> dict[tuple[int, int, int], Any]:
    """The cube files of the KNOSSOS magnification folder ``mag_path``, by cube index (x, y, z).

    Raises SourceNotFoundError if the folder does not exist and ConversionInputError if a cube folder holds more
    than one ``.raw`` file or the folder holds no cubes (naming a magnification folder inside it, if there is one).
    """
    path = to_upath(mag_path)
    if not path.exists():
        raise SourceNotFoundError(f"The KNOSSOS folder {path} does not exist.", path=path)
    if not path.is_dir():
        raise ConversionInputError(f"{path} is a file; give the folder of one KNOSSOS magnification.", path=path)
    x_pattern, y_pattern, z_pattern = _INDEX_PATTERNS
    cubes: dict[tuple[int, int, int], Any] = {}
    for x, x_folder in _indexed_children(path, x_pattern):
        for y, y_folder in _indexed_children(x_folder, y_pattern):
            for z, z_folder in _indexed_children(y_folder, z_pattern):
                files = sorted(f for f in z_folder.iterdir() if f.name.lower().endswith(_CUBE_SUFFIX))
                if len(files) > 1:
                    raise ConversionInputError(
                        f"The KNOSSOS cube folder {z_folder} holds {len(files)} .raw files "
                        f"({', '.join(f.name for f in files[:3])}); each cube folder must hold one.",
                        path=z_folder,
                    )
                if files:
                    cubes[(x, y, z)] = files[0]
    if not cubes:
        mags = sorted(child.name for child in path.iterdir() if child.is_dir() and _MAG_FOLDER.match(child.name))
        hint = f"; it has the magnification folders {', '.join(mags)}: give one of them, e.g. {path / mags[0]}"
        raise ConversionInputError(
            f"No KNOSSOS cubes (x*/y*/z*/*.raw) found in {path}"
            + (hint if mags else "; give the folder of one magnification (e.g. .../mag1)")
            + ".",
            path=path,
        )
    return cubes


def _wrong_cube_size(path: Any, size: int, dtype: np.dtype) -> ConversionInputError | None:
    expected = KNOSSOS_CUBE_EDGE**3 * dtype.itemsize
    if size == expected:
        return None
    return ConversionInputError(
        f"The KNOSSOS cube {path} holds {size} bytes, but a cube of {KNOSSOS_CUBE_EDGE}³ {dtype} voxels has "
        f"{expected}; check the dtype.",
        path=path,
    )


def read_knossos_cube(path: Any, dtype: np.dtype) -> np.ndarray:
    """The (x, y, z) voxels of one cube file; ConversionInputError if its size does not fit ``dtype``."""
    raw = to_upath(path).read_bytes()
    error = _wrong_cube_size(path, len(raw), dtype)
    if error is not None:
        raise error
    edge = KNOSSOS_CUBE_EDGE
    return np.frombuffer(raw, dtype=dtype).reshape((edge, edge, edge), order="F")


def convert_knossos_box(
    args: tuple[Box, list[tuple[tuple[int, int, int], str]]], *, dtype: np.dtype, mag_view: Any
) -> int | None:
    """Assemble one target box from the cubes that meet it and write it (a task sent to executors)."""
    (offset, shape), cubes = args
    data = np.zeros((1, *shape), dtype=dtype)
    edge = KNOSSOS_CUBE_EDGE
    for index, path in cubes:
        cube = read_knossos_cube(path, dtype)
        lo = [max(i * edge, o) for i, o in zip(index, offset)]
        hi = [min((i + 1) * edge, o + s) for i, o, s in zip(index, offset, shape)]
        target = tuple(slice(a - o, b - o) for a, b, o in zip(lo, hi, offset))
        source = tuple(slice(a - i * edge, b - i * edge) for a, b, i in zip(lo, hi, index))
        data[(0, *target)] = cube[source]
    return write_box(mag_view, offset, data)


def _cubes_meeting(box: Box, cubes: dict[tuple[int, int, int], Any]) -> list[tuple[tuple[int, int, int], str]]:
    (offset, shape), edge = box, KNOSSOS_CUBE_EDGE
    ranges = [range(o // edge, -(-(o + s) // edge)) for o, s in zip(offset, shape)]
    return [
        ((x, y, z), str(cubes[(x, y, z)]))
        for x in ranges[0]
        for y in ranges[1]
        for z in ranges[2]
        if (x, y, z) in cubes
    ]


def convert_knossos(
    source_path: Any,
    target_path: Any,
    layer_name: str = "color",
    dtype: Any = "uint8",
    voxel_size_with_unit: Any = None,
    data_format: Any = DEFAULT_DATA_FORMAT,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    mag: Any = Mag(1),
    executor: Any = None,
) -> Any:
    """Import the KNOSSOS magnification folder ``source_path`` (e.g. ``.../mag1``) as mag ``mag`` of the new color
    layer ``layer_name`` of the dataset at ``target_path``; returns that MagView.

    Cubes hold ``dtype`` voxels. The layer's bounding box spans the cubes found (in Mag(1) voxels: cube
    coordinates times 128 times ``mag``). The dataset is created with ``voxel_size_with_unit`` (a VoxelSize or
    nanometers; default 1 nm) or opened if it exists with that voxel size. Work is split into tasks of whole
    target shards (only those meeting a cube), run on ``executor``.
    """
    voxel_type = dtype_of(dtype, "dtype")
    mag = Mag(mag)
    cubes = find_knossos_cubes(source_path)
    for path in cubes.values():  # refuse a wrong dtype before anything is written
        error = _wrong_cube_size(path, path.stat().st_size, voxel_type)
        if error is not None:
            raise error
    edge = KNOSSOS_CUBE_EDGE
    lo = [min(index[axis] for index in cubes) * edge for axis in range(3)]
    hi = [(max(index[axis] for index in cubes) + 1) * edge for axis in range(3)]
    factor = mag.to_vec3_int()
    bbox = BoundingBox(Vec3Int(lo) * factor, Vec3Int([b - a for a, b in zip(lo, hi)]) * factor)
    dataset = target_dataset(target_path, voxel_size_with_unit)
    mag_view = add_import_layer(
        dataset,
        layer_name=layer_name,
        category="color",
        dtype=voxel_type,
        num_channels=1,
        bounding_box=bbox,
        data_format=data_format,
        mag=mag,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        compress=True,
    )
    boxes = import_boxes(lo, hi, mag_view.info.shard_shape)
    work = [(box, meeting) for box in boxes if (meeting := _cubes_meeting(box, cubes))]
    task = partial(convert_knossos_box, dtype=voxel_type, mag_view=mag_view)
    run_on_chunks(task, work, executor, progress_desc=f"Converting KNOSSOS cubes into layer {layer_name}")
    return mag_view
