"""An independent check of a whole plan against the rules, from the plan's own numbers.

It shares no code with the roster or route engines: walking times come from a fresh
`WalkMatrix` on the street graph, hotspot areas from `solver.geometry`, rest rules from
`solver.roster_check`. Used by tests and benchmarks, and by anyone who edits a plan by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from solver.geometry import hotspot_contains
from solver.network import nearest_node
from solver.plan_model import Plan
from solver.timeutil import elapsed_minutes, tour_start_end

#: Slack for rounding of times to whole seconds.
SLACK_S = 2


def check_plan(plan: Plan, graph: Any, matrix: Any) -> list[str]:
    """Every broken rule of ``plan``, as sentences; an empty list means the plan is sound."""
    scenario = plan.scenario
    hotspots = {h.id: h for h in scenario.hotspots}
    stations = {s.id: s for s in scenario.stations}
    problems: list[str] = []
    visits_by_hotspot: dict[str, list[tuple[dt.datetime, dt.datetime, str, dt.date]]] = defaultdict(list)
    for tour in plan.tours:
        label = f"{tour.date} {tour.shift} {tour.unit_id}"
        template = scenario.shift(tour.shift)
        start, end = tour_start_end(template, tour.date, scenario.timezone)
        if (tour.start, tour.end) != (start, end):
            problems.append(f"{label}: tour times {tour.start}-{tour.end} are not the shift's {start}-{end}")
        start, end = _u(start), _u(end)
        leave_at = start + dt.timedelta(minutes=template.briefing_min)
        back_by = end - dt.timedelta(minutes=template.debrief_min)
        if tour.station_id not in stations:
            problems.append(f"{label}: unknown station {tour.station_id}")
        clock, where = leave_at, tour.station_node
        meal = tour.meal_break


        for visit in tour.visits:
            hotspot = hotspots.get(visit.hotspot_id)
            if hotspot is None:
                problems.append(f"{label}: visit to unknown hotspot {visit.hotspot_id}")
                continue
            node = graph.nodes[visit.node]
            if not hotspot_contains(hotspot, node["y"], node["x"], tolerance_m=1.0) and visit.node != nearest_node(graph, hotspot.lat, hotspot.lon)[0]:
                problems.append(f"{label}: visit {visit.seq} dwells at node {visit.node}, outside hotspot {hotspot.id}")
            if abs(visit.dwell_min * 60 - hotspot.visit_min * 60) > SLACK_S:
                problems.append(f"{label}: visit {visit.seq} lasts {visit.dwell_min:.1f} min, not {hotspot.visit_min}")
            earliest = _earliest(meal, clock, _u(visit.arrive), int(matrix.seconds_between(where, visit.node)))
            if _u(visit.arrive) + dt.timedelta(seconds=SLACK_S) < earliest:
                problems.append(f"{label}: visit {visit.seq} starts {_u(visit.arrive):%H:%M:%S}, before the unit can walk there ({earliest:%H:%M:%S})")
            visits_by_hotspot[visit.hotspot_id].append((_u(visit.arrive), _u(visit.depart), label, visit.arrive.date()))
            clock, where = _u(visit.depart), visit.node
        home = _earliest(meal, clock, back_by, int(matrix.seconds_between(where, tour.station_node)))
        if home > back_by + dt.timedelta(seconds=SLACK_S):
            problems.append(f"{label}: back at the station {home:%H:%M}, after {back_by:%H:%M}")
        if tour.visits and _u(tour.visits[0].arrive) < leave_at:
            problems.append(f"{label}: first visit before the briefing ends")
        if template.meal_break_min > 0:
            if meal is None:
                problems.append(f"{label}: no meal break")
            else:
                length = elapsed_minutes(meal.start, _u(meal.end))
                lo = start + dt.timedelta(minutes=scenario.patrol.break_window_start_min)
                hi = end - dt.timedelta(minutes=scenario.patrol.break_window_end_min)
                if abs(length - template.meal_break_min) > 0.05:
                    problems.append(f"{label}: meal break {length:.0f} min, not {template.meal_break_min}")
                if _u(meal.start) < lo - dt.timedelta(seconds=SLACK_S) or _u(meal.end) > hi + dt.timedelta(seconds=SLACK_S):
                    problems.append(f"{label}: meal break {_u(meal.start):%H:%M}-{_u(meal.end):%H:%M} outside its window {lo:%H:%M}-{hi:%H:%M}")
                for visit in tour.visits:
                    if _u(visit.arrive) < _u(meal.end) and _u(meal.start) < _u(visit.depart):
                        problems.append(f"{label}: meal break overlaps visit {visit.seq}")
    for hotspot_id, items in visits_by_hotspot.items():
        gap = dt.timedelta(minutes=hotspots[hotspot_id].min_gap_min)
        items.sort()
        for (a_start, a_end, a_label, _), (b_start, _b_end, b_label, _) in zip(items, items[1:], strict=False):
            if b_start < a_end + gap - dt.timedelta(seconds=SLACK_S):
                problems.append(f"hotspot {hotspot_id}: visits {a_label} {a_start:%a %H:%M} and {b_label} {b_start:%a %H:%M} are less than {gap} apart")
    problems.extend(_check_dosage(plan, visits_by_hotspot))
    return problems


def _u(when: dt.datetime) -> dt.datetime:
    """UTC, so that arithmetic and comparisons are right across a clock change."""
    return when.astimezone(dt.UTC)


def _earliest(meal: Any, since: dt.datetime, until: dt.datetime, walk_s: int) -> dt.datetime:
    """Earliest arrival after leaving at ``since``: the walk, plus the meal break when it
    falls between ``since`` and ``until``."""
    extra = dt.timedelta(0)
    slack = dt.timedelta(seconds=SLACK_S)
    if meal is not None and since - slack <= _u(meal.start) and _u(meal.end) <= until + slack:
        extra = _u(meal.end) - _u(meal.start)
    return since + dt.timedelta(seconds=walk_s) + extra


def _check_dosage(plan: Plan, visits_by_hotspot: dict[str, list[tuple[dt.datetime, dt.datetime, str, dt.date]]]) -> list[str]:
    counted: dict[tuple[dt.date, str], int] = defaultdict(int)
    for hotspot_id, items in visits_by_hotspot.items():
        for _, _, _, local_date in items:
            counted[(local_date, hotspot_id)] += 1
    problems = []
    for row in plan.dosage:
        if counted.get((row.date, row.hotspot_id), 0) != row.planned_visits:
            problems.append(f"dosage {row.date} {row.hotspot_id}: {row.planned_visits} planned visits listed, {counted.get((row.date, row.hotspot_id), 0)} in the tours")
    return problems
