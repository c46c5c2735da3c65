"""The route search's deterministic effort stop: the same routes on a busy or a quiet machine."""

from __future__ import annotations

import threading
import time

from solver.routes import plan_shift_routes
from solver.routes_check import check_shift_plan
from solver.routes_search import SearchParams, effort_for_seconds, iteration_effort, search_routes
from tests.routes_fixtures import patrol_problem


def _routes(plan):
    return [[(v.hotspot, v.node, v.start) for v in u.visits] for u in plan.units]


def test_effort_stop_gives_the_same_routes_when_the_process_is_slowed_down():
    problem = patrol_problem(n_units=2, n_hotspots=8, seed=5)
    quiet = plan_shift_routes(problem, effort_s=0.4, time_limit_s=30.0, seed=1)
    stop = threading.Event()

    def hog() -> None:  # holds the interpreter lock half the time: the search runs slower
        while not stop.is_set():
            end = time.perf_counter() + 0.002
            while time.perf_counter() < end:
                pass
            time.sleep(0.0005)

    thread = threading.Thread(target=hog, daemon=True)
    thread.start()
    try:
        busy = plan_shift_routes(problem, effort_s=0.4, time_limit_s=30.0, seed=1)
    finally:
        stop.set()
        thread.join()
    assert _routes(busy) == _routes(quiet)
    assert check_shift_plan(problem, busy).ok


def test_search_stops_once_its_effort_is_spent():
    problem = patrol_problem(n_units=2, n_hotspots=8, seed=6)
    limit = effort_for_seconds(0.2)
    result = search_routes(problem, SearchParams(iterations=10**7, time_cap_s=60.0, effort=limit))
    assert result.iterations < 10**7
    # it stops in the iteration whose effort crosses the limit, and never far past it
    largest_step = iteration_effort(sum(len(r) for r in result.routes), len(problem.units), 8 * 4)
    assert limit < result.effort <= limit + 2 * largest_step


def test_plan_searches_with_the_callers_settings(monkeypatch):
    import solver.routes as routes_module

    seen: list[SearchParams] = []

    def spy(problem, params, **kwargs):
        seen.append(params)
        return search_routes(problem, params, **kwargs)

    monkeypatch.setattr(routes_module, "search_routes", spy)
    problem = patrol_problem(n_units=2, n_hotspots=6, seed=2)
    settings = SearchParams(temperature=0.123, restart_after=7, ruin_max=5, noise=0.4)
    plan = plan_shift_routes(problem, iterations=30, time_limit_s=30.0, seed=4, search=settings)
    (params,) = seen
    assert (params.temperature, params.restart_after, params.ruin_max, params.noise) == (0.123, 7, 5, 0.4)
    assert (params.iterations, params.seed) == (30, 4)  # the plan's own arguments win
    assert check_shift_plan(problem, plan).ok
