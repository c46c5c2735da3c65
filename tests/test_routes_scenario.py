"""Scenario-level routes on the embedded demo (real Leeds streets): chained shifts, executor."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor

import pytest

from solver.roster_result import RosterTour
from solver.routes_check import check_shift_plan
from solver.routes_plan import REASON_ORDER


@pytest.fixture(scope="module")
def demo():
    from solver.demo import demo_scenario_path
    from solver.load import check_network
    from solver.matrix import build_walk_matrix
    from solver.scenario import read_scenario

    path = demo_scenario_path()
    if not path.exists():
        pytest.skip("demo scenario absent")
    scenario = read_scenario(path)
    net = check_network(scenario)
    matrix = build_walk_matrix(net.graph, net.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    return scenario, net, matrix


def _tours(scenario, day: dt.date) -> list[RosterTour]:
    pcs = [o for o in scenario.officers if o.role.upper() in ("PC", "PCSO")]
    late = [RosterTour(o.id, day, "Late", o.station_id) for o in pcs[:3]]
    night = [RosterTour(o.id, day, "Night", o.station_id) for o in [p for p in pcs if p.role.upper() == "PC"][3:5]]
    early = [RosterTour(o.id, day + dt.timedelta(days=1), "Early", o.station_id) for o in pcs[6:8]]
    return late + night + early


def _all_visits(routes):
    return [(v.hotspot_id, v.arrive, v.depart) for t in routes.tours for v in t.visits]


def test_chained_shifts_pass_the_checker_and_keep_gaps_across_shifts(demo):
    from solver.routes_scenario import solve_routes

    scenario, net, matrix = demo
    day = scenario.dates[0]
    routes = solve_routes(scenario, _tours(scenario, day), net, matrix=matrix, iterations=40, time_limit_s=30)
    worked = [s for s in routes.shifts if s.tours]
    assert {(s.date, s.shift) for s in worked} == {(day, "Late"), (day, "Night"), (day + dt.timedelta(days=1), "Early")}
    for s in worked:
        report = check_shift_plan(s.problem, s.plan)
        assert report.ok, (s.shift, report.violations)
        assert s.value > 0 and 0 < s.dwell_share <= 1 and s.value <= s.upper_bound * 1.0001
        for tour in s.tours:
            assert tour.meal_break is not None
            assert s.start <= tour.meal_break.start < tour.meal_break.end <= s.end
            assert tour.visits and all(v.lat != 0 for v in tour.visits)
            assert tour.path_nodes[0] == tour.station_node == tour.path_nodes[-1]
            legs = s.legs[tour.unit_id]
            assert len(legs) == len(tour.visits) + 1
            assert any(leg.streets for leg in legs)
    # the Night shift was given the Late shift's visits: gaps hold across shifts (by the clock)
    by_hotspot: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for hid, a, d in _all_visits(routes):
        by_hotspot.setdefault(hid, []).append((a, d))
    for hid, visits in by_hotspot.items():
        gap = dt.timedelta(minutes=scenario.hotspot(hid).min_gap_min)
        visits.sort()
        for (_a1, d1), (a2, _d2) in zip(visits, visits[1:], strict=False):
            assert a2 - d1 >= gap, hid
    # dosage counts each visit on the calendar date it starts, and never past the target
    for row in routes.dosage:
        counted = sum(1 for hid, a, _d in _all_visits(routes) if hid == row.hotspot_id and a.date() == row.date)
        assert row.planned_visits == counted
        assert (row.unmet_reason == "") == (row.planned_visits >= row.target_visits)
        assert row.unmet_reason in ("",) + REASON_ORDER
    after_midnight = [v for t in routes.tours if t.shift == "Night" for v in t.visits if v.arrive.date() > day]
    assert after_midnight, "a night shift patrols after midnight"


def test_process_executor_gives_the_same_routes_as_inline(demo):
    from solver.routes_scenario import solve_routes

    scenario, net, matrix = demo
    day = scenario.dates[2]
    tours = [t for t in _tours(scenario, day) if t.shift == "Late"]
    inline = solve_routes(scenario, tours, net, matrix=matrix, iterations=30, time_limit_s=30, with_paths=False)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = solve_routes(scenario, tours, net, matrix=matrix, iterations=30, time_limit_s=30, executor=pool, with_paths=False)
    assert [t.visits for t in inline.tours] == [t.visits for t in pooled.tours]
    assert inline.value == pytest.approx(pooled.value)
