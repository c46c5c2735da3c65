"""Beat routes: a start for the route search that keeps each unit cycling a compact group of
hotspots, so visits repeat at the minimum gap with short walks between them.

When several units share a shift and every hotspot may take several visits a day, routes
built one insertion at a time spread the units over the area and leave them walking (and
waiting out the minimum gap) for about a third of the shift. A beat plan does what a
sergeant would: it splits the hotspots into one compact group per unit (short walks inside
each group, isolated hotspots left to the search), gives each unit the group nearest its
station, and has the unit patrol its group all shift, each next visit the one with the most
value per minute, with its meal break where the window opens. The search (`solver.routes_search`) starts from whichever of this plan and its own
greedy construction is worth more, and improves it as usual.

Solver-free: plain numpy on the problem's travel matrix; deterministic for a seed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from solver.routes_core import (
    BREAK,
    RouteProblem,
    Stop,
    forbidden_intervals,
    route_travel,
    routes_value,
    schedule_route,
)

log = logging.getLogger(__name__)

#: Random restarts of the grouping (each a seeded medoid start, balanced assignment, swaps).
GROUPING_RESTARTS = 24
#: Fewer restarts for many hotspots: at most this many hotspots x restarts, at least the minimum.
GROUPING_WORK = 1200
GROUPING_RESTARTS_MIN = 6
#: Improvement sweeps of moves between groups per restart.
GROUPING_SWEEPS = 4
#: A hotspot whose nearest other hotspot is more than this many times the median such walk
#: away starts outside every beat.
ISOLATED_FACTOR = 2.5
#: A hotspot moves only to one of this many groups nearest it.
MOVE_TO_GROUPS = 4
#: Groupings (most promising first) walked out in full; the one worth most is kept.
WALKED_GROUPINGS = 6
#: Grouping work (`_cycle_length`) done per second on the reference 2-core machine
#: (measured: 2.8 to 3.0 million on 150 hotspots in 4, 8 and 12 groups).
GROUPING_WORK_PER_SECOND = 3.0e6
#: Restarts after the first begin only while the grouping work is below this (about 1.5 s
#: on the reference machine; the demo's 25 hotspots need a hundredth of it).
GROUPING_MAX_WORK = 4.5e6


@dataclass(frozen=True)
class BeatStart:
    """Beat routes (None when beats do not apply) and the work that found them, in seconds of
    the reference machine, counted deterministically (the same on a busy machine)."""

    routes: list[list[Stop]] | None
    work_s: float


def hotspot_distances(problem: RouteProblem) -> tuple[np.ndarray, np.ndarray]:
    """Shortest walk between any access nodes of two hotspots, and to each from each station.

    Returns
    -------
    (between, from_station)
        ``between[a, b]``: hotspot a to hotspot b (0 on the diagonal);
        ``from_station[d, b]``: station node ``d`` (a matrix row) to hotspot b.
    """
    travel = np.asarray(problem.travel)
    # a hotspot without access nodes is unreachable: a stand-in node, then infinite walks
    missing = [k for k, h in enumerate(problem.hotspots) if not h.access]
    access = [list(h.access) or [0] for h in problem.hotspots]
    n = len(access)
    nodes = [node for acc in access for node in acc]
    offsets = np.cumsum([0] + [len(acc) for acc in access[:-1]])
    pairs = travel[np.ix_(nodes, nodes)]
    between = np.minimum.reduceat(np.minimum.reduceat(pairs, offsets, axis=0), offsets, axis=1).astype(float)
    between[missing, :] = np.inf
    between[:, missing] = np.inf
    np.fill_diagonal(between, 0.0)
    depots = sorted({u.depot for u in problem.units})
    from_station = np.full((travel.shape[0], n), np.inf)
    for d in depots:
        from_station[d] = [travel[d, acc].min() for acc in access]
    from_station[:, missing] = np.inf
    return between, from_station


def _cycle_length(group: list[int], sym: np.ndarray) -> tuple[float, int]:
    """Length of a quick cycle through ``group`` (nearest neighbour, then 2-opt), and the work
    done: the pairs of hotspots compared (a deterministic measure of the time it took)."""
    if len(group) <= 1:
        return 0.0, 1
    n = len(group)
    work = n * n // 2
    order = [group[0]]
    left = set(group[1:])
    while left:
        nxt = min(left, key=lambda h: sym[order[-1], h])
        order.append(nxt)
        left.remove(nxt)
    improved = True
    while improved:
        improved = False
        work += n * n // 2
        for i in range(1, len(order) - 1):
            for j in range(i + 1, len(order)):
                a, b = order[i - 1], order[i]
                c, d = order[j], order[(j + 1) % len(order)]
                if sym[a, c] + sym[b, d] < sym[a, b] + sym[c, d] - 1e-9:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
    return float(sum(sym[order[k], order[(k + 1) % len(order)]] for k in range(len(order)))), work


class _BeatScore:
    """Expected dwell share of a unit walking a group's cycle: dwell per round over the round's
    length, a round lasting at least a hotspot's minimum separation (gap + dwell)."""

    def __init__(self, problem: RouteProblem, between: np.ndarray):
        self.sym = (between + between.T) / 2.0
        self.dwell = np.array([h.dwell for h in problem.hotspots], dtype=float)
        self.separation = np.array([problem.separation(k) for k in range(len(problem.hotspots))], dtype=float)
        self._cache: dict[tuple[int, ...], float] = {}
        #: Work of the cycles computed so far (`_cycle_length`).
        self.work = 0

    def __call__(self, group: list[int]) -> float:
        if not group:
            return 0.0
        key = tuple(sorted(group))
        hit = self._cache.get(key)
        if hit is None:
            members = list(key)
            dwell = float(self.dwell[members].sum())
            cycle, work = _cycle_length(members, self.sym)
            self.work += work
            round_len = max(dwell + cycle, float(self.separation[members].max()))
            hit = self._cache[key] = dwell / round_len if round_len > 0 else 0.0
        return hit


def _nearest_groups(h: int, groups: list[list[int]], sym: np.ndarray) -> list[int]:
    """The ``MOVE_TO_GROUPS`` groups with a member nearest hotspot ``h`` (moves go only there)."""
    near = sorted((min(sym[h, x] for x in g) if g else np.inf, k) for k, g in enumerate(groups))
    return [k for _d, k in near[:MOVE_TO_GROUPS]]


def _improve_groups(groups: list[list[int]], n: int, score: _BeatScore) -> list[list[int]]:
    """Move hotspots between groups (and in or out of the unused pool) while the summed
    expected dwell share rises; every group keeps at least two hotspots."""
    groups = [list(g) for g in groups]
    used = {h for g in groups for h in g}
    pool = [h for h in range(n) if h not in used]
    for _sweep in range(GROUPING_SWEEPS):
        changed = False
        for g in range(len(groups)):
            for h in list(groups[g]):
                if len(groups[g]) <= 2:
                    break
                without = [x for x in groups[g] if x != h]
                loss = score(without) - score(groups[g])
                best_gain, best_to = loss, -1  # -1: leave it out of every beat
                for g2 in _nearest_groups(h, groups, score.sym):
                    if g2 != g:
                        gain = loss + score(groups[g2] + [h]) - score(groups[g2])
                        if gain > best_gain + 1e-9:
                            best_gain, best_to = gain, g2
                if best_gain > 1e-9:
                    groups[g] = without
                    if best_to >= 0:
                        groups[best_to].append(h)
                    else:
                        pool.append(h)
                    changed = True
        for h in list(pool):
            best_gain, best_to = 1e-9, -1
            for g in _nearest_groups(h, groups, score.sym):
                gain = score(groups[g] + [h]) - score(groups[g])
                if gain > best_gain:
                    best_gain, best_to = gain, g
            if best_to >= 0:
                groups[best_to].append(h)
                pool.remove(h)
                changed = True
        if not changed:
            break
    return groups


def group_hotspots(problem: RouteProblem, between: np.ndarray, n_groups: int, rng: np.random.Generator, *, stats: dict[str, float] | None = None) -> list[list[list[int]]]:
    """Ways to split the hotspots into ``n_groups`` compact groups, each a unit's beat; the
    most promising first.

    Seeded medoids and a balanced assignment give the first groups; moves between groups
    (and leaving a far hotspot out of every beat) then raise the summed expected dwell share
    (`_BeatScore`). Each seeded restart gives one grouping; distinct ones are returned.
    Restarts after the first stop once the work reaches `GROUPING_MAX_WORK`; the work done
    is added to ``stats["work"]`` when ``stats`` is given.
    """
    n = between.shape[0]
    sym = between + between.T
    score = _BeatScore(problem, between)
    # isolated hotspots (far from every other) start outside the beats: a beat of them would
    # leave its unit walking; the moves may still take them in
    nearest = np.where(np.eye(n, dtype=bool), np.inf, sym).min(axis=1)
    core = [h for h in range(n) if nearest[h] <= ISOLATED_FACTOR * float(np.median(nearest))]
    if len(core) < 2 * n_groups:
        core = list(range(n))
    sizes = [len(core) // n_groups + (1 if g < len(core) % n_groups else 0) for g in range(n_groups)]
    found: dict[tuple[tuple[int, ...], ...], float] = {}
    for restart in range(max(GROUPING_RESTARTS_MIN, min(GROUPING_RESTARTS, GROUPING_WORK // n))):
        if restart and score.work >= GROUPING_MAX_WORK:
            break
        # seeded medoids among the core, farthest-first with randomness (k-means++ style)
        medoids = [core[int(rng.integers(0, len(core)))]]
        while len(medoids) < n_groups:
            dist = sym[np.ix_(core, medoids)].min(axis=1)
            weights = dist**2
            if weights.sum() <= 0:
                weights = np.ones(len(core))
            medoids.append(core[int(rng.choice(len(core), p=weights / weights.sum()))])
        # balanced assignment: the closest (hotspot, medoid) pairs first, groups fill to size
        groups: list[list[int]] = [[] for _ in range(n_groups)]
        pairs = sorted((sym[h, medoids[g]], h, g) for h in core for g in range(n_groups))
        placed: set[int] = set()
        for _d, h, g in pairs:
            if h in placed or len(groups[g]) >= sizes[g]:
                continue
            groups[g].append(h)
            placed.add(h)
        groups = _improve_groups(groups, n, score)
        key = tuple(sorted(tuple(sorted(g)) for g in groups))
        found[key] = sum(score(g) for g in groups)
    if stats is not None:
        stats["work"] = stats.get("work", 0.0) + score.work
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return [[list(g) for g in key] for key, _total in ranked]


def _assign_groups(problem: RouteProblem, groups: list[list[int]], from_station: np.ndarray) -> list[int]:
    """Group index per unit: each unit the free group nearest its station (closest pairs first)."""
    pairs = sorted(
        (min(from_station[u.depot, h] for h in g) if g else math.inf, r, k)
        for r, u in enumerate(problem.units)
        for k, g in enumerate(groups)
    )
    unit_group = [-1] * len(problem.units)
    taken: set[int] = set()
    for _d, r, k in pairs:
        if unit_group[r] < 0 and k not in taken:
            unit_group[r] = k
            taken.add(k)
    return unit_group


def _walk_beat(problem: RouteProblem, r: int, group: list[int], others: dict[int, list[tuple[int, int]]]) -> list[Stop]:
    """Unit ``r`` patrols its group from its station: each next visit is the group's hotspot
    (other than the one it is at) with the best value per minute until the visit ends, walk
    and any wait for the minimum gap included; the break comes once its window is open."""
    unit = problem.units[r]
    travel = problem.travel
    stops: list[Stop] = []
    have_break = not unit.has_break
    here, last = unit.depot, -1
    seen = {h: len(v) for h, v in others.items()}
    merged = {h: forbidden_intervals(problem, h, v) for h, v in others.items() if v}
    while group:
        t_now = schedule_route(problem, unit, stops, others, merged).end[-1] if stops else unit.start
        take_break = not have_break and t_now >= unit.break_earliest
        base = stops + [BREAK] if take_break else stops
        tail = [] if (have_break or take_break) else [BREAK]
        best: tuple[float, Stop] | None = None
        for h in group:
            if h == last:
                continue
            node = min(problem.hotspots[h].access, key=lambda n: int(travel[here, n]))
            sched = schedule_route(problem, unit, base + [(h, node)] + tail, others, merged)
            if not sched.feasible:
                continue
            k = len(base)
            start, end = sched.start[k], sched.end[k]
            worth = problem.hotspots[h].per_visit * problem.risk_at(h, start)
            visits = seen.get(h, 0)
            worth *= problem.decay(visits, h) if visits < problem.hotspots[h].target_per_day else problem.presence_share
            ratio = (worth + 1e-9) / max(end - t_now, 1)
            if best is None or ratio > best[0]:
                best = (ratio, (h, node))
        if best is None:
            break
        stops = base + [best[1]]
        have_break = have_break or take_break
        last, here = best[1]
        seen[last] = seen.get(last, 0) + 1
    if not have_break:
        stops.append(BREAK)
    return stops


def _walk_grouping(
    problem: RouteProblem,
    groups: list[list[int]],
    between: np.ndarray,
    from_station: np.ndarray,
    prior: dict[int, list[tuple[int, int]]],
) -> tuple[list[list[Stop]], float]:
    """Every unit walks its group's cycle; the routes and their search objective."""
    units = problem.units
    unit_group = _assign_groups(problem, groups, from_station)
    others = {h: list(v) for h, v in prior.items()}
    routes: list[list[Stop]] = []
    schedules = []
    for r in range(len(units)):
        stops = _walk_beat(problem, r, groups[unit_group[r]], others)
        sched = schedule_route(problem, units[r], stops, others)
        if not sched.feasible:
            stops = [BREAK] if units[r].has_break else []
            sched = schedule_route(problem, units[r], stops, others)
        for h, _n, _a, s, e in sched.visits:
            others.setdefault(h, []).append((s, e))
        routes.append(stops)
        schedules.append(sched)
    walked = sum(route_travel(problem, u, stops) for u, stops in zip(units, routes, strict=True))
    return routes, routes_value(problem, schedules, presence=True) - problem.travel_weight * walked


def beat_routes(problem: RouteProblem, *, seed: int = 0) -> list[list[Stop]] | None:
    """Routes where each unit cycles its own compact group of hotspots, or None when beats
    do not apply (one hotspot visit a day each, or fewer than two hotspots per unit).

    Every returned route is feasible on its own with the routes before it and the earlier
    shifts' visits (gaps, windows, break, back in time).
    """
    return beat_start(problem, seed=seed).routes


def beat_start(problem: RouteProblem, *, seed: int = 0) -> BeatStart:
    """`beat_routes` with the work they took (the route search counts it against its effort)."""
    units, hotspots = problem.units, problem.hotspots
    if not units or len(hotspots) < 2 * len(units):
        return BeatStart(None, 0.0)
    if not any(h.target_per_day > 1 for h in hotspots):
        return BeatStart(None, 0.0)
    rng = np.random.default_rng(seed)
    between, from_station = hotspot_distances(problem)
    prior: dict[int, list[tuple[int, int]]] = {}
    for pv in problem.prior:
        prior.setdefault(pv.hotspot, []).append((pv.start, pv.end))
    best: tuple[float, list[list[Stop]]] | None = None
    stats: dict[str, float] = {}
    for groups in group_hotspots(problem, between, len(units), rng, stats=stats)[:WALKED_GROUPINGS]:
        routes, worth = _walk_grouping(problem, groups, between, from_station, prior)
        if best is None or worth > best[0]:
            best = (worth, routes)
    assert best is not None
    work_s = stats.get("work", 0.0) / GROUPING_WORK_PER_SECOND
    log.debug("beat routes for %d units: search objective %.1f, %.2f s of grouping work", len(units), best[0], work_s)
    return BeatStart(best[1], work_s)
