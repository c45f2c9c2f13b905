"""The analytics page: the time series and breakdowns of GET /v1/analytics as charts (Chart.js, vendored), with
a table under each chart for screen readers and keyboard users. The figures are embedded as JSON in the page
(<script type="application/json">) and drawn by static/analytics.js, so the page needs no inline script."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import request

from sidecar.admin.console import blueprint, installation, render_page
from sidecar.admin.forms import problems
from sidecar.api.context import request_session
from sidecar.errors import InvalidInput
from sidecar.services.analytics import parse_range, summary, timeseries
from sidecar.services.installations import installation_settings

WEEKLY_FROM_DAYS = 92  # a longer range is drawn per week: a point per day would be unreadable


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


def _duration(seconds: Any) -> str:
    """Seconds in words for a figure: 45 s, 12 min, 3.5 h."""
    if seconds is None:
        return "no data"
    value = float(seconds)
    if value < 90:
        return f"{value:.0f} s"
    if value < 5400:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def _series(installation_id: str, start: Any, end: Any, interval: str) -> dict[str, Any]:
    session = request_session()
    points = {metric: timeseries(session, installation_id=installation_id, metric=metric, interval=interval,
                                 start=start, end=end)["points"]
              for metric in ("assessments", "escalations", "ack_time", "resolve_time")}
    return {"periods": [p["period"] for p in points["assessments"]],
            "assessments": [p["count"] for p in points["assessments"]],
            "escalations": [p["count"] for p in points["escalations"]],
            "ack_p50_minutes": [_minutes(p.get("p50")) for p in points["ack_time"]],
            "resolve_p50_minutes": [_minutes(p.get("p50")) for p in points["resolve_time"]]}


def _breakdowns(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each breakdown as [name, count] pairs, in the summary's order (levels low to critical, the largest
    category first): a JSON object would come out with its keys sorted."""
    escalations = figures["escalations"]
    shown = (("by-level", "Assessments by level", figures["assessments"]["by_level"]),
             ("by-category", "Escalations by category", escalations["by_category"]),
             ("by-team", "Escalations by team", escalations["by_team"]),
             ("by-status", "Escalations by status", escalations["by_status"]))
    return [{"id": key, "title": title, "counts": [[name, count] for name, count in counts.items()]}
            for key, title, counts in shown]


@blueprint.get("/")
def analytics():
    """Figures, time series and breakdowns of a date range (?from=&to=, the last 30 days by default)."""
    today = datetime.now(UTC).date()
    errors = None
    try:
        span = parse_range(request.args.get("from") or None, request.args.get("to") or None, today)
    except InvalidInput as exc:
        errors, span = problems(exc), parse_range(None, None, today)
    ack_minutes = installation_settings(installation()).escalation.ack_minutes
    figures = summary(request_session(), installation_id=installation().id, start=span.start, end=span.end,
                      ack_minutes=ack_minutes)
    interval = "week" if (span.end - span.start).days >= WEEKLY_FROM_DAYS else "day"
    series = _series(installation().id, span.start, span.end, interval)
    breakdowns = _breakdowns(figures)
    return render_page("analytics.html", title="Analytics", figures=figures, series=series, interval=interval,
                       breakdowns=breakdowns, start=span.start.isoformat(), end=span.end.isoformat(), errors=errors,
                       ack_text=_duration(figures["time_to_acknowledge_seconds"]["p50"]),
                       resolve_text=_duration(figures["time_to_resolve_seconds"]["p50"]),
                       chart_data={"series": series, "interval": interval, "breakdowns": breakdowns})
