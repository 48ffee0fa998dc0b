"""The ImageWriter port: the built-in TIFF writer is found by suffix and writes (x, y, c) arrays as (y, x) pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from daedalus.core import ports
from daedalus.plugins import get_plugin_manager
from daedalus.plugins.manager import UnknownAdapterError


@pytest.mark.parametrize("key", [".tiff", ".TIF", "tifffile"])
def test_the_tiff_writer_is_registered_by_suffix_and_name(key: str) -> None:
    writer = ports.resolve_image_writer(key)
    assert writer.name == "tifffile" and ".tiff" in writer.suffixes


def test_an_unknown_suffix_names_what_is_available() -> None:
    with pytest.raises(UnknownAdapterError, match=r"No image writer for '\.png'; available: .*\.tiff"):
        ports.resolve_image_writer(".png")


def test_plugins_listing_names_the_writer() -> None:
    provided = dict(get_plugin_manager().describe())
    assert "image writer tifffile" in provided["daedalus.plugins.builtin_image_writers"]


def test_columns_are_x_rows_are_y_and_three_channels_are_rgb(tmp_path: Path) -> None:
    writer = ports.resolve_image_writer(".tiff")
    gray = np.arange(6 * 4, dtype=np.uint16).reshape(6, 4, 1)  # x = 6, y = 4
    writer.write(tmp_path / "gray.tiff", gray)
    with tifffile.TiffFile(tmp_path / "gray.tiff") as tif:
        page = tif.pages[0]
        assert (page.imagewidth, page.imagelength) == (6, 4)
        assert page.compression == tifffile.COMPRESSION.NONE
        np.testing.assert_array_equal(page.asarray(), gray[:, :, 0].T)
    rgb = np.random.default_rng(1).integers(0, 255, (5, 3, 3)).astype(np.uint8)
    writer.write(tmp_path / "rgb.tiff", rgb, compress=True)
    with tifffile.TiffFile(tmp_path / "rgb.tiff") as tif:
        page = tif.pages[0]
        assert page.photometric == tifffile.PHOTOMETRIC.RGB
        assert page.compression == tifffile.COMPRESSION.ADOBE_DEFLATE
        np.testing.assert_array_equal(page.asarray(), rgb.transpose(1, 0, 2))


def test_an_array_that_is_not_xyc_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"expected an \(x, y, c\) image, got an array of shape \(4, 4\)"):
        ports.resolve_image_writer(".tiff").write(tmp_path / "flat.tiff", np.zeros((4, 4), dtype=np.uint8))
    assert not (tmp_path / "flat.tiff").exists()
