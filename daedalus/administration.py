"""``webknossos.administration``: users, teams, projects, tasks and task types of a WEBKNOSSOS organization."""

from daedalus.core.administration import Project, Task, TaskType, Team, User

__all__ = ["Project", "Task", "TaskType", "Team", "User"]
