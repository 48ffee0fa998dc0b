"""ImageWriter adapter: writes 2-D TIFF images and OME-TIFF pyramids with tifffile (TIFF exports of layers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import tifffile


class TiffWriter:
    """Writes ``.tif``/``.tiff`` files: columns are x, rows are y, 3 channels as RGB, optional deflate compression."""

    name = "tifffile"
    suffixes = (".tif", ".tiff")

    def write(self, path: Any, image: np.ndarray, *, compress: bool = False) -> None:
        """Write ``image`` (x, y, c) as one TIFF page (rows y, columns x) at ``path``."""
        if image.ndim != 3:
            raise ValueError(f"Cannot write {path}: expected an (x, y, c) image, got an array of shape {image.shape}.")
        page = image.transpose(1, 0, 2)  # (y, x, c): a view; contiguous when the data came from an F-order read
        if page.shape[2] == 1:
            page = page[:, :, 0]
        tifffile.imwrite(str(path), np.ascontiguousarray(page), compression="zlib" if compress else None)

    def write_ome_tiff(
        self,
        path: Any,
        levels: list[np.ndarray],
        *,
        axes: str,
        physical_size: dict[str, tuple[float, str]],
        compress: bool = False,
        dimension_order: str | None = None,
    ) -> None:
        """Write ``levels`` (full resolution first, each in ``axes`` order, e.g. ``ZYX``) as one OME-TIFF series.

        Coarser levels go into SubIFDs of the first one (a pyramid); ``physical_size`` maps ``x``/``y``/``z`` to
        ``(size, unit)`` of a pixel of the full-resolution level; ``dimension_order`` overrides the OME
        ``DimensionOrder`` that ``axes`` implies.
        """
        outer = [axis for axis in reversed(axes.upper()) if axis not in "XY"]
        order = dimension_order or "XY" + "".join(outer) + "".join(axis for axis in "ZCT" if axis not in outer)
        metadata: dict[str, Any] = {"axes": axes, "DimensionOrder": order}  # ZYX: XYZCT (tifffile's default: XYCZT)
        for axis, (size, unit) in physical_size.items():
            metadata[f"PhysicalSize{axis.upper()}"] = float(size)
            metadata[f"PhysicalSize{axis.upper()}Unit"] = unit
        compression = "zlib" if compress else None
        nbytes = sum(level.nbytes for level in levels)
        with tifffile.TiffWriter(str(path), ome=True, bigtiff=nbytes > 2**31) as tiff:
            tiff.write(
                np.ascontiguousarray(levels[0]),
                subifds=len(levels) - 1,
                metadata=metadata,
                compression=compression,
            )
            for level in levels[1:]:
                tiff.write(np.ascontiguousarray(level), subfiletype=1, compression=compression)
