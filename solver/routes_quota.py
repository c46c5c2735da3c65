"""Share each hotspot's daily target among the shifts of the day, by risk.

Shifts that overlap or touch are solved one after another in start order. Without shares,
the first shift of a day would take every visit the daily target allows, whatever the
risk later in the day (an Early would leave nothing for the Late). Here each shift may
bring a hotspot's visits on a calendar date up to a cumulative cap: the target times the
share of that date's risk (in the hours of the shifts that have units) covered by this
shift and the ones before it. What an earlier shift leaves unused passes on to the later
ones, and the last shift of a date may reach the full target.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from solver.domain import Hotspot


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _hours_by_date(start: dt.datetime, end: dt.datetime) -> dict[dt.date, list[dt.datetime]]:
    """Local start of each whole or part hour of [start, end), grouped by local date."""
    out: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    zone = start.tzinfo
    moment = start.astimezone(dt.UTC)
    stop = end.astimezone(dt.UTC)
    while moment < stop:
        local = moment.astimezone(zone)
        out[local.date()].append(local)
        moment += dt.timedelta(hours=1)
    return out


def shift_caps(jobs: Sequence[Any], hotspots: Sequence[Hotspot]) -> list[list[int]]:
    """Per job, per hotspot: how many visits the hotspot may have on the job's dates once
    this job is planned (cumulative over the jobs before it).

    ``jobs`` need ``start``, ``end`` (aware datetimes) and ``problem.units``; jobs without
    units get the full target (they plan nothing).
    """
    mass: list[dict[dt.date, list[float]]] = []
    totals: dict[dt.date, list[float]] = defaultdict(lambda: [0.0] * len(hotspots))
    for job in jobs:
        per_date: dict[dt.date, list[float]] = {}
        if job.problem.units:
            for day, hours in _hours_by_date(job.start, job.end).items():
                risk = [sum(h.risk_at(t) for t in hours) for h in hotspots]
                per_date[day] = risk
                totals[day] = [a + b for a, b in zip(totals[day], risk, strict=True)]
        mass.append(per_date)
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i].start, i))
    running: dict[dt.date, list[float]] = defaultdict(lambda: [0.0] * len(hotspots))
    caps: list[list[int]] = [[h.target_visits_per_day for h in hotspots] for _ in jobs]
    for i in order:
        if not mass[i]:
            continue
        for day, risk in mass[i].items():
            running[day] = [a + b for a, b in zip(running[day], risk, strict=True)]
        for k, hotspot in enumerate(hotspots):
            limits = []
            for day in mass[i]:
                total = totals[day][k]
                share = running[day][k] / total if total > 0 else 1.0
                limits.append(_round_half_up(hotspot.target_visits_per_day * min(share, 1.0)))
            caps[i][k] = min(limits) if limits else hotspot.target_visits_per_day
    return caps
