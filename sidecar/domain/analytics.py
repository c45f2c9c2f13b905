"""The analytics' metrics, date ranges and periods: UTC days, both ends inclusive, weeks starting on Monday."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_RANGE_DAYS = 30  # no `from`: the 30 days ending on `to` (today by default)
MAX_RANGE_DAYS = 366
METRICS = ("assessments", "escalations", "ack_time", "resolve_time")
INTERVALS = ("day", "week")
# The days a range may name: enough for any real data, and far from the ends of the calendar (a range's
# end is compared with the next midnight, and a week starts on the Monday before).
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9999, 12, 30)


class DateRangeError(ValueError):
    """A range that cannot be answered; `parameter` names the query parameter at fault (`from` or `to`)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class DateRange:
    """UTC days from `start` to `end`, both included."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date | None, end: date | None, *, today: date) -> DateRange:
        """The range the query asks for: `to` defaults to today, `from` to 29 days before `to`; checked."""
        for name, day in (("from", start), ("to", end)):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise DateRangeError(name, f"`{name}` must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")
        end = end or today
        start = start or max(end - timedelta(days=DEFAULT_RANGE_DAYS - 1), FIRST_DAY)
        if start > end:
            raise DateRangeError("from", f"`from` ({start.isoformat()}) is after `to` ({end.isoformat()})")
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise DateRangeError("from", f"the range is {(end - start).days + 1} days; at most {MAX_RANGE_DAYS}")
        return cls(start, end)

    def bounds(self) -> tuple[datetime, datetime]:
        """[first instant, first instant after) of the range, in UTC: what created_at is compared with."""
        return (datetime.combine(self.start, time(), tzinfo=UTC),
                datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC))

    def periods(self, interval: str) -> list[date]:
        """The start of every period the range touches: each day, or each week's Monday."""
        if interval not in INTERVALS:
            raise ValueError(f"unknown interval {interval!r}")
        first, step = (self.start, 1) if interval == "day" else (week_start(self.start), 7)
        count = (self.end - first).days // step + 1
        return [first + timedelta(days=step * n) for n in range(count)]
