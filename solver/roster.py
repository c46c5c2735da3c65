"""The roster engine: who works which tour on which day (OR-Tools CP-SAT).

One Boolean per (officer, day, shift template). Hard rules (availability, restrictions,
roles, one tour a day, rest between tours from real zoneinfo times, successions, consecutive
days with last week's tours, contracted hours, per-officer limits, minimum staffing, pairs,
locks) are constraints; soft goals (patrol value where the risk is, fairness, requests, cover
targets, stability on re-plan) are named objective parts.

Search, in three steps within one effort budget (``time_limit_s``):

1. the whole model as stated, on ``[roster] workers`` threads in CP-SAT's deterministic
   parallel mode (``interleave_search``, with feasibility-jump and local-search workers); it
   stops at the first roster found after its share of the budget, and proves infeasibility or
   optimality when it can (it also gives the bound);
2. if no roster was found yet, the same model with minimum hours and minimum staffing allowed
   to fall short at a prohibitive cost (so everyone-off is a start) - a result that keeps a
   shortfall is never returned as a roster;
3. a neighbourhood search (LNS): a few officers' whole rosters, a window of days for everyone,
   or a block of officers x days are re-solved with the rest fixed and the current roster as a
   complete hint, one neighbourhood per worker side by side, the best kept (or the changes of
   every improving one together, when that roster is legal and cheaper); sizes adapt to
   what solves to optimality; when it stalls, a whole-model search from the best roster
   (which may also raise the bound).

When officers meet only through counts of officers per shift and day (cover targets and
minimum staffing, every unit of one, no patrol value, no fairness spread: e.g. the published
shift-scheduling benchmarks), the first ``COLUMNS_SHARE`` of the budget builds a roster by
column generation (`solver.roster_columns`: one week per officer priced with CP-SAT against
the duals of a linear master, then a dive to one week each), whose Lagrangian bound also
ends the search once reached; steps 1-3 then start from that roster. When it gives none
(an officer without a legal week, a failed master LP), the search below gets what is left
of the budget: the budget holds whichever way the roster is found.

Otherwise, with cover targets (``[[rules.cover_targets]]``) whose under-cover weight
outweighs every other item of the objective ``COVER_FIRST_DOMINANCE``-fold, steps 1-3 run
twice: first on the shortfalls alone (cover below target, minimum staffing) for
``COVER_FIRST_SHARE`` of the budget, then on the whole objective from the roster found (with
only ``HINTED_FIRST_SHARE`` for step 1, since a roster is already there). A unit of cover
usually needs several officers' weeks to move together, which a search that weighs every
request at each step rarely finds. The progress shown is always the whole objective of the
best roster so far.

Determinism: every step stops on CP-SAT *deterministic* time and the parallel parts are
deterministic by construction, so the same scenario and seed give the same roster on a busy or
an idle machine. A wall-clock limit (``WALL_CAP_FACTOR`` x the budget +
``WALL_CAP_MARGIN_S``) is only a safety cap. ``wall_limit_s`` switches to wall-clock stopping
(benchmarks; not reproducible).

When no roster exists, `solve_roster` says why: quick counting checks first (a shift that
cannot be staffed from the officers available, an officer who cannot reach their hours, a
lock that breaks a rule), then a CP-SAT core over the rules (assumption literals and
``sufficient_assumptions_for_infeasibility``), shrunk and worded per officer, day and rule.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from solver import roster_columns
from solver.domain import CoverTarget, Officer, Scenario, ShiftTemplate
from solver.roster_check import (
    check_roster,
    contracted_band_minutes,
    fairness_eligible,
    score_roster,
)
from solver.roster_result import (
    Roster,
    RosterChange,
    RosterTour,
    day_label,
    form_units,
    normalise_locks,
    officer_label,
)
from solver.roster_value import VALUE_SCALE, shift_values, unit_fraction
from solver.timeutil import elapsed_minutes, tour_minutes, tour_start_end

log = logging.getLogger(__name__)

#: Objective points are multiplied by this and rounded to integers for CP-SAT.
OBJ_SCALE = 100
#: Safety wall-clock cap: factor x time limit + margin (seconds).
WALL_CAP_FACTOR = 3.0
WALL_CAP_MARGIN_S = 5.0
#: Cost of a shortfall the search may pass through but a result may not keep: per minute
#: below an officer's minimum hours, and per unit below minimum staffing.
UNMET_MINUTE_POINTS = 1_000
UNMET_UNIT_POINTS = 100_000
UNMET = "unmet_rules"
#: Effort spent explaining an infeasible scenario (deterministic seconds per core solve).
EXPLAIN_LIMIT_S = 5.0
#: Effort of each attempt to drop a rule from the conflict, and of all of them together.
EXPLAIN_TRIAL_S = 1.0
EXPLAIN_TOTAL_S = 15.0

Key = tuple[str, dt.date, str]


@dataclass(frozen=True)
class RosterProgress:
    """A progress report: sent on every improving roster found by the search."""

    solutions: int
    objective: float
    bound: float
    elapsed_s: float

    @property
    def message(self) -> str:
        return (
            f"roster {self.solutions}: objective {self.objective:.1f}, "
            f"bound {self.bound:.1f} ({self.elapsed_s:.1f} s)"
        )


# --------------------------------------------------------------------------------------------
# Plain preparation: what each officer may do on each day, and what is fixed


@dataclass
class _Prep:
    scenario: Scenario
    dates: list[dt.date]
    templates: dict[str, ShiftTemplate]
    minutes: dict[tuple[dt.date, str], int]
    #: (officer, day, shift) -> reason it is impossible (only impossible triples are listed)
    blocked: dict[Key, str]
    #: (officer, day) -> (shift or None, where the fix comes from)
    fixed: dict[tuple[str, dt.date], tuple[str | None, str]]
    #: (day, shift, day2, shift2) pairs too close for the minimum rest
    rest_conflicts: list[tuple[dt.date, str, dt.date, str]]
    previous: dict[tuple[str, dt.date], str] | None
    replan_from: dt.date | None
    problems: list[str] = field(default_factory=list)
    rest_conflicts_set: set[tuple[dt.date, str, dt.date, str]] = field(default_factory=set)

    def free(self, officer_id: str, day: dt.date, shift: str) -> bool:
        return (officer_id, day, shift) not in self.blocked


def _history_block(prep_rest_h: float, scenario: Scenario, officer: Officer, template, day):
    """Reason a tour is impossible because of last week's tours, or None."""
    templates = {t.name: t for t in scenario.shifts}
    start, _ = tour_start_end(template, day, scenario.timezone)
    for tour in scenario.history:
        if tour.officer_id != officer.id or tour.shift not in templates:
            continue
        _, end = tour_start_end(templates[tour.shift], tour.date, scenario.timezone)
        if tour.date < day and elapsed_minutes(end, start) < prep_rest_h * 60 - 1e-6:
            return f"rest after {tour.shift} on {day_label(tour.date)}"
        if tour.date == day - dt.timedelta(days=1) and template.name in tuple(
            scenario.rules.forbidden_after.get(tour.shift, ())
        ):
            return f"{template.name} may not follow {tour.shift} of {day_label(tour.date)}"
    return None


def _prepare(
    scenario: Scenario,
    previous: Roster | None,
    replan_from: dt.date | None,
    locks: Sequence[object],
) -> _Prep:
    dates = list(scenario.dates)
    templates = {t.name: t for t in scenario.shifts}
    tz = scenario.timezone
    minutes = {(d, s): tour_minutes(t, d, tz) for d in dates for s, t in templates.items()}
    officers = {o.id: o for o in scenario.officers}
    problems: list[str] = []
    blocked: dict[Key, str] = {}
    rest_h = scenario.rules.min_rest_h
    for officer in scenario.officers:
        for day in dates:
            gone = officer.unavailable_on(day)
            for name, template in templates.items():
                reason = None
                if not officer.can_patrol:
                    reason = "restricted from patrol"
                elif gone is not None:
                    reason = gone.reason
                elif template.night and "no_nights" in officer.restrictions:
                    reason = "no nights"
                elif "must_pair" in officer.restrictions and template.unit_size < 2:
                    reason = "must patrol in a pair"
                elif not template.allows_role(officer.role):
                    reason = f"{officer.role} not on {name}"
                elif officer.max_tours_of(name) == 0:
                    reason = f"not on {name}"
                else:
                    reason = _history_block(rest_h, scenario, officer, template, day)
                if reason is not None:
                    blocked[(officer.id, day, name)] = reason
    rest_conflicts = []
    for i, day in enumerate(dates):
        for later in dates[i + 1 : i + 3]:
            for s1, t1 in templates.items():
                _, end = tour_start_end(t1, day, tz)
                for s2, t2 in templates.items():
                    start, _ = tour_start_end(t2, later, tz)
                    if elapsed_minutes(end, start) < rest_h * 60 - 1e-6:
                        rest_conflicts.append((day, s1, later, s2))
    fixed: dict[tuple[str, dt.date], tuple[str | None, str]] = {}
    prev_map = None
    if previous is not None:
        prev_map = {(t.officer_id, t.date): t.shift for t in previous.assignments}
        if replan_from is not None:
            for officer in scenario.officers:
                for day in dates:
                    if day < replan_from:
                        fixed[(officer.id, day)] = (
                            prev_map.get((officer.id, day)),
                            "kept from the previous roster",
                        )
    for (officer_id, day), shift in normalise_locks(scenario.rota).items():
        fixed[(officer_id, day)] = (shift, "fixed rota")
    for (officer_id, day), shift in normalise_locks(locks).items():
        fixed[(officer_id, day)] = (shift, "locked")
    for (officer_id, day), (shift, source) in list(fixed.items()):
        if officer_id not in officers:
            problems.append(
                f"{source.capitalize()}: unknown officer {officer_id!r} on {day_label(day)}."
            )
            del fixed[(officer_id, day)]
        elif shift is not None and shift not in templates:
            problems.append(
                f"{source.capitalize()}: {officer_label(officers[officer_id])} on "
                f"{day_label(day)} has unknown shift {shift!r}."
            )
            del fixed[(officer_id, day)]
        elif day not in set(dates):
            del fixed[(officer_id, day)]
    return _Prep(
        scenario,
        dates,
        templates,
        minutes,
        blocked,
        fixed,
        rest_conflicts,
        prev_map,
        replan_from,
        problems,
        set(rest_conflicts),
    )


# --------------------------------------------------------------------------------------------
# Quick explanations by counting (no solver)


def _why_not(prep: _Prep, officer: Officer, day: dt.date, shift: str) -> str | None:
    """Why ``officer`` cannot work ``shift`` on ``day`` given what is fixed, or None."""
    reason = prep.blocked.get((officer.id, day, shift))
    if reason is not None:
        return reason
    fix = prep.fixed.get((officer.id, day))
    if fix is not None and fix[0] != shift:
        return f"{fix[1]}: {fix[0] or 'OFF'}"
    rules = prep.scenario.rules
    for other_day in (
        day - dt.timedelta(days=2),
        day - dt.timedelta(days=1),
        day + dt.timedelta(days=1),
        day + dt.timedelta(days=2),
    ):
        fix = prep.fixed.get((officer.id, other_day))
        if fix is None or fix[0] is None:
            continue
        other = fix[0]
        if other_day < day:
            if (other_day, other, day, shift) in prep.rest_conflicts_set:
                return f"rest after {other} on {day_label(other_day)}"
            if other_day == day - dt.timedelta(days=1) and shift in tuple(
                rules.forbidden_after.get(other, ())
            ):
                return f"{shift} may not follow {other}"
        else:
            if (day, shift, other_day, other) in prep.rest_conflicts_set:
                return f"rest before {other} on {day_label(other_day)}"
            if other_day == day + dt.timedelta(days=1) and other in tuple(
                rules.forbidden_after.get(shift, ())
            ):
                return f"{other} on {day_label(other_day)} may not follow {shift}"
    return None


def _explain_by_counting(prep: _Prep) -> list[str]:
    scenario = prep.scenario
    lines: list[str] = list(prep.problems)
    officers = {o.id: o for o in scenario.officers}
    # locks that break a rule on their own
    for (officer_id, day), (shift, source) in sorted(
        prep.fixed.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        if shift is None:
            continue
        reason = prep.blocked.get((officer_id, day, shift))
        if reason is not None:
            lines.append(
                f"{officer_label(officers[officer_id])} is fixed to {shift} on "
                f"{day_label(day)} ({source}) but cannot work it: {reason}."
            )
    # shifts that cannot be staffed from the officers available
    for shift, need in scenario.rules.min_units.items():
        template = prep.templates.get(shift)
        if template is None or need <= 0:
            continue
        size = max(1, template.unit_size)
        for day in prep.dates:
            able: dict[str, list[Officer]] = defaultdict(list)
            unable: list[tuple[Officer, str]] = []
            for officer in scenario.officers:
                reason = _why_not(prep, officer, day, shift)
                if reason is None:
                    able[officer.station_id].append(officer)
                else:
                    unable.append((officer, reason))
            capacity = sum(len(v) // size for v in able.values())
            if capacity >= need:
                continue
            count = sum(len(v) for v in able.values())
            if size == 1:
                head = (
                    f"{day_label(day)} {shift} needs {need} unit(s) but only {count} "
                    f"officer(s) are available"
                )
            else:
                per = (
                    ", ".join(
                        f"{len(v)} at {_station_name(scenario, s)}" for s, v in sorted(able.items())
                    )
                    or "none"
                )
                head = (
                    f"{day_label(day)} {shift} needs {need} unit(s) of {size} but only "
                    f"{capacity} can be formed (officers available: {per})"
                )
            relevant = [
                (o, r) for o, r in unable if template.allows_role(o.role) and o.can_patrol
            ] or unable
            shown = ", ".join(f"{officer_label(o)} {r}" for o, r in relevant[:12])
            more = f" and {len(relevant) - 12} more" if len(relevant) > 12 else ""
            lines.append(f"{head} ({shown}{more})." if shown else f"{head}.")
    # officers who cannot reach, or must exceed, their hours
    for officer in scenario.officers:
        if not officer.can_patrol:
            continue
        lo, hi, credited = contracted_band_minutes(scenario, officer)
        most = least = 0
        for day in prep.dates:
            fix = prep.fixed.get((officer.id, day))
            options = [
                prep.minutes[(day, s)]
                for s in prep.templates
                if _why_not(prep, officer, day, s) is None
            ]
            if fix is not None:
                options = [prep.minutes[(day, fix[0])]] if fix[0] is not None else [0]
                least += options[0]
            most += max(options, default=0)
        who = officer_label(officer)
        if most + credited < lo - 1e-6:
            credit = f" plus {credited / 60:.1f} h credited for absence" if credited else ""
            lines.append(
                f"{who} needs at least {lo / 60:.1f} h over {scenario.days} days but "
                f"can work at most {most / 60:.1f} h{credit} (the other days are "
                "unavailable or fixed)."
            )
        if least > hi + 1e-6:
            lines.append(
                f"{who} may work at most {hi / 60:.1f} h over {scenario.days} days but "
                f"the fixed tours already take {least / 60:.1f} h."
            )
    return lines


def _station_name(scenario: Scenario, station_id: str) -> str:
    try:
        return scenario.station(station_id).name
    except KeyError:
        return station_id


# --------------------------------------------------------------------------------------------
# The CP-SAT model


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[Key, cp_model.IntVar]
    work: dict[tuple[str, dt.date], cp_model.IntVar]
    groups: dict[tuple, cp_model.IntVar]
    parts: dict[str, cp_model.LinearExpr | int]
    workers: int = 1
    #: (index, upper bound) of the shortfall variables on minimum hours and staffing
    slack: list[tuple[int, int]] = field(default_factory=list)
    #: (index, value) of a start when shortfalls are allowed: fixed tours, everyone else off
    start: list[tuple[int, int]] = field(default_factory=list)
    #: the objective minimised (penalties - patrol value), to restore after a search on part
    #: of it
    objective: object = 0
    #: what the model was built from
    prep: _Prep | None = None

    def price(self, value_of: Callable[[cp_model.IntVar], int]) -> int:
        """The objective of a roster whose variables' values ``value_of`` gives (exact: every
        named part is a variable equal to its expression)."""
        total = 0
        for name, part in self.parts.items():
            amount = part if isinstance(part, int) else value_of(part)
            total += -amount if name == "patrol_value" else amount
        return total


def _build(prep: _Prep, *, explain: bool) -> _Model:
    scenario = prep.scenario
    rules = scenario.rules
    weights = scenario.roster_weights
    model = cp_model.CpModel()
    dates = prep.dates
    date_set = set(dates)
    templates = prep.templates
    patrol = [o for o in scenario.officers if o.can_patrol]
    groups: dict[tuple, cp_model.IntVar] = {}

    def enf(*key) -> list:
        if not explain:
            return []
        if key not in groups:
            groups[key] = model.new_bool_var("|".join(str(k) for k in key))
        return [groups[key]]

    x: dict[Key, cp_model.IntVar] = {}
    work: dict[tuple[str, dt.date], cp_model.IntVar] = {}
    #: shortfalls on minimum hours and staffing: allowed in the search (so an all-off roster
    #: is always a start) at a cost no soft goal can outweigh; a result with any is not legal
    unmet: list = []
    slack: list[tuple[int, int]] = []
    for officer in patrol:
        for day in dates:
            xs = []
            for name in templates:
                if prep.free(officer.id, day, name):
                    var = model.new_bool_var(f"x|{officer.id}|{day}|{name}")
                    x[(officer.id, day, name)] = var
                    xs.append(var)
            w = model.new_bool_var(f"work|{officer.id}|{day}")
            work[(officer.id, day)] = w
            model.add(sum(xs) == w)

    def xv(officer_id: str, day: dt.date, name: str):
        return x.get((officer_id, day, name), 0)

    # fixed officer-days (rota, locks, days kept on re-plan)
    for (officer_id, day), (shift, _source) in sorted(prep.fixed.items(), key=str):
        lits = enf("fixed", officer_id, day)
        if shift is None:
            if (officer_id, day) in work:
                model.add(work[(officer_id, day)] == 0).only_enforce_if(lits)
        elif (officer_id, day, shift) in x:
            model.add(x[(officer_id, day, shift)] == 1).only_enforce_if(lits)
        else:
            model.add_bool_or([]).only_enforce_if(lits)

    for officer in patrol:
        oid = officer.id
        # rest between tours and forbidden successions
        for d1, s1, d2, s2 in prep.rest_conflicts:
            a, b = x.get((oid, d1, s1)), x.get((oid, d2, s2))
            if a is not None and b is not None:
                model.add_bool_or([~a, ~b]).only_enforce_if(enf("rest", oid))
        for i, day in enumerate(dates[:-1]):
            nxt = dates[i + 1]
            for s1, banned in rules.forbidden_after.items():
                for s2 in banned:
                    a, b = x.get((oid, day, s1)), x.get((oid, nxt, s2))
                    if a is not None and b is not None:
                        model.add_bool_or([~a, ~b]).only_enforce_if(enf("succession", oid))
        # consecutive working days, last week's tours counted
        limit = officer.max_consecutive_days
        if limit is None:
            limit = rules.max_consecutive_days
        past = {t.date for t in scenario.history if t.officer_id == oid}
        for end in dates:
            window = [end - dt.timedelta(days=k) for k in range(limit + 1)]
            inside = [work[(oid, d)] for d in window if d in date_set]
            before = sum(1 for d in window if d not in date_set and d in past)
            if len(inside) + before > limit:
                model.add(sum(inside) <= limit - before).only_enforce_if(enf("consecutive", oid))
        # minimum runs of work and of rest, inside the horizon
        n = len(dates)
        for least, on_run, key in (
            (officer.min_consecutive_days, True, "min_run"),
            (officer.min_consecutive_days_off, False, "min_off"),
        ):
            for length in range(1, least):
                for first in range(1, n - length):
                    last = first + length - 1
                    if last + 1 > n - 1:
                        continue
                    run = [work[(oid, dates[k])] for k in range(first, last + 1)]
                    edge = [work[(oid, dates[first - 1])], work[(oid, dates[last + 1])]]
                    if on_run:
                        clause = edge + [~v for v in run]
                    else:
                        clause = [~v for v in edge] + run
                    model.add_bool_or(clause).only_enforce_if(enf(key, oid))
        # tours per shift, weekends
        for name, most in officer.max_tours:
            if name in templates and most > 0:
                xs = [x[(oid, d, name)] for d in dates if (oid, d, name) in x]
                if len(xs) > most:
                    model.add(sum(xs) <= most).only_enforce_if(enf("max_tours", oid, name))
        if officer.max_weekends is not None:
            weekends: dict[dt.date, list] = defaultdict(list)
            for day in dates:
                if day.weekday() >= 5:
                    weekends[day - dt.timedelta(days=day.weekday() - 5)].append(work[(oid, day)])
            flags = []
            for days_worked in weekends.values():
                flag = model.new_bool_var("")
                model.add_max_equality(flag, days_worked)
                flags.append(flag)
            if len(flags) > officer.max_weekends:
                model.add(sum(flags) <= officer.max_weekends).only_enforce_if(enf("weekends", oid))
        # hours
        lo, hi, credited = contracted_band_minutes(scenario, officer)
        worked = sum(prep.minutes[(d, s)] * v for (o, d, s), v in x.items() if o == oid)
        floor = math.ceil(lo - credited - 1e-6)
        if floor > 0:
            if explain:
                model.add(worked >= floor).only_enforce_if(enf("hours_min", oid))
            else:
                short = model.new_int_var(0, floor, f"short|{oid}")
                slack.append((short.index, floor))
                model.add(worked + short >= floor)
                unmet.append(UNMET_MINUTE_POINTS * short)
        if hi != math.inf:
            model.add(worked <= math.floor(hi + 1e-6)).only_enforce_if(enf("hours_max", oid))

    # units, pairs and minimum staffing
    units: dict[tuple[dt.date, str], object] = {}
    stations = sorted({o.station_id for o in patrol})
    for day in dates:
        for name, template in templates.items():
            size = max(1, template.unit_size)
            if size == 1:
                units[(day, name)] = sum(xv(o.id, day, name) for o in patrol)
                continue
            total = []
            for station in stations:
                xs = [
                    x[(o.id, day, name)]
                    for o in patrol
                    if o.station_id == station and (o.id, day, name) in x
                ]
                if not xs:
                    continue
                pairs = model.new_int_var(0, len(xs) // size, f"units|{day}|{name}|{station}")
                model.add(size * pairs <= sum(xs))
                model.add(size * pairs >= sum(xs)).only_enforce_if(
                    enf("pairing", day, name, station)
                )
                total.append(pairs)
            units[(day, name)] = sum(total)
    for name, need in rules.min_units.items():
        if name not in templates or need <= 0:
            continue
        for day in dates:
            if explain:
                model.add(units[(day, name)] >= need).only_enforce_if(enf("staffing", day, name))
            else:
                gap = model.new_int_var(0, need, f"gap|{day}|{name}")
                slack.append((gap.index, need))
                model.add(units[(day, name)] + gap >= need)
                unmet.append(UNMET_UNIT_POINTS * gap)

    parts: dict[str, object] = {}
    if not explain:
        objective = _objective(prep, model, x, work, units, patrol)
        objective[UNMET] = sum(_scaled(1) * term for term in unmet)
        for name, expr in objective.items():
            if isinstance(expr, int):
                parts[name] = expr
            else:
                part = model.new_int_var(-(10**13), 10**13, f"part|{name}")
                model.add(part == expr)
                parts[name] = part
        penalty = sum(v for k, v in parts.items() if k != "patrol_value")
        objective_expr = penalty - parts.get("patrol_value", 0)
        model.minimize(objective_expr)
    else:
        objective_expr = 0
    return _Model(
        model,
        x,
        work,
        groups,
        parts,
        max(1, int(weights.workers)),
        slack,
        objective=objective_expr,
        prep=prep,
    )


def _scaled(points: float) -> int:
    return int(round(points * OBJ_SCALE))


def _cover_days(prep: _Prep, target: CoverTarget) -> list[dt.date]:
    """The planning days a cover target applies to (none when its shift is unknown)."""
    if target.shift not in prep.templates:
        return []
    if target.date is None:
        return list(prep.dates)
    return [target.date] if target.date in prep.dates else []


def _objective(prep: _Prep, model, x, work, units, patrol) -> dict[str, object]:
    scenario = prep.scenario
    weights = scenario.roster_weights
    dates = prep.dates
    date_set = set(dates)
    parts: dict[str, object] = {}

    # patrol value with diminishing returns per extra unit
    value_terms = []
    for (day, name), first in sorted(shift_values(scenario).items()):
        if first <= 0:
            continue
        count = units[(day, name)]
        template = prep.templates[name]
        most = sum(1 for o in patrol if (o.id, day, name) in x) // max(1, template.unit_size)
        # count = flag_1 + ... + flag_K + rest with flag_1 >= flag_2 >= ... and rest only once
        # every flag is set: flag_k is exactly "at least k units", and the linear relaxation
        # is the concave envelope of the diminishing values (a tight bound)
        top = min(most, len(weights.diminishing))
        if top == 0:
            continue
        flags = []
        for k in range(1, top + 1):
            coef = _scaled(first * unit_fraction(k, weights.diminishing))
            flag = model.new_bool_var(f"unit{k}|{day}|{name}")
            if flags:
                model.add_implication(flag, flags[-1])
            flags.append(flag)
            value_terms.append(coef * flag)
        rest = model.new_int_var(0, max(0, most - top), f"beyond|{day}|{name}")
        model.add(count == sum(flags) + rest)
        if most > top:
            model.add(rest == 0).only_enforce_if(~flags[-1])
    parts["patrol_value"] = sum(value_terms)

    # requests
    request_terms = []
    for officer in scenario.officers:
        for request in officer.requests:
            if request.date not in date_set:
                continue
            weight = weights.request if request.weight is None else request.weight
            coef = _scaled(weight)
            if coef == 0:
                continue
            oid, day = officer.id, request.date
            if request.shift is None:
                worked = work.get((oid, day), 0)
                request_terms.append(coef * (1 - worked) if request.avoid else coef * worked)
            else:
                var = x.get((oid, day, request.shift), 0)
                request_terms.append(coef * var if request.avoid else coef * (1 - var))
    parts["requests"] = sum(request_terms)

    # cover targets
    under_terms, over_terms = [], []
    for target in scenario.rules.cover_targets:
        for day in _cover_days(prep, target):
            count = units[(day, target.shift)]
            top = len(patrol)
            if target.under_weight:
                under = model.new_int_var(0, max(0, target.units), "")
                # under >= target - count (and >= 0 by its domain): the objective keeps it
                # exact at an optimum, and the linear relaxation is tighter than a max
                model.add(under >= target.units - count)
                under_terms.append(_scaled(target.under_weight) * under)
            if target.over_weight:
                over = model.new_int_var(0, top, "")
                model.add(over >= count - target.units)
                over_terms.append(_scaled(target.over_weight) * over)
    parts["cover_under"] = sum(under_terms)
    parts["cover_over"] = sum(over_terms)

    # fairness
    night_names = [t.name for t in scenario.shifts if t.night]
    night_ok, weekend_ok = fairness_eligible(scenario)
    for part, weight, eligible, count_of in (
        (
            "fairness_nights",
            weights.fairness_nights,
            night_ok,
            lambda oid: sum(x.get((oid, d, s), 0) for d in dates for s in night_names),
        ),
        (
            "fairness_weekends",
            weights.fairness_weekends,
            weekend_ok,
            lambda oid: sum(work.get((oid, d), 0) for d in dates if d.weekday() >= 5),
        ),
    ):
        if not weight or len(eligible) < 2:
            parts[part] = 0
            continue
        top = model.new_int_var(0, len(dates), f"{part}|max")
        low = model.new_int_var(0, len(dates), f"{part}|min")
        for oid in eligible:
            count = count_of(oid)
            model.add(top >= count)
            model.add(low <= count)
        parts[part] = _scaled(weight) * (top - low)

    # stability on re-plan
    change_terms = []
    if prep.previous is not None and weights.change:
        start = prep.replan_from or dates[0]
        coef = _scaled(weights.change)
        for officer in scenario.officers:
            for day in dates:
                if day < start:
                    continue
                old = prep.previous.get((officer.id, day))
                if old is None:
                    worked = work.get((officer.id, day), 0)
                    change_terms.append(coef * worked)
                else:
                    change_terms.append(coef * (1 - x.get((officer.id, day, old), 0)))
    parts["changes"] = sum(change_terms)
    return parts


# --------------------------------------------------------------------------------------------
# Solving


#: Share of the search effort given to the whole model before the neighbourhood search.
FIRST_SHARE = 0.15
#: Share of the search effort given to the shortfalls alone first, when there are cover
#: targets (see ``_search``).
COVER_FIRST_SHARE = 0.45
#: ... when a unit of cover short costs at least this many times any other item (see
#: ``_cover_dominates``); otherwise the whole objective is searched from the start.
COVER_FIRST_DOMINANCE = 10.0
#: Share of the whole-model step when the search starts from a complete roster (the second
#: part of a cover-first search): the roster is already there, the neighbourhoods improve it.
HINTED_FIRST_SHARE = 0.03
#: ... but never under this many deterministic seconds (CP-SAT 9.15 can abort the process
#: when a hinted solve is stopped almost at once).
HINTED_FIRST_MIN_S = 0.5
#: Deterministic seconds of the first neighbourhood solves (adapted as the search goes).
LNS_SUB_LIMIT_S = 0.4
#: CP-SAT linearization level of the neighbourhood solves: 2 (the linear relaxation with
#: cuts) solves far more of them to optimality than the default 1 (benchmarks/README.md).
LNS_LINEARIZATION = 2
#: While no neighbourhood improves for this many rounds, sub-solves get twice as long (up to
#: this factor).
LNS_STUCK_ROUNDS = 10.0
LNS_STUCK_GROWTH_MAX = 8.0
#: Rounds without improvement before a whole-model search from the best roster, and the
#: share of the effort that search gets.
LNS_STALL_ROUNDS = 25
LNS_POLISH_SHARE = 0.1
#: Share of officer-days freed by the first neighbourhoods (adapted as the search goes).
LNS_FREE_SHARE = 0.15
#: Share of the effort left after the shortfalls-first part given to column generation
#: (`solver.roster_columns`), when officers meet only through cover counts.
COLUMNS_SHARE = 0.4
#: Least effort (deterministic or wall-clock seconds) a search step is given.
MIN_SEARCH_S = 0.05


@dataclass
class _Outcome:
    status: int
    solution: list[int] | None = None
    objective: int | None = None
    bound: int | None = None
    deterministic_s: float = 0.0
    cancelled: bool = False
    solutions: int = 0


class _Reporter:
    """Counts improving rosters and passes each better one to the caller's progress
    callback (so the objective shown only ever goes down)."""

    def __init__(self, progress: Callable[[RosterProgress], None] | None, t0: float) -> None:
        self.progress = progress
        self.t0 = t0
        self.solutions = 0
        self.bound = -math.inf
        #: while the search minimises part of the objective: the model, to price each roster
        #: found on the whole objective (the progress shown is always the roster's objective)
        self.pricing: _Model | None = None
        self.shown = math.inf

    def report(self, objective: float, values: Sequence[int] | None = None) -> None:
        """Count an improving roster; ``values`` (the solution) when ``pricing`` is set."""
        self.solutions += 1
        if self.progress is None:
            return
        bound = self.bound
        if self.pricing is not None:
            # the bound known is the part's, not the whole objective's
            bound = -math.inf
            if values is not None:
                objective = self.pricing.price(lambda var: values[var.index])
        if objective >= self.shown:
            return  # better on a part searched alone, or in an earlier phase, not overall
        self.shown = objective
        try:
            self.progress(
                RosterProgress(
                    self.solutions,
                    objective / OBJ_SCALE,
                    bound / OBJ_SCALE,
                    time.monotonic() - self.t0,
                )
            )
        except Exception:  # a faulty observer must not kill the search
            log.exception("roster progress callback failed")


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving roster; optionally stops once one exists after ``enough_s``."""

    def __init__(
        self, reporter: _Reporter, enough_s: float | None = None, wall: bool = False
    ) -> None:
        super().__init__()
        self.reporter = reporter
        self.enough_s = enough_s
        self.wall = wall

    def on_solution_callback(self) -> None:
        pricing = self.reporter.pricing
        if pricing is None:
            # a bound proven earlier (column generation) may be the stronger one
            self.reporter.bound = max(self.reporter.bound, self.best_objective_bound)
            self.reporter.report(self.objective_value)
        else:
            self.reporter.report(pricing.price(self.value))
        spent = self.wall_time if self.wall else self.deterministic_time
        if self.enough_s is not None and spent >= self.enough_s:
            self.stop_search()


class _Stopper:
    """Stops every CP-SAT solve running once ``cancel`` is set (polled every 50 ms)."""

    def __init__(self, cancel) -> None:
        self.cancel = cancel
        self.solvers: set[cp_model.CpSolver] = set()
        self.lock = threading.Lock()
        self.done = threading.Event()
        if cancel is not None:
            threading.Thread(target=self._poll, name="roster-cancel", daemon=True).start()

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def _poll(self) -> None:
        while not self.done.wait(0.05):
            if self.cancel.is_set():
                with self.lock:
                    for solver in self.solvers:
                        solver.stop_search()

    def run(self, solver: cp_model.CpSolver, model: cp_model.CpModel, callback=None) -> int:
        """Solve ``model`` unless the search is cancelled (UNKNOWN then). A cancelled run
        solves an empty model instead, in no time, so that the solver's effort and response
        can be read as after any stopped solve (CP-SAT raises on a solver never run)."""
        with self.lock:
            self.solvers.add(solver)
        try:
            if self.cancelled:
                solver.solve(cp_model.CpModel())
                return cp_model.UNKNOWN
            return solver.solve(model, callback) if callback else solver.solve(model)
        finally:
            with self.lock:
                self.solvers.discard(solver)

    def close(self) -> None:
        self.done.set()


def _solver(workers: int, seed: int, det_s: float, wall_s: float | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = int(seed)
    params.max_deterministic_time = max(0.01, float(det_s))
    cap = float(det_s) * WALL_CAP_FACTOR + WALL_CAP_MARGIN_S
    params.max_time_in_seconds = max(0.01, min(cap, wall_s) if wall_s is not None else cap)
    # Ctrl-C is the caller's: it stops the search through the cancel hook (CP-SAT's own
    # SIGINT handler aborts the process when the solve runs outside the main thread).
    params.catch_sigint_signal = False
    if workers > 1:
        # deterministic parallel search, with the feasibility-jump and local-search workers
        # that find first rosters quickly on tightly constrained instances
        params.interleave_search = True
        params.use_feasibility_jump = True
        params.num_violation_ls = 1
        params.interleave_batch_size = workers
    return solver


def _search(
    built: _Model,
    scenario: Scenario,
    limit: float,
    seed: int,
    progress: Callable[[RosterProgress], None] | None,
    cancel,
    wall_limit_s: float | None,
) -> _Outcome:
    """Search the roster minimising ``built``'s objective within the effort given.

    Effort is deterministic time (``limit`` seconds) unless ``wall_limit_s`` is given, in
    which case the wall clock decides (benchmarks; not reproducible run to run).

    When officers meet only through cover counts (``_columns_apply``), the first
    ``COLUMNS_SHARE`` of the effort builds a roster by column generation
    (`solver.roster_columns`), and the rest searches on the whole objective from it.
    Otherwise, with dominant cover targets (``_cover_dominates``), the first
    ``COVER_FIRST_SHARE`` of the effort searches on the shortfalls alone (cover below
    target, and minimum staffing), and the rest on the whole objective from the roster
    found: a unit of cover usually needs several officers' weeks to move together, which a
    search weighing every request at each step rarely finds. The roster kept is the whole
    objective's best; only the path to it differs.
    """
    t0 = time.monotonic()
    reporter = _Reporter(progress, t0)
    cover = built.parts.get("cover_under", 0)
    if isinstance(cover, int) or not built.x:
        return _search_objective(built, scenario, limit, seed, reporter, cancel, wall_limit_s)
    if COLUMNS_SHARE > 0 and _columns_apply(built):
        start = _columns_start(
            built,
            limit * COLUMNS_SHARE,
            None if wall_limit_s is None else wall_limit_s * COLUMNS_SHARE,
            seed,
            cancel,
        )
        wall_left = None if wall_limit_s is None else wall_limit_s - (time.monotonic() - t0)
        if start.solution is not None and start.objective is not None:
            reporter.bound = -math.inf if start.lower is None else start.lower
            reporter.report(start.objective)
            if start.lower is not None and start.objective <= start.lower:
                return _Outcome(
                    cp_model.OPTIMAL,
                    start.solution,
                    start.objective,
                    start.lower,
                    start.deterministic_s,
                    False,
                    reporter.solutions,
                )
            return _search_from(
                built,
                scenario,
                start.solution,
                start.objective,
                start.deterministic_s,
                limit,
                seed,
                reporter,
                cancel,
                wall_left,
                known_bound=start.lower,
            )
        # no roster from the columns: the search without them gets what is left of the
        # effort (the time limit holds whichever way the roster was found)
        spent = start.deterministic_s
        outcome = _search_without_columns(
            built,
            scenario,
            max(MIN_SEARCH_S, limit - spent),
            seed,
            reporter,
            cancel,
            None if wall_left is None else max(MIN_SEARCH_S, wall_left),
        )
        outcome.deterministic_s += spent
        return outcome
    return _search_without_columns(built, scenario, limit, seed, reporter, cancel, wall_limit_s)


def _search_without_columns(
    built: _Model,
    scenario: Scenario,
    limit: float,
    seed: int,
    reporter: _Reporter,
    cancel,
    wall_limit_s: float | None,
) -> _Outcome:
    """The search when column generation does not apply or found no roster: shortfalls
    first when cover dominates the objective (``_cover_dominates``), then the whole
    objective from the roster found; otherwise the whole objective from the start."""
    t0 = time.monotonic()
    cover = built.parts.get("cover_under", 0)
    if COVER_FIRST_SHARE <= 0 or not _cover_dominates(scenario, built):
        return _search_objective(built, scenario, limit, seed, reporter, cancel, wall_limit_s)
    built.model.minimize(cover + built.parts.get(UNMET, 0))
    reporter.pricing = built
    try:
        first = _search_objective(
            built,
            scenario,
            limit * COVER_FIRST_SHARE,
            seed,
            reporter,
            cancel,
            None if wall_limit_s is None else wall_limit_s * COVER_FIRST_SHARE,
        )
    finally:
        built.model.minimize(built.objective)
        reporter.pricing = None
        reporter.bound = -math.inf
    if first.solution is None:
        return first  # rules that cannot all hold, or cancelled before any roster
    objective = built.price(lambda var: first.solution[var.index])
    log.info(
        "roster: shortfalls alone: %s, whole objective %s, %.2f det s",
        first.objective / OBJ_SCALE,
        objective / OBJ_SCALE,
        first.deterministic_s,
    )
    if first.cancelled:
        return _Outcome(
            cp_model.FEASIBLE,
            first.solution,
            objective,
            -(10**15),
            first.deterministic_s,
            True,
            reporter.solutions,
        )
    return _search_from(
        built,
        scenario,
        first.solution,
        objective,
        first.deterministic_s,
        limit,
        seed,
        reporter,
        cancel,
        None if wall_limit_s is None else wall_limit_s - (time.monotonic() - t0),
    )


def _search_from(
    built: _Model,
    scenario: Scenario,
    start: list[int],
    objective: int,
    spent: float,
    limit: float,
    seed: int,
    reporter: _Reporter,
    cancel,
    wall_left: float | None,
    known_bound: int | None = None,
) -> _Outcome:
    """The whole-objective search from a complete roster ``start`` (objective ``objective``,
    found in ``spent`` of the ``limit`` deterministic seconds): a short whole-model step,
    then the neighbourhood search; ``start`` is kept when nothing better is found.
    ``known_bound`` is a lower bound proven before (it ends the search once reached)."""
    _set_hint(built.model, start)
    left = max(MIN_SEARCH_S, limit - spent)
    first_share = min(FIRST_SHARE, max(HINTED_FIRST_SHARE, HINTED_FIRST_MIN_S / left))
    try:
        rest = _search_objective(
            built,
            scenario,
            left,
            seed,
            reporter,
            cancel,
            None if wall_left is None else max(MIN_SEARCH_S, wall_left),
            first_share=first_share,
            known_bound=known_bound,
        )
    finally:
        _set_hint(built.model, None)
    rest.deterministic_s += spent
    if rest.solution is None or rest.objective is None or rest.objective > objective:
        # cancelled at once, or nothing as good found on the whole objective
        rest.solution, rest.objective = start, objective
        rest.bound = -(10**15) if rest.bound is None else rest.bound
        if known_bound is not None:
            rest.bound = max(rest.bound, known_bound)
        rest.status = cp_model.OPTIMAL if objective <= rest.bound else cp_model.FEASIBLE
    return rest


def _cover_dominates(scenario: Scenario, built: _Model) -> bool:
    """Whether a unit of cover below target costs at least ``COVER_FIRST_DOMINANCE`` times
    any other single item of the objective (a request, a unit over target, a tour of
    fairness spread, a change on re-plan, a unit's patrol value), so that searching the
    shortfalls first follows the objective's own priorities."""
    weights = scenario.roster_weights
    under = [t.under_weight for t in scenario.rules.cover_targets if t.under_weight > 0]
    if not under:
        return False
    others = [t.over_weight for t in scenario.rules.cover_targets]
    others += [
        weights.request if r.weight is None else r.weight
        for o in scenario.officers
        for r in o.requests
    ]
    in_effect = {
        "fairness_nights": weights.fairness_nights,
        "fairness_weekends": weights.fairness_weekends,
        "changes": weights.change,
        "patrol_value": VALUE_SCALE * weights.risk,
    }
    others += [w for name, w in in_effect.items() if not isinstance(built.parts.get(name, 0), int)]
    return min(under) >= COVER_FIRST_DOMINANCE * max([abs(w) for w in others], default=0.0)


def _columns_apply(built: _Model) -> bool:
    """Whether officers meet only through counts of officers per shift and day (cover
    targets, minimum staffing with units of one), so that the roster splits into one
    column per officer (`solver.roster_columns`)."""
    prep = built.prep
    if prep is None or not built.x:
        return False
    if any(t.unit_size > 1 for t in prep.templates.values()):
        return False
    coupled = ("patrol_value", "fairness_nights", "fairness_weekends")
    return all(isinstance(built.parts.get(name, 0), int) for name in coupled)


def _count_rows(prep: _Prep) -> list[roster_columns.CountRow]:
    """The cover targets and minimum staffing as costs on officer counts."""
    rows = []
    for target in prep.scenario.rules.cover_targets:
        for day in _cover_days(prep, target):
            for weight, at_least in ((target.under_weight, True), (target.over_weight, False)):
                if weight:
                    rows.append(
                        roster_columns.CountRow(
                            day, target.shift, target.units, _scaled(weight), at_least
                        )
                    )
    for name, need in prep.scenario.rules.min_units.items():
        if name in prep.templates and need > 0:
            for day in prep.dates:
                rows.append(
                    roster_columns.CountRow(day, name, need, _scaled(1) * UNMET_UNIT_POINTS, True)
                )
    return rows


def _officer_model(prep: _Prep, officer: Officer) -> _Model:
    """The model of one officer's rules and own costs (no cover, staffing or fairness)."""
    scenario = prep.scenario
    alone = replace(
        scenario,
        officers=(officer,),
        hotspots=(),
        rules=replace(scenario.rules, cover_targets=(), min_units={}),
    )
    sub = replace(
        prep,
        scenario=alone,
        blocked={k: v for k, v in prep.blocked.items() if k[0] == officer.id},
        fixed={k: v for k, v in prep.fixed.items() if k[0] == officer.id},
        problems=[],
    )
    return _build(sub, explain=False)


def _pricing_model(prep: _Prep, officer: Officer) -> roster_columns.OfficerModel:
    """The officer's own model as column generation prices it (tours keyed by day, shift)."""
    sub = _officer_model(prep, officer)
    x = {(d, s): var for (_o, d, s), var in sub.x.items()}
    return roster_columns.OfficerModel(sub.model, x, sub.objective, sub.price)


@dataclass
class _ColumnsStart:
    """What the column phase gave: a complete solution of the whole model and its objective
    (None when it found none: an officer without a legal week, a failed master LP,
    cancelled), the deterministic seconds it spent either way, and a lower bound on every
    roster's objective (or None)."""

    solution: list[int] | None
    objective: int | None
    deterministic_s: float
    lower: int | None = None


def _columns_start(
    built: _Model,
    budget_s: float,
    wall_s: float | None,
    seed: int,
    cancel,
) -> _ColumnsStart:
    """A roster by column generation (`solver.roster_columns`)."""
    prep = built.prep
    assert prep is not None
    t0 = time.monotonic()
    stopper = _Stopper(cancel)
    try:
        officers: dict[str, roster_columns.OfficerModel] = {}
        planned = {oid for oid, _day, _name in built.x}
        for officer in prep.scenario.officers:
            if officer.id in planned:
                officers[officer.id] = _pricing_model(prep, officer)
        try:
            result = roster_columns.generate(
                officers,
                _count_rows(prep),
                budget_s,
                seed,
                built.workers,
                roster_columns.Solving(_solver, stopper.run),
                lambda: stopper.cancelled,
                None if wall_s is None else t0 + wall_s,
            )
        except roster_columns.NoColumn as missing:
            log.info("roster columns: no legal week for %s", missing)
            return _ColumnsStart(None, None, missing.deterministic_s)
        except roster_columns.MasterFailed as failure:
            log.warning("roster columns: %s; searching without them", failure)
            return _ColumnsStart(None, None, failure.deterministic_s)
        if result is None:
            return _ColumnsStart(None, None, 0.0)  # cancelled: nothing more is searched
        det = result.deterministic_s
        values = [0] * len(built.model.proto.variables)
        for (oid, day, name), var in built.x.items():
            values[var.index] = int((day, name) in result.chosen[oid])
        all_x = [var.index for var in built.x.values()]
        status, objective, full, spent = _fixed_solve(built.model, all_x, values, seed, stopper)
        det += spent
        if objective is None or full is None:
            log.info("roster columns: the weeks chosen do not make a roster (%s)", status)
            return _ColumnsStart(None, None, det)
        log.info(
            "roster columns: objective %s (bound %s), %.2f det s",
            objective / OBJ_SCALE,
            "-" if result.lower_bound is None else f"{result.lower_bound / OBJ_SCALE:.1f}",
            det,
        )
        lower = None if result.lower_bound is None else math.ceil(result.lower_bound - 1e-6)
        return _ColumnsStart(full, objective, det, lower)
    finally:
        stopper.close()


def _search_objective(
    built: _Model,
    scenario: Scenario,
    limit: float,
    seed: int,
    reporter: _Reporter,
    cancel,
    wall_limit_s: float | None,
    first_share: float = FIRST_SHARE,
    known_bound: int | None = None,
) -> _Outcome:
    """Whole-model search, then a neighbourhood search (LNS) from the best roster found, on
    the objective ``built.model`` minimises now; ``known_bound``: a lower bound on it proven
    before."""
    t0 = time.monotonic()
    workers = max(1, int(scenario.roster_weights.workers))
    stopper = _Stopper(cancel)
    wall_end = None if wall_limit_s is None else t0 + wall_limit_s

    def wall_left() -> float | None:
        return None if wall_end is None else wall_end - time.monotonic()

    try:
        first = limit * first_share if built.x else limit
        first_wall = None if wall_limit_s is None else wall_limit_s * first_share
        if wall_limit_s is not None:
            first = 1e9
        proto = built.model.proto

        def allow_shortfalls(allowed: bool) -> None:
            for index, top in built.slack:
                proto.variables[index].domain[1] = top if allowed else 0

        # 1. the rules as stated (shortfalls forbidden): proves infeasibility or optimality
        allow_shortfalls(False)
        try:
            # up to twice the share when no roster is found by then
            solver = _solver(
                workers, seed, 2 * first, None if first_wall is None else 2 * first_wall
            )
            enough = first if wall_limit_s is None else first_wall
            status = stopper.run(
                solver, built.model, _Watcher(reporter, enough, wall=wall_limit_s is not None)
            )
        finally:
            allow_shortfalls(True)
        det = solver.deterministic_time
        log.info("roster: rules as stated: %s after %.2f det s", solver.status_name(status), det)
        stated_bound = solver.best_objective_bound
        if status == cp_model.UNKNOWN and not stopper.cancelled:
            # 2. no roster yet: allow shortfalls at a prohibitive cost, so that a start exists
            # (everyone off) and the neighbourhood search can repair it
            left = wall_left()
            step = max(first / 2, 0.5) if left is None else max(left * FIRST_SHARE, 0.5)
            if left is None:
                step = min(step, max(0.05, limit - det))
            # the start itself (fixed tours, everyone else off), completed by a quick solve
            with _tours_fixed(built.model, built.start):
                solver = _solver(1, seed, max(0.5, step), left)
                status = stopper.run(solver, built.model)
            det += solver.deterministic_time
            if status == cp_model.INFEASIBLE and not stopper.cancelled:
                solver = _solver(workers, seed, step, left)
                status = stopper.run(solver, built.model, _Watcher(reporter, 0.0))
                det += solver.deterministic_time
            elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                status = cp_model.FEASIBLE
                reporter.report(solver.objective_value, solver.response_proto.solution)
            log.info(
                "roster: with shortfalls allowed: %s after %.2f det s",
                solver.status_name(status),
                det,
            )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status == cp_model.MODEL_INVALID:
                raise RuntimeError(f"roster model invalid: {built.model.validate()}")
            return _Outcome(status, deterministic_s=det, cancelled=stopper.cancelled)
        solution = list(solver.response_proto.solution)
        objective = int(round(solver.objective_value))
        # the bound of the rules as stated (a start completed with everything fixed proves
        # nothing about the rest)
        bound = stated_bound if math.isfinite(stated_bound) else -(10**15)
        bound = max(-(10**15), int(math.ceil(bound - 1e-6)))
        if known_bound is not None:
            bound = max(bound, known_bound)
        reporter.bound = bound
        log.info(
            "roster: whole model %s, objective %s, bound %s, %.2f det s",
            solver.status_name(status),
            objective / OBJ_SCALE,
            bound / OBJ_SCALE,
            det,
        )
        if status == cp_model.OPTIMAL or objective <= bound:
            return _Outcome(
                cp_model.OPTIMAL,
                solution,
                objective,
                bound,
                det,
                stopper.cancelled,
                reporter.solutions,
            )
        solution, objective, det, bound = _neighbourhood_search(
            built, solution, objective, bound, det, limit, seed, stopper, reporter, wall_left
        )
        final = cp_model.OPTIMAL if objective <= bound else cp_model.FEASIBLE
        return _Outcome(
            final, solution, objective, bound, det, stopper.cancelled, reporter.solutions
        )
    finally:
        stopper.close()


def _set_hint(model: cp_model.CpModel, solution: Sequence[int] | None) -> None:
    """Make ``solution`` (every variable's value) the complete hint of ``model``'s next
    solve, or drop the hint with ``None``."""
    hint = model.proto.solution_hint
    hint.vars.clear()
    hint.values.clear()
    if solution is not None:
        hint.vars.extend(range(len(solution)))
        hint.values.extend(solution)


@contextmanager
def _tours_fixed(model: cp_model.CpModel, values: Sequence[tuple[int, int]]) -> Iterator[None]:
    """Fix the tour variables ``(index, value)`` of ``model`` for one solve, then free them
    again (back to 0..1)."""
    variables = model.proto.variables
    for index, value in values:
        domain = variables[index].domain
        domain[0] = value
        domain[1] = value
    try:
        yield
    finally:
        for index, _value in values:
            domain = variables[index].domain
            domain[0] = 0
            domain[1] = 1


def _fixed_solve(
    model: cp_model.CpModel, tours: list[int], values: list[int], seed: int, stopper: _Stopper
) -> tuple[int, int | None, list[int] | None, float]:
    """Solve ``model`` with every tour variable (indices ``tours``) fixed to ``values``: is
    that roster legal, and what does it cost exactly (status, objective, solution, det s).
    After a cancel nothing is solved (status UNKNOWN)."""
    with _tours_fixed(model, [(i, values[i]) for i in tours]):
        check = _solver(1, seed, 1.0, None)
        status = stopper.run(check, model)
    if stopper.cancelled and status == cp_model.UNKNOWN:
        return status, None, None, 0.0  # cancelled before the solve started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None, None, check.deterministic_time
    return (
        status,
        int(round(check.objective_value)),
        list(check.response_proto.solution),
        check.deterministic_time,
    )


def _neighbourhood_search(
    built, solution, objective, bound, det, limit, seed, stopper, reporter, wall_left
):
    """Improve ``solution`` by re-solving parts of the roster with the rest held fixed.

    Neighbourhoods: a few officers' whole rosters, a window of days for everyone, or a
    block of officers x days. Each part is solved on one thread with a complete hint (the
    current roster), so it never gets worse; the size adapts to what solves to optimality.
    With two or more workers, that many parts are solved side by side from the same roster
    each round and the best result is kept, so the search stays deterministic; when several
    improve, their changes are also tried together (kept if legal and cheaper).
    """
    import random
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(seed)
    lanes = max(1, int(built.workers))
    models = [built.model] + [built.model.clone() for _ in range(lanes - 1)]
    by_officer: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for (oid, day, _name), var in built.x.items():
        by_officer[oid].append((day, var.index))
    officers = sorted(by_officer)
    dates = sorted({day for (_o, day, _s) in built.x})
    all_x = [var.index for var in built.x.values()]
    rounds = 0
    improved_at = 0
    polished_at = 0
    unmet = built.parts.get(UNMET)

    def legal(values: list[int]) -> bool:
        """No shortfall left (progress is reported only for legal rosters)."""
        return isinstance(unmet, int) or values[unmet.index] == 0

    shares = dict.fromkeys(("officers", "days", "block"), LNS_FREE_SHARE)

    def pick() -> tuple[str, set[int]]:
        kind = rng.random()
        if kind < 0.45:
            count = max(2, round(shares["officers"] * len(officers)))
            chosen = set(rng.sample(officers, min(count, len(officers))))
            return "officers", {i for o in chosen for _d, i in by_officer[o]}
        if kind < 0.7:
            width = max(2, round(shares["days"] * len(dates)))
            first = rng.randrange(max(1, len(dates) - width + 1))
            window = set(dates[first : first + width])
            return "days", {i for o in officers for d, i in by_officer[o] if d in window}
        width = max(3, round(math.sqrt(shares["block"]) * len(dates)))
        count = max(2, round(math.sqrt(shares["block"]) * len(officers)))
        first = rng.randrange(max(1, len(dates) - width + 1))
        window = set(dates[first : first + width])
        chosen = set(rng.sample(officers, min(count, len(officers))))
        return "block", {i for o in chosen for d, i in by_officer[o] if d in window}

    def solve_part(lane: int, free: set[int], sub_seed: int, budget: float, wall):
        model = models[lane]
        fixed = [(i, solution[i]) for i in all_x if i not in free]
        _set_hint(model, solution)
        sub = _solver(1, sub_seed, budget, wall)
        sub.parameters.linearization_level = LNS_LINEARIZATION
        with _tours_fixed(model, fixed):
            status = stopper.run(sub, model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return (
                status,
                int(round(sub.objective_value)),
                list(sub.response_proto.solution),
                sub.deterministic_time,
            )
        return status, None, None, sub.deterministic_time

    def merge(parts, results, objective: int):
        """The changes of every improving lane on top of each other, when they still make
        a legal and better roster (checked by solving with every tour fixed), or None."""
        better = sorted(
            (r[1], lane) for lane, r in enumerate(results) if r[1] is not None and r[1] < objective
        )
        if len(better) < 2:
            return None
        values = list(solution)
        for _value, lane in better:
            found = results[lane][2]
            for i in parts[lane][1]:
                if found[i] != solution[i]:
                    values[i] = found[i]
        return _fixed_solve(models[0], all_x, values, seed, stopper)

    with ThreadPoolExecutor(max_workers=lanes) as pool:
        while not stopper.cancelled:
            left = wall_left()
            if left is None and det >= limit - 1e-3:
                break
            if left is not None and left <= 0.05:
                break
            rounds += 1
            # longer sub-solves while the search is stuck (reset by the next improvement)
            stuck = rounds - max(improved_at, 1)
            sub_limit = LNS_SUB_LIMIT_S * min(
                LNS_STUCK_GROWTH_MAX, 2 ** (stuck // LNS_STUCK_ROUNDS)
            )
            budget = min(sub_limit, limit - det) if left is None else sub_limit
            parts = [pick() for _ in range(lanes)]
            futures = [
                pool.submit(solve_part, lane, free, seed + rounds * lanes + lane, budget, left)
                for lane, (_kind, free) in enumerate(parts)
            ]
            results = [f.result() for f in futures]
            det += max(r[3] for r in results)
            best = min((r for r in results if r[1] is not None), key=lambda r: r[1], default=None)
            merged = merge(parts, results, objective)
            if merged is not None:
                det += merged[3]
                if merged[1] is not None and best is not None and merged[1] < best[1]:
                    best = merged
            if best is not None and best[1] <= objective:
                if best[1] < objective:
                    improved_at = rounds
                    if legal(best[2]):
                        reporter.report(best[1], best[2])
                objective = best[1]
                solution = best[2]
            for (kind, _free), result in zip(parts, results, strict=True):
                grown = shares[kind] * (1.1 if result[0] == cp_model.OPTIMAL else 0.9)
                shares[kind] = min(0.8, max(0.02, grown))
            log.debug(
                "lns %d: %s -> %s%s, shares %s",
                rounds,
                [(k, len(f)) for k, f in parts],
                [(int(r[0]), r[1]) for r in results],
                "" if merged is None else f", merged {merged[1]}",
                shares,
            )
            if objective <= bound:
                break
            if rounds - max(improved_at, polished_at) >= LNS_STALL_ROUNDS:
                # stuck: search the whole model from the best roster (may also raise the bound)
                polished_at = rounds
                left = wall_left()
                budget = LNS_POLISH_SHARE * limit if left is None else LNS_POLISH_SHARE * left * 2
                if left is None:
                    budget = min(budget, limit - det)
                if budget <= 0.05:
                    continue
                _set_hint(models[0], solution)
                whole = _solver(lanes, seed + rounds, budget, left)
                status = stopper.run(whole, models[0])
                det += whole.deterministic_time
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    bound = max(bound, int(math.ceil(whole.best_objective_bound - 1e-6)))
                    reporter.bound = bound
                    value = int(round(whole.objective_value))
                    if value < objective:
                        improved_at = rounds
                        if legal(list(whole.response_proto.solution)):
                            reporter.report(value, whole.response_proto.solution)
                        objective = value
                        solution = list(whole.response_proto.solution)
                log.debug("lns %d: whole model -> %s, bound %s", rounds, objective, bound)
                if objective <= bound:
                    break
    for model in models:
        _set_hint(model, None)
    # an unfinished solve may leave a cover shortfall above what its tours leave short: the
    # exact price of the roster kept
    settled = _fixed_solve(models[0], all_x, solution, seed, stopper)
    det += settled[3]
    if settled[1] is not None and settled[1] <= objective:
        objective, solution = settled[1], settled[2]
    log.info(
        "roster: %d neighbourhood rounds x %d (last improvement at %d), objective %s, "
        "bound %s, %.2f det s",
        rounds,
        lanes,
        improved_at,
        objective / OBJ_SCALE,
        bound / OBJ_SCALE,
        det,
    )
    return solution, objective, det, bound


def solve_roster(
    scenario: Scenario,
    *,
    previous: Roster | None = None,
    replan_from: dt.date | None = None,
    locks: Sequence[object] = (),
    time_limit_s: float | None = None,
    seed: int | None = None,
    progress: Callable[[RosterProgress], None] | None = None,
    cancel: threading.Event | None = None,
    wall_limit_s: float | None = None,
) -> Roster:
    """Plan who works which tour on which day.

    Parameters
    ----------
    scenario
        Officers, shift templates, rules (``scenario.rules``), soft weights
        (``scenario.roster_weights``), the fixed rota and last week's tours (``history``).
    previous, replan_from
        Re-plan: days before ``replan_from`` keep ``previous``'s tours; from it on each
        officer-day that differs from ``previous`` costs ``[roster] change`` points. With
        ``previous`` and no date, every day may change at that cost.
    locks
        Officer-days the planner fixed: tours, or ``(officer_id, date, shift_or_None)``
        (None: the officer is off that day).
    time_limit_s
        Search effort in deterministic seconds (default ``[roster] time_limit_s``).
    seed
        Random seed (default ``[roster] seed``). Same inputs and seed give the same roster.
    progress
        Called with a `RosterProgress` on each improving roster (from a solver thread).
    cancel
        An object with ``is_set()`` (e.g. `threading.Event`): when set, the search stops
        within about 0.1 s and the best roster so far is returned (status ``cancelled``).
    wall_limit_s
        Search by the wall clock instead of deterministic time (benchmarks): faster to
        state, but the roster may differ from run to run.

    Returns
    -------
    Roster
        Status ``optimal``/``feasible`` with tours, objective, bound and named parts;
        ``infeasible`` with explanation lines naming officer, day and rule; ``cancelled``;
        or ``unknown`` when the time ran out before any roster was found.
    """
    t0 = time.monotonic()
    weights = scenario.roster_weights
    limit = float(weights.time_limit_s if time_limit_s is None else time_limit_s)
    seed = int(weights.seed if seed is None else seed)
    prep = _prepare(scenario, previous, replan_from, locks)

    quick = _explain_by_counting(prep)
    if quick:
        log.info("roster: infeasible by counting (%d reasons)", len(quick))
        return Roster(
            status="infeasible",
            explanation=("No roster can meet every rule:", *quick),
            wall_s=time.monotonic() - t0,
            mode="plan",
        )
    if cancel is not None and cancel.is_set():
        return Roster(status="cancelled", wall_s=time.monotonic() - t0, mode="plan")

    built = _build(prep, explain=False)
    prev = (
        {} if previous is None else {(t.officer_id, t.date): t.shift for t in previous.assignments}
    )
    fixed_now = {key: value[0] for key, value in prep.fixed.items()}
    for (oid, day, name), var in built.x.items():
        wanted = fixed_now.get((oid, day), prev.get((oid, day)))
        built.start.append((var.index, int(wanted == name)))
        if previous is not None:
            # start from the previous roster on re-plan
            built.model.add_hint(var, wanted == name)
    outcome = _search(built, scenario, limit, seed, progress, cancel, wall_limit_s)
    status = outcome.status
    cancelled = outcome.cancelled
    wall = time.monotonic() - t0

    if status == cp_model.INFEASIBLE:
        lines = _explain_by_core(prep, seed)
        return Roster(
            status="infeasible",
            explanation=("No roster can meet every rule:", *lines),
            wall_s=time.monotonic() - t0,
            deterministic_s=outcome.deterministic_s,
            mode="plan",
        )
    if outcome.solution is None:
        state = "cancelled" if cancelled else "unknown"
        text = (
            "Cancelled before any roster was found."
            if cancelled
            else f"No roster found within {limit:g} s of search; allow more time."
        )
        return Roster(
            status=state,
            explanation=(text,),
            wall_s=wall,
            deterministic_s=outcome.deterministic_s,
            mode="plan",
        )
    solution = outcome.solution

    tours = [
        RosterTour(oid, day, name, scenario.officer(oid).station_id)
        for (oid, day, name), var in sorted(built.x.items())
        if solution[var.index]
    ]
    tours = list(form_units(scenario, tours))
    parts = {
        k: (v if isinstance(v, int) else solution[v.index]) / OBJ_SCALE
        for k, v in built.parts.items()
    }
    if parts.pop(UNMET, 0) > 0:
        # the best roster found still misses minimum hours or staffing: prove or explain
        breaches = check_roster(scenario, tours, locks=locks)
        log.info(
            "roster: best roster found breaks %d rule(s); looking for a conflict", len(breaches)
        )
        lines = [] if cancelled else _explain_by_core(prep, seed, need_proof=True)
        if lines:
            return Roster(
                status="infeasible",
                explanation=("No roster can meet every rule:", *lines),
                violations=tuple(breaches),
                wall_s=time.monotonic() - t0,
                deterministic_s=outcome.deterministic_s,
                mode="plan",
            )
        return Roster(
            status="cancelled" if cancelled else "unknown",
            explanation=(
                "No roster meeting every rule was found in the time allowed; the best one "
                "found still breaks:",
                *(v.message for v in breaches),
            ),
            violations=tuple(breaches),
            wall_s=time.monotonic() - t0,
            deterministic_s=outcome.deterministic_s,
            mode="plan",
        )
    _, penalties = score_roster(
        scenario,
        tours,
        previous=previous.assignments if previous else None,
        replan_from=replan_from,
    )
    changes: list[RosterChange] = []
    if previous is not None:
        old = {(t.officer_id, t.date): t.shift for t in previous.assignments}
        new = {(t.officer_id, t.date): t.shift for t in tours}
        for officer in scenario.officers:
            for day in prep.dates:
                if old.get((officer.id, day)) != new.get((officer.id, day)):
                    changes.append(
                        RosterChange(
                            officer.id, day, old.get((officer.id, day)), new.get((officer.id, day))
                        )
                    )
    if cancelled:
        state = "cancelled"
    else:
        state = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return Roster(
        status=state,
        assignments=tuple(tours),
        objective=outcome.objective / OBJ_SCALE,
        bound=outcome.bound / OBJ_SCALE,
        parts=parts,
        penalties=tuple(penalties),
        changes=tuple(changes),
        wall_s=time.monotonic() - t0,
        deterministic_s=outcome.deterministic_s,
        mode="plan",
    )


# --------------------------------------------------------------------------------------------
# Explaining infeasibility with a core of rules


def _core(
    prep: _Prep, assumed: list[tuple], seed: int, limit_s: float = EXPLAIN_LIMIT_S
) -> tuple[list[tuple] | None, float]:
    """A subset of ``assumed`` rule groups proven unable to hold together (or None), and the
    deterministic seconds spent."""
    built = _build(prep, explain=True)
    keys = [k for k in assumed if k in built.groups]
    for key, lit in built.groups.items():
        if key not in set(keys):
            built.model.add(lit == 0)
    built.model.add_assumptions([built.groups[k] for k in keys])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = limit_s
    solver.parameters.max_time_in_seconds = limit_s * WALL_CAP_FACTOR + 1.0
    solver.parameters.catch_sigint_signal = False
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return None, solver.deterministic_time
    index = {built.groups[k].index: k for k in keys}
    core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    return core, solver.deterministic_time


def _explain_by_core(prep: _Prep, seed: int, *, need_proof: bool = False) -> list[str]:
    """Lines naming a small set of rules that conflict ([] if none could be proven when
    ``need_proof``)."""
    all_keys = list(_build(prep, explain=True).groups)
    core, spent = _core(prep, all_keys, seed)
    if need_proof and not core:
        return []
    if not core:
        return [
            "The rules conflict, but no small set of conflicting rules was found in the "
            "time allowed."
        ]
    # shrink: drop each group the conflict does not need (a smaller core found on the way
    # replaces the current one), within a bounded effort
    kept = list(core)
    for key in list(core):
        if key not in kept or spent >= EXPLAIN_TOTAL_S or len(kept) <= 1:
            continue
        trial = [k for k in kept if k != key]
        smaller, used = _core(prep, trial, seed, EXPLAIN_TRIAL_S)
        spent += used
        if smaller is not None:
            kept = smaller or trial
    core = kept
    return [_describe(prep, key) for key in sorted(core, key=str)]


def _describe(prep: _Prep, key: tuple) -> str:
    scenario = prep.scenario
    rules = scenario.rules
    kind = key[0]

    def who(officer_id: str) -> str:
        return officer_label(scenario.officer(officer_id))

    if kind == "staffing":
        _, day, shift = key
        free = [o for o in scenario.officers if _why_not(prep, o, day, shift) is None]
        gone = [
            f"{officer_label(o)} {prep.blocked[(o.id, day, shift)]}"
            for o in scenario.officers
            if (o.id, day, shift) in prep.blocked
            and o.can_patrol
            and scenario.shift(shift).allows_role(o.role)
        ]
        text = (
            f"{day_label(day)} {shift} needs at least {rules.min_units[shift]} unit(s) "
            f"(minimum staffing); {len(free)} officer(s) could work it"
        )
        if gone:
            text += f"; not available: {', '.join(gone[:10])}"
        return text + "."
    if kind in ("hours_min", "hours_max"):
        officer = scenario.officer(key[1])
        lo, hi, credited = contracted_band_minutes(scenario, officer)
        credit = f", {credited / 60:.1f} h credited for absence" if credited else ""
        if kind == "hours_min":
            return (
                f"{who(key[1])} must work at least {(lo - credited) / 60:.1f} h over "
                f"{scenario.days} days (contracted hours{credit})."
            )
        return (
            f"{who(key[1])} may work at most {hi / 60:.1f} h over "
            f"{scenario.days} days (contracted hours)."
        )
    if kind == "consecutive":
        officer = scenario.officer(key[1])
        limit = officer.max_consecutive_days or rules.max_consecutive_days
        past = sorted(t.date for t in scenario.history if t.officer_id == key[1])
        extra = f", counting last week's tours up to {day_label(past[-1])}" if past else ""
        return f"{who(key[1])} may work at most {limit} days in a row{extra}."
    if kind == "rest":
        return f"{who(key[1])} needs at least {rules.min_rest_h:g} h rest between tours."
    if kind == "succession":
        pairs = "; ".join(f"{', '.join(v)} not after {k}" for k, v in rules.forbidden_after.items())
        return f"{who(key[1])}: forbidden successions ({pairs})."
    if kind == "fixed":
        _, officer_id, day = key
        shift, source = prep.fixed[(officer_id, day)]
        return f"{who(officer_id)} is fixed to {shift or 'OFF'} on {day_label(day)} ({source})."
    if kind == "pairing":
        _, day, shift, station = key
        return (
            f"{day_label(day)} {shift} at {_station_name(scenario, station)}: officers "
            f"patrol in units of {scenario.shift(shift).unit_size}."
        )
    if kind == "max_tours":
        officer = scenario.officer(key[1])
        return f"{who(key[1])} may work at most {officer.max_tours_of(key[2])} {key[2]} tours."
    if kind == "weekends":
        officer = scenario.officer(key[1])
        return f"{who(key[1])} may work at most {officer.max_weekends} weekend(s)."
    if kind == "min_run":
        officer = scenario.officer(key[1])
        return f"{who(key[1])} works at least {officer.min_consecutive_days} days in a row."
    if kind == "min_off":
        officer = scenario.officer(key[1])
        return f"{who(key[1])} needs at least {officer.min_consecutive_days_off} days off in a row."
    return " ".join(str(k) for k in key)
