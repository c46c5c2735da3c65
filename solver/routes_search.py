"""Construct and improve routes: best-ratio insertion with noise inside a ruin-and-recreate search.

Solver-free (numpy only). The state keeps, per unit, the ordered stops and their exact
earliest-time schedule (`solver.routes_core.schedule_route`). Insertion candidates are
scored for every unit and position at once with numpy, using each stop's latest feasible
arrival (computed backwards), so a candidate is checked in O(1); the chosen insertion is
then re-scheduled exactly before it is kept. The improvement loop removes part of the plan
(random visits, a stretch of a route, a time slice across units, or the weakest visits),
re-inserts greedily with noise, and accepts by simulated annealing. It stops after a fixed
number of iterations or a counted effort (both deterministic), or at a wall-clock cap (safety
only). Other starts (``alternatives``, e.g. beat routes) are filled the same way and the
search improves whichever is worth most.

When no hotspot takes repeat visits (no gap rule ties the units together, e.g. TOPTW), a
route's schedule depends on its own stops only: removals leave untouched routes as they are,
an insertion re-schedules only the route's tail, candidates that did not fit a route are not
tried again after it grows, and routes without a break are reordered by
`solver.routes_order` (every or-opt / 2-opt move valued at once from time-window segments).
Where the units are also interchangeable, every route seen is kept and a ``recombine`` hook
(the caller's set packing) picks the best disjoint set of them at `PACK_AT`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from solver.routes_core import (
    BREAK,
    NO_LIMIT,
    RouteProblem,
    RouteSchedule,
    Stop,
    forbidden_intervals,
    reschedule_tail,
    route_travel,
    routes_value,
    schedule_route,
)
from solver.routes_order import best_order

log = logging.getLogger(__name__)

_KEY = 1 << 40
_NEG = -1.0e300
#: Iteration counts from here on mean "until the time cap" (benchmarks at equal time).
_TIME_BOUND = 10**8
#: Delay of a position that does not fit (above any real one).
_NO_POSITION = 2**60


@dataclass
class SearchResult:
    """Best routes found: per unit the stops, their schedule, and the objective parts."""

    routes: list[list[Stop]]
    schedules: list[RouteSchedule]
    value: float
    travel: int
    iterations: int
    elapsed_s: float
    history: list[tuple[float, float]] = field(default_factory=list)
    #: Distinct plans within ``pool_within`` of the best: (objective, routes, schedules).
    pool: list[tuple[float, list[list[Stop]], list[RouteSchedule]]] = field(default_factory=list)
    #: Effort spent (see `SearchParams.effort`).
    effort: float = 0.0

    @property
    def objective(self) -> float:
        return self.value


@dataclass(frozen=True)
class SearchParams:
    """Knobs of the search. ``iterations`` is the deterministic stop; ``time_cap_s`` a safety cap."""

    iterations: int = 2000
    time_cap_s: float = 60.0
    #: A second deterministic stop: the search's effort, counted per iteration from the plan's
    #: size (`iteration_effort`); 0 means no such limit. `effort_for_seconds` converts
    #: seconds of this kind of machine.
    effort: float = 0.0
    seed: int = 0
    noise: float = 0.9
    ratio_power: float = 1.0
    temperature: float = 0.05
    #: When > 0, the starting temperature is this many times the mean value of a visit.
    temp_per_visit: float = 0.0
    ruin_fraction: float = 0.6
    adaptive: bool = False
    #: Shorten routes by or-opt / 2-opt moves on new bests and every ``order_every`` iterations;
    #: None: only when no hotspot takes repeat visits (there the moves pay off, e.g. TOPTW with
    #: wide windows; with repeats and gaps they cost time and found nothing in our runs).
    order_search: bool | None = None
    order_every: int = 25
    order_budget: int = 3000
    #: Share of iterations that force in a left-out hotspot instead of a plain ruin.
    force_share: float = 0.0
    #: Draw each iteration's noise uniformly from [0, 2 * noise] instead of using ``noise``;
    #: None: only when no hotspot takes repeat visits (measured on TOPTW: about +0.5% at m = 4
    #: on the large Cordeau instances, 3 seeds).
    noise_random: bool | None = None
    power_choices: tuple[float, ...] = (0.5, 1.0, 2.0)
    ruin_max: int = 12
    restart_after: int = 400
    max_candidates_per_hotspot: int = 4
    pool_within: float = 0.0
    pool_size: int = 12


def _needs_gaps(problem: RouteProblem) -> bool:
    """Whether two visits to one hotspot can both be worth making (so the gap rule matters)."""
    key = "needs_gaps"
    if key not in problem._cache:
        problem._cache[key] = bool(problem.prior) or any(h.target_per_day > 1 for h in problem.hotspots)
    return problem._cache[key]


def _flat_values(problem: RouteProblem) -> bool:
    """Whether a visit's value depends on its hotspot and count only (no gaps, risk or days)."""
    return not _needs_gaps(problem) and problem.risk is None and len(problem.day_starts) == 1


def _flat_routes_value(problem: RouteProblem, routes: list[list[Stop]]) -> float:
    """`routes_value` with ``presence`` when `_flat_values` holds: at most one valued visit each."""
    seen: dict[int, int] = {}
    for stops in routes:
        for h, _n in stops:
            if h >= 0:
                seen[h] = seen.get(h, 0) + 1
    total = 0.0
    share = problem.presence_share
    for h, c in seen.items():
        spec = problem.hotspots[h]
        first = problem.decay(0, h) if spec.target_per_day >= 1 else share
        total += spec.per_visit * (first + (c - 1) * share)
    return total


class _State:
    """Mutable working solution."""

    def __init__(self, problem: RouteProblem, routes: list[list[Stop]]):
        self.p = problem
        self.routes = [list(r) for r in routes]
        self.scheds: list[RouteSchedule] = [None] * len(routes)  # type: ignore[list-item]
        for r in range(len(routes)):
            self.scheds[r] = schedule_route(problem, problem.units[r], self.routes[r], self.others(r))

    def copy(self) -> _State:
        new = object.__new__(_State)
        new.p = self.p
        new.routes = [list(r) for r in self.routes]
        new.scheds = list(self.scheds)
        new._oc = {}
        return new

    def others(self, r: int) -> dict[int, list[tuple[int, int]]]:
        return self._others(r)[0]

    def _others(self, r: int) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]:
        """Other routes' and earlier shifts' visits per hotspot, and the same merged (cached)."""
        cache = getattr(self, "_oc", None)
        if cache is None:
            cache = self._oc = {}
        hit = cache.get(r)
        if hit is not None and len(hit[0]) == len(self.scheds) and all(a is b or q == r for q, (a, b) in enumerate(zip(hit[0], self.scheds, strict=True))):
            return hit[1], hit[2]
        out: dict[int, list[tuple[int, int]]] = {}
        if not _needs_gaps(self.p):
            cache[r] = (list(self.scheds), out, {})
            return out, {}
        for pv in self.p.prior:
            out.setdefault(pv.hotspot, []).append((pv.start, pv.end))
        for q, sched in enumerate(self.scheds):
            if q == r or sched is None:
                continue
            for h, _n, _a, s, e in sched.visits:
                out.setdefault(h, []).append((s, e))
        merged = {h: forbidden_intervals(self.p, h, lst) for h, lst in out.items()}
        cache[r] = (list(self.scheds), out, merged)
        return out, merged

    def reschedule(self, r: int) -> bool:
        others, merged = self._others(r)
        sched = schedule_route(self.p, self.p.units[r], self.routes[r], others, merged)
        self.scheds[r] = sched
        return sched.feasible

    def value(self) -> float:
        return routes_value(self.p, self.scheds)

    def travel(self) -> int:
        return sum(route_travel(self.p, u, s) for u, s in zip(self.p.units, self.routes, strict=True))

    def objective(self) -> float:
        p = self.p
        if _flat_values(p):
            value = _flat_routes_value(p, self.routes)
        else:
            value = routes_value(p, self.scheds, presence=True)
        return value - p.travel_weight * self.travel()

    def n_visits(self) -> int:
        return sum(1 for r in self.routes for h, _ in r if h >= 0)


def _departures(unit, sched: RouteSchedule, loc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per insertion position: when the unit leaves the stop before it, and from where."""
    L = len(loc)
    dep = np.empty(L + 1, dtype=np.int64)
    locp = np.empty(L + 1, dtype=np.int64)
    dep[0] = unit.start
    locp[0] = unit.depot
    if L:
        dep[1:] = sched.end
        locp[1:] = loc
    return dep, locp


class _Inserter:
    """Vectorised best-ratio insertion over all units, positions and candidates."""

    def __init__(self, problem: RouteProblem, params: SearchParams):
        p = problem
        self.p = p
        self.params = params
        H = len(p.hotspots)
        hs, nodes = [], []
        for h, spec in enumerate(p.hotspots):
            acc = spec.access[: max(params.max_candidates_per_hotspot, 1)] if params.max_candidates_per_hotspot else spec.access
            for node in acc:
                hs.append(h)
                nodes.append(node)
        self.cand_h = np.array(hs, dtype=np.int64)
        self.cand_node = np.array(nodes, dtype=np.int64)
        self.dwell = np.array([s.dwell for s in p.hotspots], dtype=np.int64)
        self.earliest = np.array([s.earliest for s in p.hotspots], dtype=np.int64)
        self.latest = np.array([min(s.latest, NO_LIMIT) for s in p.hotspots], dtype=np.int64)
        self.per_visit = np.array([s.per_visit for s in p.hotspots], dtype=float)
        self.target = np.array([s.target_per_day for s in p.hotspots], dtype=np.int64)
        self.travel = np.asarray(p.travel, dtype=np.int64)
        self.day_starts = np.array(p.day_starts, dtype=np.int64)
        self.n_days = len(p.day_starts)
        dec = list(p.repeat_decay)
        kmax = int(self.target.max()) + 1 if H else 1
        self.decay = np.array([dec[k] if k < len(dec) else dec[-1] for k in range(kmax + 1)], dtype=float)
        self.risk = None if p.risk is None else np.asarray(p.risk, dtype=float)
        self.has_gaps = _needs_gaps(p)
        self.power = params.ratio_power
        #: a visit's value depends on its hotspot alone (one day, no risk profile)
        self.flat = self.n_days == 1 and self.risk is None
        #: value of each candidate's next visit while `flat` (kept by `prepare` and `fill`)
        self.val_c: np.ndarray | None = None
        if not self.has_gaps:
            # walking times to and from every candidate, one row per node (row gathers are
            # cheaper than the 2-D gathers of `evaluate`)
            self.t_to_cand = np.ascontiguousarray(self.travel[:, self.cand_node])
            self.t_from_cand = np.ascontiguousarray(self.travel[self.cand_node, :].T)

    # -- global state derived from a solution ------------------------------------------
    def prepare(self, st: _State) -> None:
        p = self.p
        H = len(p.hotspots)
        counts = np.zeros((H, self.n_days), dtype=np.int64)
        visits: list[tuple[int, int, int]] = []
        for pv in p.prior:
            counts[pv.hotspot, p.day_of(pv.start)] += 1
            visits.append((pv.hotspot, pv.start, pv.end))
        for sched in st.scheds:
            for h, _n, _a, s, e in sched.visits:
                counts[h, p.day_of(s)] += 1
                visits.append((h, s, e))
        self.counts = counts
        self.val_c = self._flat_value(self.cand_h) if self.flat else None
        self._build_forbidden(visits)

    def _build_forbidden(self, visits: list[tuple[int, int, int]]) -> None:
        if not visits or not self.has_gaps:
            self.f_keys = np.zeros(0, dtype=np.int64)
            self.f_hi = np.zeros(0, dtype=np.int64)
            self.f_h = np.zeros(0, dtype=np.int64)
            return
        p = self.p
        items = sorted(
            (h, s - p.hotspots[h].dwell - p.hotspots[h].min_gap, e + p.hotspots[h].min_gap) for h, s, e in visits
        )
        merged: list[list[int]] = []
        for h, lo, hi in items:
            if merged and merged[-1][0] == h and lo < merged[-1][2]:
                merged[-1][2] = max(merged[-1][2], hi)
            else:
                merged.append([h, lo, hi])
        arr = np.array(merged, dtype=np.int64)
        self.f_h = arr[:, 0]
        self.f_keys = arr[:, 0] * _KEY + arr[:, 1]
        self.f_hi = arr[:, 2]

    def _gap_adjust(self, h: np.ndarray, s: np.ndarray) -> np.ndarray:
        if self.f_keys.size == 0:
            return s
        q = h * _KEY + s
        i = np.searchsorted(self.f_keys, q, side="left") - 1
        ic = np.clip(i, 0, None)
        inside = (i >= 0) & (self.f_h[ic] == h) & (s < self.f_hi[ic])
        return np.where(inside, self.f_hi[ic], s)

    def marginal_value(self, h: np.ndarray, s: np.ndarray) -> np.ndarray:
        if self.flat:
            return self._flat_value(h)
        day = np.clip(np.searchsorted(self.day_starts, s, side="right") - 1, 0, self.n_days - 1)
        k = self.counts[h, day]
        dec = np.where(k < self.target[h], self.decay[np.clip(k, 0, len(self.decay) - 1)], self.p.presence_share)
        val = self.per_visit[h] * dec
        if self.risk is not None:
            slot = np.clip((s - self.p.risk_origin) // self.p.slot_len, 0, self.risk.shape[1] - 1)
            val = val * self.risk[h, slot]
        return val

    def _flat_value(self, h: np.ndarray) -> np.ndarray:
        """`marginal_value` when the value depends on the hotspot only (one day, no risk)."""
        k = self.counts[h, 0]
        dec = np.where(k < self.target[h], self.decay[np.clip(k, 0, len(self.decay) - 1)], self.p.presence_share)
        return self.per_visit[h] * dec

    # -- per-route arrays -----------------------------------------------------------------
    def route_arrays(self, st: _State, r: int):
        """Per insertion position: departure, location before, location/latest arrival after."""
        p = self.p
        unit = p.units[r]
        sched = st.scheds[r]
        stops = st.routes[r]
        if not self.has_gaps and not unit.has_break:
            return self._plain_route_arrays(unit, sched, stops)
        L = len(stops)
        loc = np.empty(L, dtype=np.int64)
        cur = unit.depot
        for k, (h, node) in enumerate(stops):
            if h >= 0:
                cur = node
            loc[k] = cur
        # latest arrival at stop k (k = L: back at the station)
        la = np.empty(L + 1, dtype=np.int64)
        la[L] = unit.end
        others = None
        for k in range(L - 1, -1, -1):
            nxt = loc[k + 1] if k + 1 < L else unit.depot
            h, _node = stops[k]
            if h < 0:
                la[k] = min(unit.break_latest_end - unit.break_len, la[k + 1] - unit.break_len - self.travel[loc[k], nxt])
            else:
                spec = p.hotspots[h]
                bound = min(spec.latest, la[k + 1] - spec.dwell - self.travel[loc[k], nxt])
                if self.has_gaps:
                    if others is None:
                        others = st._others(r)[1]
                        own: dict[int, list[tuple[int, int, int]]] = {}
                        for j, (hj, _nj) in enumerate(stops):
                            if hj >= 0:
                                own.setdefault(hj, []).append((j, sched.start[j], sched.end[j]))
                    ivs = [iv for iv in others.get(h, ())] + [
                        (sj - spec.dwell - spec.min_gap, ej + spec.min_gap) for j, sj, ej in own.get(h, ()) if j != k
                    ]
                    moved = True
                    while moved:
                        moved = False
                        for lo, hi in ivs:
                            if lo < bound < hi:
                                bound = lo
                                moved = True
                la[k] = bound
        dep, locp = _departures(unit, sched, loc)
        locn = np.empty(L + 1, dtype=np.int64)
        locn[:L] = loc
        locn[L] = unit.depot
        is_break = np.zeros(L + 1, dtype=bool)
        for k, (h, _n) in enumerate(stops):
            if h < 0:
                is_break[k] = True
        # for a position right before the break: where the walk resumes and by when
        after_loc = np.empty(L + 1, dtype=np.int64)
        after_la = np.empty(L + 1, dtype=np.int64)
        after_loc[:L] = np.append(loc[1:], unit.depot) if L else []
        after_la[:L] = la[1:]
        after_loc[L] = unit.depot
        after_la[L] = unit.end
        return dep, locp, locn, la, is_break, after_loc, after_la

    def _plain_route_arrays(self, unit, sched: RouteSchedule, stops: list[Stop]):
        """`route_arrays` of a route without break or gap rules, without Python loops."""
        L = len(stops)
        hs = np.fromiter((h for h, _n in stops), dtype=np.int64, count=L)
        loc = np.fromiter((n for _h, n in stops), dtype=np.int64, count=L)
        locn = np.empty(L + 1, dtype=np.int64)
        locn[:L] = loc
        locn[L] = unit.depot
        # latest arrival at stop k: la[k] = C[k] + min_{j >= k} (latest_j - C[j]), C the
        # cumulated dwell + walk to the next stop
        c = self.dwell[hs] + self.travel[loc, locn[1:]]
        C = np.zeros(L + 1, dtype=np.int64)
        np.cumsum(c, out=C[1:])
        lat = np.empty(L + 1, dtype=np.int64)
        lat[:L] = self.latest[hs]
        lat[L] = unit.end
        la = C + np.minimum.accumulate((lat - C)[::-1])[::-1]
        dep, locp = _departures(unit, sched, loc)
        is_break = np.zeros(L + 1, dtype=bool)
        after_loc = np.append(locn[1:], unit.depot)
        after_la = np.append(la[1:], unit.end)
        return dep, locp, locn, la, is_break, after_loc, after_la

    def evaluate(self, st: _State, r: int, cidx: np.ndarray, arrays=None):
        """Best (ratio, position, start) of each candidate in ``cidx`` for unit ``r``."""
        unit = self.p.units[r]
        arrays = arrays if arrays is not None else self.route_arrays(st, r)
        if self.val_c is not None and not self.has_gaps and not unit.has_break:
            return self._evaluate_plain(cidx, arrays)
        dep, locp, locn, la, is_break, after_loc, after_la = arrays
        h = self.cand_h[cidx]
        node = self.cand_node[cidx]
        T = self.travel
        t_in = T[locp[:, None], node[None, :]]
        t_out = T[node[None, :], locn[:, None]]
        a = dep[:, None] + t_in
        s = np.maximum(a, self.earliest[h][None, :])
        if self.f_keys.size:
            hh = np.broadcast_to(h[None, :], s.shape)
            s = self._gap_adjust(hh.ravel(), s.ravel()).reshape(s.shape)
        d = s + self.dwell[h][None, :]
        ok = s <= self.latest[h][None, :]
        arr_next = d + t_out
        ok_plain = arr_next <= la[:, None]
        shift = arr_next - (dep + T[locp, locn])[:, None]
        if is_break.any():
            rows = np.nonzero(is_break)[0]
            bs = np.maximum(d[rows], unit.break_earliest)
            be = bs + unit.break_len
            arr2 = be + T[node[None, :], after_loc[rows][:, None]]
            ok_b = (be <= unit.break_latest_end) & (arr2 <= after_la[rows][:, None])
            ok_plain[rows] = ok_b
            old_be = np.maximum(dep[rows], unit.break_earliest) + unit.break_len
            old_arr = old_be + T[locp[rows], after_loc[rows]]
            shift[rows] = arr2 - old_arr[:, None]
        ok &= ok_plain
        if self.flat:
            val = self._flat_value(h)[None, :]
        else:
            val = self.marginal_value(np.broadcast_to(h[None, :], s.shape).ravel(), s.ravel()).reshape(s.shape)
        ok &= val > 0
        ratio = np.where(ok, val**self.power / (np.maximum(shift, 0) + 1.0), _NEG)
        pos = ratio.argmax(axis=0)
        cols = np.arange(len(cidx))
        return ratio[pos, cols], pos, s[pos, cols]

    def _evaluate_plain(self, cidx: np.ndarray, arrays):
        """`evaluate` without gap rules, break or time-dependent value: a candidate's value
        is the same at every position, so its best position is the one that delays the rest
        of the route least, and the ratio is computed once per candidate."""
        dep, locp, locn, la, _is_break, _after_loc, _after_la = arrays
        h = self.cand_h[cidx]
        s = np.maximum(dep[:, None] + self.t_to_cand[locp][:, cidx], self.earliest[h])
        arr_next = s + (self.dwell[h] + self.t_from_cand[locn][:, cidx])
        ok = (s <= self.latest[h]) & (arr_next <= la[:, None])
        shift = np.maximum(arr_next - (dep + self.travel[locp, locn])[:, None], 0)
        pos = np.where(ok, shift, _NO_POSITION).argmin(axis=0)
        cols = np.arange(len(cidx))
        val = self.val_c[cidx]
        fits = ok[pos, cols] & (val > 0)
        ratio = np.where(fits, val**self.power / (shift[pos, cols] + 1.0), _NEG)
        return ratio, pos, s[pos, cols]

    # -- greedy fill ----------------------------------------------------------------------
    def fill(self, st: _State, rng: np.random.Generator, noise: float, cancel: Callable[[], bool] | None = None, deadline: float | None = None) -> None:
        """Insert visits by best noisy ratio until nothing fits."""
        R = len(st.routes)
        if R == 0 or self.cand_h.size == 0:
            return
        self.prepare(st)
        n_c = self.cand_h.size
        ratio = np.full((R, n_c), _NEG)
        pos = np.zeros((R, n_c), dtype=np.int64)
        alive = np.nonzero(self._has_room(self.cand_h))[0]
        if alive.size == 0:
            return
        cache = [self.route_arrays(st, r) for r in range(R)]
        for r in range(R):
            ratio[r, alive], pos[r, alive], _ = self.evaluate(st, r, alive, cache[r])
        guard = 0
        while True:
            guard += 1
            if guard > 10000 or (cancel is not None and cancel()):
                break
            if deadline is not None and guard % 16 == 0 and time.perf_counter() > deadline:
                break
            if noise > 0:
                score = ratio * (1.0 + noise * rng.random(ratio.shape))
            else:
                score = ratio
            flat = int(score.argmax())
            r, c = divmod(flat, n_c)
            if ratio[r, c] <= _NEG / 2:
                break
            h, node = int(self.cand_h[c]), int(self.cand_node[c])
            p_ins = int(pos[r, c])
            old_stops = st.routes[r]
            old_sched = st.scheds[r]
            st.routes[r] = old_stops[:p_ins] + [(h, node)] + old_stops[p_ins:]
            if not self._reschedule_insert(st, r, old_sched, p_ins):
                st.routes[r] = old_stops
                st.scheds[r] = old_sched
                ratio[r, c] = _NEG
                continue
            if self.has_gaps:
                self.prepare(st)
            else:
                k_new = st.routes[r].index((h, node))
                self.counts[h, self.p.day_of(st.scheds[r].start[k_new])] += 1
            same = np.nonzero(self.cand_h == h)[0]
            if self.val_c is not None:
                self.val_c[same] = self._flat_value(self.cand_h[same])
            if not self._has_room(np.array([h]))[0]:
                ratio[:, same] = _NEG
                alive = alive[self.cand_h[alive] != h]
            # without gap rules or a break, an insertion only tightens the route: what did
            # not fit in it before does not fit now
            redo = alive if self.has_gaps or self.p.units[r].has_break else alive[ratio[r, alive] > _NEG / 2]
            ratio[r] = _NEG
            cache[r] = self.route_arrays(st, r)
            if redo.size:
                ratio[r, redo], pos[r, redo], _ = self.evaluate(st, r, redo, cache[r])
            if self._has_room(np.array([h]))[0]:
                # other units: the gap and repeat value at this hotspot changed; a unit that
                # itself visits it gets its latest arrivals recomputed too
                for q in range(R):
                    if q == r:
                        continue
                    if self.has_gaps and any(hh == h for hh, _n in st.routes[q]):
                        cache[q] = self.route_arrays(st, q)
                        ratio[q, alive], pos[q, alive], _ = self.evaluate(st, q, alive, cache[q])
                    else:
                        ratio[q, same], pos[q, same], _ = self.evaluate(st, q, same, cache[q])

    def _reschedule_insert(self, st: _State, r: int, old: RouteSchedule, k: int) -> bool:
        """Re-schedule route ``r`` after an insertion at ``k`` (only its tail when gaps do not apply)."""
        if self.has_gaps:
            return st.reschedule(r)
        sched = reschedule_tail(self.p, self.p.units[r], st.routes[r], old, k)
        st.scheds[r] = sched
        return sched.feasible

    def _has_room(self, hs: np.ndarray) -> np.ndarray:
        """Whether each hotspot in ``hs`` is below its target on some day of the horizon."""
        if self.p.presence_share > 0:
            return np.ones(len(hs), dtype=bool)
        return (self.counts[hs] < self.target[hs][:, None]).any(axis=1)


# -- removal operators ---------------------------------------------------------------------
def _visit_positions(st: _State) -> list[tuple[int, int]]:
    return [(r, k) for r, stops in enumerate(st.routes) for k, (h, _n) in enumerate(stops) if h >= 0]


def _remove(st: _State, chosen: set[tuple[int, int]]) -> None:
    """Remove the chosen stops and compact every route, one at a time with the others fixed.

    Removing the stop before a break moves the break (it is taken where the unit is), which
    can make a route later; such a route first tries its break elsewhere, else keeps its
    visits.
    """
    saved = [(list(st.routes[r]), st.scheds[r]) for r in range(len(st.routes))]
    touched = {r for r, _ in chosen}
    for r in touched:
        st.routes[r] = [s for k, s in enumerate(st.routes[r]) if (r, k) not in chosen]
    independent = not _needs_gaps(st.p)
    for r in range(len(st.routes)):
        if independent and r not in touched:
            continue  # its schedule depends on its own stops only
        if st.reschedule(r):
            continue
        if r in touched and _move_break(st, r):
            continue
        st.routes[r], st.scheds[r] = saved[r]


def _move_break(st: _State, r: int) -> bool:
    """Put route r's break where the route gets back earliest; False when nowhere works."""
    stops = st.routes[r]
    if not st.p.units[r].has_break:
        return False
    base = [s for s in stops if s[0] >= 0]
    others, merged = st._others(r)
    best = None
    for k in range(len(base) + 1):
        cand = base[:k] + [BREAK] + base[k:]
        sched = schedule_route(st.p, st.p.units[r], cand, others, merged)
        if sched.feasible and (best is None or sched.back < best[0]):
            best = (sched.back, cand, sched)
    if best is None:
        return False
    st.routes[r], st.scheds[r] = best[1], best[2]
    return True


def _ruin_random(st: _State, rng: np.random.Generator, q: int) -> None:
    vis = _visit_positions(st)
    if not vis:
        return
    idx = rng.choice(len(vis), size=min(q, len(vis)), replace=False)
    _remove(st, {vis[i] for i in idx})


def _ruin_segment(st: _State, rng: np.random.Generator, q: int) -> None:
    chosen: set[tuple[int, int]] = set()
    for r, stops in enumerate(st.routes):
        ks = [k for k, (h, _n) in enumerate(stops) if h >= 0]
        if not ks:
            continue
        length = int(rng.integers(1, max(2, min(q, len(ks)) + 1)))
        first = int(rng.integers(0, len(ks)))
        for j in range(length):
            chosen.add((r, ks[(first + j) % len(ks)]))
    _remove(st, chosen)


def _ruin_time_slice(st: _State, rng: np.random.Generator, q: int) -> None:
    vis = [(r, k, st.scheds[r].start[k]) for r, k in _visit_positions(st)]
    if not vis:
        return
    times = sorted(t for _r, _k, t in vis)
    centre = times[int(rng.integers(0, len(times)))]
    vis.sort(key=lambda x: abs(x[2] - centre))
    _remove(st, {(r, k) for r, k, _t in vis[: max(q, 1)]})


def _ruin_worst(st: _State, rng: np.random.Generator, q: int) -> None:
    p = st.p
    items = []
    for r, k in _visit_positions(st):
        h, node = st.routes[r][k]
        stops = st.routes[r]
        prev = p.units[r].depot
        for hh, nn in reversed(stops[:k]):
            if hh >= 0:
                prev = nn
                break
        nxt = p.units[r].depot
        for hh, nn in stops[k + 1 :]:
            if hh >= 0:
                nxt = nn
                break
        cost = p.travel[prev, node] + p.travel[node, nxt] - p.travel[prev, nxt] + p.hotspots[h].dwell
        worth = p.hotspots[h].per_visit * p.risk_at(h, st.scheds[r].start[k])
        items.append((worth / (cost + 1.0) * (0.7 + 0.6 * rng.random()), r, k))
    items.sort()
    _remove(st, {(r, k) for _w, r, k in items[: max(q, 1)]})


_RUINS = (_ruin_random, _ruin_segment, _ruin_time_slice, _ruin_worst)


def _make_room_for(st: _State, ins: _Inserter, rng: np.random.Generator, q: int) -> None:
    """Force in a hotspot the plan leaves out: clear the visits of one unit around its best
    time there, insert it, and let the fill repair the rest."""
    p = st.p
    ins.prepare(st)
    room = np.nonzero(ins._has_room(np.arange(len(p.hotspots))))[0]
    if room.size == 0 or not st.routes:
        return
    worth = ins.per_visit[room] + 1e-9
    h = int(rng.choice(room, p=worth / worth.sum()))
    r = int(rng.integers(0, len(st.routes)))
    spec = p.hotspots[h]
    unit = p.units[r]
    lo = max(spec.earliest, unit.start)
    hi = min(spec.latest, unit.end)
    if lo > hi:
        return
    centre = int(rng.integers(lo, hi + 1))
    sched = st.scheds[r]
    near = sorted(
        ((abs(sched.start[k] - centre), k) for k, (hh, _n) in enumerate(st.routes[r]) if hh >= 0),
    )[: max(1, q)]
    _remove(st, {(r, k) for _d, k in near})
    ins.prepare(st)
    cidx = np.nonzero(ins.cand_h == h)[0]
    ratio, pos, _s = ins.evaluate(st, r, cidx)
    best = int(ratio.argmax())
    if ratio[best] <= _NEG / 2:
        return
    old, old_sched = st.routes[r], st.scheds[r]
    st.routes[r] = old[: int(pos[best])] + [(h, int(ins.cand_node[cidx[best]]))] + old[int(pos[best]) :]
    if not st.reschedule(r):
        st.routes[r], st.scheds[r] = old, old_sched


def _improve_breaks(st: _State) -> None:
    """Move each break to the position where the route gets back earliest (fewest idle minutes)."""
    for r, stops in enumerate(st.routes):
        if not st.p.units[r].has_break or len(stops) < 2:
            continue
        base = [s for s in stops if s[0] >= 0]
        others, merged = st._others(r)
        best = (st.scheds[r].back if st.scheds[r].feasible else NO_LIMIT, stops, st.scheds[r])
        for k in range(len(base) + 1):
            cand = base[:k] + [BREAK] + base[k:]
            if cand == stops:
                continue
            sched = schedule_route(st.p, st.p.units[r], cand, others, merged)
            if sched.feasible and sched.back < best[0]:
                best = (sched.back, cand, sched)
        st.routes[r], st.scheds[r] = best[1], best[2]


def _order_key(st: _State, r: int, sched: RouteSchedule, stops: list[Stop]) -> int:
    return sched.back + route_travel(st.p, st.p.units[r], stops)


def improve_order(st: _State, r: int, *, max_len: int = 3, budget: int = 4000, deadline: float | None = None) -> bool:
    """Shorten one route by moving stretches of up to ``max_len`` stops (or-opt) and reversing
    short stretches (2-opt), first improvement, exact re-scheduling; True when it changed."""
    p = st.p
    unit = p.units[r]
    stops = st.routes[r]
    if not _needs_gaps(p) and st.scheds[r].feasible and all(h >= 0 for h, _n in stops):
        return _improve_order_fast(st, r, max_len)
    others, merged = st._others(r)
    best_key = _order_key(st, r, st.scheds[r], stops) if st.scheds[r].feasible else NO_LIMIT
    changed = False
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        n = len(stops)
        moves = []
        for length in range(1, max_len + 1):
            for i in range(0, n - length + 1):
                seg = stops[i : i + length]
                rest = stops[:i] + stops[i + length :]
                for j in range(len(rest) + 1):
                    if j != i:
                        moves.append(rest[:j] + seg + rest[j:])
        for i in range(n - 1):
            for j in range(i + 2, min(n, i + 8)):
                moves.append(stops[:i] + stops[i:j][::-1] + stops[j:])
        for cand in moves:
            tries += 1
            if tries > budget or (deadline is not None and tries % 64 == 0 and time.perf_counter() > deadline):
                tries = budget + 1
                break
            sched = schedule_route(p, unit, cand, others, merged)
            if not sched.feasible:
                continue
            key = _order_key(st, r, sched, cand)
            if key < best_key:
                stops, best_key = cand, key
                st.routes[r], st.scheds[r] = cand, sched
                improved = changed = True
                break
    return changed


def _order_consts(p: RouteProblem) -> tuple[np.ndarray, ...]:
    key = "order_consts"
    if key not in p._cache:
        p._cache[key] = (
            np.array([s.earliest for s in p.hotspots], dtype=np.int64),
            np.array([min(s.latest, NO_LIMIT) for s in p.hotspots], dtype=np.int64),
            np.array([s.dwell for s in p.hotspots], dtype=np.int64),
        )
    return p._cache[key]


def _improve_order_fast(st: _State, r: int, max_len: int) -> bool:
    """`improve_order` for a break-free route without gap rules: every move evaluated at once."""
    p = st.p
    unit = p.units[r]
    # schedules known to admit no improving move (kept alive here, so their ids stay unique)
    done: dict[int, RouteSchedule] = p._cache.setdefault("order_done", {})
    if done.get(id(st.scheds[r])) is st.scheds[r]:
        return False
    if len(done) > 4096:
        done.clear()
    new = best_order(p, unit, st.routes[r], _order_consts(p), max_len=max_len)
    if new is None:
        done[id(st.scheds[r])] = st.scheds[r]
        return False
    sched = schedule_route(p, unit, new)
    old_key = _order_key(st, r, st.scheds[r], st.routes[r])
    if not sched.feasible or _order_key(st, r, sched, new) >= old_key:
        return False
    st.routes[r], st.scheds[r] = new, sched
    return True


#: A route recombiner: (routes seen as (hotspots, walk, stops), best routes, seconds left)
#: -> (routes or None, work in seconds).
Recombiner = Callable[[list[tuple[frozenset[int], int, list[Stop]]], list[list[Stop]], float], tuple[list[list[Stop]] | None, float]]
#: Fractions of the search's budget at which the routes seen so far are recombined.
PACK_AT = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
#: Most of the time cap one recombination may take (a packing that cannot be proven optimal
#: would otherwise take its whole deterministic limit each time).
PACK_SHARE = 0.05


def _interchangeable_units(problem: RouteProblem) -> bool:
    """Whether any unit could walk any other's route (same station and hours, no break) and
    a visit's value depends on its hotspot alone, so routes can be recombined freely."""
    if not _flat_values(problem) or len(problem.units) < 2:
        return False
    first = problem.units[0]
    return all(u.depot == first.depot and u.start == first.start and u.end == first.end and not u.has_break for u in problem.units)


def initial_routes(problem: RouteProblem) -> list[list[Stop]]:
    """Empty routes: each unit's break alone (taken at the station) or nothing."""
    return [[BREAK] if u.has_break else [] for u in problem.units]


#: Search effort (see `SearchParams.effort`) this kind of machine gets through in a second,
#: measured on the demo's and the scale benchmark's shifts (benchmarks/README.md, "Routes").
EFFORT_PER_SECOND = 3_300_000.0
#: Per-stop work of an iteration, in candidate evaluations (re-scheduling, route arrays).
EFFORT_PER_STOP = 550


def iteration_effort(n_visits: int, n_units: int, n_candidates: int) -> float:
    """Effort of one search iteration: (visits + units) x (insertion candidates + a fixed
    share for the per-stop work that does not grow with the candidates)."""
    return float((n_visits + n_units) * (n_candidates + EFFORT_PER_STOP))


def effort_for_seconds(seconds: float) -> float:
    """The deterministic effort limit that takes about ``seconds`` on this kind of machine."""
    return max(seconds, 0.0) * EFFORT_PER_SECOND


def search_routes(
    problem: RouteProblem,
    params: SearchParams = SearchParams(),
    *,
    start: list[list[Stop]] | None = None,
    alternatives: Sequence[list[list[Stop]]] = (),
    progress: Callable[[float, float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    recombine: Recombiner | None = None,
) -> SearchResult:
    """Build routes greedily and improve them by ruin-and-recreate with simulated annealing.

    Parameters
    ----------
    problem
        The shift's route problem.
    params
        Iterations (deterministic stop), safety time cap, seed and noise.
    start
        Optional routes to start from (must be feasible).
    alternatives
        Other feasible starts (e.g. `solver.routes_beats.beat_routes`); each is filled like
        ``start`` and the search improves whichever is worth most.
    progress
        Called with (best objective, elapsed seconds) when the best improves.
    cancel
        Polled between iterations; True stops the search, keeping the best routes.
    recombine
        Where any unit could walk any route and a visit's value depends on its hotspot alone
        (e.g. TOPTW): called at the fractions `PACK_AT` of the budget with every route seen
        so far (hotspots, walk, stops), the best routes and the seconds left; returns the
        best set of routes it finds among them (or None) and its work in seconds, counted
        as effort (`solver.routes._route_packer`: a set packing by CP-SAT).

    Returns
    -------
    SearchResult
        The best routes with their schedules.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(params.seed)
    ins = _Inserter(problem, params)
    st = _State(problem, start if start is not None else initial_routes(problem))
    for r in range(len(st.routes)):
        if not st.scheds[r].feasible:
            log.warning("unit %s cannot take its break or return in time", problem.units[r].id)
    hard_stop = t0 + params.time_cap_s
    order_search = params.order_search if params.order_search is not None else not _needs_gaps(problem)
    noise_random = params.noise_random if params.noise_random is not None else not _needs_gaps(problem)

    def complete(state: _State) -> None:
        """Fill greedily, move each break where its route gets back earliest, fill again."""
        ins.fill(state, rng, 0.0, cancel, hard_stop)
        _improve_breaks(state)
        ins.fill(state, rng, 0.0, cancel, hard_stop)

    complete(st)
    for other in alternatives:
        alt = _State(problem, other)
        if not all(sched.feasible for sched in alt.scheds):
            continue
        complete(alt)
        if alt.objective() > st.objective():
            st = alt
    cur, cur_f = st, st.objective()
    best, best_f = st.copy(), cur_f
    history = [(time.perf_counter() - t0, best_f)]
    pool: list[tuple[float, list[list[Stop]], list[RouteSchedule]]] = [(best_f, [list(r) for r in best.routes], list(best.scheds))]
    if progress:
        progress(best_f, time.perf_counter() - t0)
    n_vis = max(cur.n_visits(), 1)
    if not problem.units or ins.cand_h.size == 0:
        params = dataclasses.replace(params, iterations=0)  # nothing to search
    per_visit = abs(best_f) / max(best.n_visits(), 1)
    temp0 = (params.temperature * max(abs(best_f), 1e-9)) if params.temp_per_visit <= 0 else params.temp_per_visit * max(per_visit, 1e-9)
    it = 0
    since_best = 0
    spent = 0.0
    weights = np.ones(len(_RUINS))
    packing = recombine is not None and _interchangeable_units(problem)
    route_pool: dict[frozenset[int], tuple[int, list[Stop]]] = {}
    packs_done = 0

    def collect(state: _State) -> None:
        """Keep every route of ``state`` (the shortest walk of each set of hotspots)."""
        for r, stops in enumerate(state.routes):
            key = frozenset(h for h, _n in stops)
            walked = route_travel(problem, problem.units[r], stops)
            old = route_pool.get(key)
            if old is None or walked < old[0]:
                route_pool[key] = (walked, list(stops))

    def pack() -> None:
        """Recombine the routes kept so far; continue from the result when it is better."""
        nonlocal best, best_f, cur, cur_f, spent
        items = [(key, walked, stops) for key, (walked, stops) in route_pool.items()]
        left = params.time_cap_s - (time.perf_counter() - t0)
        routes, work_s = recombine(items, [list(r) for r in best.routes], min(left, PACK_SHARE * params.time_cap_s))
        spent += effort_for_seconds(work_s)
        if routes is None:
            return
        trial = _State(problem, routes)
        if not all(sched.feasible for sched in trial.scheds):
            return
        complete(trial)
        f_trial = trial.objective()
        log.debug("recombined %d routes: %.1f (best %.1f)", len(items), f_trial, best_f)
        if f_trial > best_f + 1e-9:
            best, best_f = trial.copy(), f_trial
            cur, cur_f = trial, f_trial
            history.append((time.perf_counter() - t0, best_f))
            if progress:
                progress(best_f, time.perf_counter() - t0)

    def used() -> float:
        """Share of the budget used: of the deterministic stops (iterations, effort), or of
        the time cap when the run is time-bound."""
        if params.iterations < _TIME_BOUND or params.effort > 0:
            return max(it / params.iterations, spent / params.effort if params.effort > 0 else 0.0)
        return (time.perf_counter() - t0) / params.time_cap_s

    if packing:
        collect(cur)
    for it in range(1, params.iterations + 1):
        if packing and packs_done < len(PACK_AT) and used() >= PACK_AT[packs_done]:
            pack()
            # the search goes on before the next packing, even if this one took long
            done_at = used()
            packs_done = next((k for k, at in enumerate(PACK_AT) if at > done_at), len(PACK_AT))
        if cancel is not None and cancel():
            break
        if time.perf_counter() - t0 > params.time_cap_s:
            break
        spent += iteration_effort(n_vis, len(cur.routes), ins.cand_h.size)
        if params.effort > 0 and spent > params.effort:
            break
        cand = cur.copy()
        cur_f_before = cur_f
        q = int(rng.integers(1, max(2, min(int(params.ruin_fraction * n_vis), params.ruin_max)) + 1))
        if params.adaptive:
            op_i = int(rng.choice(len(_RUINS), p=weights / weights.sum()))
        else:
            op_i = int(rng.integers(0, len(_RUINS)))
        op = _RUINS[op_i]
        if params.power_choices:
            ins.power = params.power_choices[int(rng.integers(0, len(params.power_choices)))]
        if params.force_share > 0 and rng.random() < params.force_share:
            _make_room_for(cand, ins, rng, max(1, q // 2))
        else:
            op(cand, rng, q)
        if rng.random() < 0.2:
            _improve_breaks(cand)
        noise = params.noise if not noise_random else float(rng.uniform(0.0, 2.0 * params.noise))
        ins.fill(cand, rng, noise, cancel, hard_stop)
        f = cand.objective()
        if order_search and (f > best_f + 1e-9 or it % params.order_every == 0):
            deadline = t0 + params.time_cap_s
            if any([improve_order(cand, r, budget=params.order_budget, deadline=deadline) for r in range(len(cand.routes))]):
                ins.fill(cand, rng, 0.0, cancel, hard_stop)
                f = cand.objective()
        if packing:
            collect(cand)
        # cooling follows the deterministic stops (iterations, effort) unless the run is time-bound
        temp = temp0 * max(1.0 - used(), 0.0) + 1e-9
        if f >= cur_f or rng.random() < math.exp((f - cur_f) / temp):
            cur, cur_f = cand, f
        if params.adaptive:
            reward = 3.0 if f > best_f + 1e-9 else (1.0 if f > cur_f_before + 1e-9 else (0.3 if cur is cand else 0.0))
            weights[op_i] = 0.9 * weights[op_i] + 0.1 * max(reward, 0.05)
        if f > best_f + 1e-9:
            best, best_f = cand.copy(), f
            since_best = 0
            history.append((time.perf_counter() - t0, best_f))
            if progress:
                progress(best_f, time.perf_counter() - t0)
        else:
            since_best += 1
        if params.pool_within > 0 and f >= best_f * (1 - params.pool_within):
            key = [list(r) for r in cand.routes]
            if all(key != k for _v, k, _s in pool):
                pool.append((f, key, list(cand.scheds)))
                pool.sort(key=lambda x: -x[0])
                del pool[params.pool_size * 4 :]
        if since_best > params.restart_after:
            cur, cur_f = best.copy(), best_f  # restart from the best
            since_best = 0
        n_vis = max(cur.n_visits(), 1)
    pool = [item for item in pool if item[0] >= best_f * (1 - params.pool_within)] if params.pool_within > 0 else []
    return SearchResult(
        routes=[list(r) for r in best.routes],
        schedules=list(best.scheds),
        value=best.value(),
        travel=best.travel(),
        iterations=it,
        effort=spent,
        elapsed_s=time.perf_counter() - t0,
        history=history,
        pool=pool,
    )
