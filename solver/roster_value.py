"""What a patrol unit on a shift is worth: hotspot harm x risk in the shift's hours.

Plain functions, no solver: the roster engine, the route planner and the reports use the same
numbers. A tour's hours are walked in real (UTC) time between its aware local start and end, so
a Night across a clock change covers 23 or 25 hours of risk, each hour read in local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from solver.domain import Hotspot, Scenario, ShiftTemplate
from solver.timeutil import tour_start_end

#: Points a unit is worth on the most valuable shift of the horizon (the first unit there).
VALUE_SCALE = 100.0


def shift_risk(hotspot: Hotspot, template: ShiftTemplate, day: dt.date, timezone: str) -> float:
    """Risk of ``hotspot`` summed over the hours of ``template`` worked on ``day``.

    Each local hour of the week contributes its relative risk times the fraction of that hour
    inside the tour (so a 07:30 start counts half of the 07:00 hour).

    Parameters
    ----------
    hotspot
        The hotspot whose hour-of-week risk profile is read.
    template, day, timezone
        The tour (it belongs to the date it starts) and the scenario's time zone.

    Returns
    -------
    float
        Risk-hours of the hotspot during the tour.
    """
    start, end = tour_start_end(template, day, timezone)
    start_utc = start.astimezone(dt.UTC)
    end_utc = end.astimezone(dt.UTC)
    zone = start.tzinfo
    total = 0.0
    cursor = start_utc
    while cursor < end_utc:
        local = cursor.astimezone(zone)
        hour_start = local.replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)
        step_end = min(hour_start + dt.timedelta(hours=1), end_utc)
        fraction = (step_end - cursor).total_seconds() / 3600.0
        total += fraction * hotspot.risk_at(local)
        cursor = step_end
    return total


def shift_value(
    hotspots: Sequence[Hotspot], template: ShiftTemplate, day: dt.date, timezone: str
) -> float:
    """Harm-weighted risk of one unit on ``template`` on ``day``, summed over ``hotspots``."""
    return sum(h.weight * shift_risk(h, template, day, timezone) for h in hotspots)


def unit_fraction(k: int, diminishing: Sequence[float]) -> float:
    """Fraction of a shift's value that its ``k``-th unit (1-based) adds; 0 beyond the list."""
    if k < 1 or k > len(diminishing):
        return 0.0
    return float(diminishing[k - 1])


def shift_values(scenario: Scenario) -> dict[tuple[dt.date, str], float]:
    """Points of the first unit on every (date, shift) of the horizon.

    Raw harm x risk values are scaled so the most valuable (date, shift) is worth
    `VALUE_SCALE` points times ``roster_weights.risk``; the k-th unit adds
    ``unit_fraction(k)`` of that. All zeros when there are no hotspots.
    """
    raw = {
        (day, t.name): shift_value(scenario.hotspots, t, day, scenario.timezone)
        for day in scenario.dates
        for t in scenario.shifts
    }
    best = max(raw.values(), default=0.0)
    if best <= 0:
        return {key: 0.0 for key in raw}
    factor = VALUE_SCALE * scenario.roster_weights.risk / best
    return {key: value * factor for key, value in raw.items()}


def units_value(first_unit_points: float, units: int, diminishing: Sequence[float]) -> float:
    """Points of ``units`` units on one shift and day, with diminishing returns."""
    return first_unit_points * sum(unit_fraction(k, diminishing) for k in range(1, units + 1))
