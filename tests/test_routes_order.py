"""Fast paths of the route search for problems without gap rules, checked against the exact schedule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from solver.routes_core import (
    BREAK,
    RouteHotspot,
    RouteProblem,
    RouteUnit,
    reschedule_tail,
    route_travel,
    routes_value,
    schedule_route,
)
from solver.routes_order import _BIG, _apply, _cached_moves, _Tables, best_order, move_keys
from solver.routes_search import (
    SearchParams,
    _flat_routes_value,
    _Inserter,
    _order_consts,
    _State,
    search_routes,
)


def toptw_like(seed: int = 0, n: int = 60, m: int = 2) -> RouteProblem:
    """Customers with one window each, scores, no breaks (the TOPTW shape)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n + 1, 2))
    travel = np.floor(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 10).astype(np.int64)
    horizon = 10_000
    units = tuple(RouteUnit(id=f"t{k}", depot=0, start=0, end=horizon) for k in range(m))
    hotspots = []
    for i in range(1, n + 1):
        lo = int(rng.integers(0, horizon - 2000))
        hotspots.append(RouteHotspot(id=str(i), access=(i,), dwell=int(rng.integers(50, 200)), per_visit=float(rng.integers(1, 30)), earliest=lo, latest=lo + int(rng.integers(200, 3000))))
    return RouteProblem(units=units, hotspots=tuple(hotspots), travel=travel, travel_weight=1e-6)


@pytest.fixture(scope="module")
def solved() -> tuple[RouteProblem, list]:
    problem = toptw_like()
    res = search_routes(problem, SearchParams(iterations=40, order_search=False))
    assert all(len(r) >= 4 for r in res.routes)
    return problem, res.routes


def test_every_order_move_is_valued_as_the_exact_schedule(solved):
    problem, routes = solved
    T = np.asarray(problem.travel)
    consts = _order_consts(problem)
    checked = 0
    for r, stops in enumerate(routes):
        unit = problem.units[r]
        hs = np.array([h for h, _n in stops])
        nodes = np.array([n for _h, n in stops])
        moves = _cached_moves(len(stops), 3)
        keys = move_keys(_Tables(unit, nodes, hs, consts, T), unit, moves, T)
        for m in range(len(moves[0])):
            order = _apply(len(stops), *(int(x[m]) for x in moves))
            assert sorted(order) == list(range(len(stops)))
            new = [stops[k] for k in order]
            sched = schedule_route(problem, unit, new)
            assert sched.feasible == (keys[m] < _BIG)
            if sched.feasible:
                assert keys[m] == sched.back + route_travel(problem, unit, new)
            checked += 1
    assert checked > 1000


def test_best_order_never_comes_back_later(solved):
    problem, routes = solved
    for r, stops in enumerate(routes):
        unit = problem.units[r]
        new = best_order(problem, unit, stops, _order_consts(problem))
        if new is None:
            continue
        assert sorted(new) == sorted(stops)
        before, after = schedule_route(problem, unit, stops), schedule_route(problem, unit, new)
        assert after.feasible
        assert after.back + route_travel(problem, unit, new) < before.back + route_travel(problem, unit, stops)


def test_tail_rescheduling_matches_the_full_schedule(solved):
    problem, routes = solved
    rng = np.random.default_rng(1)
    unit = problem.units[0]
    with_break = dataclasses.replace(unit, break_len=300, break_earliest=2000, break_latest_end=8000)
    for u, stops in ((unit, list(routes[0])), (with_break, routes[0][:3] + [BREAK] + routes[0][3:])):
        prev = schedule_route(problem, u, stops)
        for _ in range(200):
            k = int(rng.integers(0, len(stops) + 1))
            h = int(rng.integers(0, len(problem.hotspots)))
            new = stops[:k] + [(h, problem.hotspots[h].access[0])] + stops[k:]
            a, b = schedule_route(problem, u, new), reschedule_tail(problem, u, new, prev, k)
            assert (a.arrive, a.start, a.end, a.back, a.feasible) == (b.arrive, b.start, b.end, b.back, b.feasible)


def test_loop_free_insertion_arrays_match_the_general_ones(solved):
    problem, routes = solved
    st = _State(problem, routes)
    ins = _Inserter(problem, SearchParams())
    for r in range(len(routes)):
        fast = ins.route_arrays(st, r)
        ins.has_gaps = True  # forces the general path (no visits to gap against here)
        slow = ins.route_arrays(st, r)
        ins.has_gaps = False
        for x, y in zip(fast, slow, strict=True):
            assert np.array_equal(x, y)


def test_plain_insertion_values_match_the_general_ones(solved):
    problem, routes = solved
    st = _State(problem, [list(r[::2]) for r in routes])  # half the visits out: room to insert
    ins = _Inserter(problem, SearchParams())
    ins.prepare(st)
    assert ins.val_c is not None
    every = np.arange(ins.cand_h.size)
    fitting = 0
    for r in range(len(routes)):
        fast = ins.evaluate(st, r, every)
        kept, ins.val_c = ins.val_c, None  # forces the general path
        slow = ins.evaluate(st, r, every)
        ins.val_c = kept
        fits = slow[0] > -1e299
        fitting += int(fits.sum())
        assert np.allclose(fast[0], slow[0])
        assert np.array_equal(fast[1][fits], slow[1][fits])
        assert np.array_equal(fast[2][fits], slow[2][fits])
    assert fitting > 0


@pytest.mark.parametrize("share", [0.0, 0.1])
def test_flat_value_matches_routes_value(solved, share):
    problem, routes = solved
    problem = dataclasses.replace(problem, presence_share=share)
    doubled = [list(routes[0]) + [routes[1][0]]] + [list(r) for r in routes[1:]]
    for rs in (routes, doubled):
        scheds = [schedule_route(problem, problem.units[r], rs[r]) for r in range(len(rs))]
        assert _flat_routes_value(problem, rs) == pytest.approx(routes_value(problem, scheds, presence=True))


def test_flat_search_is_deterministic_and_feasible():
    problem = toptw_like(seed=3, n=40, m=2)
    params = SearchParams(iterations=60)
    a, b = search_routes(problem, params), search_routes(problem, params)
    assert a.routes == b.routes
    for r, stops in enumerate(a.routes):
        assert schedule_route(problem, problem.units[r], stops).feasible
    assert len({h for r in a.routes for h, _n in r}) == sum(len(r) for r in a.routes)

