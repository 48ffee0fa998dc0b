"""Annotations (``webknossos.annotation``): skeleton plus volume layers, loaded from and saved to .nml/.zip."""

from .annotation import Annotation, AnnotationPathError, VolumeLayerSelectionError
from .enums import AnnotationState, AnnotationType
from .safe_zip import UnsafeZipError
from .segment_information import SegmentInformation
from .volume_layer import VolumeLayer

__all__ = [
    "Annotation",
    "AnnotationPathError",
    "AnnotationState",
    "AnnotationType",
    "SegmentInformation",
    "UnsafeZipError",
    "VolumeLayer",
    "VolumeLayerSelectionError",
]
