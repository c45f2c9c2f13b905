"""Routes and similar incidents: the stored form is exactly what the API's schemas dump."""
from __future__ import annotations

import dataclasses

import pytest

from sidecar.domain.records import Route, RouteAlternative, RouteExpert, RouteTeam, SimilarIncident
from sidecar.schemas import RouteSchema, SimilarIncidentSchema

TEAM = RouteTeam(id="team_1", name="Billing", slack_channel="#billing", jira_project="BILL", jira_component=None)
EXPERT = RouteExpert(id="exp_1", name="Ana Ruiz", email="ana@example.com", slack_user_id="U1", jira_account_id=None,
                     available_now=True, score=0.812, reasons=("billing skills", "solved 2 similar"))
ROUTES = [
    Route(team=TEAM, expert=EXPERT, confidence=0.9, reasons=("rule matched",),
          alternatives=(RouteAlternative(team=TEAM, expert=dataclasses.replace(EXPERT, id="exp_2"), confidence=0.9,
                                         reasons=("also billing",)),
                        RouteAlternative(team=dataclasses.replace(TEAM, id="team_2"), expert=None, confidence=0.2)),
          model_version="rules+router-3"),
    Route(team=None, expert=None, confidence=0.0, reasons=("no team is a clear fit",)),
]
INCIDENT = SimilarIncident(source="jira", id="ENG-1", kind="jira_issue", title="Refund stuck", status="Open",
                           resolution=None, url="https://jira.example.com/browse/ENG-1", solved_by=None,
                           assignee="ana@example.com", group_name="Billing", score=0.4321)


@pytest.mark.parametrize("route", ROUTES)
def test_a_route_is_stored_as_the_api_shows_it(route):
    assert route.to_mapping() == RouteSchema().dump(route)
    assert list(route.to_mapping()) == list(RouteSchema().dump(route))


def test_a_similar_incident_is_stored_as_the_api_shows_it():
    assert INCIDENT.to_mapping() == SimilarIncidentSchema().dump(INCIDENT)
    assert list(INCIDENT.to_mapping()) == list(SimilarIncidentSchema().dump(INCIDENT))


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        INCIDENT.score = 1.0  # type: ignore[misc]
