"""Teams, experts and routing rules of the calling installation."""
from __future__ import annotations

from flask import Blueprint, request

from sidecar.api.auth import allow, authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond
from sidecar.schemas import ExpertSchema, RoutingRuleListSchema, TeamSchema
from sidecar.services import directory

blueprint = Blueprint("directory", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)


def _committed(value):
    request_session().commit()
    return value


@blueprint.get("/teams")
@allow("read")
def list_teams():
    """The installation's teams."""
    teams = directory.list_teams(request_session(), installation=current_installation())
    return respond(TeamSchema(many=True), teams)


@blueprint.post("/teams")
def create_team():
    """Create a team."""
    data = json_body(TeamSchema())
    team = directory.create_team(request_session(), installation=current_installation(), data=data)
    return respond(TeamSchema(), _committed(team), 201)


@blueprint.get("/teams/<team_id>")
@allow("read")
def get_team(team_id: str):
    """One team."""
    return respond(TeamSchema(),
                   directory.get_team(request_session(), installation=current_installation(), team_id=team_id))


@blueprint.patch("/teams/<team_id>")
def update_team(team_id: str):
    """Change some fields of a team."""
    data = json_body(TeamSchema(partial=True))
    team = directory.update_team(request_session(), installation=current_installation(), team_id=team_id, data=data)
    return respond(TeamSchema(), _committed(team))


@blueprint.delete("/teams/<team_id>")
def delete_team(team_id: str):
    """Delete a team, its experts and the rules pointing at it."""
    directory.delete_team(request_session(), installation=current_installation(), team_id=team_id)
    _committed(None)
    return "", 204


@blueprint.get("/experts")
@allow("read")
def list_experts():
    """The installation's experts, optionally of one team (?team_id=)."""
    experts = directory.list_experts(request_session(), installation=current_installation(),
                                     team_id=request.args.get("team_id"))
    return respond(ExpertSchema(many=True), experts)


@blueprint.post("/experts")
def create_expert():
    """Create an expert."""
    data = json_body(ExpertSchema())
    expert = directory.create_expert(request_session(), installation=current_installation(), data=data)
    return respond(ExpertSchema(), _committed(expert), 201)


@blueprint.get("/experts/<expert_id>")
@allow("read")
def get_expert(expert_id: str):
    """One expert."""
    expert = directory.get_expert(request_session(), installation=current_installation(), expert_id=expert_id)
    return respond(ExpertSchema(), expert)


@blueprint.patch("/experts/<expert_id>")
def update_expert(expert_id: str):
    """Change some fields of an expert (out of office, capacity, team...)."""
    data = json_body(ExpertSchema(partial=True))
    expert = directory.update_expert(request_session(), installation=current_installation(), expert_id=expert_id,
                                     data=data)
    return respond(ExpertSchema(), _committed(expert))


@blueprint.delete("/experts/<expert_id>")
def delete_expert(expert_id: str):
    """Delete an expert."""
    directory.delete_expert(request_session(), installation=current_installation(), expert_id=expert_id)
    _committed(None)
    return "", 204


@blueprint.get("/routing-rules")
def list_rules():
    """The ordered routing rules."""
    rules = directory.list_rules(request_session(), installation=current_installation())
    return respond(RoutingRuleListSchema(), {"rules": rules})


@blueprint.put("/routing-rules")
def replace_rules():
    """Replace the ordered routing rules."""
    body = json_body(RoutingRuleListSchema())
    rules = directory.replace_rules(request_session(), installation=current_installation(), rules=body["rules"])
    return respond(RoutingRuleListSchema(), {"rules": _committed(rules)})
