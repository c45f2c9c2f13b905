"""Escalation analytics: what was assessed and escalated, how fast experts answered, how agents rated it.

Everything is computed in SQL on SQLite and PostgreSQL alike, on statements planned around the indexes
of the models (see `ix_escalations_*`, `ix_assessments_level`, `ix_jobs_failed`): counts over an index
on (installation_id, created_at, ...) or with one seek per status, category, team or level; the
summary's percentiles by walking an index in value order to the rank, the series' with window
functions (ROW_NUMBER and COUNT over each period); periods with a small dialect-aware expression
(`period_start`). Python only fills in the periods that had nothing and adds up a few grouped rows; it
never sees one row per escalation. At 100,000 escalations a 90-day summary takes tens of milliseconds
on SQLite (bench/analytics_summary.py).

A row counts in a range by its created_at. Times to acknowledge and resolve are those of the
escalations created in the range (stored in seconds by the lifecycle). Percentiles are nearest-rank:
p90 is the smallest value that at least 90% of the values are at or below.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, select
from sqlalchemy.orm import Session

from sidecar.domain.analytics import INTERVALS, METRICS, DateRange, DateRangeError
from sidecar.domain.statuses import (
    AssessmentLevel,
    EscalationStatus,
    FeedbackRating,
    JobStatus,
    Recommendation,
)
from sidecar.errors import InvalidInput
from sidecar.store.models import JOB_FAILED_ONCE, AssessmentFeedback, AssessmentRecord, Escalation, Job, utcnow

__all__ = ["METRICS", "DateRange", "parse_range", "period_start", "summary", "timeseries"]

NONE = "none"  # the key of escalations with no category, or routed to no team
PERCENTILES = (50, 90)
TIMEZONE = "UTC"

ESCALATIONS = Escalation.__table__
ASSESSMENTS = AssessmentRecord.__table__
FEEDBACK = AssessmentFeedback.__table__
JOBS = Job.__table__


def parse_range(from_text: str | None, to_text: str | None, today: date) -> DateRange:
    """The range of a `from`/`to` query given as text (YYYY-MM-DD); 422 naming the parameter when wrong."""
    days = {}
    for name, text in (("from", from_text), ("to", to_text)):
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            raise InvalidInput(f"`{name}` is not a date (YYYY-MM-DD)", details={name: ["Not a valid date."]}) \
                from None
    try:
        return DateRange.of(days["from"], days["to"], today=today)
    except DateRangeError as exc:
        raise InvalidInput(exc.message, details={exc.parameter: [exc.message]}) from None


def period_start(column: Any, interval: str, dialect: str) -> ColumnElement[Any]:
    """The UTC day (or the Monday of the week) a stored time falls in, as the database spells it."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}")
    if dialect == "postgresql":
        return cast(func.date_trunc(interval, func.timezone(TIMEZONE, column)), Date)
    # SQLite keeps times as UTC text; 'weekday 0' moves to the coming Sunday (or stays on one), -6 days to its Monday.
    return func.date(column) if interval == "day" else func.date(column, "weekday 0", "-6 days")


def _in_range(table: Any, installation_id: str, span: DateRange) -> ColumnElement[bool]:
    start, end = span.bounds()
    return and_(table.c.installation_id == installation_id, table.c.created_at >= start, table.c.created_at < end)


def _percentile_statement(value: Any, where: ColumnElement[bool], bucket: Any) -> Any:
    """(period, sample_size, p50, p90) per period of the non-null `value`s: ranks by window functions.

    Nearest rank: the p-th percentile is the value whose 1-based rank r in its period is the first with
    100 r >= p n, that is r = ceil(p n / 100), written without division so both databases agree.
    """
    # The period is computed once per row, below the windows that partition by it.
    rows = select(bucket.label("period"), value.label("value")).where(where, value.is_not(None)).subquery()
    ranked = select(rows.c.period, rows.c.value,
                    func.row_number().over(partition_by=rows.c.period, order_by=rows.c.value).label("rank"),
                    func.count().over(partition_by=rows.c.period).label("n")).subquery()
    picks = [func.max(case((and_(ranked.c.rank * 100 >= ranked.c.n * p, (ranked.c.rank - 1) * 100 < ranked.c.n * p),
                            ranked.c.value))).label(f"p{p}") for p in PERCENTILES]
    return select(ranked.c.period, func.max(ranked.c.n).label("sample_size"), *picks).group_by(ranked.c.period)


def _percentiles(row: Any) -> dict[str, Any]:
    count = int(row.sample_size or 0) if row is not None else 0
    return {"count": count, **{f"p{p}": (float(getattr(row, f"p{p}")) if count else None) for p in PERCENTILES}}


def _nearest_ranks(session: Session, value: Any, where: ColumnElement[bool], count: int) -> dict[str, Any]:
    """{"count", "p50", "p90"} of the `count` non-null `value`s matching `where`, one ORDER BY/OFFSET each.

    With an index on (installation_id, value, created_at) the database walks the values in order and
    stops at the rank (no sort), from the nearer end: p90 is the (n - rank + 1)-th largest.
    """
    found: dict[str, Any] = {"count": count}
    for p in PERCENTILES:
        rank = (p * count + 99) // 100  # ceil(p n / 100), 1-based
        if not count:
            found[f"p{p}"] = None
            continue
        order, offset = (value, rank - 1) if rank <= count - rank else (value.desc(), count - rank)
        picked = session.execute(
            select(value).where(where, value.is_not(None)).order_by(order).limit(1).offset(offset)).scalar()
        # None only when rows left the range since they were counted (a reopen, a purge; PostgreSQL reads
        # each statement afresh): no percentile rather than a wrong one.
        found[f"p{p}"] = float(picked) if picked is not None else None
    return found


# --------------------------------------------------------------------------------------------------
# Summary


def summary(session: Session, *, installation_id: str, start: date, end: date, ack_minutes: int,
            now: datetime | None = None) -> dict[str, Any]:
    """Counts, breakdowns, times to acknowledge and resolve, SLA breaches, feedback and delivery of a range."""
    span = DateRange(start, end)
    totals = _escalation_totals(session, installation_id, span, ack_minutes=ack_minutes, now=now or utcnow())
    in_range = _in_range(ESCALATIONS, installation_id, span)
    e = ESCALATIONS.c
    by_status = dict.fromkeys((str(status) for status in EscalationStatus), 0)
    by_status.update(_count_by(session, e.status, installation_id, span, values=list(by_status)))
    return {
        "from": start.isoformat(), "to": end.isoformat(), "timezone": TIMEZONE,
        "assessments": _assessment_counts(session, installation_id, span),
        "escalations": {"total": totals.total, "by_category": _count_by(session, e.category, installation_id, span),
                        "by_team": _count_by(session, e.team_name, installation_id, span), "by_status": by_status},
        "time_to_acknowledge_seconds": _nearest_ranks(session, e.ack_seconds, in_range, int(totals.acknowledged)),
        "time_to_resolve_seconds": _nearest_ranks(session, e.resolve_seconds, in_range, int(totals.resolved)),
        "ack_sla_minutes": ack_minutes,
        "ack_sla_breaches": int(totals.breaches),
        "feedback": _feedback_counts(session, installation_id, span),
        "suggested_expert_kept_rate": round(int(totals.kept) / int(totals.suggested), 4) if totals.suggested else None,
        "delivery": _delivery_counts(session, installation_id, span),
    }


def _assessment_filter(installation_id: str, span: DateRange) -> ColumnElement[bool]:
    """The range's assessments, spelt so that the (installation, level, recommendation, created_at) index
    answers with one seek per level and recommendation instead of reading the whole range and sorting it."""
    a = ASSESSMENTS.c
    return and_(_in_range(ASSESSMENTS, installation_id, span), a.level.in_([str(level) for level in AssessmentLevel]),
                a.recommendation.in_([str(r) for r in Recommendation]))


def _assessment_counts(session: Session, installation_id: str, span: DateRange) -> dict[str, Any]:
    rows: Sequence[Any] = session.execute(select(ASSESSMENTS.c.level, ASSESSMENTS.c.recommendation, func.count())
                                          .where(_assessment_filter(installation_id, span))
                                          .group_by(ASSESSMENTS.c.level, ASSESSMENTS.c.recommendation)).all()
    by_level = dict.fromkeys((str(level) for level in AssessmentLevel), 0)
    recommended = 0
    for level, recommendation, count in rows:
        by_level[level] += count
        if recommendation == Recommendation.ESCALATE:
            recommended += count
    return {"total": sum(by_level.values()), "by_level": by_level, "recommended_escalation": recommended}


def _escalation_totals(session: Session, installation_id: str, span: DateRange, *, ack_minutes: int,
                       now: datetime) -> Any:
    """One pass over the range's escalations (from the covering index): how many, acknowledged, resolved,
    with a suggested expert, kept, and late to be acknowledged."""
    e = ESCALATIONS.c
    # Acknowledged later than the SLA, or still open and unacknowledged past it.
    breach = (e.ack_seconds > ack_minutes * 60) | and_(
        e.ack_seconds.is_(None), e.status != EscalationStatus.RESOLVED,
        e.created_at < now - timedelta(minutes=ack_minutes))
    return session.execute(select(
        func.count().label("total"), func.count(e.ack_seconds).label("acknowledged"),
        func.count(e.resolve_seconds).label("resolved"), func.count(e.suggested_expert_id).label("suggested"),
        func.count().filter(e.chosen_expert_id == e.suggested_expert_id).label("kept"),
        func.count().filter(breach).label("breaches")).where(_in_range(ESCALATIONS, installation_id, span))).one()


def _count_by(session: Session, column: Any, installation_id: str, span: DateRange,
              values: list[str] | None = None) -> dict[str, int]:
    """The range's escalations per value of `column` ("none" for NULL), largest first.

    The values are found first, one index seek each (a loose index scan over (installation_id, column,
    created_at)), so the counting is one seek per value too: no pass over the range, no sort.
    """
    e = ESCALATIONS.c
    if values is None:
        values = []
        while (found := session.execute(select(func.min(column)).where(
                e.installation_id == installation_id, column > values[-1] if values else column.is_not(None)))
               .scalar()) is not None:
            values.append(found)
    where = _in_range(ESCALATIONS, installation_id, span)
    counts: dict[str, int] = {}
    if values:
        rows: Sequence[Any] = session.execute(
            select(column, func.count()).where(where, column.in_(values)).group_by(column)).all()
        counts.update({str(value): int(count) for value, count in rows})
    nothing = session.execute(select(func.count()).where(where, column.is_(None))).scalar_one() \
        if column.nullable else 0
    if nothing:
        counts[NONE] = counts.get(NONE, 0) + nothing
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _feedback_counts(session: Session, installation_id: str, span: DateRange) -> dict[str, int]:
    rows: Sequence[Any] = session.execute(select(FEEDBACK.c.rating, func.count())
                                          .where(_in_range(FEEDBACK, installation_id, span))
                                          .group_by(FEEDBACK.c.rating)).all()
    counts = dict.fromkeys((str(rating) for rating in FeedbackRating), 0)
    counts.update({str(rating): int(count) for rating, count in rows if rating in counts})
    return counts


def _delivery_counts(session: Session, installation_id: str, span: DateRange) -> dict[str, int]:
    """Jobs made in the range: dead now, and the others that ran more than once.

    Both are read from the partial index of such jobs (`JOB_FAILED_ONCE`, a few percent of all jobs).
    """
    j = JOBS.c
    row = session.execute(select(func.count().filter(j.status == JobStatus.DEAD).label("dead"),
                                 func.count().filter(j.status != JobStatus.DEAD).label("retried"))
                          .where(_in_range(JOBS, installation_id, span), JOB_FAILED_ONCE)).one()
    return {"dead_jobs": int(row.dead), "retried_jobs": int(row.retried)}


# --------------------------------------------------------------------------------------------------
# Time series


def timeseries(session: Session, *, installation_id: str, metric: str, interval: str, start: date,
               end: date) -> dict[str, Any]:
    """Per day or week of the range: how many assessments or escalations, or the times to acknowledge or
    resolve (count, p50, p90); every period is present."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    span = DateRange(start, end)
    dialect = session.get_bind().dialect.name
    table = ASSESSMENTS if metric == "assessments" else ESCALATIONS
    bucket = period_start(table.c.created_at, interval, dialect)
    where = _assessment_filter(installation_id, span) if metric == "assessments" else _in_range(
        table, installation_id, span)
    if metric in ("assessments", "escalations"):
        found = {_day(period): {"count": count} for period, count in session.execute(
            select(bucket.label("period"), func.count()).where(where).group_by(bucket))}
        empty: dict[str, Any] = {"count": 0}
    else:
        value = ESCALATIONS.c.ack_seconds if metric == "ack_time" else ESCALATIONS.c.resolve_seconds
        found = {_day(row.period): _percentiles(row)
                 for row in session.execute(_percentile_statement(value, where, bucket))}
        empty = _percentiles(None)
    return {"metric": metric, "interval": interval, "from": start.isoformat(), "to": end.isoformat(),
            "timezone": TIMEZONE, "points": _points(span.periods(interval), found, empty)}


def _day(value: Any) -> str:
    """A period as the database hands it back (SQLite: text, PostgreSQL: a date) as YYYY-MM-DD."""
    return (value if isinstance(value, str) else value.isoformat())[:10]


def _points(periods: Sequence[date], found: dict[str, dict[str, Any]], empty: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"period": day.isoformat(), **found.get(day.isoformat(), empty)} for day in periods]
