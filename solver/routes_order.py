"""Vectorised or-opt / 2-opt for routes whose schedule depends only on their own stops.

When no hotspot takes repeat visits (no gap rule across units) and a route has no break, the
earliest schedule of a sequence of visits is fully described by time-window segments: a
segment (a run of consecutive visits) has a minimal duration ``D`` (travel, dwell and any
waiting it cannot avoid), an earliest start ``E`` and a latest start ``L``; started at
``t <= L`` it ends at ``max(t, E) + D``. Two segments concatenate in O(1), so with the
segment of every stretch of the route (and of every reversed stretch) precomputed, every
or-opt move (a stretch of up to three visits moved elsewhere, as is or reversed) and every
2-opt move (a stretch reversed) is evaluated at once with numpy. The best move that makes the
route come back earlier (plus its walking time) is applied, and the search repeats until none
does; the caller re-schedules the result exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.routes_core import RouteProblem, RouteUnit, Stop


@dataclass
class _Segs:
    """Fields of many segments at once (same shape): first/last node, duration, window, walk, feasible."""

    first: np.ndarray
    last: np.ndarray
    D: np.ndarray
    E: np.ndarray
    L: np.ndarray
    TT: np.ndarray
    ok: np.ndarray

    def take(self, idx: tuple[np.ndarray, ...] | np.ndarray) -> _Segs:
        return _Segs(self.first[idx], self.last[idx], self.D[idx], self.E[idx], self.L[idx], self.TT[idx], self.ok[idx])


def _concat(a: _Segs, b: _Segs, travel: np.ndarray, b_empty: np.ndarray | None = None) -> _Segs:
    """Segment of ``a`` followed by ``b`` (element-wise); where ``b_empty``, just ``a``."""
    delta = travel[a.last, b.first]
    dd = a.D + delta
    wait = np.maximum(b.E - dd - a.L, 0)
    late = a.E + dd - b.L
    out = _Segs(
        a.first,
        b.last,
        a.D + b.D + delta + wait,
        np.maximum(b.E - dd, a.E) - wait,
        np.minimum(b.L - dd, a.L),
        a.TT + delta + b.TT,
        a.ok & b.ok & (late <= 0),
    )
    if b_empty is not None and b_empty.any():
        keep = b_empty
        out = _Segs(*(np.where(keep, x, y) for x, y in zip(_fields(a), _fields(out), strict=True)))
    return out


def _fields(s: _Segs) -> tuple[np.ndarray, ...]:
    return (s.first, s.last, s.D, s.E, s.L, s.TT, s.ok)


class _Tables:
    """Segments of every stretch ``stops[a:b]`` forwards (``fwd``) and reversed (``rev``), plus
    the route's prefixes from the station and suffixes back to it."""

    def __init__(self, problem: RouteProblem, unit: RouteUnit, nodes: np.ndarray, hs: np.ndarray, consts: tuple[np.ndarray, ...]):
        earliest, latest, dwell = consts
        T = np.asarray(problem.travel)
        n = len(nodes)
        self.n = n
        single = _Segs(nodes.copy(), nodes.copy(), dwell[hs].copy(), earliest[hs].copy(), latest[hs].copy(), np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
        shape = (n + 1, n + 1)
        self.fwd = _empty(shape)
        self.rev = _empty(shape)
        a = np.arange(n)
        _put(self.fwd, (a, a + 1), single)
        _put(self.rev, (a, a + 1), single)
        for length in range(2, n + 1):
            a = np.arange(0, n - length + 1)
            b = a + length
            _put(self.fwd, (a, b), _concat(self.fwd.take((a, b - 1)), single.take(b - 1), T))
            _put(self.rev, (a, b), _concat(single.take(b - 1), self.rev.take((a, b - 1)), T))
        depot = np.array([unit.depot])
        start = _Segs(depot, depot, np.zeros(1, np.int64), np.array([unit.start]), np.array([unit.end]), np.zeros(1, np.int64), np.ones(1, bool))
        end = start
        k = np.arange(n + 1)
        zeros = np.zeros(n + 1, dtype=np.int64)
        self.prefix = _concat(start.take(zeros), self.fwd.take((zeros, k)), T, k == 0)
        tail = self.fwd.take((k, np.full(n + 1, n)))
        # suffix k: stops[k:] then the station (for k = n just the station)
        self.suffix = _concat(tail, end.take(zeros), T)
        only_station = k == n
        if only_station.any():
            st = end.take(zeros[only_station])
            for name in ("first", "last", "D", "E", "L", "TT", "ok"):
                getattr(self.suffix, name)[only_station] = getattr(st, name)


def _empty(shape: tuple[int, int]) -> _Segs:
    z = np.zeros(shape, dtype=np.int64)
    return _Segs(z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), np.ones(shape, dtype=bool))


def _put(tbl: _Segs, idx: tuple[np.ndarray, np.ndarray], val: _Segs) -> None:
    for x, y in zip(_fields(tbl), _fields(val), strict=True):
        x[idx] = y


def _moves(n: int, max_len: int) -> tuple[np.ndarray, ...]:
    """All or-opt and 2-opt moves of a route of ``n`` stops as pieces.

    Each move is prefix ``p`` + piece 1 + piece 2 + suffix ``s``, a piece being a stretch
    ``[a, b)`` taken forwards (table 0) or reversed (table 1); piece 2 may be empty.
    """
    rows = []
    for length in range(1, min(max_len, n) + 1):
        i, j = np.meshgrid(np.arange(n - length + 1), np.arange(n + 1), indexing="ij")
        i, j = i.ravel(), j.ravel()
        back = j < i
        fwd = j > i + length
        for rv in ((0, 1) if length > 1 else (0,)):
            # moved before: prefix j, X, stops[j:i], suffix i+len
            ib, jb = i[back], j[back]
            rows.append(np.stack([jb, np.full_like(jb, rv), ib, ib + length, np.zeros_like(jb), jb, ib, ib + length], axis=1))
            # moved after: prefix i, stops[i+len:j], X, suffix j
            i_f, j_f = i[fwd], j[fwd]
            rows.append(np.stack([i_f, np.zeros_like(i_f), i_f + length, j_f, np.full_like(i_f, rv), i_f, i_f + length, j_f], axis=1))
    i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    i, j = i.ravel(), j.ravel()
    sel = j - i >= 2
    i, j = i[sel], j[sel]
    rows.append(np.stack([i, np.ones_like(i), i, j, np.zeros_like(i), j, j, j], axis=1))
    allm = np.concatenate([r for r in rows if r.size], axis=0) if rows else np.zeros((0, 8), dtype=np.int64)
    return tuple(allm[:, c] for c in range(8))


_MOVE_CACHE: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}


def _cached_moves(n: int, max_len: int) -> tuple[np.ndarray, ...]:
    key = (n, max_len)
    if key not in _MOVE_CACHE:
        if len(_MOVE_CACHE) > 512:
            _MOVE_CACHE.clear()
        _MOVE_CACHE[key] = _moves(n, max_len)
    return _MOVE_CACHE[key]


def _piece(tables: _Tables, tbl: np.ndarray, a: np.ndarray, b: np.ndarray) -> _Segs:
    f = tables.fwd.take((a, b))
    r = tables.rev.take((a, b))
    return _Segs(*(np.where(tbl == 1, y, x) for x, y in zip(_fields(f), _fields(r), strict=True)))


def best_order(problem: RouteProblem, unit: RouteUnit, stops: list[Stop], consts: tuple[np.ndarray, ...], *, max_len: int = 3, max_rounds: int = 200) -> list[Stop] | None:
    """Apply the best improving or-opt / 2-opt move until none improves ``back + walk``.

    ``stops`` must be visits only (no break) of a route without cross-unit gap rules and must
    be feasible. ``consts`` are the hotspots' earliest starts, latest starts and dwells.
    Returns the new order, or None when no move improves.
    """
    T = np.asarray(problem.travel)
    hs = np.array([h for h, _n in stops], dtype=np.int64)
    nodes = np.array([nd for _h, nd in stops], dtype=np.int64)
    order = np.arange(len(stops))
    changed = False
    for _ in range(max_rounds):
        n = len(order)
        if n < 2:
            break
        tb = _Tables(problem, unit, nodes[order], hs[order], consts)
        whole = tb.prefix.take(np.array([n]))
        whole = _concat(whole, _Segs(*(np.array([v]) for v in (unit.depot, unit.depot, 0, unit.start, unit.end, 0, True))), T)
        cur_key = int(max(unit.start, whole.E[0]) + whole.D[0] + whole.TT[0])
        p, t1, a1, b1, t2, a2, b2, s = _cached_moves(n, max_len)
        seg = tb.prefix.take(p)
        seg = _concat(seg, _piece(tb, t1, a1, b1), T)
        seg = _concat(seg, _piece(tb, t2, a2, b2), T, a2 == b2)
        seg = _concat(seg, tb.suffix.take(s), T)
        key = np.maximum(unit.start, seg.E) + seg.D + seg.TT
        key = np.where(seg.ok & (seg.E <= seg.L), key, np.iinfo(np.int64).max)
        m = int(key.argmin())
        if key[m] >= cur_key:
            break
        order = order[_apply(n, p[m], t1[m], a1[m], b1[m], t2[m], a2[m], b2[m], s[m])]
        changed = True
    if not changed:
        return None
    return [stops[k] for k in order]


def _apply(n: int, p: int, t1: int, a1: int, b1: int, t2: int, a2: int, b2: int, s: int) -> np.ndarray:
    """Positions (into the current order) of the route after one move."""
    idx = np.arange(n)

    def piece(t: int, a: int, b: int) -> np.ndarray:
        return idx[a:b][::-1] if t == 1 else idx[a:b]

    return np.concatenate([idx[:p], piece(t1, a1, b1), piece(t2, a2, b2), idx[s:]])
