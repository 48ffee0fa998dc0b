"""User and LoggedTime: users of a WEBKNOSSOS organization, their teams and their logged time per month."""

from __future__ import annotations

import attrs
from daedalus.core.client import get_api_client
from daedalus.core.client.models import ApiTeamMembership, ApiUser

from .errors import not_found_as
from .team import Team


@attrs.frozen
class LoggedTime:
    """The time a user logged in one month."""

    duration_in_seconds: int
    year: int
    month: int


@attrs.frozen
class User:
    """Represents a user of a webknossos instance; get users via ``get_current_user`` and ``get_all_managed_users``."""

    user_id: str
    email: str
    organization_id: str
    first_name: str
    last_name: str
    created: int
    last_activity: int
    teams: tuple[Team, ...]
    experiences: dict[str, int]
    is_active: bool
    is_admin: bool
    is_dataset_manager: bool

    @classmethod
    def _from_api(cls, api_user: ApiUser) -> User:
        return cls(
            user_id=api_user.id,
            email=api_user.email,
            organization_id=api_user.organization,
            first_name=api_user.first_name,
            last_name=api_user.last_name,
            created=api_user.created,
            last_activity=api_user.last_activity,
            teams=tuple(Team(id=t.id, name=t.name, organization_id=api_user.organization) for t in api_user.teams),
            experiences=dict(api_user.experiences),
            is_active=api_user.is_active,
            is_admin=api_user.is_admin,
            is_dataset_manager=api_user.is_dataset_manager,
        )

    def get_logged_times(self) -> list[LoggedTime]:
        """Get the logged times of this user: one ``LoggedTime`` per month."""
        reply = get_api_client().user_logged_time(user_id=self.user_id)
        return [
            LoggedTime(
                duration_in_seconds=t.duration_in_seconds, year=t.payment_interval.year, month=t.payment_interval.month
            )
            for t in reply.logged_time
        ]

    @classmethod
    def get_by_id(cls, id: str) -> User:  # noqa: A002 - the API's name
        """Returns the user specified by the passed id if your token authorizes you to see them."""
        with not_found_as(lambda: f"The user with id {id!r}", "check the id (User.get_all_managed_users() lists them)"):
            return cls._from_api(get_api_client().user_by_id(user_id=id))

    @classmethod
    def get_current_user(cls) -> User:
        """Returns the current user from the authentication context."""
        return cls._from_api(get_api_client().user_current())

    @classmethod
    def get_all_managed_users(cls) -> list[User]:
        """Returns all users of whom the current user is admin or team-manager."""
        return [cls._from_api(user) for user in get_api_client().user_list()]

    def assign_team_roles(self, team: str | Team, is_team_manager: bool) -> None:
        """Assigns the specified roles to the user for the specified team (a team name or a Team)."""
        client = get_api_client()
        with not_found_as(lambda: f"The user with id {self.user_id!r}", "fetch the user again with User.get_by_id"):
            api_user = client.user_by_id(user_id=self.user_id)
        team = Team.get_by_name(team) if isinstance(team, str) else team
        membership = ApiTeamMembership(id=team.id, name=team.name, is_team_manager=is_team_manager)
        teams = [t for t in api_user.teams if t.id != team.id]
        position = next((i for i, t in enumerate(api_user.teams) if t.id == team.id), len(teams))
        teams.insert(position, membership)
        client.user_update(user=attrs.evolve(api_user, teams=teams))
