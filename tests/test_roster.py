"""The roster engine: every roster it returns obeys every hard rule (checked independently)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace

import pytest

from solver.domain import ShiftRequest, Tour
from solver.roster import solve_roster
from solver.roster_check import check_roster, check_rota, score_roster
from solver.roster_result import Roster
from tests.roster_scenarios import MONDAY, on_leave, small_scenario, with_officer

WEDNESDAY = MONDAY + dt.timedelta(days=2)


def assert_valid(scenario, roster: Roster, locks=()) -> None:
    """Hard rules hold and the reported objective matches an independent pricing."""
    assert roster.status in ("optimal", "feasible"), roster.explanation
    assert check_roster(scenario, roster.assignments, locks=locks) == []
    parts, _ = score_roster(scenario, roster.assignments)
    objective = sum(
        v for k, v in parts.items() if k not in ("patrol_value", "changes")
    ) - parts.get("patrol_value", 0.0)
    if roster.parts.get("changes", 0) == 0:
        assert roster.objective == pytest.approx(
            objective, abs=0.05 * len(roster.assignments) + 0.5
        )
    assert roster.bound is not None and roster.bound <= roster.objective + 1e-6


@pytest.fixture(scope="module")
def week():
    scenario = small_scenario()
    return scenario, solve_roster(scenario, time_limit_s=2.0, seed=1)


def test_solve_week_obeys_every_rule(week):
    scenario, roster = week
    assert_valid(scenario, roster)
    nights = [t for t in roster.assignments if t.shift == "Night"]
    units = {}
    for tour in nights:
        units.setdefault(tour.unit_id, []).append(tour)
    assert units and all(
        len(u) == 2 and len({t.station_id for t in u}) == 1 for u in units.values()
    )


def test_pcso_and_restricted_officers(week):
    scenario, _ = week
    scenario = with_officer(scenario, "2001", restrictions=frozenset({"no_nights"}))
    scenario = with_officer(scenario, "2002", restrictions=frozenset({"must_pair"}))
    scenario = with_officer(scenario, "2003", restrictions=frozenset({"no_patrol"}))
    night = replace(scenario.shift("Night"), roles=frozenset({"PC"}))
    scenario = replace(
        scenario, shifts=tuple(night if t.name == "Night" else t for t in scenario.shifts)
    )
    roster = solve_roster(scenario, time_limit_s=1.5, seed=0)
    assert_valid(scenario, roster)
    mine = {
        o: [t.shift for t in roster.assignments if t.officer_id == o]
        for o in ("2001", "2002", "2003", "2006")
    }
    assert "Night" not in mine["2001"]
    assert set(mine["2002"]) <= {"Night"}
    assert mine["2003"] == []
    assert "Night" not in mine["2006"]  # the PCSO


def test_rest_across_the_week_boundary_counts_last_week():
    scenario = small_scenario()
    sunday = MONDAY - dt.timedelta(days=1)
    history = tuple(
        Tour(o.id, sunday - dt.timedelta(days=k), "Night", o.station_id)
        for o in scenario.officers[:4]
        for k in range(5)
    )
    scenario = replace(scenario, history=history)
    roster = solve_roster(scenario, time_limit_s=1.5, seed=0)
    assert_valid(scenario, roster)
    for officer in scenario.officers[:4]:
        monday = roster.shift_of(officer.id, MONDAY)
        assert monday not in ("Early", "Late")  # Night ends 07:00: no Early; Late may not follow
        run = 5 + sum(
            1 for k in range(2) if roster.shift_of(officer.id, MONDAY + dt.timedelta(days=k))
        )
        assert run <= scenario.rules.max_consecutive_days


def test_rest_uses_real_time_at_the_clock_change():
    # UK clocks go back on Sunday 2026-10-25: a Late ending 23:00 Saturday and an Early at
    # 07:00 Sunday are 9 real hours apart, not 8.
    scenario = small_scenario(week_start=dt.date(2026, 10, 19))
    scenario = replace(scenario, rules=replace(scenario.rules, min_rest_h=9.0))
    saturday = dt.date(2026, 10, 24)
    officer = scenario.officers[0]
    tours = [
        Tour(officer.id, saturday, "Late"),
        Tour(officer.id, saturday + dt.timedelta(days=1), "Early"),
    ]
    assert [
        v for v in check_roster(scenario, tours, check_staffing=False) if v.rule == "rest"
    ] == []
    strict = replace(scenario, rules=replace(scenario.rules, min_rest_h=9.5))
    rest = [v for v in check_roster(strict, tours, check_staffing=False) if v.rule == "rest"]
    assert len(rest) == 1 and "9.0 h" in rest[0].message
    roster = solve_roster(
        scenario,
        time_limit_s=1.5,
        seed=0,
        locks=[
            (officer.id, saturday, "Late"),
            (officer.id, saturday + dt.timedelta(days=1), "Early"),
        ],
    )
    assert_valid(scenario, roster)


def test_same_seed_gives_the_same_roster(week):
    scenario, first = week
    second = solve_roster(scenario, time_limit_s=2.0, seed=1)
    assert second.assignments == first.assignments
    assert second.objective == first.objective


def test_locks_and_requests_are_kept():
    scenario = small_scenario()
    scenario = with_officer(scenario, "2004", requests=(ShiftRequest(WEDNESDAY, None),))
    locks = [
        ("2001", MONDAY, "Night"),
        ("2002", MONDAY, "Night"),
        ("2005", WEDNESDAY, None),
        Tour("2007", WEDNESDAY, "Early"),
    ]
    roster = solve_roster(scenario, time_limit_s=1.5, seed=0, locks=locks)
    assert_valid(scenario, roster, locks=locks)
    assert roster.shift_of("2001", MONDAY) == "Night"
    assert roster.shift_of("2005", WEDNESDAY) is None
    assert roster.shift_of("2007", WEDNESDAY) == "Early"
    refused = [p for p in roster.penalties if p.part == "requests"]
    assert (roster.shift_of("2004", WEDNESDAY) is None) == (not refused)


def test_sick_on_wednesday_replan_changes_little(week):
    scenario, first = week
    sick = on_leave(scenario, "2008", list(scenario.dates[2:]), reason="sick")
    replan = solve_roster(sick, previous=first, replan_from=WEDNESDAY, time_limit_s=2.0, seed=1)
    assert_valid(sick, replan)
    for day in scenario.dates[:2]:
        for officer in scenario.officers:
            assert replan.shift_of(officer.id, day) == first.shift_of(officer.id, day)
    assert all(c.date >= WEDNESDAY for c in replan.changes)
    assert all(replan.shift_of("2008", d) is None for d in scenario.dates[2:])
    fresh = solve_roster(sick, time_limit_s=2.0, seed=1)
    fresh_changes = sum(
        1
        for o in scenario.officers
        for d in scenario.dates
        if fresh.shift_of(o.id, d) != first.shift_of(o.id, d)
    )
    assert 0 < len(replan.changes) < fresh_changes
    assert {(c.officer_id, c.date) for c in replan.changes} >= {
        ("2008", d) for d in scenario.dates[2:] if first.shift_of("2008", d)
    }


def test_complete_rota_with_one_rest_violation_is_reported(week):
    scenario, roster = week
    # find an officer on a Late followed by a day off, and put them on the next day's Early
    for tour in roster.assignments:
        nxt = tour.date + dt.timedelta(days=1)
        if (
            tour.shift == "Late"
            and nxt in scenario.dates
            and roster.shift_of(tour.officer_id, nxt) is None
        ):
            break
    else:
        pytest.skip("no Late followed by a day off in this roster")
    rota = tuple(
        Tour(t.officer_id, t.date, t.shift, t.station_id, t.unit_id) for t in roster.assignments
    )
    rota += (Tour(tour.officer_id, nxt, "Early", tour.station_id),)
    checked = check_rota(replace(scenario, rota=rota))
    rest = [v for v in checked.violations if v.rule == "rest"]
    assert checked.status == "infeasible"
    assert len(rest) == 1
    assert rest[0].officer_id == tour.officer_id and rest[0].date == nxt
    assert (
        "PC" in rest[0].message and nxt.isoformat() in rest[0].message and "rest" in rest[0].message
    )


def test_unstaffable_shift_is_explained_with_officer_day_and_rule():
    scenario = small_scenario(min_units={"Late": 4})
    # nine of the twelve officers are away on Wednesday: three left for four Late units
    for officer_id in ("2001", "2002", "2003", "2004", "2007", "2008", "2009", "2010", "2011"):
        scenario = on_leave(scenario, officer_id, [WEDNESDAY])
    roster = solve_roster(scenario, time_limit_s=1.0)
    assert roster.status == "infeasible"
    text = "\n".join(roster.explanation)
    assert "Wednesday 2026-12-02 Late needs 4" in text and "only 3" in text
    assert "PC 2001 annual leave" in text


def test_conflicting_locks_are_explained_by_the_rules_they_break():
    scenario = small_scenario()
    locks = [("2001", MONDAY, "Late"), ("2001", MONDAY + dt.timedelta(days=1), "Early")]
    roster = solve_roster(scenario, time_limit_s=1.0, locks=locks)
    assert roster.status == "infeasible"
    text = "\n".join(roster.explanation)
    assert "PC 2001" in text and "rest" in text
    assert "Monday 2026-11-30" in text and "Tuesday 2026-12-01" in text


def test_cancel_returns_quickly_with_the_best_roster():
    scenario = small_scenario(officers_per_station=20, days=14)
    cancel = threading.Event()
    seen = []
    threading.Timer(1.0, cancel.set).start()
    start = time.monotonic()
    roster = solve_roster(scenario, time_limit_s=60.0, cancel=cancel, progress=seen.append)
    elapsed = time.monotonic() - start
    assert elapsed < 2.0
    assert roster.status == "cancelled"
    if roster.assignments:
        assert check_roster(scenario, roster.assignments) == []
        assert seen and seen[-1].objective == pytest.approx(roster.objective)


@pytest.mark.parametrize("nth_solve", [1, 2, 5, 12, 25, 40])
def test_a_cancel_arriving_just_before_a_solve_ends_cleanly(cancel_before_solve, nth_solve):
    # the cancel lands between the search's own check and a CP-SAT solve: the solve is
    # skipped, and the search must still end with the best roster so far, not a traceback
    scenario = small_scenario()
    solves = cancel_before_solve(nth_solve)
    roster = solve_roster(scenario, time_limit_s=2.0, seed=1, cancel=threading.Event())
    assert len(solves) >= nth_solve  # the search made that many solves: the cancel landed
    assert roster.status == "cancelled"
    if roster.assignments:
        assert check_roster(scenario, roster.assignments) == []


def test_hours_that_break_the_consecutive_days_rule_are_explained():
    scenario = small_scenario()
    history = tuple(
        Tour("2001", MONDAY - dt.timedelta(days=k), "Early", "CHA") for k in range(1, 7)
    )
    scenario = replace(scenario, history=history)
    scenario = with_officer(scenario, "2001", min_minutes=56 * 60, max_minutes=56 * 60)
    roster = solve_roster(scenario, time_limit_s=1.0)
    assert roster.status == "infeasible"
    text = "\n".join(roster.explanation)
    assert "PC 2001 may work at most 6 days in a row" in text
    assert "Sunday 2026-11-29" in text and "56.0 h" in text


@pytest.mark.parametrize(("under_weight", "searched_first"), [(20.0, False), (5000.0, True)])
def test_cover_targets_searched_first_only_when_they_dominate(caplog, under_weight, searched_first):
    from solver.domain import CoverTarget

    scenario = small_scenario()
    target = CoverTarget("Late", units=3, under_weight=under_weight, over_weight=1.0)
    scenario = replace(scenario, rules=replace(scenario.rules, cover_targets=(target,)))
    with caplog.at_level("INFO", logger="solver.roster"):
        roster = solve_roster(scenario, time_limit_s=2.0, seed=1)
    assert_valid(scenario, roster)
    first = any("shortfalls alone" in r.getMessage() for r in caplog.records)
    assert first == searched_first
