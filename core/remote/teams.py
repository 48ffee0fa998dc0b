"""Teams as remote datasets and folders name them: Team objects from the server's replies, ids for requests."""

from __future__ import annotations

from typing import Any

from ..administration import Team
from ..client.models import ApiTeam


def team_from_api(team: ApiTeam) -> Team:
    """The administration ``Team`` of a team in a server reply."""
    return Team(id=team.id, name=team.name, organization_id=team.organization)


def team_ids(teams: Any) -> list[str]:
    """The ids of ``teams`` (Team objects or id strings)."""
    if isinstance(teams, (str, bytes)) or not hasattr(teams, "__iter__"):
        raise TypeError(f"Expected a list of teams (Team objects or team ids), got {teams!r}.")
    ids = []
    for team in teams:
        if isinstance(team, Team):
            ids.append(team.id)
        elif isinstance(team, str):
            ids.append(team)
        else:
            raise TypeError(f"{team!r} is neither a Team nor a team id string.")
    return ids
