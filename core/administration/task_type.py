"""TaskType: what annotators do in a task (name, description, team, tracing type and viewer settings)."""

from __future__ import annotations

import copy
from typing import Any, Literal

import attrs
from daedalus.core.client import get_api_client
from daedalus.core.client.models import ApiTaskType, ApiTaskTypeCreate

from .errors import NoSuchItemError, not_found_as
from .team import Team

DEFAULT_TASK_TYPE_SETTINGS: dict[str, Any] = {
    "mergerMode": False,
    "magRestrictions": {"min": 1, "max": 1},
    "somaClickingAllowed": True,
    "volumeInterpolationAllowed": False,
    "allowedModes": [],
    "preferredMode": None,
    "branchPointsAllowed": True,
    "clippingDistance": 80,
    "moveValue": 500,
    "displayScalebars": False,
    "newNodeNewTree": False,
    "centerNewNode": True,
    "tdViewDisplayPlanes": "WIREFRAME",
    "tdViewDisplayDatasetBorders": True,
    "tdViewDisplayLayerBorders": False,
    "dynamicSpaceDirection": True,
    "highlightCommentedNodes": False,
    "overrideNodeRadius": True,
    "particleSize": 5,
    "keyboardDelay": 0,
    "displayCrosshair": True,
    "useLegacyBindings": False,
    "fourBit": False,
    "interpolation": True,
    "segmentationOpacity": 0,
    "segmentationPatternOpacity": 40,
    "zoom": 0.8,
    "renderMissingDataBlack": False,
    "loadingStrategy": "BEST_QUALITY_FIRST",
    "clippingDistanceArbitrary": 60,
    "moveValue3d": 600,
    "mouseRotateValue": 0.001,
    "rotateValue": 0.01,
    "sphericalCapRadius": 500,
    "brushSize": 50,
}
TRACING_TYPES = ("skeleton", "volume", "hybrid")


@attrs.frozen
class TaskType:
    """A task type of WEBKNOSSOS; ``name`` is what the server calls its summary."""

    task_type_id: str
    name: str
    description: str
    team_id: str
    team_name: str
    settings: dict[str, Any] | None = None
    tracingType: str | None = None  # noqa: N815 - the API's name

    @classmethod
    def _from_api(cls, api_task_type: ApiTaskType) -> TaskType:
        return cls(
            task_type_id=api_task_type.id,
            name=api_task_type.summary,
            description=api_task_type.description,
            team_id=api_task_type.team_id,
            team_name=api_task_type.team_name,
            settings=api_task_type.settings,
            tracingType=api_task_type.tracing_type,
        )

    @classmethod
    def get_list(cls) -> list[TaskType]:
        """Retrieve all task types the current user may see."""
        return [cls._from_api(t) for t in get_api_client().task_type_list()]

    @classmethod
    def get_by_id(cls, task_type_id: str) -> TaskType:
        """Retrieve a task type by its id (NotFoundError, an ApiClientError, if it does not exist or is hidden)."""
        with not_found_as(
            lambda: f"The task type with id {task_type_id!r}", "check the id, or use TaskType.get_by_name"
        ):
            return cls._from_api(get_api_client().get_task_type(task_type_id=task_type_id))

    @classmethod
    def get_by_name(cls, name: str) -> TaskType:
        """Get a task type by its name among those the current user sees (NoSuchItemError, a ValueError, if none)."""
        task_types = cls.get_list()
        for task_type in task_types:
            if task_type.name == name:
                return task_type
        known = ", ".join(sorted(t.name for t in task_types)) or "none"
        raise NoSuchItemError(
            f"Task type with name {name!r} not found among the task types the current user can see ({known}). "
            "Check the spelling, or create it with TaskType.create."
        )

    @classmethod
    def create(
        cls,
        name: str,
        description: str,
        team: str | Team,
        tracing_type: Literal["skeleton", "volume", "hybrid"] = "skeleton",
        settings: dict[str, Any] = DEFAULT_TASK_TYPE_SETTINGS,
    ) -> TaskType:
        """Creates a new task type for ``team`` (a team name or a Team) and returns it."""
        if tracing_type not in TRACING_TYPES:
            raise ValueError(f"tracing_type={tracing_type!r} is not one of {', '.join(TRACING_TYPES)}.")
        team = Team.get_by_name(team) if isinstance(team, str) else team
        api_task_type = ApiTaskTypeCreate(
            summary=name,
            description=description,
            team_id=team.id,
            team_name=team.name,
            tracing_type=tracing_type,
            settings=copy.deepcopy(dict(settings)),
        )
        return cls._from_api(get_api_client().task_type_create(task_type=api_task_type))

    def delete(self) -> None:
        """Deletes the task type."""
        with not_found_as(
            lambda: f"The task type {self.name!r} (id {self.task_type_id!r})", "it may be deleted already"
        ):
            get_api_client().task_type_delete(task_type_id=self.task_type_id)
