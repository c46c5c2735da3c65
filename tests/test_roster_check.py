"""The independent rule checker catches each kind of broken rule (it must not pass anything)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from solver.domain import Tour
from solver.roster import solve_roster
from solver.roster_check import check_roster
from solver.roster_result import RosterTour
from tests.roster_scenarios import MONDAY, on_leave, small_scenario, with_officer


@pytest.fixture(scope="module")
def solved():
    scenario = small_scenario()
    roster = solve_roster(scenario, time_limit_s=1.5, seed=3)
    assert check_roster(scenario, roster.assignments) == []
    return scenario, list(roster.assignments)


def first_tour(tours, shift):
    return next(t for t in tours if t.shift == shift)


def rules_broken(scenario, tours, **kw):
    return {v.rule for v in check_roster(scenario, tours, **kw)}


def test_tour_on_a_leave_day_breaks_availability(solved):
    scenario, tours = solved
    tour = first_tour(tours, "Early")
    scenario = on_leave(scenario, tour.officer_id, [tour.date])
    assert "availability" in rules_broken(scenario, tours)


def test_restrictions_and_roles(solved):
    scenario, tours = solved
    night = first_tour(tours, "Night")
    early = first_tour(tours, "Early")
    assert "restriction" in rules_broken(
        with_officer(scenario, night.officer_id, restrictions=frozenset({"no_nights"})), tours
    )
    assert "restriction" in rules_broken(
        with_officer(scenario, early.officer_id, restrictions=frozenset({"must_pair"})), tours
    )
    assert "restriction" in rules_broken(
        with_officer(scenario, early.officer_id, restrictions=frozenset({"no_patrol"})), tours
    )
    only_pc = replace(scenario.shift("Early"), roles=frozenset({"SGT"}))
    scenario = replace(
        scenario, shifts=tuple(only_pc if t.name == "Early" else t for t in scenario.shifts)
    )
    assert "role" in rules_broken(scenario, tours)


def test_two_tours_a_day_and_short_rest(solved):
    scenario, tours = solved
    late = first_tour(tours, "Late")
    extra = RosterTour(late.officer_id, late.date, "Early", late.station_id)
    assert "one_tour_a_day" in rules_broken(scenario, tours + [extra])
    nxt = late.date + dt.timedelta(days=1)
    others = [t for t in tours if not (t.officer_id == late.officer_id and t.date == nxt)]
    early_next = RosterTour(late.officer_id, nxt, "Early", late.station_id)
    assert "rest" in rules_broken(scenario, others + [early_next])


def test_night_then_late_breaks_the_succession_rule(solved):
    scenario, tours = solved
    night = first_tour(tours, "Night")
    nxt = night.date + dt.timedelta(days=1)
    others = [t for t in tours if not (t.officer_id == night.officer_id and t.date == nxt)]
    relaxed = replace(scenario, rules=replace(scenario.rules, min_rest_h=0))
    assert "succession" in rules_broken(
        relaxed, others + [RosterTour(night.officer_id, nxt, "Late", night.station_id)]
    )


def test_last_week_counts_for_consecutive_days(solved):
    scenario, tours = solved
    officer_id = next(t.officer_id for t in tours if t.date == MONDAY)
    history = tuple(Tour(officer_id, MONDAY - dt.timedelta(days=k), "Early") for k in range(1, 7))
    assert "consecutive" in rules_broken(replace(scenario, history=history), tours)


def test_hours_staffing_pairs_and_locks(solved):
    scenario, tours = solved
    officer_id = tours[0].officer_id
    assert "hours" in rules_broken(scenario, [t for t in tours if t.officer_id != officer_id])
    assert "staffing" in rules_broken(scenario, [t for t in tours if t.shift != "Early"])
    night = first_tour(tours, "Night")
    assert "pairing" in rules_broken(scenario, [t for t in tours if t != night])
    day_off = next(
        d
        for d in scenario.dates
        if all(not (t.officer_id == officer_id and t.date == d) for t in tours)
    )
    assert "lock" in rules_broken(scenario, tours, locks=[(officer_id, day_off, "Early")])
