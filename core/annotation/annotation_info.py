"""AnnotationInfo: what the server tells about an annotation (owner, name, state, time spent) without its data."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from daedalus.core.client import get_api_client
from daedalus.core.client.models import ApiAnnotation

from .enums import AnnotationState, AnnotationType

if TYPE_CHECKING:
    from .annotation import Annotation


@attrs.frozen
class AnnotationInfo:
    """Data class containing information about a WEBKNOSSOS annotation."""

    id: str
    owner_id: str | None
    name: str
    description: str
    type: AnnotationType
    state: AnnotationState
    duration_in_seconds: float | None
    modified: int | None
    created: int | None = None

    @classmethod
    def _from_api(cls, api_annotation: ApiAnnotation) -> AnnotationInfo:
        tracing_time = api_annotation.tracing_time
        return cls(
            id=api_annotation.id,
            owner_id=None if api_annotation.owner is None else api_annotation.owner.id,
            name=api_annotation.name,
            description=api_annotation.description,
            type=AnnotationType(api_annotation.typ),
            state=AnnotationState(api_annotation.state),
            duration_in_seconds=None if tracing_time is None else tracing_time / 1000,
            modified=api_annotation.modified,
            created=api_annotation.created,
        )

    def download_annotation(self) -> Annotation:
        """Downloads and returns the annotation that is described by this AnnotationInfo object."""
        from .annotation import Annotation

        return Annotation.download(self.id)

    @classmethod
    def get_remote_annotations(cls, is_finished: bool | None = False, owner: str | None = None) -> list[AnnotationInfo]:
        """The annotations of the current user (``owner=None``) or of the user with id ``owner``."""
        client = get_api_client()
        owner_id = client.user_current().id if owner is None else owner
        infos = [cls._from_api(a) for a in client.annotation_list(is_finished=is_finished)]
        return [info for info in infos if info.owner_id == owner_id]
