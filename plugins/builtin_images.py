"""Built-in plugin: registers the TIFF (tifffile), PNG/JPEG (Pillow) and MRC (mrcfile) image readers when their library
is installed.

Readers are lazy proxies, so importing daedalus imports neither tifffile nor PIL; the adapter module is
imported when an image is first read.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from .hookspecs import hookimpl

# (reader name, file suffixes, adapter class, library it needs)
_IMAGE_READERS = (
    ("tifffile", (".tif", ".tiff"), "TiffReader", "tifffile"),
    ("pillow", (".png", ".jpg", ".jpeg", ".bmp", ".gif"), "PillowReader", "PIL"),
    ("mrcfile", (".mrc", ".map", ".rec", ".ali", ".st"), "MrcReader", "mrcfile"),
)
_MODULE = "daedalus.adapters.image_readers"


class LazyImageReader:
    """An ImageReader that imports the real adapter (and its library) on first use and delegates to it."""

    def __init__(self, name: str, suffixes: tuple[str, ...], class_name: str) -> None:
        self.name = name
        self.suffixes = suffixes
        self._class_name = class_name
        self._reader: Any = None

    def _real(self) -> Any:
        if self._reader is None:
            self._reader = getattr(importlib.import_module(_MODULE), self._class_name)()
        return self._reader

    def info(self, path: Any) -> Any:
        """``((x, y, z, c), dtype)`` of the image at ``path``."""
        return self._real().info(path)

    def read(self, path: Any, z_start: int = 0, z_stop: int | None = None) -> Any:
        """The image at ``path`` (pages ``z_start:z_stop``) as an ``(x, y, z, c)`` array."""
        return self._real().read(path, z_start, z_stop)

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "suffixes": self.suffixes, "_class_name": self._class_name, "_reader": None}

    def __repr__(self) -> str:
        return f"LazyImageReader({self.name!r}, suffixes={self.suffixes})"


def _installed(library: str) -> bool:
    return importlib.util.find_spec(library) is not None


@hookimpl
def daedalus_image_readers() -> list[Any]:
    """The built-in image readers whose library is installed."""
    return [
        LazyImageReader(name, suffixes, class_name)
        for name, suffixes, class_name, library in _IMAGE_READERS
        if _installed(library)
    ]
