"""Project: a WEBKNOSSOS project (a named group of tasks with a team, owner, priority and expected time)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import attrs
from daedalus.core.client import get_api_client
from daedalus.core.client.models import ApiProject, ApiProjectCreate

from .errors import not_found_as
from .team import Team
from .user import User

if TYPE_CHECKING:
    from .task import Task

TASK_PAGE_SIZE = 1000


@attrs.define
class Project:
    """Data class containing information about a WEBKNOSSOS project."""

    project_id: str
    name: str
    team_id: str
    team_name: str
    owner_id: str | None
    priority: int
    paused: bool
    expected_time: int | None
    is_blacklisted_from_report: bool

    @classmethod
    def _from_api(cls, api_project: ApiProject) -> Project:
        return cls(
            project_id=api_project.id,
            name=api_project.name,
            team_id=api_project.team,
            team_name=api_project.team_name,
            owner_id=None if api_project.owner is None else api_project.owner.id,
            priority=api_project.priority,
            paused=api_project.paused,
            expected_time=api_project.expected_time,
            is_blacklisted_from_report=api_project.is_blacklisted_from_report,
        )

    @classmethod
    def get_by_id(cls, project_id: str) -> Project:
        """Retrieve a project by its id (NotFoundError, an ApiClientError, if it does not exist or is hidden)."""
        with not_found_as(lambda: f"The project with id {project_id!r}", "check the id, or use Project.get_by_name"):
            return cls._from_api(get_api_client().project_info_by_id(project_id=project_id))

    @classmethod
    def get_by_name(cls, name: str) -> Project:
        """Retrieve a project by its unique name (NotFoundError, also a ValueError, if there is none)."""
        with not_found_as(
            lambda: f"The project named {name!r}", "check the spelling, or create it with Project.create"
        ):
            return cls._from_api(get_api_client().project_info_by_name(project_name=name))

    @classmethod
    def create(
        cls,
        name: str,
        team: str | Team,
        expected_time: int | None,
        priority: int = 100,
        paused: bool = False,
        is_blacklisted_from_report: bool = False,
        owner: str | User | None = None,
    ) -> Project:
        """Creates a new project; ``team`` is a Team or a team id, ``owner`` defaults to the current user."""
        team_id = team.id if isinstance(team, Team) else str(team)
        if owner is None:
            owner_id = User.get_current_user().user_id
        else:
            owner_id = owner.user_id if isinstance(owner, User) else str(owner)
        api_project = ApiProjectCreate(
            name=name,
            team=team_id,
            priority=priority,
            paused=paused,
            is_blacklisted_from_report=is_blacklisted_from_report,
            expected_time=expected_time,
            owner=owner_id,
        )
        return cls._from_api(get_api_client().project_create(project=api_project))

    def delete(self) -> None:
        """Deletes this project from server. WARNING: This is irreversible!"""
        with not_found_as(lambda: f"The project {self.name!r} (id {self.project_id!r})", "it may be deleted already"):
            get_api_client().project_delete(project_id=self.project_id)

    def update(
        self,
        priority: int | None = None,
        expected_time: int | None = None,
        is_blacklisted_from_report: bool | None = None,
    ) -> Project:
        """Update priority, expected time and report blacklisting (None keeps a value); returns the updated project."""
        api_project = ApiProjectCreate(
            name=self.name,
            team=self.team_id,
            priority=self.priority if priority is None else priority,
            paused=self.paused,
            is_blacklisted_from_report=(
                self.is_blacklisted_from_report if is_blacklisted_from_report is None else is_blacklisted_from_report
            ),
            expected_time=self.expected_time if expected_time is None else expected_time,
            owner=self.owner_id,
        )
        with not_found_as(lambda: f"The project {self.name!r} (id {self.project_id!r})", "it may have been deleted"):
            updated = get_api_client().project_update(project_id=self.project_id, project=api_project)
        return Project._from_api(updated)

    def get_tasks(self, fetch_all: bool = False) -> list[Task]:
        """The project's tasks: the first 1000 (with a warning if there are more), or all with ``fetch_all=True``."""
        from .task import Task

        client = get_api_client()
        tasks: list[Task] = []
        page = 0
        while True:
            with not_found_as(
                lambda: f"The project {self.name!r} (id {self.project_id!r})", "it may have been deleted"
            ):
                api_tasks, total = client.task_infos_by_project_id_paginated(
                    project_id=self.project_id, limit=TASK_PAGE_SIZE, page_number=page
                )
            tasks.extend(Task._from_api(t) for t in api_tasks)
            if len(tasks) >= total or len(api_tasks) < TASK_PAGE_SIZE:
                return tasks
            if not fetch_all:
                warnings.warn(
                    f"Project {self.name!r} has {total} tasks; fetched only the first {len(tasks)}. "
                    "Pass fetch_all=True to fetch all of them page by page.",
                    UserWarning,
                    stacklevel=2,
                )
                return tasks
            page += 1

    def get_owner(self) -> User:
        """Returns the user that is the owner of this project."""
        if self.owner_id is None:
            raise ValueError(f"Project {self.name!r} (id {self.project_id!r}) has no owner on the server.")
        return User.get_by_id(self.owner_id)
