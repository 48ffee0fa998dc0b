"""``daedalus.annotation``: the names of the reference's ``webknossos.annotation``."""

from daedalus.core.annotation import Annotation, AnnotationState, AnnotationType, SegmentInformation

__all__ = ["Annotation", "AnnotationState", "AnnotationType", "SegmentInformation"]
