"""Team: a team of a WEBKNOSSOS organization (list, look up, create, delete, add users)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from daedalus.core.client import get_api_client
from daedalus.core.client.models import ApiTeam, ApiTeamAdd

from .errors import NoSuchItemError

if TYPE_CHECKING:
    from .user import User


@attrs.frozen
class Team:
    """A team of the current user's organization."""

    id: str
    name: str
    organization_id: str

    @classmethod
    def _from_api(cls, api_team: ApiTeam) -> Team:
        return cls(id=api_team.id, name=api_team.name, organization_id=api_team.organization)

    @classmethod
    def get_list(cls) -> list[Team]:
        """Returns all teams of the current user."""
        return [cls._from_api(team) for team in get_api_client().team_list()]

    @classmethod
    def _find(cls, key: str, value: str) -> Team:
        teams = cls.get_list()
        for team in teams:
            if getattr(team, key) == value:
                return team
        known = ", ".join(sorted(t.name for t in teams)) or "none"
        raise NoSuchItemError(
            f"Could not find a team with {key} {value!r} among the teams the current user can see ({known}). "
            "Check the spelling, or ask an admin to add the token's user to that team."
        )

    @classmethod
    def get_by_id(cls, team_id: str) -> Team:
        """Returns the Team specified by the passed ID."""
        return cls._find("id", team_id)

    @classmethod
    def get_by_name(cls, name: str) -> Team:
        """Returns the Team specified by the passed name if your token authorizes you to see it."""
        return cls._find("name", name)

    @classmethod
    def add(cls, team_name: str) -> Team:
        """Adds a new team with the specified name."""
        get_api_client().team_add(team=ApiTeamAdd(name=team_name))
        try:
            return cls.get_by_name(team_name)
        except NoSuchItemError:
            raise NoSuchItemError(
                f"The server accepted the new team {team_name!r} but does not list it for the current user; "
                "look for it in the WEBKNOSSOS team administration before adding it again."
            ) from None

    def add_user(self, user: User, *, is_team_manager: bool = False) -> None:
        """Adds a user to the team."""
        user.assign_team_roles(self, is_team_manager)

    def delete(self) -> None:
        """Deletes the team."""
        get_api_client().team_delete(team_id=self.id)
