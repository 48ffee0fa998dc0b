"""Export layer data to image files: ``export_tiff_stack(mag_view, "out/")`` writes one TIFF per z-slice (or tiles).

The Python API behind ``daedalus export-as-tiff``; see :func:`export_tiff_stack` for every option.
"""

from daedalus.core.export import TiffStack, TiffStackLayout, downsample_image, export_tiff_stack

__all__ = ["TiffStack", "TiffStackLayout", "downsample_image", "export_tiff_stack"]
