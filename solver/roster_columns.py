"""Column generation for rosters whose officers meet only through cover counts.

When the only rules and goals that tie officers together are counts of officers on a shift
and day (cover targets with under/over weights, minimum staffing with units of one), the
roster problem splits: choose one week (a *column*) for each officer so that the counts cost
least. This module

1. solves the linear relaxation of that choice over a growing set of columns (GLOP), pricing
   new columns for each officer with CP-SAT on the officer's own rules and costs minus the
   duals of the count rows (column generation, as in branch-and-price nurse rostering);
2. dives to one column per officer: fixes the officers whose column the LP already takes
   (almost) whole, or the heaviest few, and generates again for the others, until every
   officer is fixed (once the dive's time is over, without generating: the LP re-solved
   over the columns there picks the next few); while the budget allows a dive twice as
   long, frees everyone and dives again over the larger pool, fixing half as many at a
   step, and keeps the best;
3. tries to do better than the dive over every column generated, with CP-SAT (the restricted
   master problem as an integer programme, hinted with the dive's choice).

The result is a complete roster to start the neighbourhood search from, and the Lagrangian
lower bound of the root (at duals rounded to whole objective units) when every pricing
problem of an iteration was solved to optimality. Every solve stops on deterministic time
(or, for benchmarks, a wall-clock end), so the same inputs and seed give the same columns.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

log = logging.getLogger(__name__)

DayShift = tuple[dt.date, str]

#: Deterministic seconds for one officer's pricing problem.
PRICE_LIMIT_S = 0.25
#: Deterministic seconds of the first pricing attempt, without cutting planes.
QUICK_PRICE_LIMIT_S = 0.03
#: Share of the column budget for the root linear relaxation.
ROOT_SHARE = 0.5
#: Share of the column budget kept for choosing one column per officer over the pool.
MASTER_SHARE = 0.1
#: In the dive, an officer's column is fixed once its LP weight reaches this.
DIVE_FIX_LEVEL = 0.9
#: In the dive, at least this share of the officers still free is fixed at each step.
DIVE_FIX_SHARE = 0.1
#: Whether to dive again (more carefully) while the dive budget allows.
DIVE_AGAIN = True
#: Column generation iterations after each dive step.
DIVE_ITERATIONS = 3
#: A column enters when its reduced cost is below minus this (objective units: 1/100 point).
REDUCED_COST_EPS = 0.5
#: Improving solutions kept per pricing problem and iteration.
COLUMNS_PER_PRICING = 5
#: CP-SAT parameters of every pricing solve: one presolve pass, no probing, no symmetry
#: detection. These small models gain nothing from more: the first attempt (no cuts) is
#: 4-23% quicker on the wall clock, with cuts from 25% quicker to 11% slower, and as many
#: proven optimal (`benchmarks/roster_pricing.py`, figures in benchmarks/README.md).
PRICING_PARAMETERS: dict[str, int] = {
    "max_presolve_iterations": 1,
    "cp_model_probing_level": 0,
    "symmetry_level": 0,
}


@dataclass(frozen=True)
class CountRow:
    """A cost on the number of officers working ``shift`` on ``day``: each officer below
    ``target`` (``at_least``) or above it (otherwise) costs ``weight``."""

    day: dt.date
    shift: str
    target: int
    weight: int
    at_least: bool


@dataclass
class OfficerModel:
    """One officer's rules and own costs as a CP-SAT model."""

    model: cp_model.CpModel
    #: (day, shift) -> tour variable
    x: dict[DayShift, cp_model.IntVar]
    #: the officer's own cost (requests, hours shortfall, changes...), to minimise
    cost: object
    #: exact own cost of a solution, given a variable -> value function
    price: Callable[[Callable[[cp_model.IntVar], int]], int]
    #: whether pricing needs cutting planes to prove optimality (learnt on the way)
    needs_cuts: bool = False


@dataclass(frozen=True)
class Column:
    tours: frozenset[DayShift]
    cost: int

    @cached_property
    def ordered(self) -> list[DayShift]:
        """The tours in date order: a set of strings iterates in an order that changes
        from one process to the next (hash randomisation), which would change float sums
        and model order, and so the roster."""
        return sorted(self.tours)


@dataclass
class ColumnsResult:
    """One column (set of tours) per officer, its cost, the root's Lagrangian bound (None
    when no iteration proved every pricing optimal) and the deterministic time spent."""

    chosen: dict[str, frozenset[DayShift]]
    objective: int
    lower_bound: float | None
    deterministic_s: float


@dataclass(frozen=True)
class Solving:
    """How CP-SAT solves are made and run: ``make(workers, seed, det_s, wall_s)`` gives a
    solver stopping on deterministic time, ``run(solver, model, callback)`` runs it
    (cancellable from another thread)."""

    make: Callable[[int, int, float, float | None], cp_model.CpSolver]
    run: Callable[[cp_model.CpSolver, cp_model.CpModel, object], int]


class ColumnsFailed(Exception):
    """The column phase ended without a roster, after ``deterministic_s`` of effort (which
    the caller takes off the budget of whatever it does instead)."""

    def __init__(self, message: str, deterministic_s: float = 0.0) -> None:
        super().__init__(message)
        self.deterministic_s = deterministic_s


class NoColumn(ColumnsFailed):
    """An officer has no week that keeps their own rules."""


class MasterFailed(ColumnsFailed):
    """The master linear programme could not be solved (numerical trouble)."""


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps the columns of every solution a pricing solve finds."""

    def __init__(self, officer: OfficerModel) -> None:
        super().__init__()
        self.officer = officer
        self.found: list[Column] = []

    def on_solution_callback(self) -> None:
        tours = frozenset(key for key, var in self.officer.x.items() if self.value(var))
        self.found.append(Column(tours, self.officer.price(self.value)))


def _price(
    officer: OfficerModel,
    duals: dict[DayShift, int],
    seed: int,
    limit_s: float,
    solving: Solving,
) -> tuple[list[Column], bool, float, float]:
    """Columns found for ``officer`` at these duals, whether the pricing was optimal, its
    best value (own cost minus duals) and the deterministic time spent.

    Solved first without cutting planes (two to three times faster on most officers' weeks),
    within ``QUICK_PRICE_LIMIT_S``; an officer whose pricing that cannot prove optimal is
    priced with cuts from then on (the deterministic decision keeps runs reproducible)."""
    _set_duals(officer, duals)
    found: list[Column] = []
    spent = 0.0
    if not officer.needs_cuts:
        status, best, det = _solve_pricing(
            officer, seed, min(limit_s, QUICK_PRICE_LIMIT_S), solving, found, cuts=False
        )
        spent += det
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            return found, status == cp_model.OPTIMAL, best, spent
        officer.needs_cuts = True
    status, best, det = _solve_pricing(officer, seed, limit_s, solving, found, cuts=True)
    return found, status == cp_model.OPTIMAL, best, spent + det


def _set_duals(officer: OfficerModel, duals: dict[DayShift, int]) -> None:
    """Make the officer's pricing objective their own cost minus the duals of their tours."""
    terms = [(var, duals.get(key, 0)) for key, var in officer.x.items()]
    officer.model.minimize(officer.cost - sum(d * var for var, d in terms if d))


def _solve_pricing(
    officer: OfficerModel,
    seed: int,
    limit_s: float,
    solving: Solving,
    found: list[Column],
    *,
    cuts: bool,
) -> tuple[int, float, float]:
    """One CP-SAT solve of the officer's pricing model, its columns appended to ``found``:
    (status, best value, deterministic s)."""
    solver = solving.make(1, seed, limit_s, None)
    # the full linear relaxation, built up front: about half the effort on these small
    # sequence models, and more of them proven optimal within the limit
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False
    for name, value in PRICING_PARAMETERS.items():
        setattr(solver.parameters, name, value)
    if not cuts:
        solver.parameters.cut_level = 0
    collector = _Collector(officer)
    status = solving.run(solver, officer.model, collector)
    found.extend(collector.found)
    best = solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else math.inf
    return status, best, solver.deterministic_time


def _reduced(column: Column, duals: dict[DayShift, float], convexity: float) -> float:
    """The column's reduced cost at the master's exact duals."""
    return column.cost - sum(duals.get(key, 0.0) for key in column.ordered) - convexity


@dataclass
class _Duals:
    """A master LP solution: its value; the duals of the count rows summed per (day, shift),
    ``rounded`` to whole objective units (for pricing and the bound) and ``exact`` (for
    reduced costs); the officers' convexity duals; and the constant of the Lagrangian bound
    at the rounded duals (sum of row dual x target).

    Each row's dual is rounded and clamped to what the row admits (0 to its weight, with
    the row's sign), so the bound stays valid at the rounded duals: the best weeks priced
    with them plus the constant bound every roster from below."""

    value: float
    rounded: dict[DayShift, int]
    exact: dict[DayShift, float]
    convexity: dict[str, float]
    constant: int


class _Master:
    """The linear relaxation: weights on each officer's columns summing to one, count rows
    with their slack costs."""

    def __init__(self, officers: Sequence[str], rows: Sequence[CountRow]) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.rows = list(rows)
        infinity = self.solver.infinity()
        self.convexity = {o: self.solver.Constraint(1.0, 1.0) for o in officers}
        self.weights: dict[str, list[tuple[pywraplp.Variable, Column]]] = {o: [] for o in officers}
        self.row_constraints = []
        objective = self.solver.Objective()
        for row in self.rows:
            slack = self.solver.NumVar(0.0, infinity, "")
            objective.SetCoefficient(slack, float(row.weight))
            if row.at_least:
                constraint = self.solver.Constraint(float(row.target), infinity)
            else:
                constraint = self.solver.Constraint(-infinity, float(row.target))
            constraint.SetCoefficient(slack, 1.0 if row.at_least else -1.0)
            self.row_constraints.append(constraint)
        self.by_key: dict[DayShift, list[int]] = {}
        for i, row in enumerate(self.rows):
            self.by_key.setdefault((row.day, row.shift), []).append(i)
        objective.SetMinimization()

    def add(self, officer: str, column: Column) -> None:
        var = self.solver.NumVar(0.0, 1.0, "")
        self.solver.Objective().SetCoefficient(var, float(column.cost))
        self.convexity[officer].SetCoefficient(var, 1.0)
        for key in column.ordered:
            for i in self.by_key.get(key, ()):
                self.row_constraints[i].SetCoefficient(var, 1.0)
        self.weights[officer].append((var, column))

    def solve(self) -> _Duals:
        """Solve the LP; its value and duals (see `_Duals`)."""
        status = self.solver.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise MasterFailed(f"column master LP ended with status {status}")
        rounded: dict[DayShift, int] = {}
        exact: dict[DayShift, float] = {}
        constant = 0
        for row, constraint in zip(self.rows, self.row_constraints, strict=True):
            dual = constraint.dual_value()
            value = int(round(dual))
            value = (
                min(row.weight, max(0, value)) if row.at_least else min(0, max(-row.weight, value))
            )
            key = (row.day, row.shift)
            rounded[key] = rounded.get(key, 0) + value
            exact[key] = exact.get(key, 0.0) + dual
            constant += value * row.target
        convexity = {o: c.dual_value() for o, c in self.convexity.items()}
        return _Duals(self.solver.Objective().Value(), rounded, exact, convexity, constant)

    def heaviest(self, officer: str) -> tuple[float, Column]:
        """The officer's column with the largest weight in the last solution (the first
        such column on ties)."""
        best = max(self.weights[officer], key=lambda vc: vc[0].solution_value())
        return best[0].solution_value(), best[1]

    def release(self, officer: str) -> None:
        """Let every column of ``officer`` back into the LP."""
        for var, _column in self.weights[officer]:
            var.SetUb(1.0)

    def fix(self, officer: str, column: Column) -> None:
        """Keep only ``column`` for ``officer`` (weight one)."""
        for var, other in self.weights[officer]:
            if other is not column:
                var.SetUb(0.0)


def _cost(chosen: dict[str, Column], rows: Sequence[CountRow]) -> int:
    """Cost of one column per officer: their own costs and the count rows' slack."""
    counts: dict[DayShift, int] = {}
    for column in chosen.values():
        for key in column.tours:
            counts[key] = counts.get(key, 0) + 1
    total = sum(c.cost for c in chosen.values())
    for row in rows:
        n = counts.get((row.day, row.shift), 0)
        total += row.weight * max(0, row.target - n if row.at_least else n - row.target)
    return total


class _Generator:
    """Column generation state: the pool of columns, the master LP, the officers fixed."""

    def __init__(
        self,
        officers: dict[str, OfficerModel],
        rows: Sequence[CountRow],
        seed: int,
        lanes: int,
        solving: Solving,
        executor: ThreadPoolExecutor,
    ) -> None:
        self.officers = officers
        self.names = sorted(officers)
        self.rows = rows
        self.seed = seed
        self.lanes = max(1, lanes)
        self.solving = solving
        self.executor = executor
        self.master = _Master(self.names, rows)
        self.seen: dict[str, set[frozenset[DayShift]]] = {o: set() for o in self.names}
        self.fixed: dict[str, Column] = {}
        self.spent = 0.0
        self.iterations = 0
        self.lp_value = math.inf
        self.lower: float | None = None
        # each officer's own best weeks, whatever the counts (the master then has a column
        # for everyone)
        earn: dict[DayShift, int] = {}
        for row in rows:
            earn[(row.day, row.shift)] = earn.get((row.day, row.shift), 0) + row.weight
        most_per_tour = max(earn.values(), default=0)
        jobs = [
            executor.submit(_price, officers[o], {}, seed, PRICE_LIMIT_S, solving)
            for o in self.names
        ]
        results = [job.result() for job in jobs]
        for _found, _optimal, _best, det in results:
            self.spent += det / self.lanes
        for o, (found, _optimal, _best, _det) in zip(self.names, results, strict=True):
            if not found:
                raise NoColumn(o, self.spent)
            # a week costing more than the best one plus the most its tours could earn
            # from the count rows is no use (early solutions short of hours, say)
            best = min(c.cost for c in found)
            useful = [c for c in found if c.cost <= best + most_per_tour * len(c.tours)]
            for column in sorted(useful, key=lambda c: c.cost)[:COLUMNS_PER_PRICING]:
                self._add(o, column)

    def solve_master(self) -> _Duals:
        """Solve the master LP; GLOP's warm start can end abnormally after many bound
        changes, so on failure the master is rebuilt from the pool and solved afresh."""
        try:
            return self.master.solve()
        except MasterFailed:
            log.debug("columns: master LP rebuilt after a failed solve")
            old = self.master
            self.master = _Master(self.names, self.rows)
            # the dual simplex copes where the primal one ended abnormally
            self.master.solver.SetSolverSpecificParametersAsString("use_dual_simplex: true")
            for o in self.names:
                for _var, column in old.weights[o]:
                    self.master.add(o, column)
                if o in self.fixed:
                    self.master.fix(o, self.fixed[o])
            return self.master.solve()

    def _add(self, officer: str, column: Column) -> bool:
        if column.tours in self.seen[officer]:
            return False
        self.seen[officer].add(column.tours)
        self.master.add(officer, column)
        return True

    @property
    def columns(self) -> int:
        return sum(len(c) for c in self.seen.values())

    def iterate(self) -> int:
        """Solve the master LP and price every officer not fixed; the columns added."""
        duals = self.solve_master()
        self.lp_value = duals.value
        self.iterations += 1
        free = [o for o in self.names if o not in self.fixed]
        jobs = [
            self.executor.submit(
                _price,
                self.officers[o],
                duals.rounded,
                self.seed + self.iterations,
                PRICE_LIMIT_S,
                self.solving,
            )
            for o in free
        ]
        results = [job.result() for job in jobs]
        # the batch runs ``lanes`` at a time: count its time spread over the lanes
        self.spent += sum(r[3] for r in results) / self.lanes
        added = 0
        all_optimal = True
        # the Lagrangian bound at the rounded duals (exact while no officer is fixed)
        lagrange = float(duals.constant)
        for o, (found, optimal, best, _det) in zip(free, results, strict=True):
            all_optimal &= optimal
            lagrange += best
            costs = [(_reduced(c, duals.exact, duals.convexity[o]), i) for i, c in enumerate(found)]
            kept = 0
            for reduced, i in sorted(costs):
                if kept >= COLUMNS_PER_PRICING or reduced >= -REDUCED_COST_EPS:
                    break
                if self._add(o, found[i]):
                    kept += 1
            added += kept
        if all_optimal and not self.fixed:
            self.lower = lagrange if self.lower is None else max(self.lower, lagrange)
        log.debug(
            "columns %d: LP %.1f, %d added, %d fixed, Lagrangian %s, %.2f det s",
            self.iterations,
            self.lp_value,
            added,
            len(self.fixed),
            f"{lagrange:.1f}" if all_optimal else "-",
            self.spent,
        )
        return added

    def release(self) -> None:
        """Free every fixed officer (to dive again from the root)."""
        for o in self.fixed:
            self.master.release(o)
        self.fixed = {}

    def dive_step(self, final: bool, share: float = DIVE_FIX_SHARE) -> None:
        """Fix every free officer whose heaviest column weighs at least ``DIVE_FIX_LEVEL``
        (at least the ``share`` heaviest, and at least one); with ``final``, every free
        officer."""
        self.solve_master()
        free = [(o, *self.master.heaviest(o)) for o in self.names if o not in self.fixed]
        chosen = [(o, c) for o, w, c in free if final or w >= DIVE_FIX_LEVEL]
        least = max(1, math.ceil(share * len(free)))
        if len(chosen) < least:
            # stable order: heaviest first, then by name
            ranked = sorted(free, key=lambda item: -item[1])
            chosen = [(o, c) for o, _w, c in ranked[:least]]
        for o, column in chosen:
            self.fixed[o] = column
            self.master.fix(o, column)


def generate(
    officers: dict[str, OfficerModel],
    rows: Sequence[CountRow],
    budget_s: float,
    seed: int,
    lanes: int,
    solving: Solving,
    cancelled: Callable[[], bool],
    wall_end: float | None = None,
) -> ColumnsResult | None:
    """One column per officer within ``budget_s`` deterministic seconds (and by the
    monotonic clock ``wall_end``, when given): column generation from each officer's own
    best weeks, dives (fix the columns the LP already takes whole, generate again; again
    from the root, more carefully, while the time allows), then a choice over every column
    generated. The phases take the same shares of the wall-clock span as of the
    deterministic budget. None when cancelled before a choice was made."""

    wall_start = time.monotonic()

    def late(share: float = 1.0, ahead_s: float = 0.0) -> bool:
        """Whether ``share`` of the wall-clock span will have passed ``ahead_s`` seconds
        from now (never, without a wall-clock end)."""
        if wall_end is None:
            return False
        return time.monotonic() + ahead_s >= wall_start + share * (wall_end - wall_start)

    with ThreadPoolExecutor(max_workers=max(1, lanes)) as executor:
        gen = _Generator(officers, rows, seed, lanes, solving, executor)
        try:
            best, dived, root_lp = _root_and_dives(gen, rows, budget_s, cancelled, late)
        except MasterFailed as failure:
            failure.deterministic_s = gen.spent
            raise
    if cancelled() or best is None:
        return None
    pool = {o: [c for _v, c in gen.master.weights[o]] for o in gen.names}
    chosen, objective, spent = {o: c.tours for o, c in best.items()}, dived, gen.spent
    if not late():
        master_budget = max(budget_s * MASTER_SHARE, budget_s - gen.spent)
        wall_left = None if wall_end is None else wall_end - time.monotonic()
        picked, value, det = _choose(
            pool, rows, best, master_budget, wall_left, seed, lanes, solving
        )
        spent += det
        if picked is not None and value < dived:
            chosen, objective = picked, value
    log.info(
        "roster columns: %d iterations, %d columns, root LP %.1f, bound %s, dive %s, "
        "chosen %s, %.2f det s",
        gen.iterations,
        gen.columns,
        root_lp,
        "-" if gen.lower is None else f"{gen.lower:.1f}",
        dived,
        objective,
        spent,
    )
    return ColumnsResult(chosen, objective, gen.lower, spent)


def _root_and_dives(
    gen: _Generator,
    rows: Sequence[CountRow],
    budget_s: float,
    cancelled: Callable[[], bool],
    late: Callable[..., bool],
) -> tuple[dict[str, Column] | None, float, float]:
    """The root relaxation, then dives from it: (the best dive's column per officer, or None
    when cancelled before one ended; its cost; the root LP value)."""
    root_budget = budget_s * ROOT_SHARE
    while gen.spent < root_budget and not late(ROOT_SHARE) and not cancelled():
        if gen.iterate() == 0:
            break
    root_lp = gen.lp_value
    dive_share = 1.0 - MASTER_SHARE
    dive_budget = budget_s * dive_share

    def dive_over() -> bool:
        return gen.spent >= dive_budget or late(dive_share)

    def dive(share: float) -> None:
        while len(gen.fixed) < len(gen.names) and not cancelled():
            # once the dive's time is over, the steps go on without pricing: each fixes
            # the heaviest columns of the LP re-solved over the pool (everyone at once
            # only when the whole span is over)
            gen.dive_step(final=late(), share=share)
            for _ in range(DIVE_ITERATIONS):
                if len(gen.fixed) == len(gen.names) or dive_over() or cancelled():
                    break
                if gen.iterate() == 0:
                    break

    # dive; while there is time for a dive twice as careful as the last (half as many
    # officers fixed at a step), release everyone and dive again over the larger pool
    share = DIVE_FIX_SHARE
    best: dict[str, Column] | None = None
    dived = math.inf
    while True:
        det_before, wall_before = gen.spent, time.monotonic()
        dive(share)
        if cancelled():
            break
        cost = _cost(gen.fixed, rows)
        log.debug("columns: dive fixing %.3f of the free officers a step: %d", share, cost)
        if cost < dived:
            best, dived = dict(gen.fixed), cost
        took_det = gen.spent - det_before
        took_wall = time.monotonic() - wall_before
        if (
            not DIVE_AGAIN
            or dive_over()  # no new columns: the same dive again
            or math.ceil(share * len(gen.names)) <= 1  # that one fixed one at a time
            or gen.spent + 2 * took_det > dive_budget
            or late(dive_share, 2 * took_wall)
        ):
            break
        share /= 2
        gen.release()
    return best, dived, root_lp


def _choose(
    pool: dict[str, list[Column]],
    rows: Sequence[CountRow],
    start: dict[str, Column],
    budget_s: float,
    wall_s: float | None,
    seed: int,
    lanes: int,
    solving: Solving,
) -> tuple[dict[str, frozenset[DayShift]] | None, int, float]:
    """One column per officer, at least cost over the pool (CP-SAT), hinted with ``start``."""
    model = cp_model.CpModel()
    picks: dict[str, list[tuple[cp_model.IntVar, Column]]] = {}
    count: dict[DayShift, list[cp_model.IntVar]] = {}
    cost_terms = []
    for o, columns in pool.items():
        bools = []
        for column in columns:
            b = model.new_bool_var("")
            model.add_hint(b, column.tours == start[o].tours)
            bools.append((b, column))
            if column.cost:
                cost_terms.append(column.cost * b)
            for key in column.ordered:
                count.setdefault(key, []).append(b)
        model.add_exactly_one(b for b, _c in bools)
        picks[o] = bools
    for row in rows:
        n = sum(count.get((row.day, row.shift), []))
        slack = model.new_int_var(0, max(row.target, len(pool)), "")
        if row.at_least:
            model.add(n + slack >= row.target)
        else:
            model.add(n - slack <= row.target)
        cost_terms.append(row.weight * slack)
    model.minimize(sum(cost_terms))
    solver = solving.make(
        lanes, seed, max(0.1, budget_s), None if wall_s is None else max(0.05, wall_s)
    )
    status = solving.run(solver, model, None)
    log.debug(
        "columns chosen: %s, %s (bound %s), %.2f det s",
        solver.status_name(status),
        solver.objective_value,
        solver.best_objective_bound,
        solver.deterministic_time,
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, 0, solver.deterministic_time
    chosen = {o: next(c.tours for b, c in bools if solver.value(b)) for o, bools in picks.items()}
    return chosen, int(round(solver.objective_value)), solver.deterministic_time
