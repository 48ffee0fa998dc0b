"""``daedalus.annotation``: the names of the reference's ``webknossos.annotation``."""

from daedalus.core.annotation import (
    Annotation,
    AnnotationState,
    AnnotationType,
    RemoteAnnotation,
    SegmentInformation,
)
from daedalus.core.annotation.annotation_info import AnnotationInfo
from daedalus.core.annotation.volume_layer import VolumeLayer, VolumeLayerEditMode

__all__ = [
    "Annotation",
    "AnnotationInfo",
    "AnnotationState",
    "AnnotationType",
    "RemoteAnnotation",
    "SegmentInformation",
    "VolumeLayer",
    "VolumeLayerEditMode",
]
