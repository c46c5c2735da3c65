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
from solver.routes_pack_lp import screen_routes
from solver.routes_search import PACK_AT, SearchParams, _interchangeable_units
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
    packs = sum("route packing" in r.getMessage() for r in caplog.records)
    assert packs == len(PACK_AT), f"packed {packs} times, not at each of {PACK_AT}"
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
    monkeypatch.setattr(routes, "screen_routes", lambda *args: None)  # every route to CP-SAT
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


def _best_packing(routes: list[list[int]], worth: list[float], n_units: int, among) -> float:
    best = 0.0
    for k in range(1, n_units + 1):
        for combo in itertools.combinations(among, k):
            hs = [h for i in combo for h in routes[i]]
            if len(hs) == len(set(hs)):
                best = max(best, sum(worth[i] for i in combo))
    return best


def test_lp_screen_keeps_every_route_a_better_packing_needs():
    """Over random pools: the best packing among the routes kept is the best among all; the
    set to start from is a legal packing worth at least the incumbent."""
    rng = np.random.default_rng(7)
    screened_out = 0
    for trial in range(25):
        n_hotspots, n_units = 12, int(rng.integers(2, 4))
        routes = [sorted(int(h) for h in rng.choice(n_hotspots, size=int(rng.integers(1, 5)), replace=False)) for _ in range(26)]
        routes = [list(r) for r in {tuple(r) for r in routes}]
        values = rng.integers(1, 10, n_hotspots)
        worth = [float(sum(values[h] for h in r)) for r in routes]
        incumbent = [0]
        screen = screen_routes(routes, worth, incumbent, n_units)
        assert screen is not None
        best_all = _best_packing(routes, worth, n_units, range(len(routes)))
        assert _best_packing(routes, worth, n_units, screen.keep) == best_all, f"trial {trial}"
        start_hotspots = [h for i in screen.start for h in routes[i]]
        assert len(screen.start) <= n_units and len(start_hotspots) == len(set(start_hotspots))
        assert screen.floor_worth == sum(worth[i] for i in screen.start) >= worth[0]
        assert set(screen.start) <= set(screen.keep)
        assert screen.bound >= best_all - 1e-9
        screened_out += len(routes) - len(screen.keep)
    assert screened_out > 0, "the screen left out no route at all"


def test_a_long_recombination_does_not_run_the_next_ones_back_to_back():
    """Packings whose work takes 15% of the budget each: the thresholds a packing ran past
    are skipped, so the search iterates between any two packings (back to back, two packings
    were 3-14 cancel polls apart here; with the skip, about 150)."""
    from solver.routes_search import effort_for_seconds, search_routes

    problem = _orienteering(n_units=3, n_hotspots=30, seed=2)
    budget_s = 2.0
    polls = [0]  # the cancel hook is polled once per iteration and once per insertion
    packed_at: list[int] = []

    def slow_pack(items, incumbent, wall_s):
        packed_at.append(polls[0])
        return None, 0.15 * budget_s

    def count_iteration() -> bool:
        polls[0] += 1
        return False

    params = SearchParams(iterations=10**6, effort=effort_for_seconds(budget_s), time_cap_s=60.0, seed=0)
    search_routes(problem, params, recombine=slow_pack, cancel=count_iteration)
    gaps = [b - a for a, b in itertools.pairwise(packed_at)]
    assert len(packed_at) >= 2 and min(gaps) >= 50, f"packed at cancel polls {packed_at}"
