"""MRC volumes (.mrc, .map, .rec, ...) import through the mrcfile reader; import errors have the reference's types."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

mrcfile = pytest.importorskip("mrcfile", reason="mrcfile is not installed (pip install 'daedalus[images]')")


def _write_mrc(path: Path, data: np.ndarray) -> Path:
    with mrcfile.new(path, overwrite=True) as mrc:
        mrc.set_data(data)
    return path


def test_sections_rows_and_columns_become_z_y_and_x(tmp_path: Path) -> None:
    volume = (np.arange(3 * 4 * 5) % 113).astype(np.int16).reshape(3, 4, 5)  # MRC order: (z, y, x)
    source = _write_mrc(tmp_path / "tomogram.mrc", volume)
    ds = wk.Dataset.from_images(source, tmp_path / "ds", voxel_size=(1, 1, 1))
    (layer,) = ds.layers.values()
    assert (layer.category, layer.dtype, layer.num_channels) == ("color", np.int16, 1)
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (5, 4, 3))
    np.testing.assert_array_equal(layer.get_finest_mag().read()[0], volume.transpose(2, 1, 0))


@pytest.mark.parametrize("suffix", [".map", ".rec", ".ali", ".st"])
def test_every_mrc_suffix_and_a_single_section_import(tmp_path: Path, suffix: str) -> None:
    section = np.arange(6 * 7, dtype=np.float32).reshape(6, 7)
    source = _write_mrc(tmp_path / "volume.mrc", section).rename(tmp_path / f"volume{suffix}")
    layer = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1)).add_layer_from_images(source, "em")
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (7, 6, 1)) and layer.dtype == np.float32
    np.testing.assert_array_equal(layer.get_finest_mag().read()[0, :, :, 0], section.T)


def test_a_damaged_mrc_file_is_a_corrupt_image_error_naming_it(tmp_path: Path) -> None:
    source = _write_mrc(tmp_path / "ok.mrc", np.zeros((2, 2, 2), np.uint16))
    broken = tmp_path / "broken.mrc"
    broken.write_bytes(source.read_bytes()[:100])  # a header cut short
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    with pytest.raises(wk.CorruptImageError, match="broken.mrc") as caught:
        ds.add_layer_from_images(broken, "em")
    assert isinstance(caught.value, wk.ImageConversionError) and isinstance(caught.value, ValueError)
    assert str(caught.value.path).endswith("broken.mrc")


def test_unsupported_files_raise_unsupported_image_format_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.foo").write_text("no image")
    with pytest.raises(wk.UnsupportedImageFormatError) as caught:
        wk.Dataset.from_images(tmp_path / "in", tmp_path / "ds", voxel_size=(1, 1, 1))
    assert caught.value.found_file_extensions == ("foo",)
    ds = wk.Dataset(tmp_path / "ds2", voxel_size=(1, 1, 1))
    with pytest.raises(wk.UnsupportedImageFormatError, match=r"notes\.foo") as single:
        ds.add_layer_from_images(tmp_path / "in" / "notes.foo", "x")
    assert single.value.file_extension == "foo"
    assert issubclass(wk.UnsupportedImageDataError, wk.ImageConversionError)


def test_the_scale_level_of_multiscale_sources_is_refused_clearly(tmp_path: Path) -> None:
    source = _write_mrc(tmp_path / "v.mrc", np.zeros((2, 2, 2), np.uint8))
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    with pytest.raises(ValueError, match="scale=1 is not supported"):
        ds.add_layer_from_images(source, "em", scale=1)
    assert ds.add_layer_from_images(source, "em", scale=0).bounding_box.size_xyz == (2, 2, 2)
