"""Task, TaskStatus and TaskExperience: WEBKNOSSOS tasks (create, list, look up, update, delete, their annotations)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from daedalus.core.client import get_api_client, get_organization_id
from daedalus.core.client.models import (
    ApiBoundingBox,
    ApiExperience,
    ApiNmlTaskParameters,
    ApiTask,
    ApiTaskCreationResult,
    ApiTaskParameters,
)
from daedalus.core.geometry import BoundingBox, Vec3Float, Vec3Int, Vec3IntLike

from .errors import TaskCreationError, TaskParameterError, not_found_as
from .project import Project
from .task_type import TaskType

if TYPE_CHECKING:
    from daedalus.core.annotation import Annotation
    from daedalus.core.annotation.annotation_info import AnnotationInfo


@attrs.frozen
class TaskStatus:
    """How many instances of a task are pending, active and finished."""

    pending_instance_count: int
    active_instance_count: int
    finished_instance_count: int

    @property
    def open_instance_count(self) -> int:
        """Deprecated name of ``pending_instance_count``."""
        warnings.warn(
            "TaskStatus.open_instance_count is deprecated; use pending_instance_count.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.pending_instance_count


@attrs.frozen
class TaskExperience:
    """The experience (domain and minimum value) a user needs to get a task."""

    domain: str
    value: int


def _type_and_project(task_type_id: str | TaskType, project_name: str | Project) -> tuple[str, str]:
    """The task type id and the project name of ``Task.create``'s arguments (objects or plain strings)."""
    type_id = task_type_id.task_type_id if isinstance(task_type_id, TaskType) else str(task_type_id)
    project = project_name.name if isinstance(project_name, Project) else str(project_name)
    return type_id, project


def _api_box(box: BoundingBox | None) -> ApiBoundingBox | None:
    if box is None:
        return None
    size = box.size_xyz
    return ApiBoundingBox(top_left=tuple(box.topleft_xyz), width=size.x, height=size.y, depth=size.z)


def _dataset_id(dataset_id: Any, dataset_name: Any) -> str:
    """The id of the dataset a task is created for, from an id, a dataset object or (deprecated) a name."""
    if dataset_id is not None:
        return str(getattr(dataset_id, "dataset_id", dataset_id))
    if dataset_name is None:
        raise TaskParameterError("Please provide a dataset_id (a dataset id or a RemoteDataset) to create a task.")
    warnings.warn("Task.create(dataset_name=...) is deprecated; pass dataset_id.", DeprecationWarning, stacklevel=3)
    if hasattr(dataset_name, "dataset_id"):
        return str(dataset_name.dataset_id)
    return get_api_client().dataset_id_from_name(
        directory_name=str(dataset_name), organization_id=get_organization_id()
    )


def _created_tasks(result: ApiTaskCreationResult, asked: str) -> list[Task]:
    """The tasks the server created; warns about server warnings and partial failures, raises if none was created."""
    for warning in result.warnings:
        warnings.warn(f"WEBKNOSSOS warned while creating {asked}: {warning}", UserWarning, stacklevel=3)
    created = [Task._from_api(r.success) for r in result.tasks if r.success is not None]
    errors = [r.error or "no reason given" for r in result.tasks if r.success is None]
    if errors and not created:
        raise TaskCreationError(
            f"WEBKNOSSOS created none of {asked}: {'; '.join(errors)}. Nothing was created; fix the parameters "
            "(task type, project, dataset, position) and try again.",
            errors,
        )
    if errors:
        ids = ", ".join(t.task_id for t in created)
        warnings.warn(
            f"WEBKNOSSOS created only {len(created)} of {len(result.tasks)} tasks of {asked} (ids {ids}); "
            f"the others failed: {'; '.join(errors)}. The created tasks stay on the server; delete them with "
            "Task.delete() if you retry.",
            UserWarning,
            stacklevel=3,
        )
    return created


def _annotation_files(annotations: list[Annotation]) -> list[tuple[str, bytes]]:
    """Each annotation as ``(<name>.zip, zip bytes)``."""
    files = []
    with tempfile.TemporaryDirectory(prefix="daedalus-task-") as scratch:
        for index, annotation in enumerate(annotations):
            path = Path(scratch) / str(index) / f"{annotation.name}.zip"
            path.parent.mkdir()
            annotation.save(path)
            files.append((path.name, path.read_bytes()))
    return files


@attrs.frozen
class Task:
    """Data class containing information about a WEBKNOSSOS task."""

    task_id: str
    project_id: str
    dataset_id: str
    status: TaskStatus
    task_type: TaskType
    experience: TaskExperience
    edit_position: Vec3Int
    edit_rotation: Vec3Float
    script_id: str | None = None
    bounding_box: BoundingBox | None = None

    @classmethod
    def _from_api(cls, api_task: ApiTask) -> Task:
        box = api_task.bounding_box
        return cls(
            task_id=api_task.id,
            project_id=api_task.project_id,
            dataset_id=api_task.dataset_id,
            status=TaskStatus(api_task.status.pending, api_task.status.active, api_task.status.finished),
            task_type=TaskType._from_api(api_task.type),
            experience=TaskExperience(api_task.needed_experience.domain, api_task.needed_experience.value),
            edit_position=Vec3Int(api_task.edit_position),
            edit_rotation=Vec3Float(tuple(float(v) for v in api_task.edit_rotation)),
            script_id=None if api_task.script is None else api_task.script.id,
            bounding_box=None if box is None else BoundingBox(box.top_left, (box.width, box.height, box.depth)),
        )

    @classmethod
    def get_by_id(cls, task_id: str) -> Task:
        """Retrieve a task by its id (NotFoundError, an ApiClientError, if it does not exist or is hidden)."""
        with not_found_as(lambda: f"The task with id {task_id!r}", "check the id (Task.get_list() lists the tasks)"):
            return cls._from_api(get_api_client().task_info(task_id=task_id))

    @classmethod
    def get_list(cls) -> list[Task]:
        """Retrieve all tasks visible to the current user."""
        return [cls._from_api(t) for t in get_api_client().task_list()]

    @classmethod
    def create(
        cls,
        task_type_id: str | TaskType,
        project_name: str | Project,
        needed_experience_domain: str,
        needed_experience_value: int,
        starting_position: Vec3IntLike,
        dataset_id: Any,
        dataset_name: Any = None,
        starting_rotation: Vec3IntLike = Vec3Int(0, 0, 0),
        instances: int = 1,
        script_id: str | None = None,
        bounding_box: BoundingBox | None = None,
    ) -> list[Task]:
        """Submit ``instances`` instances of a task on a dataset (an id or an object with ``dataset_id``)."""
        type_id, project = _type_and_project(task_type_id, project_name)
        parameters = ApiTaskParameters(
            task_type_id=type_id,
            needed_experience=ApiExperience(domain=needed_experience_domain, value=needed_experience_value),
            pending_instances=instances,
            project_name=project,
            script_id=script_id,
            bounding_box=_api_box(bounding_box),
            dataset_id=_dataset_id(dataset_id, dataset_name),
            edit_position=tuple(Vec3Int(starting_position)),
            edit_rotation=tuple(Vec3Int(starting_rotation)),
        )
        result = get_api_client().tasks_create(task_parameters=[parameters])
        return _created_tasks(result, f"{instances} instance(s) of a task of type {type_id!r} in project {project!r}")

    @classmethod
    def create_from_annotations(
        cls,
        task_type_id: str | TaskType,
        project_name: str | Project,
        base_annotations: list[Annotation],
        needed_experience_domain: str,
        needed_experience_value: int,
        instances: int = 1,
        script_id: str | None = None,
        bounding_box: BoundingBox | None = None,
    ) -> list[Task]:
        """Create one task per base annotation (each uploaded as a zip), ``instances`` instances each."""
        if not base_annotations:
            raise TaskParameterError("Task.create_from_annotations needs at least one annotation in base_annotations.")
        type_id, project = _type_and_project(task_type_id, project_name)
        parameters = ApiNmlTaskParameters(
            task_type_id=type_id,
            needed_experience=ApiExperience(domain=needed_experience_domain, value=needed_experience_value),
            pending_instances=instances,
            project_name=project,
            script_id=script_id,
            bounding_box=_api_box(bounding_box),
        )
        result = get_api_client().tasks_create_from_files(
            nml_task_parameters=parameters, annotation_files=_annotation_files(list(base_annotations))
        )
        asked = f"tasks of type {type_id!r} in project {project!r} from {len(base_annotations)} annotation(s)"
        return _created_tasks(result, asked)

    def get_project(self) -> Project:
        """Returns the project this task belongs to."""
        return Project.get_by_id(self.project_id)

    def get_annotation_infos(self) -> list[AnnotationInfo]:
        """AnnotationInfo objects of all instances of this task that annotators have started."""
        from daedalus.core.annotation.annotation_info import AnnotationInfo

        with not_found_as(lambda: f"The task with id {self.task_id!r}", "it may have been deleted"):
            api_annotations = get_api_client().annotation_infos_by_task(task_id=self.task_id)
        return [AnnotationInfo._from_api(a) for a in api_annotations]

    def update(self, remaining_instances: int) -> Task:
        """Set the number of remaining (pending) instances of this task; returns the task as the server has it now."""
        project = self.get_project()
        parameters = ApiTaskParameters(
            task_type_id=self.task_type.task_type_id,
            needed_experience=ApiExperience(domain=self.experience.domain, value=self.experience.value),
            pending_instances=remaining_instances,
            project_name=project.name,
            script_id=self.script_id,
            bounding_box=_api_box(self.bounding_box),
            dataset_id=self.dataset_id,
            edit_position=tuple(self.edit_position),
            edit_rotation=tuple(self.edit_rotation),
        )
        with not_found_as(lambda: f"The task with id {self.task_id!r}", "it may have been deleted"):
            return Task._from_api(get_api_client().task_update(task_id=self.task_id, task_parameters=parameters))

    def delete(self) -> None:
        """Deletes this task. WARNING: This is irreversible!"""
        with not_found_as(lambda: f"The task with id {self.task_id!r}", "it may be deleted already"):
            get_api_client().task_delete(task_id=self.task_id)
