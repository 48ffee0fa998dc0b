"""Built-in plugin: registers the TIFF image writer (tifffile) used by exports, when tifffile is installed.

The writer is a lazy proxy, so importing daedalus does not import tifffile; the adapter module is imported
when the first image is written.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from .hookspecs import hookimpl

_MODULE = "daedalus.adapters.tiff_writer"


class LazyTiffWriter:
    """An ImageWriter that imports the tifffile adapter on first use and delegates to it."""

    name = "tifffile"
    suffixes = (".tif", ".tiff")

    def __init__(self) -> None:
        self._writer: Any = None

    def write(self, path: Any, image: Any, *, compress: bool = False) -> None:
        """Write ``image`` (x, y, c) as one TIFF image at ``path``."""
        if self._writer is None:
            self._writer = importlib.import_module(_MODULE).TiffWriter()
        self._writer.write(path, image, compress=compress)

    def write_ome_tiff(self, path: Any, levels: list[Any], **kwargs: Any) -> None:
        """Write ``levels`` as one OME-TIFF pyramid at ``path`` (see the tifffile adapter)."""
        if self._writer is None:
            self._writer = importlib.import_module(_MODULE).TiffWriter()
        self._writer.write_ome_tiff(path, levels, **kwargs)

    def __getstate__(self) -> dict[str, Any]:
        return {"_writer": None}

    def __repr__(self) -> str:
        return f"LazyTiffWriter(suffixes={self.suffixes})"


@hookimpl
def daedalus_image_writers() -> list[Any]:
    """The built-in image writers whose library is installed."""
    return [LazyTiffWriter()] if importlib.util.find_spec("tifffile") is not None else []
