"""AnnotationState and AnnotationType: the state and kind of a WEBKNOSSOS annotation."""

from __future__ import annotations

from enum import Enum, unique


@unique
class AnnotationState(Enum):
    """The state of an annotation belonging to a task."""

    FINISHED = "Finished"
    ACTIVE = "Active"
    CANCELLED = "Cancelled"
    INITIALIZING = "Initializing"


@unique
class AnnotationType(Enum):
    """The kind of an annotation: created freely (explorational) or as a task instance."""

    TASK = "Task"
    EXPLORATIONAL = "Explorational"
