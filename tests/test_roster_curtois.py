"""A published instance expressed in our roster model (Curtois & Qu, read by path)."""

from __future__ import annotations

import pytest

from benchmarks.curtois import BENCH_DIR, BEST_KNOWN, evaluate, read_instance, to_scenario
from solver.roster import solve_roster
from solver.roster_check import check_roster

pytestmark = pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="../shared/bench not present")


@pytest.mark.parametrize("number", [1, 2])
def test_curtois_instance_solved_in_our_model_is_legal_and_priced_the_same(number):
    inst = read_instance(BENCH_DIR / f"Instance{number}.txt")
    scenario = to_scenario(inst, time_limit_s=3.0)
    roster = solve_roster(scenario)
    assert roster.status in ("optimal", "feasible")
    index = {d: i for i, d in enumerate(scenario.dates)}
    penalty, errors = evaluate(
        inst, {(t.officer_id, index[t.date]): t.shift for t in roster.assignments}
    )
    assert errors == []
    assert check_roster(scenario, roster.assignments) == []
    assert roster.objective == pytest.approx(penalty)
    assert penalty >= BEST_KNOWN[number]  # published optimum: nothing legal is cheaper
    assert roster.bound <= BEST_KNOWN[number]  # and no bound above it
    if roster.status == "optimal":
        assert penalty == BEST_KNOWN[number]


def test_benchmark_in_deterministic_time_repeats_itself():
    from benchmarks.roster_curtois import run

    first = run(2, 1.0, 3, deterministic=True)
    second = run(2, 1.0, 3, deterministic=True)
    assert first["errors"] == 0
    assert first["checked"] >= BEST_KNOWN[2]
    assert first["det"] <= 1.5  # stopped on the deterministic budget, not the wall clock
    assert (first["checked"], first["objective"]) == (second["checked"], second["objective"])


@pytest.mark.parametrize(
    ("columns_share", "logged"), [(0.0, "shortfalls alone"), (0.4, "roster columns")]
)
def test_a_first_roster_then_whole_objective_with_progress_only_improving(
    caplog, monkeypatch, columns_share, logged
):
    """Both ways to a first roster (cover shortfalls searched first; column generation)
    end on a legal roster priced as the instance prices it, with progress that only
    improves and never shows a part's objective."""
    monkeypatch.setattr("solver.roster.COLUMNS_SHARE", columns_share)
    inst = read_instance(BENCH_DIR / "Instance2.txt")
    scenario = to_scenario(inst, time_limit_s=4.0, seed=1)
    seen = []
    with caplog.at_level("INFO", logger="solver.roster"):
        roster = solve_roster(scenario, progress=seen.append)
    assert any(logged in r.getMessage() for r in caplog.records)
    index = {d: i for i, d in enumerate(scenario.dates)}
    penalty, errors = evaluate(
        inst, {(t.officer_id, index[t.date]): t.shift for t in roster.assignments}
    )
    assert errors == []
    assert roster.objective == pytest.approx(penalty)
    shown = [p.objective for p in seen]
    assert shown, "no progress reported"
    assert shown == sorted(shown, reverse=True) and len(set(shown)) == len(shown)
    # each figure shown is a whole roster's objective, never a part's: none below the optimum
    assert min(shown) >= BEST_KNOWN[2]
    assert shown[-1] >= roster.objective
