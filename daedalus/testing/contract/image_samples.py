"""Sample image files for the ImageReader/ImageWriter suites, made with a registered writer or the format's library."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np


def _library(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def write_stack(path: Path, volume: np.ndarray) -> bool:
    """Write the ``(x, y, z, c)`` ``volume`` as one multi-page file at ``path``; False if no library writes it.

    ``.npy`` with numpy, ``.tif``/``.tiff`` with tifffile (pages z, samples c), ``.mrc`` with mrcfile (one channel).
    """
    suffix = path.suffix.lower()
    if suffix == ".npy":
        np.save(path, volume)
        return True
    if suffix in (".tif", ".tiff") and _library("tifffile"):
        import tifffile

        pages = np.transpose(volume, (2, 1, 0, 3))  # (z, y, x, c)
        tifffile.imwrite(path, pages[..., 0] if volume.shape[3] == 1 else pages)
        return True
    if suffix == ".mrc" and volume.shape[3] == 1 and _library("mrcfile"):
        import mrcfile

        with mrcfile.new(path, overwrite=True) as mrc:
            mrc.set_data(np.ascontiguousarray(np.transpose(volume[..., 0], (2, 1, 0))))
        return True
    return False


def write_image(path: Path, image: np.ndarray, writers: list[Any]) -> bool:
    """Write the ``(x, y, c)`` ``image`` at ``path`` with a writer of its suffix, PIL (PNG) or ``write_stack``."""
    suffix = path.suffix.lower()
    for writer in writers:
        if suffix in [s.lower() for s in writer.suffixes]:
            writer.write(path, image)
            return True
    if suffix == ".png" and _library("PIL"):
        from PIL import Image

        page = np.transpose(image, (1, 0, 2))
        Image.fromarray(page[..., 0] if image.shape[2] == 1 else page).save(path)
        return True
    return write_stack(path, image[:, :, np.newaxis, :])
