"""Administration of a WEBKNOSSOS organization (``webknossos.administration``): users, teams, projects, tasks."""

from .errors import NoSuchItemError, NotFoundError, TaskCreationError, TaskParameterError
from .project import Project
from .task import Task, TaskExperience, TaskStatus
from .task_type import TaskType
from .team import Team
from .user import LoggedTime, User

__all__ = [
    "LoggedTime",
    "NoSuchItemError",
    "NotFoundError",
    "Project",
    "Task",
    "TaskCreationError",
    "TaskExperience",
    "TaskParameterError",
    "TaskStatus",
    "TaskType",
    "Team",
    "User",
]
