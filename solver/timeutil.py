"""Local wall-clock times in the scenario's zone, across clock changes (zoneinfo)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from solver.domain import ShiftTemplate


def tour_start_end(template: ShiftTemplate, day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Aware local start and end of ``template`` worked on ``day`` (the date it starts).

    An end at or before the start is on the next day. On a clock-change night the tour is
    23 h or 25 h of wall-clock arithmetic away, so lengths come from UTC, never naive sums.
    """
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(day, template.start, tzinfo=zone)
    end_day = day + dt.timedelta(days=1) if template.crosses_midnight else day
    end = dt.datetime.combine(end_day, template.end, tzinfo=zone)
    return start, end


def elapsed_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Real minutes between two aware datetimes (UTC difference)."""
    return int((end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() // 60)


def tour_minutes(template: ShiftTemplate, day: dt.date, timezone: str) -> int:
    """Real length of a tour in minutes, clock changes included."""
    start, end = tour_start_end(template, day, timezone)
    return elapsed_minutes(start, end)
