"""``daedalus.conversion.convert_raw``: a raw binary volume becomes a layer voxel for voxel (order, dtype, flips)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.conversion import ConversionInputError, SourceNotFoundError, convert_raw

SHAPE = (40, 30, 20)


def _volume(dtype=np.uint16) -> np.ndarray:
    """An (x, y, z) volume whose every voxel differs from its neighbours."""
    return (np.arange(np.prod(SHAPE)) * 7 % 50000).astype(dtype).reshape(SHAPE)


def _write(path: Path, volume: np.ndarray, order: str) -> Path:
    volume.ravel(order=order).tofile(path)
    return path


def _read(mag_view) -> np.ndarray:
    return mag_view.read(absolute_bounding_box=mag_view.layer.bounding_box)[0]


@pytest.mark.parametrize("order", ["F", "C"])
def test_both_voxel_orders_import_exactly(tmp_path: Path, order: str) -> None:
    volume = _volume()
    source = _write(tmp_path / "volume.raw", volume, order)

    mag_view = convert_raw(
        source, tmp_path / "ds", shape=SHAPE, target_dtype="uint16", order=order, voxel_size_with_unit=(4, 4, 40)
    )

    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    assert layer.category == "color" and layer.dtype == np.uint16
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), SHAPE)
    assert wk.Dataset.open(tmp_path / "ds").voxel_size == (4.0, 4.0, 40.0)
    np.testing.assert_array_equal(_read(mag_view), volume)


def test_shard_tasks_on_an_executor_write_the_whole_volume(tmp_path: Path) -> None:
    volume = _volume()
    source = _write(tmp_path / "volume.raw", volume, "F")
    with wk.get_executor("threads", max_workers=2) as executor:
        mag_view = convert_raw(
            source,
            tmp_path / "ds",
            shape=SHAPE,
            target_dtype="uint16",
            chunk_shape=8,
            shard_shape=16,
            executor=executor,
        )
    assert tuple(mag_view.info.shard_shape) == (16, 16, 16)
    np.testing.assert_array_equal(_read(mag_view), volume)


@pytest.mark.parametrize(
    ("flip_axes", "expected"),
    [
        ((1,), lambda v: v[::-1]),
        ((2,), lambda v: v[:, ::-1]),
        ((1, 3), lambda v: v[::-1, :, ::-1]),
        ((0, 2, 3), lambda v: v[:, ::-1, ::-1]),  # axis 0 (the one channel) changes nothing
        ((1, 2, 3), lambda v: v[::-1, ::-1, ::-1]),
    ],
)
def test_flip_axes_reverse_the_whole_volume(tmp_path: Path, flip_axes, expected) -> None:
    volume = _volume()
    source = _write(tmp_path / "volume.raw", volume, "C")
    mag_view = convert_raw(
        source,
        tmp_path / "ds",
        shape=SHAPE,
        target_dtype="uint16",
        order="C",
        flip_axes=flip_axes,
        chunk_shape=8,
        shard_shape=16,
    )
    np.testing.assert_array_equal(_read(mag_view), expected(volume))


def test_source_dtype_is_cast_to_the_target_dtype(tmp_path: Path) -> None:
    volume = _volume(np.uint16)
    source = _write(tmp_path / "volume.raw", volume, "F")
    mag_view = convert_raw(source, tmp_path / "ds", shape=SHAPE, source_dtype="uint16", target_dtype="uint32")
    assert mag_view.layer.dtype == np.uint32
    np.testing.assert_array_equal(_read(mag_view), volume.astype(np.uint32))


def test_rescale_maps_min_max_to_the_target_range_and_clips_integers(tmp_path: Path) -> None:
    volume = _volume(np.uint16)
    source = _write(tmp_path / "volume.raw", volume, "F")
    low, high = 1000.0, 30000.0

    mag_view = convert_raw(
        source, tmp_path / "ds", shape=SHAPE, source_dtype="uint16", target_dtype="uint8", rescale_min_max=(low, high)
    )

    data = _read(mag_view)
    inside = (volume >= low) & (volume <= high)
    expected = ((volume[inside] - low) / (high - low) * 255).astype(np.uint8)
    np.testing.assert_array_equal(data[inside], expected)
    assert (data[volume < low] == 0).all() and (data[volume > high] == 255).all()
    assert data.min() == 0 and data.max() == 255


def test_rescale_to_float_maps_min_max_to_zero_and_one(tmp_path: Path) -> None:
    volume = np.linspace(-1, 3, np.prod(SHAPE), dtype=np.float32).reshape(SHAPE)
    source = _write(tmp_path / "volume.raw", volume, "F")
    mag_view = convert_raw(source, tmp_path / "ds", shape=SHAPE, target_dtype="float32", rescale_min_max=(-1, 3))
    np.testing.assert_allclose(_read(mag_view), (volume + 1) / 4, rtol=1e-6)


def test_a_file_of_the_wrong_size_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    source = _write(tmp_path / "volume.raw", _volume(np.uint8), "F")
    with pytest.raises(ConversionInputError, match=r"holds 24000 bytes.*\(40, 30, 20\) of uint16 needs 48000"):
        convert_raw(source, tmp_path / "ds", shape=SHAPE, target_dtype="uint16")
    assert not (tmp_path / "ds").exists()


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="nope.raw does not exist"):
        convert_raw(tmp_path / "nope.raw", tmp_path / "ds", shape=SHAPE)
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"order": "X"}, "order='X'"),
        ({"flip_axes": (1, 1)}, r"flip_axes=\(1, 1\)"),
        ({"flip_axes": (4,)}, r"flip_axes=\(4,\)"),
        ({"target_dtype": "text"}, "target_dtype='text'"),
        ({"rescale_min_max": (5, 1)}, "rescale_min_max"),
        ({"shape": (40, 0, 20)}, "shape="),
    ],
)
def test_bad_arguments_are_refused_naming_them(tmp_path: Path, kwargs, message) -> None:
    source = _write(tmp_path / "volume.raw", _volume(np.uint8), "F")
    with pytest.raises(ValueError, match=message):
        convert_raw(source, tmp_path / "ds", **{"shape": SHAPE, **kwargs})


def test_an_existing_dataset_gets_a_new_layer_when_the_voxel_size_matches(tmp_path: Path) -> None:
    volume = _volume(np.uint8)
    source = _write(tmp_path / "volume.raw", volume, "F")
    convert_raw(source, tmp_path / "ds", shape=SHAPE, voxel_size_with_unit=(1, 1, 2))
    convert_raw(source, tmp_path / "ds", shape=SHAPE, voxel_size_with_unit=(1, 1, 2), layer_name="second")
    assert sorted(wk.Dataset.open(tmp_path / "ds").layers) == ["color", "second"]
    with pytest.raises(ValueError, match="voxel size"):
        convert_raw(source, tmp_path / "ds", shape=SHAPE, voxel_size_with_unit=(1, 1, 3), layer_name="third")
    with pytest.raises(IndexError, match="already has it"):
        convert_raw(source, tmp_path / "ds", shape=SHAPE, voxel_size_with_unit=(1, 1, 2))


def test_a_folder_with_other_files_is_not_turned_into_a_dataset(tmp_path: Path) -> None:
    source = _write(tmp_path / "volume.raw", _volume(np.uint8), "F")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="holds files but no datasource-properties.json"):
        convert_raw(source, tmp_path / "busy", shape=SHAPE)
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["notes.txt"]
