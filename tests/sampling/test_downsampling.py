"""Layer.downsample & co. end to end: the reference's mags reproduced exactly, plans, storage, errors."""

import warnings
from pathlib import Path

import daedalus.core.dataset.downsampling as downsampling
import numpy as np
import pytest
from daedalus.core.dataset.downsampling import downsample_dataset
from daedalus.core.sampling import downsample_cube, edge_pad

import daedalus as wk

EXPECTED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "generated" / "expected"
pytestmark = pytest.mark.skipif(not EXPECTED.is_dir(), reason=f"fixtures not found at {EXPECTED}")

VOXEL_SIZE = (11.24, 11.24, 28)
TOPLEFT = (32, 64, 16)
BBOX = wk.BoundingBox(TOPLEFT, (200, 150, 60))


def _expected(name: str) -> np.ndarray:
    return np.load(EXPECTED / f"{name}.npy")


def _dataset(tmp_path, layers=("color", "segmentation"), **mag_kwargs):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=VOXEL_SIZE)
    for name in layers:
        category = wk.SEGMENTATION_CATEGORY if name == "segmentation" else wk.COLOR_CATEGORY
        data = _expected(f"{name}__1")
        layer = ds.add_layer(name, category, dtype=data.dtype, bounding_box=BBOX)
        layer.add_mag(1, **mag_kwargs).write(data, absolute_offset=TOPLEFT)
    return ds


def _names(layer):
    return sorted(m.to_layer_name() for m in layer.mags)


def _reference_step(data, lo_hi, source_mag, target_mag, mode, margin=0):
    """What one downsampling step must give: border voxels repeated up to the target's block grid."""
    before, after, factors = [], [], []
    for (lo, hi), s, t in zip(lo_hi, wk.Mag(source_mag).to_list(), wk.Mag(target_mag).to_list()):
        r = t // s
        before.append(lo // s - lo // t * r)
        after.append(-(-hi // t) * r - -(-hi // s))
        factors.append(r)
    return downsample_cube(edge_pad(data, before, after), factors, mode)


@pytest.fixture(params=["sequential", "threads"])
def executor(request):
    if request.param == "sequential":
        yield None
    else:
        with wk.get_executor("threads", max_workers=2) as pool:
            yield pool


# ------------------------------------------------------------------------------------------ exact fixtures


def test_color_median_reproduces_reference(tmp_path, executor):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample(coarsest_mag=wk.Mag("4-4-2"), executor=executor)
    assert _names(layer) == ["1", "2-2-1", "4-4-2"]
    for mag in ("2-2-1", "4-4-2"):
        np.testing.assert_array_equal(layer.get_mag(mag).read(), _expected(f"color__{mag}"))


def test_segmentation_mode_reproduces_reference(tmp_path, executor):
    ds = _dataset(tmp_path, layers=("segmentation",))
    layer = ds.get_layer("segmentation")
    layer.downsample(coarsest_mag=wk.Mag("2-2-1"), executor=executor)
    assert _names(layer) == ["1", "2-2-1"]
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read(), _expected("segmentation__2-2-1"))


def test_default_downsample_creates_the_fixture_mags(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample()
    assert _names(layer) == ["1", "2-2-1", "4-4-2"]
    np.testing.assert_array_equal(layer.get_mag("4-4-2").read(), _expected("color__4-4-2"))


def test_reopened_dataset_reads_the_same(tmp_path):
    ds = _dataset(tmp_path, layers=("segmentation",))
    ds.get_layer("segmentation").downsample(coarsest_mag=wk.Mag("2-2-1"))
    reopened = wk.Dataset.open(tmp_path / "ds")
    np.testing.assert_array_equal(
        reopened.get_layer("segmentation").get_mag("2-2-1").read(), _expected("segmentation__2-2-1")
    )


@pytest.mark.parametrize("executor_name", ["sequential", "threads", "multiprocessing"])
def test_many_units_and_blocks_give_the_same_result(tmp_path, monkeypatch, executor_name):
    monkeypatch.setattr(downsampling, "_UNIT_MIN_EDGE", 1)  # one unit per 32³ shard
    ds = _dataset(tmp_path, chunk_shape=16, shard_shape=32)
    with wk.get_executor(executor_name, max_workers=2) as pool:
        ds.get_layer("color").downsample(coarsest_mag=wk.Mag("4-4-2"), buffer_shape=(16, 16, 16), executor=pool)
        ds.get_layer("segmentation").downsample(coarsest_mag=wk.Mag("2-2-1"), buffer_shape=20, executor=pool)
    for name in ("color__2-2-1", "color__4-4-2", "segmentation__2-2-1"):
        layer_name, mag = name.split("__")
        np.testing.assert_array_equal(ds.get_layer(layer_name).get_mag(mag).read(), _expected(name))


# ------------------------------------------------------------------------------------------ other modes / boxes


@pytest.mark.parametrize("mode", ["max", "min", "nearest", "bilinear", "bicubic", "mode"])
def test_interpolation_modes_across_units(tmp_path, monkeypatch, mode):
    monkeypatch.setattr(downsampling, "_UNIT_MIN_EDGE", 1)
    ds = _dataset(tmp_path, layers=("color",), chunk_shape=16, shard_shape=32)
    layer = ds.get_layer("color")
    layer.downsample_mag(wk.Mag(1), wk.Mag(2, 2, 2), interpolation_mode=mode)
    bounds = [(lo, lo + s) for lo, s in zip(TOPLEFT, BBOX.size)]
    expected = _reference_step(_expected("color__1"), bounds, wk.Mag(1), wk.Mag(2), mode)
    np.testing.assert_array_equal(layer.get_mag(2).read(), expected)


def test_unaligned_bounding_box_repeats_border_voxels(tmp_path):
    rng = np.random.default_rng(5)
    data = rng.integers(0, 256, (1, 37, 22, 9), dtype=np.uint8)
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    bbox = wk.BoundingBox((3, 6, 1), data.shape[1:])
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=bbox)
    layer.add_mag(1, chunk_shape=8, shard_shape=16).write(data, absolute_offset=bbox.topleft)
    layer.downsample(coarsest_mag=wk.Mag(4), sampling_mode="isotropic")
    bounds = [(lo, lo + s) for lo, s in zip(bbox.topleft, bbox.size)]
    mag2 = _reference_step(data, bounds, wk.Mag(1), wk.Mag(2), "median")
    np.testing.assert_array_equal(layer.get_mag(2).read(), mag2)
    np.testing.assert_array_equal(
        layer.get_mag(4).read(), _reference_step(mag2, bounds, wk.Mag(2), wk.Mag(4), "median")
    )


def test_n_dimensional_layer(tmp_path):
    data = np.random.default_rng(6).integers(0, 256, (3, 20, 12, 6), dtype=np.uint8)
    ds = wk.Dataset(tmp_path / "ds", voxel_size=VOXEL_SIZE)
    layer = ds.write_layer("ts", wk.COLOR_CATEGORY, data, axes=("t", "x", "y", "z"), absolute_offset=(0, 1, 0, 0))
    assert _names(layer) == ["1", "2-2-1", "4-4-2"]
    expected = downsample_cube(edge_pad(data, (1, 0, 0), (1, 0, 0)), (2, 2, 1), "median")
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read(), expected)  # n-d layers have no channel axis


# ------------------------------------------------------------------------------------------ storage, overwrite


def test_storage_settings_of_new_mags_are_the_references_defaults(tmp_path):
    # like the reference: new mags get chunk 32³ and shards of 32³ chunks (not the source mag's settings)
    ds = _dataset(tmp_path, layers=("color",), chunk_shape=16, shard_shape=64, compress=False)
    layer = ds.get_layer("color")
    layer.downsample(coarsest_mag=wk.Mag(2), compress=False)
    info = layer.get_mag("2-2-1").info
    assert (tuple(info.chunk_shape), tuple(info.shard_shape), info.compression_mode) == ((32,) * 3, (1024,) * 3, False)
    layer.downsample_mag(wk.Mag(1), wk.Mag(4, 4, 2), chunk_shape=8, shard_shape=32, compress=True)
    info = layer.get_mag("4-4-2").info
    assert (tuple(info.chunk_shape), tuple(info.shard_shape), info.compression_mode) == ((8,) * 3, (32,) * 3, True)


def test_existing_mag_needs_allow_overwrite(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.add_mag("2-2-1").write(np.full((1, 100, 75, 60), 7, np.uint8), absolute_offset=TOPLEFT)
    with pytest.raises(AssertionError, match="already has Mag 2-2-1"):
        layer.downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag("4-4-2"))
    assert _names(layer) == ["1", "2-2-1"]  # nothing was created before the error
    layer.downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag("4-4-2"), allow_overwrite=True)
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read(), _expected("color__2-2-1"))
    np.testing.assert_array_equal(layer.get_mag("4-4-2").read(), _expected("color__4-4-2"))


def test_only_setup_mags_then_fill_with_allow_overwrite(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample(coarsest_mag=wk.Mag("4-4-2"), only_setup_mags=True)
    assert _names(layer) == ["1", "2-2-1", "4-4-2"]
    assert not layer.get_mag("2-2-1").read().any()
    layer.downsample_mag(wk.Mag(1), wk.Mag("2-2-1"), allow_overwrite=True)
    layer.downsample_mag(wk.Mag("2-2-1"), wk.Mag("4-4-2"), allow_overwrite=True)
    np.testing.assert_array_equal(layer.get_mag("4-4-2").read(), _expected("color__4-4-2"))
    layer.downsample_mag(wk.Mag(1), wk.Mag(8, 8, 4), only_setup_mag=True)
    assert "8-8-4" in _names(layer)


def test_downsample_mag_list_and_from_mag(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample_mag_list(wk.Mag(1), [wk.Mag("2-2-1"), wk.Mag("4-4-2")])
    np.testing.assert_array_equal(layer.get_mag("4-4-2").read(), _expected("color__4-4-2"))
    layer.downsample(from_mag=wk.Mag("4-4-2"), coarsest_mag=wk.Mag(8))
    assert _names(layer) == ["1", "2-2-1", "4-4-2", "8-8-4"]
    layer.downsample(coarsest_mag=wk.Mag(16))  # from_mag defaults to the highest (coarsest) mag
    assert _names(layer) == ["1", "16-16-8", "2-2-1", "4-4-2", "8-8-4"]


def test_from_mag_view_of_another_layer(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    other = ds.add_layer("copy", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BBOX)
    other.downsample_mag(wk.Mag(1), wk.Mag("2-2-1"), from_mag_view=ds.get_layer("color").get_mag(1))
    np.testing.assert_array_equal(other.get_mag("2-2-1").read(), _expected("color__2-2-1"))


def test_redownsample_recomputes_from_the_finest(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample(coarsest_mag=wk.Mag("4-4-2"))
    edited = _expected("color__1").copy()
    edited[:, :50] = 200
    layer.get_mag(1).write(edited, absolute_offset=TOPLEFT)
    layer.redownsample()
    bounds = [(lo, lo + s) for lo, s in zip(TOPLEFT, BBOX.size)]
    mag2 = _reference_step(edited, bounds, wk.Mag(1), wk.Mag(2, 2, 1), "median")
    mag4 = _reference_step(mag2, bounds, wk.Mag(2, 2, 1), wk.Mag(4, 4, 2), "median")
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read(), mag2)
    np.testing.assert_array_equal(layer.get_mag("4-4-2").read(), mag4)


def test_upsample_repeats_voxels(tmp_path, executor):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=VOXEL_SIZE)
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=BBOX)
    coarse = _expected("color__4-4-2")
    layer.add_mag("4-4-2").write(coarse, absolute_bounding_box=BBOX)
    layer.upsample(wk.Mag("4-4-2"), executor=executor)
    assert _names(layer) == ["1", "2-2-1", "4-4-2"]
    full = coarse.repeat(4, axis=1).repeat(4, axis=2).repeat(2, axis=3)  # from (32, 64, 16)
    np.testing.assert_array_equal(layer.get_mag(1).read(), full[:, :200, :150, :60])
    half = coarse.repeat(2, axis=1).repeat(2, axis=2).repeat(2, axis=3)
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read(), half[:, :100, :75, :60])
    with pytest.raises(AssertionError):
        layer.upsample(wk.Mag("2-2-1"))  # Mag 1 exists now


def test_upsample_unaligned_finest(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    bbox = wk.BoundingBox((3, 5, 1), (9, 7, 5))
    layer = ds.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint16", bounding_box=bbox)
    coarse = np.arange(3 * 2 * 2, dtype=np.uint16).reshape(1, 3, 2, 2)  # Mag 4 voxels x 0..2, y 1..2, z 0..1
    layer.add_mag(4).write(coarse, absolute_bounding_box=bbox)
    layer.upsample(wk.Mag(4), finest_mag=wk.Mag(1), sampling_mode="isotropic")
    full = coarse.repeat(4, axis=1).repeat(4, axis=2).repeat(4, axis=3)  # starts at (0, 4, 0)
    np.testing.assert_array_equal(layer.get_mag(1).read(), full[:, 3:12, 1:8, 1:6])


# ------------------------------------------------------------------------------------------ planning options


def test_sampling_modes(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample(coarsest_mag=wk.Mag(4), sampling_mode=wk.SamplingModes.CONSTANT_Z)
    assert _names(layer) == ["1", "2-2-1", "4-4-1"]
    other = _dataset(tmp_path / "b", layers=("color",)).get_layer("color")
    other.downsample(coarsest_mag=wk.Mag(4), sampling_mode="isotropic")
    assert _names(other) == ["1", "2", "4"]


def test_align_with_other_layers(tmp_path):
    ds = _dataset(tmp_path)
    ds.get_layer("color").downsample(coarsest_mag=wk.Mag(4), sampling_mode="constant_z")
    seg = ds.get_layer("segmentation")
    seg.downsample(coarsest_mag=wk.Mag(4))
    assert _names(seg) == ["1", "2-2-1", "4-4-1"]
    for mag in ("2-2-1", "4-4-1"):
        seg.delete_mag(mag)
    seg.downsample(coarsest_mag=wk.Mag(4), align_with_other_layers=False)
    assert _names(seg) == ["1", "2-2-1", "4-4-2"]


def test_force_sampling_scheme(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample(coarsest_mag=wk.Mag(2))
    with pytest.raises(RuntimeError, match="force_sampling_scheme"):
        layer.downsample(from_mag=wk.Mag("2-2-1"), coarsest_mag=wk.Mag(4), sampling_mode="isotropic")
    layer.downsample(
        from_mag=wk.Mag("2-2-1"), coarsest_mag=wk.Mag(4), sampling_mode="isotropic", force_sampling_scheme=True
    )
    assert _names(layer) == ["1", "2-2-1", "4-4-2"]


def test_two_dimensional_layer_uses_constant_z(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    data = np.random.default_rng(7).integers(0, 255, (1, 16, 16, 1), dtype=np.uint8)
    layer = ds.add_layer("img", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (16, 16, 1)))
    layer.add_mag(1).write(data)
    with pytest.warns(UserWarning, match="constant_z"):
        layer.downsample(coarsest_mag=wk.Mag(4), sampling_mode="isotropic")
    assert _names(layer) == ["1", "2-2-1", "4-4-1"]


# ------------------------------------------------------------------------------------------ errors


def test_errors_before_any_work(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    with pytest.raises(KeyError, match="no Mag 2"):
        layer.downsample(from_mag=wk.Mag(2))
    with pytest.raises(IndexError):
        layer.downsample_mag(wk.Mag(2), wk.Mag(4))
    with pytest.raises(AssertionError, match="itself"):
        layer.downsample_mag(wk.Mag(1), wk.Mag(1))
    assert _names(layer) == ["1"]


def test_invalid_requests_raise_without_side_effects(tmp_path):
    ds = _dataset(tmp_path, layers=("color",))
    layer = ds.get_layer("color")
    layer.downsample_mag(wk.Mag(1), wk.Mag(2, 2, 1))
    with pytest.raises(ValueError, match="power of 2"):
        layer.downsample_mag(wk.Mag(2, 2, 1), wk.Mag(3, 3, 1))

    with pytest.raises(ValueError, match="finer"):
        layer.downsample_mag(wk.Mag(2, 2, 1), wk.Mag(1))
    with pytest.raises(AssertionError):  # the list is sorted (as in the reference); 2-2-1 to 1-1-2 stays invalid
        layer.downsample_mag_list(wk.Mag(1), [wk.Mag(4, 4, 2), wk.Mag(2, 2, 1), wk.Mag(1, 1, 2)])
    with pytest.raises(ValueError, match="finer than the source"):
        layer.downsample(from_mag=wk.Mag(2, 2, 1), coarsest_mag=wk.Mag(1))
    with pytest.raises(AttributeError, match="Unknown sampling mode"):
        layer.downsample(sampling_mode="sideways")
    with pytest.raises(ValueError, match="Unknown interpolation mode"):
        layer.downsample(interpolation_mode="spline")
    with pytest.raises(ValueError, match="buffer_shape"):
        layer.downsample(coarsest_mag=wk.Mag(4), buffer_shape=0)
    assert _names(layer) == ["1", "2-2-1"]


def test_read_only_refuses(tmp_path):
    _dataset(tmp_path, layers=("color",))
    ds = wk.Dataset.open(tmp_path / "ds", read_only=True)
    with pytest.raises(RuntimeError):
        ds.get_layer("color").downsample()
    with pytest.raises(RuntimeError):
        downsample_dataset(ds)


# ------------------------------------------------------------------------------------------ Dataset.downsample


def test_downsample_dataset_all_layers_aligned_and_keeps_existing(tmp_path, executor):
    ds = _dataset(tmp_path)
    marker = np.full((1, 100, 75, 60), 3, np.uint32)
    ds.get_layer("segmentation").add_mag("2-2-1").write(marker, absolute_offset=TOPLEFT)
    downsample_dataset(ds, executor=executor)
    color, seg = ds.get_layer("color"), ds.get_layer("segmentation")
    assert _names(color) == ["1", "2-2-1", "4-4-2"]
    assert _names(seg) == ["1", "2-2-1", "4-4-2"]
    np.testing.assert_array_equal(color.get_mag("4-4-2").read(), _expected("color__4-4-2"))
    np.testing.assert_array_equal(seg.get_mag("2-2-1").read(), marker)  # existing mags are not regenerated
    assert (seg.get_mag("4-4-2").read() == 3).all()  # ... and are the source of the next mag


def test_downsample_dataset_options(tmp_path):
    ds = _dataset(tmp_path)
    downsample_dataset(ds, sampling_mode=wk.SamplingModes.ISOTROPIC, coarsest_mag=wk.Mag(2), interpolation_mode="max")
    assert _names(ds.get_layer("color")) == ["1", "2"]
    bounds = [(lo, lo + s) for lo, s in zip(TOPLEFT, BBOX.size)]
    expected = _reference_step(_expected("segmentation__1"), bounds, wk.Mag(1), wk.Mag(2), "max")
    np.testing.assert_array_equal(ds.get_layer("segmentation").get_mag(2).read(), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        downsample_dataset(ds, sampling_mode="isotropic", coarsest_mag=wk.Mag(2))  # nothing left to do
