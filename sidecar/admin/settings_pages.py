"""Routing rules, scoring and escalation settings: shown in words and edited as the JSON the /v1 endpoints take
(PUT /v1/routing-rules, /v1/settings/scoring, /v1/settings/escalation), through the same schemas and services."""
from __future__ import annotations

import json
from typing import Any

from flask import request, url_for
from marshmallow import Schema

from sidecar.admin.console import blueprint, installation, render_page, saved
from sidecar.api.context import request_session
from sidecar.errors import InvalidInput
from sidecar.intelligence.routing_rules import CONDITIONS
from sidecar.schemas import EscalationSettingsSchema, RoutingRuleListSchema, ScoringSettingsSchema
from sidecar.services import directory
from sidecar.services.escalation_settings import escalation_settings, update_escalation_settings
from sidecar.services.scoring_settings import effective_scoring_settings, update_scoring_settings

NOTICES = {"rules": "The routing rules are saved.", "scoring": "The scoring settings are saved.",
           "escalation": "The escalation settings are saved."}


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _loaded(schema: Schema, text: str) -> dict[str, Any]:
    """The textarea's JSON through the endpoint's schema; bad JSON is named like the API names it."""
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the JSON is not valid: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise InvalidInput("the JSON must be an object ({...})")
    return schema.load(data)


def _rules_page(text: str | None = None, errors: list[str] | None = None) -> str:
    session = request_session()
    rules = directory.list_rules(session, installation=installation())
    teams = {team.id: team.name for team in directory.list_teams(session, installation=installation())}
    document = {"rules": RoutingRuleListSchema().dump({"rules": rules})["rules"]}
    for rule in document["rules"]:
        rule.pop("id", None)
    return render_page("routing_rules.html", title="Routing rules", rules=rules, teams=teams, errors=errors,
                       conditions=CONDITIONS,
                       text=text if text is not None else _pretty(document),
                       notice=NOTICES.get(request.args.get("done", "")))


@blueprint.get("/routing-rules")
def routing_rules():
    """The ordered rules in words, and their JSON to edit."""
    return _rules_page()


@blueprint.post("/routing-rules")
def save_routing_rules():
    """Replace the rules with the JSON sent (PUT /v1/routing-rules's body)."""
    text = request.form.get("rules", "")

    def apply():
        body = _loaded(RoutingRuleListSchema(), text)
        directory.replace_rules(request_session(), installation=installation(), rules=body["rules"])
    return saved(apply, then=url_for("admin.routing_rules", done="rules"),
                 refused=lambda lines: _rules_page(text, lines))


def _settings_page(texts: dict[str, str] | None = None, errors: list[str] | None = None) -> str:
    scoring = effective_scoring_settings(installation())
    escalation = escalation_settings(installation())
    shown = {"scoring": _pretty(scoring["overrides"]),
             "escalation": _pretty(EscalationSettingsSchema().dump(escalation)), **(texts or {})}
    return render_page("settings.html", title="Scoring and escalation settings", scoring=scoring,
                       escalation=escalation, texts=shown, errors=errors,
                       notice=NOTICES.get(request.args.get("done", "")))


@blueprint.get("/settings")
def settings():
    """Scoring and escalation settings in effect, and the overrides to edit."""
    return _settings_page()


@blueprint.post("/settings/scoring")
def save_scoring():
    """Replace the scoring overrides (PUT /v1/settings/scoring's body)."""
    text = request.form.get("scoring", "")

    def apply():
        session = request_session()
        update_scoring_settings(session, installation=session.merge(installation()),
                                overrides=_loaded(ScoringSettingsSchema(), text))
    return saved(apply, then=url_for("admin.settings", done="scoring"),
                 refused=lambda lines: _settings_page({"scoring": text}, lines))


@blueprint.post("/settings/escalation")
def save_escalation():
    """Change the escalation settings (PUT /v1/settings/escalation's body)."""
    text = request.form.get("escalation", "")

    def apply():
        session = request_session()
        update_escalation_settings(session, installation=session.merge(installation()),
                                   changes=_loaded(EscalationSettingsSchema(), text))
    return saved(apply, then=url_for("admin.settings", done="escalation"),
                 refused=lambda lines: _settings_page({"escalation": text}, lines))
