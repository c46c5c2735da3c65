"""Column generation for rosters whose officers meet only through cover counts."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from benchmarks.curtois import BENCH_DIR, read_instance, to_scenario
from solver import roster, roster_columns
from solver.domain import CoverTarget, RosterWeights, ShiftRequest
from solver.roster import (
    _build,
    _columns_apply,
    _columns_start,
    _count_rows,
    _prepare,
    _pricing_model,
    _solver,
    solve_roster,
)
from solver.roster_check import check_roster, score_roster
from solver.roster_result import RosterTour
from tests.roster_scenarios import shifts, small_scenario


def _counts_only_scenario():
    """Two officers, three days, Early/Late/Night of one officer each, soft cover targets
    and requests, no hotspots and no fairness: officers meet only through cover counts."""
    base = small_scenario(officers_per_station=1, days=3, min_units={})
    first, second = base.officers
    days = base.dates
    officers = (
        replace(first, requests=(ShiftRequest(days[0], None), ShiftRequest(days[2], "Night"))),
        replace(second, requests=(ShiftRequest(days[1], "Early", weight=15.0),)),
    )
    targets = (
        CoverTarget("Early", 1, under_weight=100.0, over_weight=5.0),
        CoverTarget("Late", 1, under_weight=100.0),
        CoverTarget("Night", 1, under_weight=60.0),
    )
    return replace(
        base,
        officers=officers,
        shifts=shifts(pairs_at_night=False),
        hotspots=(),
        rules=replace(base.rules, cover_targets=targets),
        roster_weights=RosterWeights(fairness_nights=0.0, fairness_weekends=0.0, time_limit_s=4.0),
    )


def _bigger_counts_only_scenario():
    """Sixteen officers over fourteen days, with the cover targets of the small one."""
    return replace(
        small_scenario(officers_per_station=8, days=14, min_units={}),
        shifts=shifts(pairs_at_night=False),
        hotspots=(),
        rules=replace(_counts_only_scenario().rules),
        roster_weights=RosterWeights(fairness_nights=0.0, fairness_weekends=0.0, time_limit_s=60.0),
    )


def _exhaustive_optimum(scenario) -> float:
    """The least objective over every legal roster, by enumeration (the independent
    checker and pricer)."""
    names = [None, *(t.name for t in scenario.shifts)]
    cells = [(o, d) for o in scenario.officers for d in scenario.dates]
    best = float("inf")
    for choice in itertools.product(names, repeat=len(cells)):
        tours = [
            RosterTour(o.id, d, name, o.station_id)
            for (o, d), name in zip(cells, choice, strict=True)
            if name is not None
        ]
        if check_roster(scenario, tours):
            continue
        parts, penalties = score_roster(scenario, tours)
        best = min(best, sum(p.points for p in penalties) - parts.get("patrol_value", 0.0))
    return best


def test_columns_roster_and_bound_match_the_exhaustive_optimum():
    scenario = _counts_only_scenario()
    optimum = _exhaustive_optimum(scenario)
    assert optimum < float("inf")

    built = _build(_prepare(scenario, None, None, ()), explain=False)
    assert _columns_apply(built)
    found = _columns_start(built, 2.0, None, 0, None)
    assert found.solution is not None and found.objective is not None
    assert found.lower is not None
    assert found.lower / 100 <= optimum + 1e-9  # a lower bound never above the optimum
    assert found.objective / 100 >= optimum - 1e-9

    result = solve_roster(scenario)
    assert result.status == "optimal"
    assert check_roster(scenario, result.assignments) == []
    assert result.objective == pytest.approx(optimum)
    assert result.bound <= result.objective + 1e-9


def test_columns_apply_only_when_officers_meet_through_counts():
    paired = small_scenario(days=3)  # Night in pairs, hotspots, fairness
    assert not _columns_apply(_build(_prepare(paired, None, None, ()), explain=False))
    assert _columns_apply(_build(_prepare(_counts_only_scenario(), None, None, ()), explain=False))


def test_columns_path_is_deterministic_and_cancellable():
    scenario = _counts_only_scenario()
    first = solve_roster(scenario, seed=4)
    second = solve_roster(scenario, seed=4)
    assert first.assignments == second.assignments
    assert first.objective == second.objective

    bigger = _bigger_counts_only_scenario()
    cancel = threading.Event()
    result = {}

    def run():
        result["roster"] = solve_roster(bigger, cancel=cancel)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(1.5)
    cancel.set()
    stopped = time.monotonic()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert time.monotonic() - stopped < 1.0
    assert result["roster"].status in ("cancelled", "optimal")


@pytest.mark.parametrize("nth_solve", [1, 30, 100])
def test_a_cancel_arriving_just_before_a_pricing_solve_ends_cleanly(cancel_before_solve, nth_solve):
    # pricing solves run on worker threads through the same cancellable runner
    bigger = _bigger_counts_only_scenario()
    solves = cancel_before_solve(nth_solve)
    result = solve_roster(bigger, cancel=threading.Event())
    assert len(solves) >= nth_solve
    assert result.status == "cancelled"
    if result.assignments:
        assert check_roster(bigger, result.assignments) == []


def test_a_dive_released_gives_back_the_root_relaxation():
    prep = _prepare(_bigger_counts_only_scenario(), None, None, ())
    built = _build(prep, explain=False)
    assert _columns_apply(built)
    officers = {officer.id: _pricing_model(prep, officer) for officer in prep.scenario.officers}
    solving = roster_columns.Solving(_solver, lambda solver, model, cb: solver.solve(model, cb))
    with ThreadPoolExecutor(max_workers=2) as executor:
        gen = roster_columns._Generator(officers, _count_rows(prep), 0, 2, solving, executor)
        for _ in range(5):
            if gen.iterate() == 0:
                break
        root = gen.solve_master().value
        while len(gen.fixed) < len(gen.names):
            gen.dive_step(final=False)  # fixes, adds no column
        assert gen.solve_master().value >= root - 1e-6
        pinned = [var for o in gen.names for var, _c in gen.master.weights[o] if var.ub() < 1.0]
        assert pinned  # the dive kept columns out
        gen.release()
        assert gen.fixed == {}
        assert all(var.ub() == 1.0 for o in gen.names for var, _c in gen.master.weights[o])
        assert gen.solve_master().value == pytest.approx(root)


def test_pricing_without_cuts_falls_back_to_cuts_and_agrees(monkeypatch):
    prep = _prepare(_bigger_counts_only_scenario(), None, None, ())
    officer = prep.scenario.officers[0]
    solving = roster_columns.Solving(_solver, lambda solver, model, cb: solver.solve(model, cb))
    duals = {(day, "Late"): 4000 for day in prep.dates[::2]}

    quick = _pricing_model(prep, officer)
    found, optimal, best, _det = roster_columns._price(quick, duals, 0, 1.0, solving)
    assert optimal and found and not quick.needs_cuts

    # a quick attempt that proves nothing (stopped after presolve): priced again with cuts,
    # and learnt for the next pricing
    def make(workers, seed, det_s, wall_s):
        solver = _solver(workers, seed, det_s, wall_s)
        solver.parameters.stop_after_presolve = det_s < 1e-6
        return solver

    monkeypatch.setattr(roster_columns, "QUICK_PRICE_LIMIT_S", 1e-9)
    stopping = roster_columns.Solving(make, solving.run)
    slow = _pricing_model(prep, officer)
    found_slow, optimal_slow, best_slow, _det = roster_columns._price(slow, duals, 0, 1.0, stopping)
    assert slow.needs_cuts and optimal_slow and found_slow
    assert best_slow == pytest.approx(best)
    # the best column's own cost minus its duals is the optimum both ways
    for columns, value in ((found, best), (found_slow, best_slow)):
        assert min(c.cost - sum(duals.get(k, 0) for k in c.tours) for c in columns) == value


@pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="../shared/bench not present")
def test_a_dive_out_of_time_fixes_step_by_step_without_pricing(monkeypatch):
    # Curtois Instance3: twenty officers whose root LP is fractional after a few iterations
    scenario = to_scenario(read_instance(BENCH_DIR / "Instance3.txt"), time_limit_s=5.0, seed=0)
    prep = _prepare(scenario, None, None, ())
    rows = _count_rows(prep)
    solving = roster_columns.Solving(_solver, lambda solver, model, cb: solver.solve(model, cb))
    steps: list[tuple[bool, int]] = []
    priced_in_dive: list[int] = []
    step, iterate = roster_columns._Generator.dive_step, roster_columns._Generator.iterate

    def recording_step(gen, final, share=roster_columns.DIVE_FIX_SHARE):
        steps.append((final, len(gen.names) - len(gen.fixed)))
        return step(gen, final, share)

    def recording_iterate(gen):
        if steps:
            priced_in_dive.append(gen.iterations)
        return iterate(gen)

    monkeypatch.setattr(roster_columns._Generator, "dive_step", recording_step)
    monkeypatch.setattr(roster_columns._Generator, "iterate", recording_iterate)
    # the root takes the whole dive budget: the dive is out of time from its start
    monkeypatch.setattr(roster_columns, "ROOT_SHARE", 1.0 - roster_columns.MASTER_SHARE)

    def run(wall_end: float) -> roster_columns.ColumnsResult | None:
        officers = {o.id: _pricing_model(prep, o) for o in scenario.officers}
        steps.clear()
        priced_in_dive.clear()
        return roster_columns.generate(
            officers, rows, 0.03, 0, 2, solving, lambda: False, wall_end=wall_end
        )

    everyone = {o.id for o in scenario.officers}
    # wall-clock span still open: the LP re-solved picks a few officers a step, no pricing,
    # and one dive only (diving again over the same columns would give the same)
    result = run(time.monotonic() + 600.0)
    assert result is not None and set(result.chosen) == everyone
    assert priced_in_dive == []
    assert len(steps) > 1 and not any(final for final, _free in steps)
    free = [n for _final, n in steps]
    assert free[0] == len(everyone) and free == sorted(set(free), reverse=True)

    # the whole span over: everyone still free is fixed at once
    result = run(time.monotonic())
    assert result is None or set(result.chosen) == everyone
    assert steps == [(True, len(everyone))]


@pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="../shared/bench not present")
def test_a_failed_column_phase_is_charged_to_the_time_limit(monkeypatch):
    # Curtois Instance5, its master LP made to fail at the dive's first step: the search
    # without columns gets the time limit minus what the columns spent, and the roster's
    # effort counts both
    limit = 6.0
    scenario = to_scenario(read_instance(BENCH_DIR / "Instance5.txt"), time_limit_s=limit, seed=0)
    failed_at: list[float] = []
    given: list[float] = []
    dive_step = roster_columns._Generator.dive_step
    search_without_columns = roster._search_without_columns

    def failing_dive_step(self, final, share=roster_columns.DIVE_FIX_SHARE):
        if not failed_at:
            failed_at.append(self.spent)
            raise roster_columns.MasterFailed("injected failure")
        dive_step(self, final, share)

    def spy(built, scenario, limit_s, *args):
        given.append(limit_s)
        return search_without_columns(built, scenario, limit_s, *args)

    monkeypatch.setattr(roster_columns._Generator, "dive_step", failing_dive_step)
    monkeypatch.setattr(roster, "_search_without_columns", spy)
    result = solve_roster(scenario, time_limit_s=limit)
    assert len(failed_at) == 1 and failed_at[0] > 0
    assert given == [pytest.approx(limit - failed_at[0])]
    assert result.assignments and check_roster(scenario, result.assignments) == []
    assert failed_at[0] < result.deterministic_s <= limit * 1.01
