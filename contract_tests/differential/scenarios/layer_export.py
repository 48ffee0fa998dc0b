"""``Layer.export`` scenarios: TIFF stacks, OME-TIFF files and .ozx archives of 3-d layers and of layers with
extra axes (t, ...), from unaligned boxes and coarser mags: the files written, described as plain data.

The files are read back with tifffile, zipfile and tensorstore, installed in both environments.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np


def _layer(wk, tmp, category, offset, size, extra, mag):
    """A layer with random data: 3-d, or with the extra axes ``extra`` (name -> (offset, size)) first."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(2, 3, 4))
    dtype = "uint32" if category == "segmentation" else "uint8"
    rng = np.random.default_rng(sum(size) + len(extra))
    kwargs = {"largest_segment_id": 99} if category == "segmentation" else {}
    if extra:
        names = tuple(extra)
        axes = (*names, "x", "y", "z")
        box = wk.NDBoundingBox(
            (*(extra[n][0] for n in names), *offset),
            (*(extra[n][1] for n in names), *size),
            axes=axes,
            index=tuple(range(len(axes))),
        )
        layer = ds.add_layer("layer", category, dtype=dtype, bounding_box=box, **kwargs)
        data = rng.integers(0, 99, tuple(int(v) for v in box.size), dtype=dtype)
        layer.add_mag(1, chunk_shape=32, shard_shape=64).write(data, absolute_bounding_box=box)
    else:
        layer = ds.add_layer("layer", category, dtype=dtype, bounding_box=wk.BoundingBox(offset, size), **kwargs)
        layer.add_mag(1, chunk_shape=32, shard_shape=64).write(
            rng.integers(0, 99, (1, *size), dtype=dtype), absolute_offset=offset
        )
    if mag != "1":
        with wk.utils.get_executor("sequential") as executor:
            # small shards: the reference holds a whole target shard in memory per step
            layer.downsample_mag(wk.Mag(1), wk.Mag(mag), chunk_shape=32, shard_shape=64, executor=executor)
    return layer


def _box(wk, box, extra):
    if box is None:
        return None
    offset, size = box
    if not extra:
        return wk.BoundingBox(offset, size)
    names = tuple(extra)
    return wk.NDBoundingBox(
        (*(extra[n][0] for n in names), *offset),
        (*(1 for _ in names), *size),
        axes=(*names, "x", "y", "z"),
        index=tuple(range(len(names) + 3)),
    )


def _digest(data: np.ndarray) -> list:
    import hashlib

    data = np.ascontiguousarray(data)
    return [str(data.dtype), list(data.shape), hashlib.sha256(data.tobytes()).hexdigest()[:16]]


def _tiff_facts(path: Path) -> list:
    import tifffile

    with tifffile.TiffFile(path) as tiff:
        series = tiff.series[0]
        facts = [series.axes, [list(level.shape) for level in series.levels], tiff.pages[0].compression.name]
        facts.append([_digest(level.asarray()) for level in series.levels])
        if tiff.is_ome:
            pixels = tiff.ome_metadata.split("<Pixels ", 1)[1].split(">", 1)[0]
            facts.append(sorted(item for item in pixels.split() if not item.startswith("ID=")))
    return facts


def _ozx_facts(path: Path, tmp: Path) -> list:
    import tensorstore as ts

    with zipfile.ZipFile(path) as archive:
        entries = [[info.filename, info.compress_type] for info in archive.infolist()]
        metadata = {name: json.loads(archive.read(name)) for name in archive.namelist() if name.endswith("zarr.json")}
        unpacked = tmp / "unpacked"
        archive.extractall(unpacked)
        comment = archive.comment.decode()
    arrays = {}
    for name in sorted(metadata):
        if name == "zarr.json":
            continue
        array = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(unpacked / Path(name).parent)}})
        arrays[name] = _digest(array.result().read().result())
    return [comment, entries, metadata, arrays]


def export(wk, tmp, method, category, offset, size, extra, mag, box, options):
    """``layer.export.<method>`` with ``options``: what the files hold (names, axes, pyramid, metadata, voxels)."""
    extra = {name: tuple(bounds) for name, bounds in (extra or {}).items()}
    layer = _layer(wk, tmp, category, offset, size, extra, mag)
    kwargs = dict(options)
    if mag != "1":
        kwargs["mag"] = wk.Mag(mag)
    if box is not None:
        kwargs["bounding_box"] = _box(wk, box, extra)
    if method == "as_tiff_stack":
        target = tmp / "out"
        layer.export.as_tiff_stack(output_path=target, **kwargs)
        return {p.name: _tiff_facts(p) for p in sorted(target.iterdir())}
    if method == "as_ome_tiff":
        target = tmp / "out.ome.tiff"
        layer.export.as_ome_tiff(output_path=target, **kwargs)
        return _tiff_facts(target)
    target = tmp / "out.ozx"
    with wk.utils.get_executor("sequential") as executor:
        layer.export.as_ozx(output_path=target, executor=executor, **kwargs)
    return _ozx_facts(target, tmp)
