"""Check a roster against every hard rule, and price its soft goals, without any solver.

This module is deliberately independent of the CP-SAT model in `solver.roster`: it reads the
rules from the `Scenario` and walks the tours with real (zoneinfo) date-times. It serves the
tests (every roster the engine returns is checked here), the rota-check mode (a complete
fixed rota is checked and every violation explained, nothing is planned) and the app (a
conflict shown in a roster cell).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from solver.domain import Officer, Scenario, ShiftTemplate
from solver.roster_result import (
    Penalty,
    Roster,
    RosterTour,
    RuleViolation,
    day_label,
    form_units,
    normalise_locks,
    officer_label,
)
from solver.roster_value import shift_values, unit_fraction
from solver.timeutil import elapsed_minutes, tour_minutes, tour_start_end


class TourLike(Protocol):
    officer_id: str
    date: dt.date
    shift: str
    station_id: str
    unit_id: str


def _is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def _weekend_key(day: dt.date) -> dt.date:
    """The Saturday of ``day``'s weekend."""
    return day - dt.timedelta(days=day.weekday() - 5)


def contracted_band_minutes(scenario: Scenario, officer: Officer) -> tuple[float, float, float]:
    """(lowest, highest, credited) minutes for the contracted-hours rule over the horizon.

    Hours worked plus ``contracted_hours / 5`` for each unavailable planning day whose reason
    is not a rest day must lie within ``hours_tolerance_h`` of ``contracted_hours`` per 7 days
    (pro rata). The credit only lowers the floor (absence excuses hours; it never pushes an
    officer over the ceiling, so an officer who goes sick mid-week is not "over"): hours
    worked + credit >= lowest and hours worked <= highest. With explicit ``min_minutes``/``max_minutes`` on the officer those bounds apply instead,
    with no credit.
    """
    if officer.min_minutes is not None or officer.max_minutes is not None:
        lo = float(officer.min_minutes or 0)
        hi = float(officer.max_minutes) if officer.max_minutes is not None else math.inf
        return lo, hi, 0.0
    ratio = scenario.days / 7.0
    target = officer.contracted_hours * 60.0 * ratio
    tolerance = scenario.rules.hours_tolerance_h * 60.0 * ratio
    credited = 0.0
    for day in scenario.dates:
        gone = officer.unavailable_on(day)
        if gone is not None and not gone.is_rest_day:
            credited += officer.contracted_hours * 60.0 / 5.0
    credited = min(credited, target)
    return target - tolerance, target + tolerance, credited


def check_roster(
    scenario: Scenario,
    tours: Iterable[TourLike],
    *,
    locks: Iterable[object] = (),
    check_staffing: bool = True,
) -> list[RuleViolation]:
    """Every hard rule ``tours`` break, each located by officer, date and shift.

    Parameters
    ----------
    scenario
        Officers, shifts, rules, history (last week's tours) and the fixed rota.
    tours
        The roster: `RosterTour` or `solver.domain.Tour` objects over the planning days.
    locks
        Extra fixed officer-days (tours, or ``(officer_id, date, shift_or_None)``); the
        scenario's rota tours are always checked as locks.
    check_staffing
        Check minimum staffing (off for a partial roster).

    Returns
    -------
    list of RuleViolation
        Empty when the roster obeys every rule.
    """
    tours = list(tours)
    out: list[RuleViolation] = []
    officers = {o.id: o for o in scenario.officers}
    templates = {t.name: t for t in scenario.shifts}
    dates = set(scenario.dates)
    tz = scenario.timezone
    rules = scenario.rules

    def add(rule: str, message: str, officer_id=None, day=None, shift=None) -> None:
        out.append(RuleViolation(rule, message, officer_id, day, shift))

    valid: list[TourLike] = []
    for tour in tours:
        officer = officers.get(tour.officer_id)
        if officer is None:
            add(
                "unknown",
                f"Unknown officer {tour.officer_id!r} on {day_label(tour.date)}.",
                tour.officer_id,
                tour.date,
                tour.shift,
            )
            continue
        if tour.shift not in templates:
            add(
                "unknown",
                f"{officer_label(officer)} on {day_label(tour.date)}: unknown shift "
                f"{tour.shift!r}.",
                tour.officer_id,
                tour.date,
                tour.shift,
            )
            continue
        if tour.date not in dates:
            add(
                "horizon",
                f"{officer_label(officer)}: {tour.shift} on {day_label(tour.date)} is "
                "outside the planning days.",
                tour.officer_id,
                tour.date,
                tour.shift,
            )
            continue
        valid.append(tour)

    by_officer: dict[str, list[TourLike]] = defaultdict(list)
    for tour in valid:
        by_officer[tour.officer_id].append(tour)
    history: dict[str, list[TourLike]] = defaultdict(list)
    for tour in scenario.history:
        if tour.shift in templates and tour.officer_id in officers:
            history[tour.officer_id].append(tour)

    for officer in scenario.officers:
        who = officer_label(officer)
        mine = sorted(by_officer.get(officer.id, []), key=lambda t: (t.date, t.shift))
        # one tour a day
        per_day: dict[dt.date, list[str]] = defaultdict(list)
        for tour in mine:
            per_day[tour.date].append(tour.shift)
        for day, names in sorted(per_day.items()):
            if len(names) > 1:
                add(
                    "one_tour_a_day",
                    f"{who} has {len(names)} tours on {day_label(day)} "
                    f"({', '.join(sorted(names))}); at most one a day.",
                    officer.id,
                    day,
                )
        for tour in mine:
            template = templates[tour.shift]
            day = tour.date
            gone = officer.unavailable_on(day)
            if gone is not None:
                add(
                    "availability",
                    f"{who} is rostered {tour.shift} on {day_label(day)} but is "
                    f"unavailable ({gone.reason}).",
                    officer.id,
                    day,
                    tour.shift,
                )
            if not officer.can_patrol:
                add(
                    "restriction",
                    f"{who} is rostered {tour.shift} on {day_label(day)} but is "
                    "restricted from patrol (no_patrol).",
                    officer.id,
                    day,
                    tour.shift,
                )
            if template.night and "no_nights" in officer.restrictions:
                add(
                    "restriction",
                    f"{who} is rostered on the night tour {tour.shift} on "
                    f"{day_label(day)} but may not work nights (no_nights).",
                    officer.id,
                    day,
                    tour.shift,
                )
            if "must_pair" in officer.restrictions and template.unit_size < 2:
                add(
                    "restriction",
                    f"{who} must patrol in a pair but {tour.shift} on "
                    f"{day_label(day)} is a single-officer tour (must_pair).",
                    officer.id,
                    day,
                    tour.shift,
                )
            if not template.allows_role(officer.role):
                add(
                    "role",
                    f"{who} ({officer.role}) is rostered {tour.shift} on {day_label(day)}"
                    f" but that tour takes only {', '.join(sorted(template.roles or ()))}.",
                    officer.id,
                    day,
                    tour.shift,
                )
        # rest and successions, last week's tours included
        timeline = sorted(
            [(t, True) for t in mine] + [(t, False) for t in history.get(officer.id, [])],
            key=lambda item: tour_start_end(templates[item[0].shift], item[0].date, tz)[0],
        )
        for (prev, prev_new), (nxt, next_new) in zip(timeline, timeline[1:], strict=False):
            if not (prev_new or next_new):
                continue
            if prev.date == nxt.date:
                continue  # reported as more than one tour a day
            _, prev_end = tour_start_end(templates[prev.shift], prev.date, tz)
            next_start, _ = tour_start_end(templates[nxt.shift], nxt.date, tz)
            rest = elapsed_minutes(prev_end, next_start)
            if rest < rules.min_rest_h * 60 - 1e-6:
                where = "" if prev_new else " (last week)"
                add(
                    "rest",
                    f"{who}: only {rest / 60:.1f} h rest between {prev.shift} on "
                    f"{day_label(prev.date)}{where} and {nxt.shift} on {day_label(nxt.date)}; "
                    f"at least {rules.min_rest_h:g} h needed.",
                    officer.id,
                    nxt.date,
                    nxt.shift,
                )
            if nxt.date - prev.date == dt.timedelta(days=1) and nxt.shift in tuple(
                rules.forbidden_after.get(prev.shift, ())
            ):
                add(
                    "succession",
                    f"{who}: {nxt.shift} on {day_label(nxt.date)} may not follow "
                    f"{prev.shift} the day before.",
                    officer.id,
                    nxt.date,
                    nxt.shift,
                )
        # consecutive working days (last week counted)
        worked = {t.date for t in mine} | {t.date for t in history.get(officer.id, [])}
        limit = officer.max_consecutive_days
        if limit is None:
            limit = rules.max_consecutive_days
        run = 0
        if worked:
            day = min(worked)
            last = max(worked)
            while day <= last:
                run = run + 1 if day in worked else 0
                if run > limit and day in dates:
                    add(
                        "consecutive",
                        f"{who}: {run} working days in a row up to "
                        f"{day_label(day)}; at most {limit}.",
                        officer.id,
                        day,
                    )
                day += dt.timedelta(days=1)
        # minimum runs of work and rest strictly inside the horizon
        horizon = list(scenario.dates)
        works = [d in worked for d in horizon]
        for flag, least, what in (
            (True, officer.min_consecutive_days, "working days"),
            (False, officer.min_consecutive_days_off, "days off"),
        ):
            if least <= 1:
                continue
            i = 0
            while i < len(horizon):
                if works[i] != flag:
                    i += 1
                    continue
                j = i
                while j + 1 < len(horizon) and works[j + 1] == flag:
                    j += 1
                inside = i > 0 and j < len(horizon) - 1
                if inside and j - i + 1 < least:
                    add(
                        "min_run",
                        f"{who}: only {j - i + 1} {what} in a row from "
                        f"{day_label(horizon[i])}; at least {least}.",
                        officer.id,
                        horizon[i],
                    )
                i = j + 1
        # tours per shift, weekends
        for name, most in officer.max_tours:
            count = sum(1 for t in mine if t.shift == name)
            if count > most:
                add(
                    "max_tours",
                    f"{who}: {count} {name} tours; at most {most}.",
                    officer.id,
                    shift=name,
                )
        if officer.max_weekends is not None:
            weekends = {_weekend_key(t.date) for t in mine if _is_weekend(t.date)}
            if len(weekends) > officer.max_weekends:
                add(
                    "weekends",
                    f"{who}: works {len(weekends)} weekends; at most {officer.max_weekends}.",
                    officer.id,
                )
        # hours
        if officer.can_patrol:
            lo, hi, credited = contracted_band_minutes(scenario, officer)
            minutes = sum(tour_minutes(templates[t.shift], t.date, tz) for t in mine)
            if minutes + credited < lo - 1e-6:
                credit = f" plus {credited / 60:.1f} h credited for absence" if credited else ""
                add(
                    "hours",
                    f"{who}: {minutes / 60:.1f} h rostered{credit} is below the "
                    f"{lo / 60:.1f} h needed over {scenario.days} days.",
                    officer.id,
                )
            if minutes > hi + 1e-6:
                add(
                    "hours",
                    f"{who}: {minutes / 60:.1f} h rostered is above the "
                    f"{hi / 60:.1f} h allowed over {scenario.days} days.",
                    officer.id,
                )

    # pairing and staffing
    cells: dict[tuple[dt.date, str], list[TourLike]] = defaultdict(list)
    for tour in valid:
        cells[(tour.date, tour.shift)].append(tour)
    units_on: dict[tuple[dt.date, str], int] = {}
    for (day, name), members in cells.items():
        template = templates[name]
        units_on[(day, name)] = _count_units(template, members, officers, day, add)
    if check_staffing:
        for name, need in rules.min_units.items():
            if name not in templates:
                continue
            for day in scenario.dates:
                have = units_on.get((day, name), 0)
                if have < need:
                    add(
                        "staffing",
                        f"{day_label(day)} {name} has {have} unit(s); at least {need} needed.",
                        day=day,
                        shift=name,
                    )

    # locks and the fixed rota
    fixed = normalise_locks(list(scenario.rota) + list(locks))
    assigned: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for tour in valid:
        assigned[(tour.officer_id, tour.date)].add(tour.shift)
    for (officer_id, day), shift in sorted(fixed.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if day not in dates:
            continue
        got = assigned.get((officer_id, day), set())
        ok = (not got) if shift is None else (shift in got)
        if not ok:
            who = officer_label(officers[officer_id]) if officer_id in officers else officer_id
            add(
                "lock",
                f"{who} is fixed to {shift or 'OFF'} on {day_label(day)} but has "
                f"{', '.join(sorted(got)) or 'OFF'}.",
                officer_id,
                day,
                shift,
            )
    return out


def _count_units(template: ShiftTemplate, members, officers, day, add) -> int:
    """Units on one date and shift; reports pairing breaches through ``add``."""
    if template.unit_size < 2:
        return len(members)
    by_unit: dict[str, list] = defaultdict(list)
    loose: dict[str, list] = defaultdict(list)
    for tour in members:
        station = officers[tour.officer_id].station_id
        if tour.unit_id:
            by_unit[tour.unit_id].append((tour, station))
        else:
            loose[station].append(tour)
    units = 0
    for unit_id, group in sorted(by_unit.items()):
        stations = {s for _, s in group}
        if len(group) != template.unit_size or len(stations) != 1:
            names = ", ".join(officer_label(officers[t.officer_id]) for t, _ in group)
            add(
                "pairing",
                f"{day_label(day)} {template.name}: unit {unit_id} has {names}; "
                f"a unit is {template.unit_size} officers of one station.",
                day=day,
                shift=template.name,
            )
        units += 1
    for station, group in sorted(loose.items()):
        if len(group) % template.unit_size:
            add(
                "pairing",
                f"{day_label(day)} {template.name}: {len(group)} officer(s) at "
                f"station {station}; tours of unit size {template.unit_size} need a multiple.",
                day=day,
                shift=template.name,
            )
        units += len(group) // template.unit_size
    return units


def count_units(scenario: Scenario, tours: Iterable[TourLike]) -> dict[tuple[dt.date, str], int]:
    """Patrol units on each (date, shift) of ``tours`` (pairs count once)."""
    officers = {o.id: o for o in scenario.officers}
    cells: dict[tuple[dt.date, str], list[TourLike]] = defaultdict(list)
    for tour in tours:
        if tour.officer_id in officers:
            cells[(tour.date, tour.shift)].append(tour)
    return {
        key: _count_units(scenario.shift(key[1]), members, officers, key[0], lambda *a, **k: None)
        for key, members in cells.items()
    }


def score_roster(
    scenario: Scenario,
    tours: Sequence[TourLike],
    *,
    previous: Sequence[TourLike] | None = None,
    replan_from: dt.date | None = None,
) -> tuple[dict[str, float], list[Penalty]]:
    """The soft goals of a roster, priced independently of the model.

    Returns
    -------
    parts, penalties
        ``parts``: points per named goal (``patrol_value`` is a value; every other part is a
        penalty); the objective is ``sum(penalties) - patrol_value``. ``penalties`` lists each
        cost with its reason (a refused request, a shift under target, a change...).
    """
    weights = scenario.roster_weights
    officers = {o.id: o for o in scenario.officers}
    templates = {t.name: t for t in scenario.shifts}
    dates = list(scenario.dates)
    shift_of: dict[tuple[str, dt.date], str] = {}
    for tour in tours:
        shift_of[(tour.officer_id, tour.date)] = tour.shift
    parts: dict[str, float] = defaultdict(float)
    penalties: list[Penalty] = []

    # patrol value
    values = shift_values(scenario)
    units = count_units(scenario, tours)
    total_value = 0.0
    for (day, name), first in values.items():
        n = units.get((day, name), 0)
        total_value += first * sum(unit_fraction(k, weights.diminishing) for k in range(1, n + 1))
    parts["patrol_value"] = total_value

    # requests
    for officer in scenario.officers:
        who = officer_label(officer)
        for request in officer.requests:
            if request.date not in set(dates):
                continue
            got = shift_of.get((officer.id, request.date))
            weight = weights.request if request.weight is None else request.weight
            if request.avoid:
                refused = got is not None if request.shift is None else got == request.shift
                wish = f"not to work {request.shift}" if request.shift else "to work"
            else:
                refused = got is not None if request.shift is None else got != request.shift
                wish = "the day off" if request.shift is None else f"{request.shift}"
            if refused and weight:
                parts["requests"] += weight
                penalties.append(
                    Penalty(
                        "requests",
                        weight,
                        f"{who} asked for {wish} on "
                        f"{day_label(request.date)}; rostered {got or 'OFF'}.",
                        officer.id,
                        request.date,
                        request.shift,
                    )
                )

    # cover targets
    for target in scenario.rules.cover_targets:
        if target.shift not in templates:
            continue
        for day in [target.date] if target.date is not None else dates:
            if day not in dates:
                continue
            n = units.get((day, target.shift), 0)
            if n < target.units and target.under_weight:
                points = (target.units - n) * target.under_weight
                parts["cover_under"] += points
                penalties.append(
                    Penalty(
                        "cover_under",
                        points,
                        f"{day_label(day)} {target.shift}: {n} unit(s), target {target.units}.",
                        date=day,
                        shift=target.shift,
                    )
                )
            if n > target.units and target.over_weight:
                points = (n - target.units) * target.over_weight
                parts["cover_over"] += points
                penalties.append(
                    Penalty(
                        "cover_over",
                        points,
                        f"{day_label(day)} {target.shift}: {n} unit(s), target {target.units}.",
                        date=day,
                        shift=target.shift,
                    )
                )

    # fairness: spread of night and weekend tours among officers who can work them
    for part, weight, eligible, counts in _fairness_groups(scenario, shift_of):
        if weight and eligible:
            spread = max(counts[o] for o in eligible) - min(counts[o] for o in eligible)
            if spread:
                parts[part] += weight * spread
                penalties.append(
                    Penalty(
                        part,
                        weight * spread,
                        f"{part.replace('_', ' ')}: spread of {spread} tour(s) between officers.",
                    )
                )

    # changes from the previous roster
    if previous is not None:
        start = replan_from or scenario.week_start
        old = {(t.officer_id, t.date): t.shift for t in previous}
        for officer in scenario.officers:
            for day in dates:
                if day < start:
                    continue
                before = old.get((officer.id, day))
                after = shift_of.get((officer.id, day))
                if before != after and weights.change:
                    parts["changes"] += weights.change
                    penalties.append(
                        Penalty(
                            "changes",
                            weights.change,
                            f"{officer_label(officer)} {day_label(day)}: "
                            f"{before or 'OFF'} -> {after or 'OFF'}.",
                            officer.id,
                            day,
                        )
                    )
    del officers
    return dict(parts), penalties


def fairness_eligible(scenario: Scenario) -> tuple[list[str], list[str]]:
    """Officers counted in the night and the weekend fairness spreads.

    Nights: officers who may work a night template (role, restrictions) and are available on
    at least half the planning days. Weekends: officers available on every weekend day of the
    horizon. Officers who cannot patrol are never counted.
    """
    nights = [t for t in scenario.shifts if t.night]
    weekend_days = [d for d in scenario.dates if _is_weekend(d)]
    night_ok: list[str] = []
    weekend_ok: list[str] = []
    for officer in scenario.officers:
        if not officer.can_patrol:
            continue
        available = [d for d in scenario.dates if officer.unavailable_on(d) is None]
        if (
            nights
            and "no_nights" not in officer.restrictions
            and any(
                t.allows_role(officer.role)
                and ("must_pair" not in officer.restrictions or t.unit_size >= 2)
                and officer.max_tours_of(t.name) != 0
                for t in nights
            )
            and 2 * len(available) >= scenario.days
        ):
            night_ok.append(officer.id)
        if weekend_days and all(officer.unavailable_on(d) is None for d in weekend_days):
            weekend_ok.append(officer.id)
    return night_ok, weekend_ok


def _fairness_groups(scenario: Scenario, shift_of: dict[tuple[str, dt.date], str]):
    weights = scenario.roster_weights
    night_names = {t.name for t in scenario.shifts if t.night}
    night_ok, weekend_ok = fairness_eligible(scenario)
    nights = {o: 0 for o in night_ok}
    weekends = {o: 0 for o in weekend_ok}
    for (officer_id, day), name in shift_of.items():
        if officer_id in nights and name in night_names:
            nights[officer_id] += 1
        if officer_id in weekends and _is_weekend(day):
            weekends[officer_id] += 1
    return [
        ("fairness_nights", weights.fairness_nights, night_ok, nights),
        ("fairness_weekends", weights.fairness_weekends, weekend_ok, weekends),
    ]


def check_rota(scenario: Scenario, *, locks: Iterable[object] = ()) -> Roster:
    """Check a complete fixed rota (``scenario.rota``) and explain every violation.

    Nothing is planned: the rota is the roster. Status is ``feasible`` when it breaks no hard
    rule and ``infeasible`` otherwise, with one explanation line per violation.
    """
    tours = form_units(
        scenario,
        [RosterTour(t.officer_id, t.date, t.shift, t.station_id, t.unit_id) for t in scenario.rota],
    )
    violations = check_roster(scenario, tours, locks=locks)
    parts, penalties = score_roster(scenario, tours)
    objective = sum(v for k, v in parts.items() if k != "patrol_value") - parts.get(
        "patrol_value", 0.0
    )
    return Roster(
        status="infeasible" if violations else "feasible",
        assignments=tours,
        objective=objective,
        parts=parts,
        penalties=tuple(penalties),
        explanation=tuple(v.message for v in violations),
        violations=tuple(violations),
        mode="rota-check",
    )
