"""The directory page: teams and experts (create, edit, remove, out of office), and where each team's next
ticket goes now. Every change goes through services/directory.py and the /v1 schemas, as the API's do."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import request, url_for

from sidecar.admin.console import blueprint, installation, render_page, saved
from sidecar.admin.forms import expert_data, expert_form, form_values, team_data
from sidecar.api.context import request_session
from sidecar.intelligence.assessment import CATEGORIES
from sidecar.schemas import ExpertSchema, TeamSchema
from sidecar.schemas.directory import TIMEZONES
from sidecar.services import directory
from sidecar.services.next_routes import next_route

NOTICES = {
    "team-saved": "The team is saved.", "team-removed": "The team, its experts and its rules are removed.",
    "expert-saved": "The expert is saved.", "expert-removed": "The expert is removed.",
    "away": "The expert is out of office; the next route below reflects it.",
    "back": "The expert is back in office; the next route below reflects it.",
}


def _today() -> date:
    return datetime.now(UTC).date()


def _page_context() -> dict[str, Any]:
    session = request_session()
    teams = directory.list_teams(session, installation=installation())
    shown_team = request.args.get("team") or ""
    experts = directory.list_experts(session, installation=installation(), team_id=shown_team or None)
    by_team: dict[str, list[Any]] = {}
    for expert in experts:
        by_team.setdefault(expert.team_id, []).append(expert)
    shown = [t for t in teams if not shown_team or t.id == shown_team]
    return {"teams": teams, "shown_teams": shown, "experts_by_team": by_team, "shown_team": shown_team,
            "next_routes": {t.id: next_route(session, team=t) for t in shown}, "categories": CATEGORIES,
            "timezones": TIMEZONES, "today": _today().isoformat()}


def _directory_page(status: int = 200, **context: Any):
    page = {"title": "Directory", "team_form": {}, "expert_form": {}, "errors": None,
            "notice": NOTICES.get(request.args.get("done", "")), **_page_context()}
    page.update(context)
    return render_page("directory.html", **page), status


def _saved(change: Callable[[], Any], done: str, refused: Callable[[list[str]], Any]):
    return saved(change, then=url_for("admin.directory_page", done=done), refused=refused)


@blueprint.get("/directory")
def directory_page():
    """Teams with their experts and next route; forms to add either."""
    return _directory_page()


def _team_refused(lines: list[str]):
    return _directory_page(errors=lines, team_form=form_values(request.form))[0]


@blueprint.post("/directory/teams")
def create_team():
    """Create a team from the form."""
    def change():
        data = TeamSchema().load(team_data(request.form))
        directory.create_team(request_session(), installation=installation(), data=data)
    return _saved(change, "team-saved", _team_refused)


@blueprint.post("/directory/teams/<team_id>")
def update_team(team_id: str):
    """Change a team from its form."""
    def change():
        data = TeamSchema().load(team_data(request.form))
        directory.update_team(request_session(), installation=installation(), team_id=team_id, data=data)
    return _saved(change, "team-saved", _team_refused)


@blueprint.post("/directory/teams/<team_id>/delete")
def delete_team(team_id: str):
    """Remove a team with its experts and rules."""
    return _saved(lambda: directory.delete_team(request_session(), installation=installation(), team_id=team_id),
                  "team-removed", _team_refused)


@blueprint.post("/directory/experts")
def create_expert():
    """Create an expert from the form."""
    def change():
        data = ExpertSchema().load(expert_data(request.form))
        directory.create_expert(request_session(), installation=installation(), data=data)
    return _saved(change, "expert-saved",
                  lambda lines: _directory_page(errors=lines, expert_form=form_values(request.form))[0])


@blueprint.get("/directory/experts/<expert_id>")
def edit_expert(expert_id: str):
    """The form of one expert."""
    expert = directory.get_expert(request_session(), installation=installation(), expert_id=expert_id)
    return _expert_page(expert_form(expert))


def _expert_page(values: dict[str, Any], errors: list[str] | None = None):
    teams = directory.list_teams(request_session(), installation=installation())
    return render_page("expert.html", title=f"Expert: {values.get('name') or 'edit'}", expert=values, teams=teams,
                       categories=CATEGORIES, timezones=TIMEZONES, errors=errors)


@blueprint.post("/directory/experts/<expert_id>")
def update_expert(expert_id: str):
    """Change an expert from the edit form."""
    def change():
        data = ExpertSchema().load(expert_data(request.form))
        directory.update_expert(request_session(), installation=installation(), expert_id=expert_id, data=data)
    return _saved(change, "expert-saved",
                  lambda lines: _expert_page({**form_values(request.form), "id": expert_id}, lines))


@blueprint.post("/directory/experts/<expert_id>/delete")
def delete_expert(expert_id: str):
    """Remove an expert."""
    return _saved(lambda: directory.delete_expert(request_session(), installation=installation(),
                                                  expert_id=expert_id), "expert-removed", _team_refused)


def _change_out_of_office(expert_id: str, periods: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    session = request_session()
    expert = directory.get_expert(session, installation=installation(), expert_id=expert_id)
    data = ExpertSchema(partial=True).load({"out_of_office": periods(list(expert.out_of_office or []))})
    directory.update_expert(session, installation=installation(), expert_id=expert_id, data=data)


@blueprint.post("/directory/experts/<expert_id>/away")
def mark_away(expert_id: str):
    """Mark an expert out of office from today until the date given (today when none)."""
    until = request.form.get("until") or _today().isoformat()
    period = {"start": _today().isoformat(), "end": until, "note": "marked in the console"}
    return _saved(lambda: _change_out_of_office(expert_id, lambda periods: [*periods, period]), "away",
                  _team_refused)


@blueprint.post("/directory/experts/<expert_id>/back")
def mark_back(expert_id: str):
    """End every out-of-office period that covers today (it ends yesterday, or goes when it began today)."""
    today, yesterday = _today().isoformat(), (_today() - timedelta(days=1)).isoformat()

    def ended(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for period in periods:
            covers = str(period.get("start")) <= today <= str(period.get("end"))
            if not covers:
                kept.append(period)
            elif str(period.get("start")) < today:
                kept.append({**period, "end": yesterday})
        return kept
    return _saved(lambda: _change_out_of_office(expert_id, ended), "back", _team_refused)
