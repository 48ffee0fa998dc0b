"""ImageReader adapters: TIFF (single and multi-page, via tifffile) and PNG/JPEG/BMP/GIF (via Pillow).

Every reader returns arrays in daedalus' axis order ``(x, y, z, c)``: image columns are x, rows are y,
TIFF pages are z and samples (e.g. RGB) are c. ``info(path)`` reports the shape and dtype without decoding
pixels; ``read(path, z_start, z_stop)`` decodes only the pages of that z range.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _to_xyzc(pages: np.ndarray, has_channels: bool) -> np.ndarray:
    """(z, y, x[, c]) -> (x, y, z, c)."""
    if not has_channels:
        pages = pages[..., np.newaxis]
    return np.ascontiguousarray(np.transpose(pages, (2, 1, 0, 3)))


def _missing_codec(path: Any, error: Exception) -> Exception:
    return RuntimeError(
        f"Cannot decode {path}: {error}. Install the image codecs with pip install imagecodecs "
        "(included in pip install 'daedalus[images]')."
    )


class TiffReader:
    """Reads .tif/.tiff files: a 2D image is one z-slice, a multi-page stack is z, samples are channels."""

    name = "tifffile"
    suffixes = (".tif", ".tiff")

    @staticmethod
    def _layout(tif: Any) -> tuple[int, tuple[int, ...], str, np.dtype]:
        """(number of pages, page shape, page axes, dtype) of the first series."""
        series = tif.series[0]
        page = series.pages[0] if series.pages else tif.pages[0]
        page_axes = page.axes.replace("I", "")
        num_pages = len(series.pages) if series.pages else 1
        return num_pages, tuple(page.shape), page_axes, np.dtype(series.dtype)

    @staticmethod
    def _check_axes(path: Any, page_axes: str) -> None:
        if page_axes not in ("YX", "YXS", "SYX"):
            raise ValueError(
                f"Cannot import {path}: its pages have axes {page_axes!r}; supported are 2D pages (YX) with "
                "optional samples (YXS / SYX, e.g. RGB)."
            )

    def info(self, path: Any) -> tuple[tuple[int, int, int, int], np.dtype]:
        """``((x, y, z, c), dtype)`` of the image at ``path``."""
        import tifffile

        with tifffile.TiffFile(str(path)) as tif:
            num_pages, page_shape, page_axes, dtype = self._layout(tif)
        self._check_axes(path, page_axes)
        sizes = dict(zip(page_axes, page_shape))
        return (sizes["X"], sizes["Y"], num_pages, sizes.get("S", 1)), dtype

    def read(self, path: Any, z_start: int = 0, z_stop: int | None = None) -> np.ndarray:
        """Pages ``z_start:z_stop`` (default: all) of the image at ``path`` as an ``(x, y, z, c)`` array."""
        import tifffile

        with tifffile.TiffFile(str(path)) as tif:
            num_pages, _, page_axes, _ = self._layout(tif)
            self._check_axes(path, page_axes)
            stop = num_pages if z_stop is None else min(z_stop, num_pages)
            series = tif.series[0]
            pages = series.pages if series.pages else tif.pages
            try:
                data = np.stack([pages[i].asarray() for i in range(z_start, stop)])
            except ValueError as error:
                if "imagecodecs" in str(error):
                    raise _missing_codec(path, error) from error
                raise
        if page_axes == "SYX":
            data = np.moveaxis(data, 1, -1)
        return _to_xyzc(data, page_axes != "YX")


class PillowReader:
    """Reads single-frame PNG, JPEG, BMP and GIF images (one z-slice; RGB/RGBA/LA samples are channels)."""

    name = "pillow"
    suffixes = (".png", ".jpg", ".jpeg", ".bmp", ".gif")

    def info(self, path: Any) -> tuple[tuple[int, int, int, int], np.dtype]:
        """``((x, y, 1, c), dtype)`` of the image at ``path``."""
        data = self.read(path)
        return tuple(data.shape), data.dtype  # type: ignore[return-value]

    def read(self, path: Any, z_start: int = 0, z_stop: int | None = None) -> np.ndarray:
        """The image at ``path`` as an ``(x, y, 1, c)`` array (palette images are converted to RGB)."""
        from PIL import Image

        with Image.open(str(path)) as image:
            if image.mode in ("P", "PA"):
                image = image.convert("RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB")
            data = np.asarray(image)
        if z_start > 0 or (z_stop is not None and z_stop < 1):
            data = data[np.newaxis][z_start:z_stop]
        else:
            data = data[np.newaxis]
        return _to_xyzc(data, data.ndim == 4)


class MrcReader:
    """Reads MRC volumes (.mrc, .map, .rec, .ali, .st; via mrcfile): sections are z, rows y, columns x."""

    name = "mrcfile"
    suffixes = (".mrc", ".map", ".rec", ".ali", ".st")

    @staticmethod
    def _open(path: Any) -> Any:
        import mrcfile

        try:
            return mrcfile.mmap(str(path), mode="r")
        except ValueError as error:  # a damaged header or a file shorter than the header says
            raise ValueError(f"Cannot read the MRC file {path}: {error}") from error

    def info(self, path: Any) -> tuple[tuple[int, int, int, int], np.dtype]:
        """``((x, y, z, 1), dtype)`` of the volume at ``path`` (read from the header; no voxel is decoded)."""
        with self._open(path) as mrc:
            header = mrc.header
            size_x, size_y, size_z = int(header.nx), int(header.ny), int(header.nz)
            return (size_x, size_y, size_z, 1), np.dtype(mrc.data.dtype).newbyteorder("=")

    def read(self, path: Any, z_start: int = 0, z_stop: int | None = None) -> np.ndarray:
        """Sections ``z_start:z_stop`` (default: all) of the volume at ``path`` as an ``(x, y, z, 1)`` array."""
        with self._open(path) as mrc:
            data = mrc.data if mrc.data.ndim == 3 else mrc.data[np.newaxis]
            pages = np.asarray(data[z_start:z_stop], dtype=data.dtype.newbyteorder("="))
        return _to_xyzc(pages, False)
