"""Copy and reference scenarios: ``copy_dataset``, ``add_layer_as_copy`` / ``add_layer_as_ref``,
``add_mag_as_copy`` / ``add_mag_as_ref``, symlinked and fs-copied layers, ``add_layer_like``."""

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


def _source(wk, tmp, data_format, category="color", offset=(0, 0, 0), shape=(40, 40, 40)):
    ds = wk.Dataset(tmp / "src", voxel_size=(2, 2, 4))
    kwargs = {"largest_segment_id": 200} if category == "segmentation" else {}
    dtype = "uint32" if category == "segmentation" else "uint8"
    layer = ds.add_layer("layer", category, dtype=dtype, data_format=data_format, **kwargs)
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=None if data_format == "zarr" else 64)
    rng = np.random.default_rng(7)
    mag.write(
        rng.integers(0, 200, size=shape).astype(dtype), absolute_offset=offset, allow_resize=True, allow_unaligned=True
    )
    with wk.utils.get_executor("sequential") as executor:
        layer.downsample_mag(wk.Mag(1), wk.Mag(2), shard_shape=None if data_format == "zarr" else 64, executor=executor)
    return ds, layer


def _dataset_facts(ds, path):
    layers = {}
    for name, layer in sorted(ds.layers.items()):
        layers[name] = [facts.layer_facts(layer), {m.to_layer_name(): v.read() for m, v in sorted(layer.mags.items())}]
    return [layers, facts.properties(path)]


def copy_dataset(wk, tmp, source_format, data_format, chunk_shape, shard_shape, compress, voxel_size):
    """``Dataset.copy_dataset`` with format/chunking/compression changes: the copy's layers, data, properties."""
    src, _ = _source(wk, tmp, source_format)
    with wk.utils.get_executor("sequential") as executor:
        copy = src.copy_dataset(
            tmp / "copy",
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            compress=compress,
            voxel_size=voxel_size,
            executor=executor,
        )
    return _dataset_facts(copy, tmp / "copy")


def add_layer_as_copy(wk, tmp, source_format, data_format, new_name, category, chunk_shape, shard_shape):
    """``add_layer_as_copy`` of a (segmentation) layer, renamed and converted."""
    src, layer = _source(wk, tmp, source_format, category=category)
    target = wk.Dataset(tmp / "target", voxel_size=(2, 2, 4))
    with wk.utils.get_executor("sequential") as executor:
        target.add_layer_as_copy(
            layer,
            new_name,
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            executor=executor,
        )
    return _dataset_facts(target, tmp / "target")


def add_layer_as_ref(wk, tmp, source_format, new_name, by_path):
    """``add_layer_as_ref``: the referencing dataset's layers, data and properties (mag paths)."""
    src, layer = _source(wk, tmp, source_format)
    target = wk.Dataset(tmp / "target", voxel_size=(2, 2, 4))
    target.add_layer_as_ref(tmp / "src" / "layer" if by_path else layer, new_name)
    return _dataset_facts(wk.Dataset.open(tmp / "target"), tmp / "target")


def add_mag_as(wk, tmp, how, source_format, mag, extend_layer_bounding_box, target_box):
    """``add_mag_as_copy`` / ``add_mag_as_ref`` into a layer with another bounding box."""
    src, layer = _source(wk, tmp, source_format, offset=(8, 8, 8), shape=(24, 24, 24))
    target = wk.Dataset(tmp / "target", voxel_size=(2, 2, 4))
    new = target.add_layer("new", "color", dtype="uint8", data_format=source_format)
    new.bounding_box = wk.BoundingBox(*target_box)
    foreign = layer.get_mag(mag)
    if how == "copy":
        with wk.utils.get_executor("sequential") as executor:
            new.add_mag_as_copy(foreign, extend_layer_bounding_box=extend_layer_bounding_box, executor=executor)
    else:
        new.add_mag_as_ref(foreign, extend_layer_bounding_box=extend_layer_bounding_box)
    return _dataset_facts(wk.Dataset.open(tmp / "target"), tmp / "target")


def layer_links(wk, tmp, how, make_relative):
    """Deprecated ways of sharing a layer: ``add_symlink_layer``, ``add_fs_copy_layer``, ``add_copy_layer``,
    ``add_remote_layer``, and ``add_layer_like``."""
    src, layer = _source(wk, tmp, "zarr3")
    target = wk.Dataset(tmp / "target", voxel_size=(2, 2, 4))
    if how == "symlink":
        target.add_symlink_layer(layer, "linked", make_relative=make_relative)
    elif how == "fs_copy":
        target.add_fs_copy_layer(layer, "linked")
    elif how == "copy":
        with wk.utils.get_executor("sequential") as executor:
            target.add_copy_layer(layer, "linked", executor=executor)
    elif how == "remote":
        target.add_remote_layer(layer, "linked")
    elif how == "like":
        target.add_layer_like(layer, "linked")
    reopened = wk.Dataset.open(tmp / "target")
    return _dataset_facts(reopened, tmp / "target")


def copy_to_zarr_from_sharded(wk, tmp, source_format):
    """``copy_dataset(data_format="zarr")`` of a sharded layer without a shard shape (documented divergence)."""
    src, _ = _source(wk, tmp, source_format)
    with wk.utils.get_executor("sequential") as executor:
        copy = src.copy_dataset(tmp / "copy", data_format="zarr", chunk_shape=32, executor=executor)
    return _dataset_facts(copy, tmp / "copy")


def fs_copy_layer(wk, tmp):
    """``add_fs_copy_layer`` under a new name (documented: the reference copies the files but cannot open them)."""
    src, layer = _source(wk, tmp, "zarr3")
    target = wk.Dataset(tmp / "target", voxel_size=(2, 2, 4))
    target.add_fs_copy_layer(layer, "linked")
    return _dataset_facts(wk.Dataset.open(tmp / "target"), tmp / "target")
