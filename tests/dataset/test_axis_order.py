"""Mags whose arrays are stored in another axis order than (c, x, y, z): arrays written by zarr-python stored
z, y, x (zarr3 and zarr v2, with and without a channel axis) and a properties file with their ``axisOrder``."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import zarr
from daedalus.adapters.tensorstore_zarr import Zarr3Storage, ZarrStorage
from daedalus.adapters.zarrpython_zarr import ZarrPythonZarr3Storage, ZarrPythonZarrStorage

import daedalus as wk

SIZE_XYZ = (12, 10, 8)
FORMATS = ["zarr3", "zarr"]


def _volume() -> np.ndarray:
    """Random voxels in (x, y, z) order, no constant regions (a transposed read cannot compare equal)."""
    return np.random.default_rng(3).integers(1, 250, SIZE_XYZ).astype(np.uint8)


def _write_zyx_array(path: Path, data_format: str, volume: np.ndarray, *, channel: bool, named: bool) -> None:
    """Store ``volume`` (x, y, z) with zarr-python as a (c,) z, y, x array, chunked 4 along every spatial axis."""
    stored = volume.transpose(2, 1, 0)
    names = ["z", "y", "x"]
    if channel:
        stored, names = stored[np.newaxis], ["c", *names]
    options: dict = {"zarr_format": 3 if data_format == "zarr3" else 2}
    if named and data_format == "zarr3":
        options["dimension_names"] = names
    array = zarr.create_array(
        store=str(path), shape=stored.shape, chunks=(1,) * channel + (4, 4, 4), dtype="uint8", **options
    )
    if named and data_format == "zarr":
        array.attrs["_ARRAY_DIMENSIONS"] = names
    array[...] = stored


def _properties(data_format: str, axis_order: dict[str, int], layer: str = "color") -> dict:
    return {
        "id": {"name": "ds", "team": ""},
        "scale": {"factor": [1, 1, 1], "unit": "nanometer"},
        "dataLayers": [
            {
                "name": layer,
                "category": "color",
                "boundingBox": {"topLeft": [0, 0, 0], "width": 12, "height": 10, "depth": 8},
                "elementClass": "uint8",
                "numChannels": 1,
                "dataFormat": data_format,
                "mags": [{"mag": [1, 1, 1], "path": f"./{layer}/1", "axisOrder": axis_order}],
            }
        ],
    }


def _dataset(tmp_path: Path, data_format: str, *, channel: bool, named: bool) -> tuple[Path, np.ndarray]:
    """A dataset folder whose only layer's mag 1 is a zarr-python array stored z, y, x."""
    volume = _volume()
    root = tmp_path / "ds"
    _write_zyx_array(root / "color" / "1", data_format, volume, channel=channel, named=named)
    order = {"c": 0, "z": 1, "y": 2, "x": 3} if channel else {"z": 0, "y": 1, "x": 2}
    (root / "datasource-properties.json").write_text(json.dumps(_properties(data_format, order)))
    return root, volume


def _mag_entries(root: Path) -> list[dict]:
    return [layer["mags"][0] for layer in json.loads((root / "datasource-properties.json").read_text())["dataLayers"]]


@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
@pytest.mark.parametrize("channel", [True, False], ids=["czyx", "zyx"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_zyx_array_reads_as_xyz(tmp_path, data_format, channel, named):
    root, volume = _dataset(tmp_path, data_format, channel=channel, named=named)
    mag = wk.Dataset.open(root).get_layer("color").get_finest_mag()

    whole = mag.read()
    np.testing.assert_array_equal(whole.reshape(SIZE_XYZ), volume)
    part = mag.read(absolute_offset=(3, 2, 1), size=(5, 6, 4))
    np.testing.assert_array_equal(part.reshape(5, 6, 4), volume[3:8, 2:8, 1:5])


@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
@pytest.mark.parametrize("channel", [True, False], ids=["czyx", "zyx"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_writes_into_zyx_array_land_in_stored_order(tmp_path, data_format, channel, named):
    root, volume = _dataset(tmp_path, data_format, channel=channel, named=named)
    mag = wk.Dataset.open(root).get_layer("color").get_finest_mag()
    patch = np.full((1, 4, 3, 2), 255, np.uint8)

    mag.write(patch, absolute_offset=(2, 3, 4), allow_unaligned=True)

    expected = volume.copy()
    expected[2:6, 3:6, 4:6] = 255
    stored = zarr.open_array(str(root / "color" / "1"))[...]
    np.testing.assert_array_equal((stored[0] if channel else stored).transpose(2, 1, 0), expected)
    np.testing.assert_array_equal(
        wk.Dataset.open(root).get_layer("color").get_finest_mag().read().reshape(SIZE_XYZ), expected
    )


@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_properties_round_trip_keeps_the_stored_axis_order(tmp_path, data_format, named):
    root, _ = _dataset(tmp_path, data_format, channel=True, named=named)
    dataset = wk.Dataset.open(root)

    dataset.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=0, data_format=data_format).add_mag(1)

    color, seg = _mag_entries(root)
    assert color["axisOrder"] == {"c": 0, "z": 1, "y": 2, "x": 3}
    assert seg["axisOrder"] == {"c": 0, "x": 1, "y": 2, "z": 3}


@pytest.mark.parametrize("channel", [True, False], ids=["czyx", "zyx"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_layer_for_existing_zyx_files_records_the_stored_order(tmp_path, data_format, channel):
    volume = _volume()
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    _write_zyx_array(tmp_path / "ds" / "found" / "1", data_format, volume, channel=channel, named=True)

    layer = dataset.add_layer_for_existing_files("found", "color")

    expected = {"c": 0, "z": 1, "y": 2, "x": 3} if channel else {"z": 0, "y": 1, "x": 2}
    assert _mag_entries(tmp_path / "ds")[0]["axisOrder"] == expected
    assert layer.bounding_box.size.to_tuple() == SIZE_XYZ
    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("found").get_finest_mag()
    np.testing.assert_array_equal(reopened.read().reshape(SIZE_XYZ), volume)


@pytest.mark.parametrize("data_format", FORMATS)
def test_unnamed_zyx_mag_info_and_pickled_views_keep_the_stored_order(tmp_path, data_format):
    root, volume = _dataset(tmp_path, data_format, channel=True, named=False)
    mag = wk.Dataset.open(root).get_layer("color").get_finest_mag()

    info = mag.info
    assert info.shape == (1, *SIZE_XYZ) and info.stored_dimension_names == ("c", "z", "y", "x")
    assert info.chunk_shape.to_tuple() == (4, 4, 4)
    corners = {box.topleft.to_tuple() for box in mag.get_bounding_boxes_on_disk()}
    assert corners == {(x, y, z) for x in (0, 4, 8) for y in (0, 4, 8) for z in (0, 4)}
    view = pickle.loads(pickle.dumps(mag.get_view(absolute_offset=(4, 2, 0), size=(8, 8, 8), read_only=True)))
    np.testing.assert_array_equal(view.read()[0], volume[4:12, 2:10, 0:8])


@pytest.mark.parametrize("data_format", FORMATS)
def test_unnamed_array_with_the_channel_stored_last_is_refused(tmp_path, data_format):
    volume = _volume()
    root = tmp_path / "ds"
    options = {"zarr_format": 3 if data_format == "zarr3" else 2}
    stored = volume.transpose(2, 1, 0)[..., np.newaxis]
    array = zarr.create_array(store=str(root / "color" / "1"), shape=stored.shape, dtype="uint8", **options)
    array[...] = stored
    order = {"z": 0, "y": 1, "x": 2, "c": 3}
    (root / "datasource-properties.json").write_text(json.dumps(_properties(data_format, order)))
    mag = wk.Dataset.open(root).get_layer("color").get_finest_mag()

    with pytest.raises(ValueError, match="names no axes") as caught:
        mag.read()
    message = str(caught.value)
    assert str(root / "color" / "1") in message
    assert "dimension_names" in message and "_ARRAY_DIMENSIONS" in message
    with pytest.raises(ValueError, match="names no axes"):  # refused again, not read by position the second time
        mag.read()


@pytest.mark.parametrize("data_format", FORMATS)
def test_unnamed_array_in_webknossos_order_reads_by_position(tmp_path, data_format):
    volume = _volume()
    root = tmp_path / "ds"
    options = {"zarr_format": 3 if data_format == "zarr3" else 2}
    array = zarr.create_array(store=str(root / "color" / "1"), shape=(1, *SIZE_XYZ), dtype="uint8", **options)
    array[...] = volume[np.newaxis]
    order = {"c": 0, "x": 1, "y": 2, "z": 3}
    (root / "datasource-properties.json").write_text(json.dumps(_properties(data_format, order)))

    np.testing.assert_array_equal(
        wk.Dataset.open(root).get_layer("color").get_finest_mag().read().reshape(SIZE_XYZ), volume
    )


@pytest.mark.parametrize(
    "storage", [Zarr3Storage(), ZarrStorage(), ZarrPythonZarr3Storage(), ZarrPythonZarrStorage()], ids=repr
)
def test_storages_report_the_stored_axis_names(tmp_path, storage):
    _write_zyx_array(tmp_path / "named", storage.data_format, _volume(), channel=True, named=True)
    _write_zyx_array(tmp_path / "unnamed", storage.data_format, _volume(), channel=False, named=False)

    named, unnamed = storage.open(tmp_path / "named").info, storage.open(tmp_path / "unnamed").info

    assert named.stored_dimension_names == ("c", "z", "y", "x")
    assert named.dimension_names == ("c", "x", "y", "z") and named.shape == (1, *SIZE_XYZ)
    assert unnamed.stored_dimension_names is None


@pytest.mark.parametrize("executor_name", ["threads", "multiprocessing"])
def test_unnamed_zyx_mag_compares_equal_in_worker_processes(tmp_path, executor_name):
    root, volume = _dataset(tmp_path, "zarr3", channel=True, named=False)
    dataset = wk.Dataset.open(root)
    same = dataset.add_layer("same", "color", dtype="uint8", data_format="zarr3").add_mag(1)
    same.write(volume, absolute_offset=(0, 0, 0), allow_resize=True)
    zyx = dataset.get_layer("color").get_finest_mag()

    with wk.get_executor(executor_name, max_workers=2) as executor:
        assert zyx.content_is_equal(same, executor=executor, chunk_shape=(4, 4, 4))
        same.write(np.zeros((1, 1, 1), np.uint8), absolute_offset=(11, 0, 7), allow_unaligned=True)
        assert not zyx.content_is_equal(same, executor=executor, chunk_shape=(4, 4, 4))


@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
@pytest.mark.parametrize("data_format", FORMATS)
def test_downsampling_a_zyx_mag_keeps_it_readable(tmp_path, data_format, named):
    root, volume = _dataset(tmp_path, data_format, channel=True, named=named)
    layer = wk.Dataset.open(root).get_layer("color")

    layer.downsample(coarsest_mag=wk.Mag(2), interpolation_mode="max")

    reopened = wk.Dataset.open(root).get_layer("color")
    np.testing.assert_array_equal(reopened.get_mag(1).read()[0], volume)
    expected = volume.reshape(6, 2, 5, 2, 4, 2).max(axis=(1, 3, 5))
    np.testing.assert_array_equal(reopened.get_mag(2).read()[0], expected)


@pytest.mark.parametrize("data_format", FORMATS)
def test_copying_a_zyx_mag(tmp_path, data_format):
    named_root, volume = _dataset(tmp_path / "named", data_format, channel=True, named=True)
    unnamed_root, _ = _dataset(tmp_path / "unnamed", data_format, channel=True, named=False)
    target = wk.Dataset(tmp_path / "copy", voxel_size=(1, 1, 1))

    copied = target.add_layer_as_copy(wk.Dataset.open(named_root).get_layer("color"))
    np.testing.assert_array_equal(copied.get_finest_mag().read()[0], volume)
    with pytest.raises(ValueError, match="names no axes") as caught:
        target.add_layer_as_copy(wk.Dataset.open(unnamed_root).get_layer("color"), new_layer_name="other")
    assert "dimension_names" in str(caught.value) and str(unnamed_root / "color" / "1") in str(caught.value)
