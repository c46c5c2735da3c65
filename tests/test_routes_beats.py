"""Beat starts for the route search: feasible, each unit inside its own group, and used only
where hotspots take repeat visits."""

from __future__ import annotations

import dataclasses

import numpy as np

from solver.routes_beats import beat_routes, group_hotspots, hotspot_distances
from solver.routes_check import check_shift_plan
from solver.routes_core import PriorVisit, schedule_route
from solver.routes_plan import build_shift_plan
from tests.routes_fixtures import patrol_problem


def _plan_of(problem, routes):
    """Schedule routes one after another (each seeing the earlier ones) as a checkable plan."""
    others: dict[int, list[tuple[int, int]]] = {}
    for pv in problem.prior:
        others.setdefault(pv.hotspot, []).append((pv.start, pv.end))
    stops_out, times, breaks, backs = [], [], [], []
    for unit, stops in zip(problem.units, routes, strict=True):
        sched = schedule_route(problem, unit, stops, others)
        assert sched.feasible
        visits = [(k, s) for k, s in enumerate(stops) if s[0] >= 0]
        stops_out.append([stops[k] for k, _ in visits])
        times.append([(sched.arrive[k], sched.start[k], sched.end[k]) for k, _ in visits])
        b = [k for k, s in enumerate(stops) if s[0] < 0]
        breaks.append((sched.start[b[0]], sched.end[b[0]]) if b else None)
        backs.append(sched.back)
        for h, _n, _a, s, e in sched.visits:
            others.setdefault(h, []).append((s, e))
    return build_shift_plan(problem, stops_out, times, breaks, backs, method="beats")


def test_beat_routes_pass_the_checker_with_gaps_across_units_and_earlier_shifts():
    base = patrol_problem(n_units=3, n_hotspots=12, seed=4, target=6)
    problem = dataclasses.replace(base, prior=(PriorVisit(0, base.units[0].start - 1800, base.units[0].start - 900),))
    routes = beat_routes(problem, seed=1)
    assert routes is not None and len(routes) == 3
    report = check_shift_plan(problem, _plan_of(problem, routes))
    assert report.ok, report.violations
    assert all(any(h >= 0 for h, _n in stops) for stops in routes), "every unit patrols"


def test_each_unit_keeps_to_one_group_and_groups_do_not_share_hotspots():
    problem = patrol_problem(n_units=3, n_hotspots=12, seed=2, target=6)
    routes = beat_routes(problem, seed=0)
    assert routes is not None
    visited = [{h for h, _n in stops if h >= 0} for stops in routes]
    for a in range(3):
        for b in range(a + 1, 3):
            assert not visited[a] & visited[b]
    between, _ = hotspot_distances(problem)
    groupings = group_hotspots(problem, between, 3, np.random.default_rng(0))
    for groups in groupings:
        members = [h for g in groups for h in g]
        assert len(members) == len(set(members)) and all(len(g) >= 2 for g in groups)


def test_no_beats_when_each_hotspot_takes_one_visit_or_units_outnumber_hotspots():
    assert beat_routes(patrol_problem(n_units=2, n_hotspots=8, target=1)) is None
    assert beat_routes(patrol_problem(n_units=5, n_hotspots=8, target=4)) is None


def test_same_seed_gives_the_same_beats():
    problem = patrol_problem(n_units=3, n_hotspots=12, seed=7, target=6)
    assert beat_routes(problem, seed=3) == beat_routes(problem, seed=3)


def test_a_hotspot_without_access_nodes_is_left_out_of_every_beat():
    base = patrol_problem(n_units=2, n_hotspots=8, seed=3, target=4)
    hotspots = list(base.hotspots)
    hotspots[0] = dataclasses.replace(hotspots[0], access=())
    problem = dataclasses.replace(base, hotspots=tuple(hotspots))
    routes = beat_routes(problem, seed=0)
    assert routes is not None
    assert all(h != 0 for stops in routes for h, _n in stops)
    assert check_shift_plan(problem, _plan_of(problem, routes)).ok


def test_grouping_work_is_counted_and_caps_the_restarts(monkeypatch):
    import solver.routes_beats as beats

    problem = patrol_problem(n_units=3, n_hotspots=18, seed=5, target=6)
    between, _ = hotspot_distances(problem)
    stats: dict[str, float] = {}
    many = group_hotspots(problem, between, 3, np.random.default_rng(0), stats=stats)
    assert stats["work"] > 0
    first = beats.beat_start(problem, seed=0)
    assert first.work_s == beats.beat_start(problem, seed=0).work_s > 0, "deterministic"
    assert first.routes == beat_routes(problem, seed=0)
    # past the work cap no further restart begins: one grouping, less work
    monkeypatch.setattr(beats, "GROUPING_MAX_WORK", 0.0)
    capped_stats: dict[str, float] = {}
    capped = group_hotspots(problem, between, 3, np.random.default_rng(0), stats=capped_stats)
    assert len(capped) == 1 < len(many)
    assert capped_stats["work"] < stats["work"]
