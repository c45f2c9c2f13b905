"""The analytics SQL on its own (SQLite, and PostgreSQL when the suite runs there): counts, percentiles,
periods, SLA breaches, the kept rate, delivery, and one installation never seeing another's rows."""
from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from sidecar.domain.analytics import DateRange, DateRangeError, week_start
from sidecar.errors import InvalidInput
from sidecar.services import analytics, lifecycle
from sidecar.store.models import AssessmentFeedback, AssessmentRecord, Escalation, Job

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)  # a Sunday
DAY = date(2026, 12, 6)


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def _escalation(installation_id: str, created_at: datetime, **columns) -> Escalation:
    columns.setdefault("status", "delivered")
    return Escalation(id="esc_" + secrets.token_hex(8), installation_id=installation_id, ticket_source="zendesk",
                      ticket_external_id=secrets.token_hex(4), created_at=created_at, updated_at=created_at,
                      context={}, **columns)


def _assessment(installation_id: str, created_at: datetime, level: str = "low",
                recommendation: str = "none") -> AssessmentRecord:
    return AssessmentRecord(id="asm_" + secrets.token_hex(8), installation_id=installation_id, ticket_source="zendesk",
                            ticket_external_id="1", score=0.5, level=level, recommendation=recommendation,
                            model_version="rules", result={}, ticket={}, created_at=created_at)


def _add(database, *rows) -> None:
    with database.session() as session:
        session.add_all(rows)
        session.commit()


def _summary(database, installation_id: str, start: date = DAY - timedelta(days=6), end: date = DAY,
             ack_minutes: int = 30) -> dict:
    with database.session() as session:
        return analytics.summary(session, installation_id=installation_id, start=start, end=end,
                                 ack_minutes=ack_minutes, now=NOW)


def _series(database, installation_id: str, metric: str, interval: str, start: date, end: date) -> list[dict]:
    with database.session() as session:
        return analytics.timeseries(session, installation_id=installation_id, metric=metric, interval=interval,
                                    start=start, end=end)["points"]


def test_percentiles_are_nearest_rank_over_the_escalations_made_in_the_range(database, installation):
    iid = installation["id"]
    _add(database, *[_escalation(iid, NOW - timedelta(hours=n), ack_seconds=float(10 * (n + 1)),
                                 acknowledged_at=NOW) for n in range(10)],
         _escalation(iid, NOW - timedelta(days=20), ack_seconds=5000.0, acknowledged_at=NOW),  # before the range
         _escalation(iid, NOW, status="resolved", resolve_seconds=300.0, acknowledged_at=NOW, ack_seconds=1.0))
    answer = _summary(database, iid)
    # 11 values 1, 10, 20 ... 100: rank ceil(0.5 * 11) = 6 is 50, rank ceil(0.9 * 11) = 10 is 90.
    assert answer["time_to_acknowledge_seconds"] == {"count": 11, "p50": 50.0, "p90": 90.0}
    assert answer["time_to_resolve_seconds"] == {"count": 1, "p50": 300.0, "p90": 300.0}
    empty = _summary(database, iid, start=DAY - timedelta(days=60), end=DAY - timedelta(days=40))
    assert empty["time_to_acknowledge_seconds"] == {"count": 0, "p50": None, "p90": None}


def test_week_periods_start_on_monday_and_empty_periods_are_present(database, installation):
    iid = installation["id"]
    sunday, monday = datetime(2026, 11, 29, 23, 59, tzinfo=UTC), datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    _add(database, _escalation(iid, sunday), _escalation(iid, monday), _escalation(iid, NOW),
         _escalation(iid, datetime(2026, 12, 3, 12, tzinfo=UTC), ack_seconds=60.0, acknowledged_at=NOW),
         _escalation(iid, datetime(2026, 12, 3, 13, tzinfo=UTC), ack_seconds=180.0, acknowledged_at=NOW))
    weeks = _series(database, iid, "escalations", "week", date(2026, 11, 20), DAY)
    assert weeks == [{"period": "2026-11-16", "count": 0}, {"period": "2026-11-23", "count": 1},
                     {"period": "2026-11-30", "count": 4}]
    days = _series(database, iid, "escalations", "day", date(2026, 11, 29), date(2026, 12, 4))
    assert [(p["period"], p["count"]) for p in days] == [
        ("2026-11-29", 1), ("2026-11-30", 1), ("2026-12-01", 0), ("2026-12-02", 0), ("2026-12-03", 2),
        ("2026-12-04", 0)]
    ack = _series(database, iid, "ack_time", "day", date(2026, 12, 2), date(2026, 12, 3))
    assert ack == [{"period": "2026-12-02", "count": 0, "p50": None, "p90": None},
                   {"period": "2026-12-03", "count": 2, "p50": 60.0, "p90": 180.0}]


def test_a_day_runs_from_midnight_to_midnight_utc(database, installation):
    iid = installation["id"]
    _add(database, _escalation(iid, datetime(2026, 12, 5, 23, 59, 59, tzinfo=UTC)),
         _escalation(iid, datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),
         _escalation(iid, datetime(2026, 12, 7, 0, 0, tzinfo=UTC)))
    assert _summary(database, iid, start=DAY, end=DAY)["escalations"]["total"] == 1
    assert _summary(database, iid, start=DAY - timedelta(days=1), end=DAY)["escalations"]["total"] == 2


def test_sla_breaches_are_late_acknowledgements_and_open_escalations_nobody_acknowledged(database, installation):
    iid = installation["id"]
    _add(database,
         _escalation(iid, NOW - timedelta(hours=3), acknowledged_at=NOW, ack_seconds=10 * 60.0),  # in time
         _escalation(iid, NOW - timedelta(hours=3), acknowledged_at=NOW, ack_seconds=45 * 60.0),  # late
         _escalation(iid, NOW - timedelta(hours=2)),  # open, nobody acknowledged: a breach
         _escalation(iid, NOW - timedelta(hours=2), status="failed"),  # failed is open too
         _escalation(iid, NOW - timedelta(minutes=5)),  # not late yet
         _escalation(iid, NOW - timedelta(hours=2), status="resolved", resolve_seconds=600.0))  # resolved unasked
    assert _summary(database, iid)["ack_sla_breaches"] == 3
    answer = _summary(database, iid, ack_minutes=60)
    assert answer["ack_sla_breaches"] == 2 and answer["ack_sla_minutes"] == 60


def test_breakdowns_list_every_status_and_none_for_no_category_or_team(database, installation):
    iid = installation["id"]
    _add(database, _escalation(iid, NOW, category="billing_refund", team_name="Billing"),
         _escalation(iid, NOW, category="billing_refund", team_name="Billing", status="resolved"),
         _escalation(iid, NOW, category="bug_incident", team_name=None, status="pending"))
    escalations = _summary(database, iid)["escalations"]
    assert escalations == {"total": 3, "by_category": {"billing_refund": 2, "bug_incident": 1},
                           "by_team": {"Billing": 2, "none": 1},
                           "by_status": {"pending": 1, "delivered": 1, "failed": 0, "resolved": 1}}


def test_the_kept_rate_counts_escalations_sent_to_the_suggested_expert(database, installation):
    iid = installation["id"]
    assert _summary(database, iid)["suggested_expert_kept_rate"] is None
    _add(database, _escalation(iid, NOW, suggested_expert_id="exp_a", chosen_expert_id="exp_a"),
         _escalation(iid, NOW, suggested_expert_id="exp_a", chosen_expert_id="exp_b"),  # the agent chose another
         _escalation(iid, NOW, suggested_expert_id="exp_c", chosen_expert_id="exp_c"),
         _escalation(iid, NOW, suggested_expert_id="exp_d", chosen_expert_id=None),  # sent to the team only
         _escalation(iid, NOW, chosen_expert_id="exp_e"))  # nothing suggested: not counted
    assert _summary(database, iid)["suggested_expert_kept_rate"] == 0.5


def test_assessments_feedback_and_delivery_are_counted_by_when_they_were_made(database, installation):
    iid = installation["id"]
    rated = _assessment(iid, NOW, "critical", "escalate")
    _add(database, rated, _assessment(iid, NOW, "high", "escalate"), _assessment(iid, NOW, "low"),
         _assessment(iid, NOW - timedelta(days=30), "medium"))
    _add(database, AssessmentFeedback(installation_id=iid, assessment_id=rated.id, rating="right", created_at=NOW),
         AssessmentFeedback(installation_id=iid, assessment_id=rated.id, rating="wrong", created_at=NOW),
         AssessmentFeedback(installation_id=iid, assessment_id=rated.id, rating="wrong", created_at=NOW))
    _add(database, *[Job(id=f"job_{n}", installation_id=iid, kind="escalation.jira_issue", status=status,
                         attempts=attempts, created_at=NOW)
                     for n, (status, attempts) in enumerate([("dead", 8), ("dead", 1), ("done", 1), ("done", 3),
                                                             ("queued", 2), ("queued", 1), ("running", 1)])])
    answer = _summary(database, iid)
    assert answer["assessments"] == {"total": 3, "by_level": {"low": 1, "medium": 0, "high": 1, "critical": 1},
                                     "recommended_escalation": 2}
    assert answer["feedback"] == {"right": 1, "wrong": 2}
    # Dead (after one attempt or eight), and the others that ran more than once: done after 3, queued for its 3rd.
    assert answer["delivery"] == {"dead_jobs": 2, "retried_jobs": 2}
    assert [p["count"] for p in _series(database, iid, "assessments", "day", DAY - timedelta(days=1), DAY)] == [0, 3]


def test_an_installation_sees_only_its_own_rows(database, make_installation):
    mine, theirs = make_installation("Mine")["id"], make_installation("Theirs")["id"]
    _add(database, _escalation(theirs, NOW, acknowledged_at=NOW, ack_seconds=60.0, category="bug_incident"),
         _assessment(theirs, NOW, "critical", "escalate"),
         Job(id="job_theirs", installation_id=theirs, kind="k", status="dead", attempts=8, created_at=NOW))
    _add(database, _escalation(mine, NOW))
    answer = _summary(database, mine)
    assert answer["escalations"]["total"] == 1 and answer["escalations"]["by_category"] == {"none": 1}
    assert answer["assessments"]["total"] == 0 and answer["time_to_acknowledge_seconds"]["count"] == 0
    assert answer["delivery"]["dead_jobs"] == 0
    assert _series(database, mine, "ack_time", "week", DAY, DAY)[0]["count"] == 0


def test_the_lifecycle_stores_the_times_to_acknowledge_and_resolve(database, installation):
    with database.session() as session:
        escalation = lifecycle.start(session, installation_id=installation["id"], source="zendesk", ticket_id="1",
                                     fields={"context": {}}, max_attempts=3)
        escalation.created_at = escalation.created_at - timedelta(minutes=2)
        lifecycle.acknowledge(session, escalation, who="Ana", user_id="U1")
        lifecycle.resolve(session, escalation, resolution="Fixed", status="Done", actor=None)
        assert 119 < escalation.ack_seconds < 125 and 119 < escalation.resolve_seconds < 125
        lifecycle.reopen(session, escalation, system="jira", actor=None, why="Reopened")
        assert escalation.resolve_seconds is None and escalation.ack_seconds is not None


def test_ranges_default_to_the_30_days_ending_today_and_refuse_what_they_cannot_answer():
    assert DateRange.of(None, None, today=DAY) == DateRange(date(2026, 11, 7), DAY)
    assert DateRange.of(None, date(2026, 1, 31), today=DAY).start == date(2026, 1, 2)
    assert analytics.parse_range("2026-12-01", None, DAY) == DateRange(date(2026, 12, 1), DAY)
    assert DateRange(date(2026, 12, 2), DAY).periods("week") == [date(2026, 11, 30)]
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30) and week_start(date(2026, 11, 30)) == date(2026, 11, 30)
    with pytest.raises(DateRangeError) as after:
        DateRange.of(date(2026, 12, 7), DAY, today=DAY)
    assert after.value.parameter == "from"
    assert DateRange.of(date(2025, 12, 6), DAY, today=DAY).start == date(2025, 12, 6)  # 366 days
    with pytest.raises(DateRangeError):
        DateRange.of(date(2025, 12, 5), DAY, today=DAY)
    with pytest.raises(InvalidInput) as bad:
        analytics.parse_range(None, "2026-13-01", DAY)
    assert "to" in bad.value.details
