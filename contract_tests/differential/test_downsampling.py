"""Downsampling behaves like the reference's: sampling modes, coarsest mags, interpolation modes, (anisotropic)
mag lists, upsampling, and the chunk and shard shapes of the mags it creates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

mag_factor = st.sampled_from([1, 2, 4])
anisotropic_mag = st.tuples(mag_factor, mag_factor, mag_factor).map(list)


@ds.examples(12)
@given(
    category_dtype=st.sampled_from(
        [("color", "uint8"), ("color", "uint16"), ("color", "float32"), ("color", "int16"), ("segmentation", "uint32")]
    ),
    data_format=ds.data_format,
    shape=st.tuples(st.sampled_from([16, 40, 64]), st.sampled_from([16, 33, 48]), st.sampled_from([8, 16, 32])),
    voxel_size=st.sampled_from([(1, 1, 1), (1, 1, 2), (4, 4, 1), (11.24, 11.24, 28)]),
    sampling_mode=st.sampled_from(["anisotropic", "isotropic", "constant_z", "ANISOTROPIC", "nonsense"]),
    coarsest_mag=st.sampled_from([None, [4, 4, 4], [8, 8, 8], [2, 2, 1], [3, 3, 3]]),
    interpolation=st.sampled_from(["default", "median", "mode", "max", "min", "MEDIAN", "mean"]),
)
def test_downsample(
    differential, category_dtype, data_format, shape, voxel_size, sampling_mode, coarsest_mag, interpolation
):
    category, dtype = category_dtype
    differential.check(
        "downsampling:downsample",
        category=category,
        dtype=dtype,
        data_format=data_format,
        shape=shape,
        voxel_size=voxel_size,
        sampling_mode=sampling_mode,
        coarsest_mag=coarsest_mag,
        interpolation=interpolation,
    )


@ds.examples(10)
@given(
    data_format=ds.data_format,
    target_mags=st.lists(anisotropic_mag, min_size=1, max_size=3),
    storage=st.sampled_from([(None, 32), (32, 64), (16, 32), (32, 32)]),
)
def test_downsample_mag_list(differential, data_format, target_mags, storage):
    chunk_shape, shard_shape = storage
    if data_format == "zarr":
        shard_shape = chunk_shape or 32
    differential.check(
        "downsampling:downsample_mag_list",
        data_format=data_format,
        target_mags=target_mags,
        shard_shape=shard_shape,
        chunk_shape=chunk_shape,
    )


@ds.examples(10)
@given(
    from_mag=st.sampled_from([[1, 1, 1], [2, 2, 2], [2, 2, 1]]),
    target_mag=st.sampled_from([[2, 2, 2], [4, 4, 4], [2, 2, 1], [4, 4, 2], [3, 3, 3], [1, 1, 1]]),
    interpolation=st.sampled_from(["default", "mode", "median", "max"]),
    allow_overwrite=st.booleans(),
    twice=st.booleans(),
)
def test_downsample_mag(differential, from_mag, target_mag, interpolation, allow_overwrite, twice):
    assume(from_mag != target_mag)  # onto itself: test_downsample_onto_itself
    assume(all(t >= f for t, f in zip(target_mag, from_mag)))  # finer on some axis: test_downsample_to_finer
    differential.check(
        "downsampling:downsample_mag",
        from_mag=from_mag,
        target_mag=target_mag,
        interpolation=interpolation,
        allow_overwrite=allow_overwrite,
        twice=twice,
    )


@pytest.mark.parametrize("with_segmentation", [False, True])
@pytest.mark.parametrize("sampling_mode", ["anisotropic", "isotropic", "constant_z"])
def test_dataset_downsample(differential, sampling_mode, with_segmentation):
    differential.check(
        "downsampling:dataset_downsample", sampling_mode=sampling_mode, with_segmentation=with_segmentation
    )


@pytest.mark.parametrize(
    ("finest_mag", "from_mag"), [([1, 1, 1], [4, 4, 4]), ([1, 1, 1], [2, 2, 1]), ([2, 2, 2], [4, 4, 4])]
)
def test_upsample(differential, finest_mag, from_mag):
    differential.check("downsampling:upsample", finest_mag=finest_mag, from_mag=from_mag)


@ds.examples(20)
@given(
    data_format=ds.data_format,
    size=st.tuples(st.sampled_from([64, 100]), st.sampled_from([48, 64]), st.sampled_from([1, 16, 32, 33, 40, 64])),
    chunk_shape=st.sampled_from([None, 16, 32, 64, (8, 8, 4), (32, 32, 16)]),
    shard_shape=st.sampled_from([None, None, 64, 128]),
    how=st.sampled_from(["downsample", "list"]),
)
def test_default_storage(differential, data_format, size, chunk_shape, shard_shape, how):
    differential.check(
        "downsampling:default_storage",
        data_format=data_format,
        size=size,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        source_chunk=32,
        source_shard=None if data_format == "zarr" else 64,
        how=how,
    )


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
def test_downsample_interpolated(differential, interpolation):
    kinds = differential.check(
        "downsampling:downsample_interpolated", interpolation=interpolation, dtype="uint8", shape=[64, 64, 32]
    )
    assert kinds == ["result"]


def test_downsample_onto_itself(differential):
    assert differential.check("downsampling:downsample_onto_itself", mag=[2, 2, 2]) == ["exception"]


@pytest.mark.parametrize(("from_mag", "target_mag"), [([2, 2, 2], [2, 2, 1]), ([2, 2, 2], [4, 4, 1])])
def test_downsample_to_finer(differential, from_mag, target_mag):
    kinds = differential.check("downsampling:downsample_to_finer", from_mag=from_mag, target_mag=target_mag)
    assert kinds == ["exception-type"]
