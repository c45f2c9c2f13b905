"""Who the next ticket of each team goes to right now, ranked exactly as routing ranks a team's experts.

The console shows it beside the directory ("next ticket for Billing goes to Ana"), so that marking an
expert out of office, changing skills or capacity visibly changes where work goes. The ticket is a stand-in
of the team's own categories with no words of its own; its id is fixed per team, so the hash that breaks
ties between equal experts gives the same answer until something real changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sidecar.domain.records import RouteExpert
from sidecar.intelligence.ticket import Ticket
from sidecar.services.routing import next_expert
from sidecar.store.models import Team


@dataclass(frozen=True)
class NextRoute:
    """A team and the expert its next ticket would go to (None: nobody can take one now)."""

    team_id: str
    team_name: str
    expert: RouteExpert | None

    @property
    def sentence(self) -> str:
        """The answer in words."""
        if self.expert is None:
            return f"Nobody in {self.team_name} can take the next ticket now (no active expert in office)"
        when = "available now" if self.expert.available_now else "outside working hours"
        return f"Next ticket for {self.team_name} goes to {self.expert.name} ({when})"


def next_route(session: Session, *, team: Team, now: datetime | None = None) -> NextRoute:
    """Where the team's next ticket goes now, by routing's own ranking of its experts."""
    stand_in = Ticket(id=f"next:{team.id}", source="console")
    expert = next_expert(session, installation_id=team.installation_id, team_id=team.id, ticket=stand_in,
                         categories={name: 1.0 for name in team.categories or ()}, now=now)
    return NextRoute(team_id=team.id, team_name=team.name, expert=expert)
