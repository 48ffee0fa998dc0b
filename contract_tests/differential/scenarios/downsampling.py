"""Downsampling scenarios: ``Layer.downsample`` with sampling modes, coarsest mags and interpolation modes,
``downsample_mag`` / ``downsample_mag_list`` with (anisotropic) mag lists, upsampling, and the mags created."""

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


def _shard(data_format):
    """Small shards for the scenarios (the default 1024³ shards make every reference write slow)."""
    return None if data_format == "zarr" else 64


def _layer(wk, tmp, category, dtype, data_format, shape, seed, voxel_size=(1, 1, 1)):
    ds = wk.Dataset(tmp / "ds", voxel_size=voxel_size)
    kwargs = {"largest_segment_id": 9} if category == "segmentation" else {}
    layer = ds.add_layer("layer", category, dtype=dtype, data_format=data_format, **kwargs)
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=_shard(data_format))
    rng = np.random.default_rng(seed)
    if category == "segmentation":
        data = rng.integers(0, 10, size=shape).astype(dtype)
    elif np.dtype(dtype).kind == "f":
        data = rng.random(shape).astype(dtype)
    else:
        data = rng.integers(0, 200, size=shape).astype(dtype)
    mag.write(data, allow_resize=True)
    return ds, layer


def _mags(layer) -> dict:
    out = {}
    for mag, view in sorted(layer.mags.items()):
        out[mag.to_layer_name()] = [facts.mag_info(view), facts.box(view.bounding_box), view.read()]
    return out


def downsample(wk, tmp, category, dtype, data_format, shape, voxel_size, sampling_mode, coarsest_mag, interpolation):
    """``Layer.downsample``: the mags created (info, box, data) and the properties' mags."""
    ds, layer = _layer(wk, tmp, category, dtype, data_format, shape, 1, voxel_size=voxel_size)
    with wk.utils.get_executor("sequential") as executor:
        layer.downsample(
            sampling_mode=sampling_mode,
            coarsest_mag=None if coarsest_mag is None else wk.Mag(coarsest_mag),
            interpolation_mode=interpolation,
            chunk_shape=32,
            shard_shape=_shard(data_format),
            executor=executor,
        )
    return [_mags(layer), facts.properties(tmp / "ds")["dataLayers"][0]["mags"]]


def downsample_mag_list(wk, tmp, data_format, target_mags, shard_shape, chunk_shape):
    """``downsample_mag_list`` from Mag(1) to a list of (anisotropic) mags with given chunk/shard shapes."""
    ds, layer = _layer(wk, tmp, "color", "uint8", data_format, (64, 64, 32), 2)
    with wk.utils.get_executor("sequential") as executor:
        layer.downsample_mag_list(
            wk.Mag(1),
            [wk.Mag(m) for m in target_mags],
            shard_shape=shard_shape,
            chunk_shape=chunk_shape,
            executor=executor,
        )
    return [_mags(layer), facts.properties(tmp / "ds")["dataLayers"][0]["mags"]]


def downsample_mag(wk, tmp, from_mag, target_mag, interpolation, allow_overwrite, twice):
    """``downsample_mag`` of one step (also repeated, also onto an existing mag)."""
    ds, layer = _layer(wk, tmp, "color", "uint8", "zarr3", (64, 64, 64), 3)
    with wk.utils.get_executor("sequential") as executor:
        if from_mag != [1, 1, 1]:
            layer.downsample_mag(wk.Mag(1), wk.Mag(from_mag), shard_shape=64, executor=executor)
        for _ in range(2 if twice else 1):
            layer.downsample_mag(
                wk.Mag(from_mag),
                wk.Mag(target_mag),
                interpolation_mode=interpolation,
                allow_overwrite=allow_overwrite,
                shard_shape=64,
                executor=executor,
            )
    return _mags(layer)


def dataset_downsample(wk, tmp, sampling_mode, with_segmentation):
    """``Dataset.downsample``: every layer downsampled."""
    ds, layer = _layer(wk, tmp, "color", "uint8", "zarr", (32, 32, 32), 4, voxel_size=(1, 1, 2))
    if with_segmentation:  # zarr (v2): new mags get one chunk per shard, which keeps the reference fast
        seg = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=3, data_format="zarr")
        seg.add_mag(1).write(np.full((32, 32, 32), 3, "uint32"), allow_resize=True)
    with wk.utils.get_executor("sequential") as executor:
        ds.downsample(sampling_mode=sampling_mode, executor=executor)
    return {name: sorted(m.to_layer_name() for m in layer.mags) for name, layer in sorted(ds.layers.items())}


def upsample(wk, tmp, finest_mag, from_mag):
    """``Layer.upsample`` from a coarse mag down to ``finest_mag``."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("layer", "color", dtype="uint8")
    layer.bounding_box = wk.BoundingBox((0, 0, 0), (32, 32, 32))
    mag = layer.add_mag(from_mag, shard_shape=64)
    mag.write(
        np.arange(mag.bounding_box.in_mag(wk.Mag(from_mag)).get_volume(), dtype="uint8").reshape(
            mag.bounding_box.in_mag(wk.Mag(from_mag)).size.to_tuple()
        )
    )
    with wk.utils.get_executor("sequential") as executor:
        layer.upsample(from_mag=wk.Mag(from_mag), finest_mag=wk.Mag(finest_mag), shard_shape=64, executor=executor)
    return _mags(layer)


def default_storage(wk, tmp, data_format, size, chunk_shape, shard_shape, source_chunk, source_shard, how):
    """Chunk and shard shapes of mags set up by downsampling (``only_setup_mags``, no data) with defaults."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer(
        "layer", "color", dtype="uint8", data_format=data_format, bounding_box=wk.BoundingBox((0, 0, 0), size)
    )
    layer.add_mag(1, chunk_shape=source_chunk, shard_shape=source_shard)
    if how == "downsample":
        layer.downsample(coarsest_mag=wk.Mag(4), chunk_shape=chunk_shape, shard_shape=shard_shape, only_setup_mags=True)
    else:
        layer.downsample_mag_list(
            wk.Mag(1),
            [wk.Mag([2, 2, 1]), wk.Mag([4, 4, 2])],
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            only_setup_mags=True,
        )
    return {mag.to_layer_name(): facts.mag_info(view) for mag, view in sorted(layer.mags.items())}


def downsample_interpolated(wk, tmp, interpolation, dtype, shape):
    """``nearest`` / ``bilinear`` / ``bicubic`` downsampling (documented: the reference resamples each work buffer
    with corner-aligned interpolation, daedalus reduces each block of voxels)."""
    ds, layer = _layer(wk, tmp, "color", dtype, "zarr3", tuple(shape), 8)
    with wk.utils.get_executor("sequential") as executor:
        layer.downsample_mag(wk.Mag(1), wk.Mag(2), interpolation_mode=interpolation, shard_shape=64, executor=executor)
    return layer.get_mag(2).read()


def downsample_onto_itself(wk, tmp, mag):
    """``downsample_mag`` from a mag to the same mag with ``allow_overwrite`` (documented: daedalus refuses)."""
    ds, layer = _layer(wk, tmp, "color", "uint8", "zarr3", (32, 32, 32), 9)
    with wk.utils.get_executor("sequential") as executor:
        if mag != [1, 1, 1]:
            layer.downsample_mag(wk.Mag(1), wk.Mag(mag), shard_shape=64, executor=executor)
        layer.downsample_mag(wk.Mag(mag), wk.Mag(mag), allow_overwrite=True, shard_shape=64, executor=executor)
    return _mags(layer)


def downsample_to_finer(wk, tmp, from_mag, target_mag):
    """``downsample_mag`` to a mag finer than the source on some axis (documented: the reference divides by zero)."""
    ds, layer = _layer(wk, tmp, "color", "uint8", "zarr3", (32, 32, 32), 10)
    with wk.utils.get_executor("sequential") as executor:
        layer.downsample_mag(wk.Mag(1), wk.Mag(from_mag), shard_shape=64, executor=executor)
        layer.downsample_mag(wk.Mag(from_mag), wk.Mag(target_mag), shard_shape=64, executor=executor)
    return _mags(layer)
