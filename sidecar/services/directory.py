"""Teams, experts and routing rules of an installation: CRUD and the declarative experts file."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sidecar.errors import Conflict, InvalidInput, NotFound
from sidecar.schemas import ExpertSchema, RoutingRuleSchema, TeamSchema
from sidecar.services.audit import record_admin_change
from sidecar.store.models import Expert, Installation, RoutingRule, Team, utcnow

TEAM_FIELDS = tuple(name for name, f in TeamSchema().fields.items() if not f.dump_only)
EXPERT_FIELDS = tuple(name for name, f in ExpertSchema().fields.items() if not f.dump_only)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _jsonable(value: Any) -> Any:
    """Dates from the schema become ISO strings before they go into JSON columns."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _apply(row: Any, data: dict[str, Any], names: tuple[str, ...]) -> bool:
    """Copy fields onto a row; True if anything changed."""
    changed = False
    for name in names:
        if name not in data:
            continue
        value = _jsonable(data[name])
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed and hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    return changed


# --- teams ---------------------------------------------------------------------------------------


def list_teams(session: Session, *, installation: Installation) -> list[Team]:
    """The installation's teams by name."""
    return list(session.scalars(select(Team).where(Team.installation_id == installation.id).order_by(Team.name)))


def get_team(session: Session, *, installation: Installation, team_id: str) -> Team:
    """One team of this installation, or NotFound."""
    team = session.scalar(select(Team).where(Team.id == team_id, Team.installation_id == installation.id))
    if team is None:
        raise NotFound(f"no team {team_id!r}")
    return team


def _team_named(session: Session, installation: Installation, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.installation_id == installation.id, Team.name == name))


def create_team(session: Session, *, installation: Installation, data: dict[str, Any]) -> Team:
    """Create a team; its name must be new in this installation."""
    if _team_named(session, installation, data["name"]) is not None:
        raise Conflict(f"a team named {data['name']!r} already exists", code="duplicate_team")
    team = Team(id=_new_id("team"), installation_id=installation.id)
    _apply(team, {name: data.get(name) for name in TEAM_FIELDS if name in data}, TEAM_FIELDS)
    session.add(team)
    session.flush()
    record_admin_change(session, installation_id=installation.id, action="team.create", target=team.id,
                        detail=f"team {team.name}")
    return team


def update_team(session: Session, *, installation: Installation, team_id: str, data: dict[str, Any]) -> Team:
    """Change some fields of a team."""
    team = get_team(session, installation=installation, team_id=team_id)
    if "name" in data and data["name"] != team.name and _team_named(session, installation, data["name"]):
        raise Conflict(f"a team named {data['name']!r} already exists", code="duplicate_team")
    if _apply(team, data, TEAM_FIELDS):
        record_admin_change(session, installation_id=installation.id, action="team.update", target=team.id,
                            detail=f"team {team.name}: {', '.join(sorted(data))}")
    session.flush()
    return team


def delete_team(session: Session, *, installation: Installation, team_id: str) -> None:
    """Delete a team with its experts and the rules that point at it."""
    team = get_team(session, installation=installation, team_id=team_id)
    record_admin_change(session, installation_id=installation.id, action="team.delete", target=team.id,
                        detail=f"team {team.name} with its experts and rules")
    session.delete(team)
    session.flush()


# --- experts -------------------------------------------------------------------------------------


def list_experts(session: Session, *, installation: Installation, team_id: str | None = None) -> list[Expert]:
    """The installation's experts by name, optionally of one team."""
    query = select(Expert).where(Expert.installation_id == installation.id)
    if team_id:
        query = query.where(Expert.team_id == team_id)
    return list(session.scalars(query.order_by(Expert.name, Expert.email)))


def get_expert(session: Session, *, installation: Installation, expert_id: str) -> Expert:
    """One expert of this installation, or NotFound."""
    expert = session.scalar(select(Expert).where(Expert.id == expert_id, Expert.installation_id == installation.id))
    if expert is None:
        raise NotFound(f"no expert {expert_id!r}")
    return expert


def _check_team(session: Session, installation: Installation, team_id: str) -> None:
    try:
        get_team(session, installation=installation, team_id=team_id)
    except NotFound:
        # A well-formed id the installation does not have: the state decides, so 409 (as /openapi.json says).
        raise Conflict(f"no team {team_id!r} in this installation", code="unknown_team",
                       details={"team_id": team_id}) from None


def _expert_with_email(session: Session, installation: Installation, email: str) -> Expert | None:
    return session.scalar(
        select(Expert).where(Expert.installation_id == installation.id, Expert.email == email.lower()))


def create_expert(session: Session, *, installation: Installation, data: dict[str, Any]) -> Expert:
    """Create an expert in one of this installation's teams; emails are unique per installation."""
    _check_team(session, installation, data["team_id"])
    data = {**data, "email": data["email"].lower()}
    if _expert_with_email(session, installation, data["email"]) is not None:
        raise Conflict(f"an expert with email {data['email']!r} already exists", code="duplicate_expert")
    expert = Expert(id=_new_id("exp"), installation_id=installation.id)
    _apply(expert, data, EXPERT_FIELDS)
    session.add(expert)
    session.flush()
    record_admin_change(session, installation_id=installation.id, action="expert.create", target=expert.id,
                        detail=f"expert {expert.name}")
    return expert


def update_expert(session: Session, *, installation: Installation, expert_id: str, data: dict[str, Any]) -> Expert:
    """Change some fields of an expert (mark out of office, change capacity, move team...)."""
    expert = get_expert(session, installation=installation, expert_id=expert_id)
    if "team_id" in data:
        _check_team(session, installation, data["team_id"])
    if "email" in data:
        data = {**data, "email": data["email"].lower()}
        other = _expert_with_email(session, installation, data["email"])
        if other is not None and other.id != expert.id:
            raise Conflict(f"an expert with email {data['email']!r} already exists", code="duplicate_expert")
    if _apply(expert, data, EXPERT_FIELDS):
        record_admin_change(session, installation_id=installation.id, action="expert.update", target=expert.id,
                            detail=f"expert {expert.name}: {', '.join(sorted(data))}")
    session.flush()
    return expert


def delete_expert(session: Session, *, installation: Installation, expert_id: str) -> None:
    """Delete an expert."""
    expert = get_expert(session, installation=installation, expert_id=expert_id)
    record_admin_change(session, installation_id=installation.id, action="expert.delete", target=expert.id,
                        detail=f"expert {expert.name}")
    session.delete(expert)
    session.flush()


# --- rules ---------------------------------------------------------------------------------------


def list_rules(session: Session, *, installation: Installation) -> list[RoutingRule]:
    """The installation's routing rules in the order they are tried."""
    return list(
        session.scalars(
            select(RoutingRule).where(RoutingRule.installation_id == installation.id).order_by(RoutingRule.position)
        )
    )


def replace_rules(session: Session, *, installation: Installation, rules: list[dict[str, Any]]) -> list[RoutingRule]:
    """Make the ordered rule list exactly `rules` (rules are an ordered whole; partial edits confuse order)."""
    for index, rule in enumerate(rules):
        try:
            _check_team(session, installation, rule["team_id"])
        except Conflict as exc:
            raise Conflict(exc.message, code=exc.code, details={f"rules[{index}].team_id": rule["team_id"]}) from None
    current = list_rules(session, installation=installation)
    wanted = [(r["name"], r["team_id"], r["conditions"], r.get("enabled", True)) for r in rules]
    if wanted == [(r.name, r.team_id, r.conditions, r.enabled) for r in current]:
        return current  # nothing changes: keep ids and timestamps
    session.execute(delete(RoutingRule).where(RoutingRule.installation_id == installation.id))
    created = []
    for position, (name, team_id, conditions, enabled) in enumerate(wanted):
        row = RoutingRule(id=_new_id("rule"), installation_id=installation.id, position=position, name=name,
                          team_id=team_id, conditions=conditions, enabled=enabled)
        session.add(row)
        created.append(row)
    record_admin_change(session, installation_id=installation.id, action="routing_rules.replace",
                        target=f"{len(created)} rules", detail=", ".join(name for name, *_ in wanted)[:4000])
    session.flush()
    return created


# --- the experts file ----------------------------------------------------------------------------


@dataclass
class LoadSummary:
    """What loading an experts file changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rules: str = "not in file"

    def as_dict(self) -> dict[str, Any]:
        """Counts and names, for the CLI's summary."""
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "rules": self.rules}


def flatten_errors(prefix: str, messages: Any, out: list[str]) -> None:
    """Marshmallow messages as "where: what" lines (the experts file and the console show them so)."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            flatten_errors(name, value, out)
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out.append(f"{prefix}: {' '.join(messages)}")
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flatten_errors(f"{prefix}[{index}]", value, out)
    else:
        out.append(f"{prefix}: {messages}")


# A team of the experts file with its experts, as the file's JSON objects.
TeamEntry = tuple[dict[str, Any], list[dict[str, Any]]]


def parse_directory_document(document: Any) -> tuple[list[TeamEntry], list[dict[str, Any]] | None]:
    """Validate an experts file; return [(team, [experts])] and the rules (or None), or raise naming every problem."""
    errors: list[str] = []
    if not isinstance(document, dict):
        raise InvalidInput("the experts file must be a mapping with 'teams' (and optionally 'rules')")
    unknown = sorted(set(document) - {"teams", "rules"})
    if unknown:
        errors.append(f"unknown top-level key(s): {', '.join(unknown)} (expected teams, rules)")
    teams_in = document.get("teams") or []
    if not isinstance(teams_in, list):
        raise InvalidInput("'teams' must be a list")
    teams: list[TeamEntry] = []
    team_names: set[str] = set()
    emails: set[str] = set()
    for t_index, raw_team in enumerate(teams_in):
        parsed = _parse_team(f"teams[{t_index}]", raw_team, team_names, emails, errors)
        if parsed is not None:
            teams.append(parsed)
    rules = _parse_rules(document.get("rules") or [], team_names, errors) if "rules" in document else None
    if errors:
        raise InvalidInput(f"the experts file has {len(errors)} problem(s)", details={"problems": errors})
    return teams, rules


def _parse_team(where: str, raw_team: Any, team_names: set[str], emails: set[str],
                errors: list[str]) -> TeamEntry | None:
    """One team of the file and its experts, or None when the team itself is invalid (problems go to errors)."""
    if not isinstance(raw_team, dict):
        errors.append(f"{where}: must be a mapping")
        return None
    raw_team = dict(raw_team)
    raw_experts = raw_team.pop("experts", []) or []
    jira = raw_team.pop("jira", None)
    if isinstance(jira, dict):
        raw_team.setdefault("jira_project", jira.get("project"))
        raw_team.setdefault("jira_component", jira.get("component"))
    team = None
    try:
        team = TeamSchema().load(raw_team)
    except ValidationError as exc:
        flatten_errors(where, exc.messages, errors)  # keep going: report the experts' problems too
    if team is not None:
        if team["name"] in team_names:
            errors.append(f"{where}.name: team {team['name']!r} appears twice")
        team_names.add(team["name"])
    elif isinstance(raw_team.get("name"), str):
        team_names.add(raw_team["name"])
    experts = _parse_experts(where, raw_experts, emails, errors)
    return (team, experts) if team is not None else None


def _parse_experts(where: str, raw_experts: Any, emails: set[str], errors: list[str]) -> list[dict[str, Any]]:
    """A team's valid experts (e-mails lower-cased, each once in the whole file); problems go to errors."""
    experts = []
    for e_index, raw_expert in enumerate(raw_experts if isinstance(raw_experts, list) else [None]):
        e_where = f"{where}.experts[{e_index}]"
        if not isinstance(raw_expert, dict):
            errors.append(f"{e_where}: must be a mapping")
            continue
        raw_expert = dict(raw_expert)
        skills = raw_expert.pop("skills", None)
        if isinstance(skills, dict):
            raw_expert.setdefault("categories", skills.get("categories", []))
            raw_expert.setdefault("tags", skills.get("tags", []))
        try:
            expert = ExpertSchema().load({**raw_expert, "team_id": "(from file)"})
        except ValidationError as exc:
            flatten_errors(e_where, exc.messages, errors)
            continue
        expert["email"] = expert["email"].lower()
        if expert["email"] in emails:
            errors.append(f"{e_where}.email: {expert['email']} appears twice")
        emails.add(expert["email"])
        experts.append(expert)
    return experts


def _parse_rules(raw_rules: Any, team_names: set[str], errors: list[str]) -> list[dict[str, Any]]:
    """The file's valid routing rules, each naming a team of the file; problems go to errors."""
    rules = []
    for r_index, raw_rule in enumerate(raw_rules if isinstance(raw_rules, list) else [None]):
        r_where = f"rules[{r_index}]"
        if not isinstance(raw_rule, dict):
            errors.append(f"{r_where}: must be a mapping")
            continue
        raw_rule = dict(raw_rule)
        team_name = raw_rule.pop("team", None)
        if team_name not in team_names:
            errors.append(f"{r_where}.team: {team_name!r} is not a team in this file")
        try:
            rule = RoutingRuleSchema().load({**raw_rule, "team_id": "(from file)"})
        except ValidationError as exc:
            flatten_errors(r_where, exc.messages, errors)
            continue
        rule["team_name"] = team_name
        rules.append(rule)
    return rules


def load_directory(session: Session, *, installation: Installation, document: Any) -> LoadSummary:
    """Apply an experts file: upsert teams by name and experts by email, replace the rules if given.

    Teams and experts not in the file are kept (remove them through the API); loading the same file
    twice changes nothing.
    """
    teams, rules = parse_directory_document(document)
    summary = LoadSummary()
    team_ids: dict[str, str] = {}
    for team_data, experts in teams:
        team = _team_named(session, installation, team_data["name"])
        if team is None:
            team = create_team(session, installation=installation, data=team_data)
            summary.created.append(f"team {team.name}")
        elif _apply(team, team_data, TEAM_FIELDS):
            summary.updated.append(f"team {team.name}")
        else:
            summary.unchanged.append(f"team {team.name}")
        team_ids[team.name] = team.id
        for expert_data in experts:
            expert_data = {**expert_data, "team_id": team.id}
            expert = _expert_with_email(session, installation, expert_data["email"])
            if expert is None:
                create_expert(session, installation=installation, data=expert_data)
                summary.created.append(f"expert {expert_data['email']}")
            elif _apply(expert, expert_data, EXPERT_FIELDS):
                summary.updated.append(f"expert {expert.email}")
            else:
                summary.unchanged.append(f"expert {expert.email}")
    session.flush()
    if rules is not None:
        before = [(r.id) for r in list_rules(session, installation=installation)]
        resolved = [{**rule, "team_id": team_ids[rule["team_name"]]} for rule in rules]
        after = [r.id for r in replace_rules(session, installation=installation, rules=resolved)]
        summary.rules = "unchanged" if before == after else f"replaced ({len(after)} rules)"
    return summary
