"""Recombining the routes the search has seen (set packing by CP-SAT) on orienteering-like
problems: the packer's choice is legal and best among the routes it is given, the search
with it returns checkable routes, and a cancel stops a packing at once."""

from __future__ import annotations

import itertools
import logging
import threading
import time

import numpy as np

from solver.routes import _route_packer, plan_shift_routes
from solver.routes_check import check_shift_plan
from solver.routes_core import RouteHotspot, RouteProblem, RouteUnit, route_travel
from solver.routes_search import SearchParams, _interchangeable_units
from tests.routes_fixtures import grid_matrix, patrol_problem


def _orienteering(n_units: int = 3, n_hotspots: int = 30, seed: int = 0) -> RouteProblem:
    """Identical units at one station, one window and one valued visit per hotspot, no break."""
    rng = np.random.default_rng(seed)
    side = 8
    travel = grid_matrix(side)
    units = tuple(RouteUnit(id=f"T{k + 1}", depot=0, start=0, end=4 * 3600) for k in range(n_units))
    hotspots = []
    for h in range(n_hotspots):
        opens = int(rng.integers(0, 3 * 3600))
        hotspots.append(
            RouteHotspot(
                id=f"H{h + 1}",
                access=(int(rng.integers(1, side * side)),),
                dwell=600,
                per_visit=float(rng.integers(1, 10)),
                earliest=opens,
                latest=opens + int(rng.integers(1800, 5400)),
            )
        )
    return RouteProblem(units=units, hotspots=tuple(hotspots), travel=travel, travel_weight=1e-6)


def _item(problem: RouteProblem, stops):
    return frozenset(h for h, _n in stops), route_travel(problem, problem.units[0], stops), list(stops)


def test_packer_picks_the_best_disjoint_routes_among_those_given():
    problem = _orienteering(n_units=2)
    node = [h.access[0] for h in problem.hotspots]
    candidates = [[0, 1], [2, 3], [1, 2], [4], [0, 3, 5], [6, 7]]
    items = [_item(problem, [(h, node[h]) for h in route]) for route in candidates]
    pack = _route_packer(problem, seed=0, cancel=None)
    routes, work_s = pack(items, [[], []], 10.0)
    assert routes is not None and len(routes) == 2 and work_s >= 0

    def worth(chosen) -> float:
        return sum(problem.hotspots[h].per_visit for route in chosen for h in route)

    picked = [[h for h, _n in stops] for stops in routes if stops]
    flat = [h for route in picked for h in route]
    assert len(flat) == len(set(flat)), "no hotspot twice"
    best = max(
        worth(combo)
        for k in range(3)
        for combo in itertools.combinations(candidates, k)
        if len({h for r in combo for h in r}) == sum(len(r) for r in combo)
    )
    assert worth(picked) == best


def test_search_with_recombination_gives_routes_that_pass_the_checker(caplog):
    problem = _orienteering(n_units=3, n_hotspots=40, seed=3)
    assert _interchangeable_units(problem)
    caplog.set_level(logging.DEBUG, logger="solver.routes")
    plan = plan_shift_routes(problem, iterations=600, time_limit_s=30, seed=1, search=SearchParams())
    assert sum("route packing" in r.getMessage() for r in caplog.records) == 2, "packed at 55% and 85%"
    report = check_shift_plan(problem, plan)
    assert report.ok, report.violations
    visited = [v.hotspot for u in plan.units for v in u.visits]
    assert len(visited) == len(set(visited)) and plan.value > 0


def test_units_with_breaks_or_repeat_visits_are_not_recombined():
    assert not _interchangeable_units(patrol_problem(n_units=2, n_hotspots=8, target=3))
    assert not _interchangeable_units(patrol_problem(n_units=2, n_hotspots=8, target=1))  # breaks, risk by hour


def test_cancel_stops_a_packing_at_once(monkeypatch):
    import solver.routes as routes

    monkeypatch.setattr(routes, "PACK_LIMIT_S", 30.0)  # uncancelled: about 30 s
    problem = _orienteering(n_units=4, n_hotspots=60, seed=5)
    rng = np.random.default_rng(0)
    node = [h.access[0] for h in problem.hotspots]
    items = []
    for _ in range(6000):
        route = [int(h) for h in rng.choice(60, size=int(rng.integers(3, 9)), replace=False)]
        items.append(_item(problem, [(h, node[h]) for h in route]))
    stop = threading.Event()
    pack = _route_packer(problem, seed=0, cancel=stop.is_set)
    threading.Timer(0.2, stop.set).start()
    t0 = time.perf_counter()
    pack(items, [[] for _ in problem.units], 30.0)
    assert time.perf_counter() - t0 < 1.5
