"""Mag and view I/O scenarios: writes and reads at aligned and unaligned offsets, outside the bounding box,
through views, on read-only datasets and with extra (n-d) axes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)


def _data(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.random(shape, dtype=np.float32).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape, endpoint=True).astype(dtype)


def _layer(wk, tmp, data_format, dtype, num_channels, chunk_shape, shard_shape, compress, category="color"):
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("layer", category, dtype=dtype, num_channels=num_channels, data_format=data_format)
    mag = layer.add_mag(1, chunk_shape=chunk_shape, shard_shape=shard_shape, compress=compress)
    return ds, layer, mag


def write_read(
    wk,
    tmp,
    data_format,
    dtype,
    num_channels,
    chunk_shape,
    shard_shape,
    compress,
    offset,
    shape,
    seed,
    allow_resize,
    allow_unaligned,
    read_offset,
    read_size,
):
    """Write random data at ``offset`` and read a box back: layer box, the read and the whole-layer read."""
    ds, layer, mag = _layer(wk, tmp, data_format, dtype, num_channels, chunk_shape, shard_shape, compress)
    data = _data(dtype, (num_channels, *shape) if num_channels > 1 else tuple(shape), seed)
    mag.write(data, absolute_offset=offset, allow_resize=allow_resize, allow_unaligned=allow_unaligned)
    box_after = facts.box(layer.bounding_box)
    part = mag.read(absolute_offset=read_offset, size=read_size)
    whole = wk.Dataset.open(tmp / "ds").get_layer("layer").get_finest_mag().read()
    return [box_after, part, whole, facts.properties(tmp / "ds")["dataLayers"][0]["boundingBox"]]


def write_existing_box(wk, tmp, data_format, compress, offset, shape, seed, allow_unaligned):
    """A layer with a fixed box (0..64³): write inside/partly outside it without resizing, then read all."""
    ds, layer, mag = _layer(wk, tmp, data_format, "uint8", 1, 32, 64 if data_format != "zarr" else None, compress)
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (64, 64, 64))
    mag.write(_data("uint8", tuple(shape), seed), absolute_offset=offset, allow_unaligned=allow_unaligned)
    return [facts.box(layer.bounding_box), mag.read()]


def read_arguments(wk, tmp, how, offset, size):
    """Reads of a 32³ layer at (16, 16, 16) with the different offset/box arguments (relative, absolute, xyz)."""
    ds, layer, mag = _layer(wk, tmp, "zarr3", "uint16", 1, 32, 32, False)
    mag.write(_data("uint16", (32, 32, 32), 1), absolute_offset=(16, 16, 16), allow_resize=True)
    box = wk.BoundingBox(offset, size)
    if how == "absolute_offset":
        return mag.read(absolute_offset=offset, size=size)
    if how == "relative_offset":
        return mag.read(relative_offset=offset, size=size)
    if how == "absolute_bounding_box":
        return mag.read(absolute_bounding_box=box)
    if how == "relative_bounding_box":
        return mag.read(relative_bounding_box=box)
    if how == "read_xyz":
        return mag.read_xyz(absolute_bounding_box=box)
    if how == "read_cxyz":
        return mag.read_cxyz(absolute_offset=offset, size=size)
    if how == "size_only":
        return mag.read(size)
    if how == "layer_view":
        return mag.get_view(absolute_offset=offset, size=size).read()
    raise ValueError(how)


def read_xyz_negative_offset(wk, tmp, offset, size):
    """``read_xyz`` of a box starting at negative coordinates (zeros there, the data where it is)."""
    return read_arguments(wk, tmp, "read_xyz", offset, size)


def view_io(wk, tmp, view_offset, view_size, write_offset, write_shape, read_only):
    """A view of a 64³ layer: write relative to it (also beyond it), read it and the whole mag."""
    ds, layer, mag = _layer(wk, tmp, "zarr3", "uint8", 1, 32, 32, False)
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (64, 64, 64))
    view = mag.get_view(absolute_offset=view_offset, size=view_size, read_only=read_only)
    view.write(_data("uint8", tuple(write_shape), 3), relative_offset=write_offset)
    return [facts.box(view.bounding_box), view.read(), mag.read()]


def read_only_write(wk, tmp, data_format, how):
    """Writing to a dataset opened read-only (or a read-only view, or a remote-like format)."""
    ds, layer, mag = _layer(wk, tmp, data_format, "uint8", 1, 32, None, False)
    mag.write(np.ones((32, 32, 32), "uint8"), allow_resize=True)
    if how == "open_read_only":
        target = wk.Dataset.open(tmp / "ds", read_only=True).get_layer("layer").get_mag(1)
    elif how == "read_only_view":
        target = mag.get_view(size=(32, 32, 32), read_only=True)
    else:
        target = mag
    target.write(np.zeros((32, 32, 32), "uint8"), absolute_offset=(0, 0, 0))
    return mag.read()


def nd_write_read(wk, tmp, data_format, t_size, t_offset, write_t, shape, offset, how):
    """A layer with an extra axis ``t``: write an n-d box and read it back in several ways."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    bbox = wk.NDBoundingBox(
        topleft=(t_offset, 0, 0, 0), size=(t_size, 32, 32, 32), axes=("t", "x", "y", "z"), index=(0, 1, 2, 3)
    )
    layer = ds.add_layer("layer", "color", dtype="uint8", data_format=data_format, bounding_box=bbox)
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=32 if data_format == "zarr3" else None, compress=False)
    data = _data("uint8", (len(write_t), *shape), 5)  # n-d layers have no channel axis (as in the reference)
    write_box = wk.NDBoundingBox(
        topleft=(write_t[0], *offset), size=(len(write_t), *shape), axes=("t", "x", "y", "z"), index=(0, 1, 2, 3)
    )
    mag.write(data, absolute_bounding_box=write_box, allow_resize=True, allow_unaligned=True)
    out = [facts.box(layer.bounding_box)]
    if how == "read_box":
        out.append(mag.read(absolute_bounding_box=write_box))
    elif how == "read_all":
        out.append(mag.read())
    elif how == "read_cxyz":
        out.append(mag.read_cxyz(absolute_bounding_box=write_box))
    elif how == "read_xyz":
        out.append(mag.read_xyz(absolute_bounding_box=write_box))
    elif how == "read_3d_offset":
        out.append(mag.read(absolute_offset=offset, size=shape))
    elif how == "read_3d_box":
        out.append(mag.read(absolute_bounding_box=wk.BoundingBox(offset, shape)))
    elif how == "reopen":
        reopened = wk.Dataset.open(tmp / "ds").get_layer("layer")
        out += [facts.box(reopened.bounding_box), reopened.get_mag(1).read(), facts.properties(tmp / "ds")]
    return out


def write_dtype(wk, tmp, layer_dtype, data_dtype):
    """Writing data of another dtype: safe casts are made, lossy ones refused."""
    ds, layer, mag = _layer(wk, tmp, "zarr3", layer_dtype, 1, 32, 32, False)
    mag.write(_data(data_dtype, (32, 32, 32), 9), absolute_offset=(0, 0, 0), allow_resize=True)
    return mag.read()


def nd_read_xyz(wk, tmp, t_size):
    """``read_xyz`` of one time point of an n-d layer (documented: the reference mixes up the axes and fails)."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    bbox = wk.NDBoundingBox(topleft=(0, 0, 0, 0), size=(t_size, 8, 8, 8), axes=("t", "x", "y", "z"), index=(0, 1, 2, 3))
    layer = ds.add_layer("layer", "color", dtype="uint8", bounding_box=bbox)
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=32, compress=False)
    mag.write(_data("uint8", (t_size, 8, 8, 8), 4), absolute_bounding_box=bbox, allow_unaligned=True)
    return mag.read_xyz(absolute_bounding_box=bbox.with_bounds("t", 0, 1))
