"""Route engine: every plan re-checked by the independent checker, plus the issue's named cases."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from solver.routes import RouteCancel, plan_shift_routes
from solver.routes_check import check_shift_plan
from solver.routes_core import PriorVisit, RouteHotspot, RouteProblem, RouteUnit
from solver.routes_plan import (
    REASON_CAPACITY,
    REASON_MIN_GAP,
    REASON_NO_UNIT,
    REASON_OUT_OF_REACH,
    ShiftPlan,
)
from tests.routes_fixtures import grid_matrix, patrol_problem

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _plan(problem: RouteProblem, **kw) -> ShiftPlan:
    kw.setdefault("iterations", 150)
    kw.setdefault("time_limit_s", 20.0)
    plan = plan_shift_routes(problem, **kw)
    report = check_shift_plan(problem, plan)
    assert report.ok, report.violations
    return plan


@pytest.mark.parametrize("n_units", [1, 2, 3])
def test_plan_passes_checker_and_uses_the_shift(n_units):
    problem = patrol_problem(n_units=n_units, n_hotspots=8, seed=n_units)
    plan = _plan(problem)
    assert plan.value > 0
    assert plan.method.endswith("breaks by routing")
    for up in plan.units:
        assert up.meal_break is not None
        assert up.visits, "every unit should patrol somewhere"
    # on a compact grid, units dwell most of their time unless every target is already met
    avail = sum(u.end - u.start - u.break_len for u in problem.units)
    assert plan.dwell / avail > 0.5 or not plan.unmet


def test_earlier_shift_visits_keep_their_gap_and_count_towards_targets():
    base = patrol_problem(n_units=2, n_hotspots=5, seed=7)
    prior = tuple(PriorVisit(h, base.units[0].start - 20 * 60, base.units[0].start - 5 * 60) for h in range(5))
    problem = dataclasses.replace(base, prior=prior)
    plan = _plan(problem)  # the checker includes the prior visits in the gap rule
    first = min(v.start for u in plan.units for v in u.visits)
    assert first - (base.units[0].start - 5 * 60) >= 0
    # targets count the earlier visits: no hotspot gets more valued visits than target - 1
    for h in range(5):
        valued = [v for u in plan.units for v in u.visits if v.hotspot == h and v.value > 0]
        assert len(valued) <= problem.hotspots[h].target_per_day - 1


def test_checker_finds_broken_plans():
    problem = patrol_problem(n_units=2, n_hotspots=6, seed=3)
    plan = _plan(problem)
    unit = plan.units[0]
    v0 = unit.visits[0]
    short = dataclasses.replace(v0, end=v0.start + 60)
    broken = dataclasses.replace(plan, units=(dataclasses.replace(unit, visits=(short,) + unit.visits[1:]),) + plan.units[1:])
    assert any("dwell" in m for m in check_shift_plan(problem, broken).violations)
    early = dataclasses.replace(unit.meal_break, start=problem.units[0].break_earliest - 600, end=problem.units[0].break_earliest - 600 + problem.units[0].break_len)
    broken = dataclasses.replace(plan, units=(dataclasses.replace(unit, meal_break=early),) + plan.units[1:])
    assert any("window" in m for m in check_shift_plan(problem, broken).violations)
    twice = dataclasses.replace(v0, start=v0.start, end=v0.end)
    clash = dataclasses.replace(plan.units[1], visits=(twice,) + plan.units[1].visits)
    broken = dataclasses.replace(plan, units=(plan.units[0], clash))
    assert any("minimum gap" in m for m in check_shift_plan(problem, broken).violations)
    inflated = dataclasses.replace(plan, value=plan.value + 1.0)
    assert any("claims value" in m for m in check_shift_plan(problem, inflated).violations)


def test_hotspot_beyond_walking_reach_is_reported_unmet_with_that_reason():
    problem = patrol_problem(n_units=2, n_hotspots=5, seed=11, extra_far_hotspot=True)
    plan = _plan(problem)
    far = [u for u in plan.unmet if u.hotspot_id == "FAR"]
    assert far and all(u.reason == REASON_OUT_OF_REACH for u in far)
    assert not any(v.hotspot_id == "FAR" for u in plan.units for v in u.visits)


def test_no_unit_on_shift_is_the_reason_when_nobody_works():
    problem = dataclasses.replace(patrol_problem(n_units=1, n_hotspots=3, seed=2), units=())
    plan = _plan(problem)
    assert plan.units == ()
    assert {u.reason for u in plan.unmet} == {REASON_NO_UNIT}


def test_min_gap_is_the_reason_when_the_gap_limits_a_short_shift():
    travel = grid_matrix(3)
    unit = RouteUnit("U1", depot=0, start=0, end=2 * 3600)
    hot = RouteHotspot("H1", access=(1,), dwell=900, per_visit=100.0, min_gap=3600, target_per_day=6)
    cheap = RouteHotspot("H2", access=(2,), dwell=900, per_visit=1.0, min_gap=3600, target_per_day=6)
    problem = RouteProblem(units=(unit,), hotspots=(hot, cheap), travel=travel, day_starts=(0,))
    plan = _plan(problem)
    h1 = [u for u in plan.unmet if u.hotspot_id == "H1"]
    assert h1 and h1[0].reason == REASON_MIN_GAP
    assert h1[0].planned == 2  # 2 h shift, 15 min dwell, 60 min gap
    assert all(u.reason in (REASON_MIN_GAP, REASON_CAPACITY) for u in plan.unmet)


def test_cancel_returns_within_one_second_with_routes():
    problem = patrol_problem(n_units=3, n_hotspots=12, seed=5)
    hook = RouteCancel()
    out: dict[str, object] = {}

    def run() -> None:
        out["plan"] = plan_shift_routes(problem, iterations=10**6, time_limit_s=120, cancel=hook)
        out["done"] = time.perf_counter()

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.5)
    asked = time.perf_counter()
    hook.cancel()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert out["done"] - asked < 1.0
    plan = out["plan"]
    assert isinstance(plan, ShiftPlan) and plan.value > 0
    assert check_shift_plan(problem, plan).ok


def test_same_seed_gives_identical_routes():
    problem = patrol_problem(n_units=2, n_hotspots=8, seed=9)
    a = _plan(problem, seed=4)
    b = _plan(problem, seed=4)
    assert a == b


def test_variety_makes_days_differ_within_three_percent():
    problem = patrol_problem(n_units=2, n_hotspots=8, seed=13, risk=False)
    best = _plan(problem, iterations=300)
    day1 = _plan(problem, iterations=300, variety_pct=3, variety_key=739000)
    day2 = _plan(problem, iterations=300, variety_pct=3, variety_key=739001)
    order1 = [[v.hotspot for v in u.visits] for u in day1.units]
    order2 = [[v.hotspot for v in u.visits] for u in day2.units]
    assert order1 != order2
    top = max(best.value, day1.value, day2.value)
    assert day1.value >= 0.97 * top and day2.value >= 0.97 * top


@pytest.mark.skipif(not (SHARED / "bench" / "toptw").exists(), reason="shared TOPTW instances absent")
@pytest.mark.parametrize("m", [1, 2])
def test_toptw_instance_solution_passes_checker(m):
    from benchmarks.toptw_io import OPT_M1, read_toptw, toptw_problem

    inst = read_toptw(SHARED / "bench" / "toptw" / "solomon_100" / "r101.txt")
    problem = toptw_problem(inst, m)
    plan = _plan(problem, iterations=200)
    assert plan.value <= (OPT_M1["r101"] if m == 1 else float("inf"))
    assert plan.value >= 0.85 * OPT_M1["r101"]


def test_progress_reports_best_values_that_never_fall():
    problem = patrol_problem(n_units=2, n_hotspots=8, seed=21)
    seen: list[tuple[float, float]] = []
    plan = _plan(problem, progress=lambda best, elapsed: seen.append((best, elapsed)))
    assert seen, "progress was never called"
    values = [v for v, _t in seen]
    assert values == sorted(values)
    assert all(t >= 0 for _v, t in seen)
    assert plan.value > 0
