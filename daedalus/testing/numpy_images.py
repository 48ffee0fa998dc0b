"""An ImageReader and ImageWriter for ``.npy`` image files: numpy only, no image library.

A file holds one array in daedalus' image axis order: the reader returns ``(x, y, z, c)``, the writer stores
one ``(x, y, c)`` image as ``(x, y, 1, c)``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np


def _fspath(path: Any) -> str:
    try:
        return os.fspath(path)
    except TypeError:
        return str(path)


class NumpyImageReader:
    """Implements the ImageReader port for ``.npy`` files holding ``(x, y[, z][, c])`` arrays."""

    name = "numpy-images"
    suffixes = (".npy",)

    def __repr__(self) -> str:
        return "NumpyImageReader()"

    def _load(self, path: Any, mmap: bool) -> np.ndarray:
        try:
            data = np.load(_fspath(path), mmap_mode="r" if mmap else None, allow_pickle=False)
        except FileNotFoundError:
            raise FileNotFoundError(f"No image file at {path}.") from None
        except (ValueError, OSError) as error:
            raise ValueError(f"Cannot read {path} as a .npy image: {error}") from error
        if data.ndim == 2:
            data = data[:, :, np.newaxis, np.newaxis]
        elif data.ndim == 3:
            data = data[:, :, :, np.newaxis]
        elif data.ndim != 4:
            raise ValueError(f"The .npy image {path} has {data.ndim} axes; expected (x, y[, z][, c]).")
        return data

    def info(self, path: Any) -> tuple[tuple[int, int, int, int], np.dtype]:
        """``((x, y, z, c), dtype)`` of the image at ``path`` (read from the header)."""
        data = self._load(path, mmap=True)
        return tuple(int(s) for s in data.shape), data.dtype  # type: ignore[return-value]

    def read(self, path: Any, z_start: int = 0, z_stop: int | None = None) -> np.ndarray:
        """Slices ``z_start:z_stop`` (default: all) of the image at ``path`` as an ``(x, y, z, c)`` array."""
        return np.ascontiguousarray(self._load(path, mmap=True)[:, :, z_start:z_stop])


class NumpyImageWriter:
    """Implements the ImageWriter port for ``.npy`` files (``compress`` is accepted and has no effect)."""

    name = "numpy-images"
    suffixes = (".npy",)

    def __repr__(self) -> str:
        return "NumpyImageWriter()"

    def write(self, path: Any, image: np.ndarray, *, compress: bool = False) -> None:
        """Write the ``(x, y, c)`` image at ``path`` (replacing a file) as an ``(x, y, 1, c)`` array."""
        image = np.asarray(image)
        if image.ndim == 2:
            image = image[:, :, np.newaxis]
        if image.ndim != 3:
            raise ValueError(f"Cannot write an image of shape {image.shape} to {path}: expected (x, y, c).")
        target = _fspath(path)
        temporary = f"{target}.{os.getpid()}.tmp"
        with open(temporary, "wb") as file:
            np.save(file, image[:, :, np.newaxis, :])
        os.replace(temporary, target)

    def write_ome_tiff(self, path: Any, levels: list[np.ndarray], **_: Any) -> None:
        """Not offered: this writer writes ``.npy`` files only."""
        raise NotImplementedError(f"{self!r} writes .npy images, not OME-TIFF ({path}).")
