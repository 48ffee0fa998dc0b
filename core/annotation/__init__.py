"""Annotations (``webknossos.annotation``): skeleton plus volume layers, loaded from and saved to .nml/.zip."""

from .annotation import Annotation, AnnotationPathError, VolumeLayerSelectionError
from .annotation_info import AnnotationInfo
from .annotation_urls import AnnotationUrlError
from .enums import AnnotationState, AnnotationType
from .remote_annotation import RemoteAnnotation
from .safe_zip import UnsafeZipError
from .segment_information import SegmentInformation
from .server_transfer import RemoteAnnotationNotFoundError
from .volume_layer import VolumeLayer, VolumeLayerEditMode

__all__ = [
    "Annotation",
    "AnnotationInfo",
    "AnnotationPathError",
    "AnnotationState",
    "AnnotationUrlError",
    "AnnotationType",
    "RemoteAnnotation",
    "RemoteAnnotationNotFoundError",
    "SegmentInformation",
    "UnsafeZipError",
    "VolumeLayer",
    "VolumeLayerEditMode",
    "VolumeLayerSelectionError",
]
