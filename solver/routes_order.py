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

import numpy as np

from solver.routes_core import RouteProblem, RouteUnit, Stop

# Segments are int64 arrays with these rows (any trailing shape): first node, last node,
# minimal duration, earliest start, latest start, walking time, feasible (0/1).
_FIRST, _LAST, _D, _E, _L, _TT, _OK = range(7)
_BIG = np.iinfo(np.int64).max


def _concat(a: np.ndarray, b: np.ndarray, travel: np.ndarray, b_empty: np.ndarray | None = None) -> np.ndarray:
    """Segments ``a`` followed by ``b`` (element-wise); where ``b_empty``, just ``a``."""
    delta = travel[a[_LAST], b[_FIRST]]
    dd = a[_D] + delta
    wait = np.maximum(b[_E] - dd - a[_L], 0)
    out = np.empty_like(a)
    out[_FIRST] = a[_FIRST]
    out[_LAST] = b[_LAST]
    out[_D] = a[_D] + b[_D] + delta + wait
    out[_E] = np.maximum(b[_E] - dd, a[_E]) - wait
    out[_L] = np.minimum(b[_L] - dd, a[_L])
    out[_TT] = a[_TT] + delta + b[_TT]
    out[_OK] = a[_OK] & b[_OK] & (a[_E] + dd <= b[_L])
    if b_empty is not None and b_empty.any():
        out[:, b_empty] = a[:, b_empty]
    return out


def _station(unit: RouteUnit, size: int) -> np.ndarray:
    seg = np.zeros((7, size), dtype=np.int64)
    seg[_FIRST] = seg[_LAST] = unit.depot
    seg[_E] = unit.start
    seg[_L] = unit.end
    seg[_OK] = 1
    return seg


class _Tables:
    """Segments of every stretch ``stops[a:b]`` forwards and reversed (``tab[0]``, ``tab[1]``),
    plus the route's prefixes from the station and suffixes back to it."""

    def __init__(self, unit: RouteUnit, nodes: np.ndarray, hs: np.ndarray, consts: tuple[np.ndarray, ...], travel: np.ndarray):
        earliest, latest, dwell = consts
        n = len(nodes)
        single = np.zeros((7, n), dtype=np.int64)
        single[_FIRST] = single[_LAST] = nodes
        single[_D] = dwell[hs]
        single[_E] = earliest[hs]
        single[_L] = latest[hs]
        single[_OK] = 1
        tab = np.zeros((7, 2, n + 1, n + 1), dtype=np.int64)
        a = np.arange(n)
        tab[:, 0, a, a + 1] = single
        tab[:, 1, a, a + 1] = single
        for length in range(2, n + 1):
            a = np.arange(0, n - length + 1)
            b = a + length
            last = single[:, b - 1]
            tab[:, 0, a, b] = _concat(tab[:, 0, a, b - 1], last, travel)
            tab[:, 1, a, b] = _concat(last, tab[:, 1, a, b - 1], travel)
        self.tab = tab
        k = np.arange(n + 1)
        self.prefix = _concat(_station(unit, n + 1), tab[:, 0, 0, k], travel, k == 0)
        self.suffix = _concat(tab[:, 0, k, n], _station(unit, n + 1), travel)
        self.suffix[:, n] = _station(unit, 1)[:, 0]
        self.whole = _concat(self.prefix[:, n : n + 1], _station(unit, 1), travel)


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
        for rv in (0, 1) if length > 1 else (0,):
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
    allm = np.concatenate([r for r in rows if r.size], axis=0)
    return tuple(allm[:, c] for c in range(8))


_MOVE_CACHE: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}


def _cached_moves(n: int, max_len: int) -> tuple[np.ndarray, ...]:
    key = (n, max_len)
    if key not in _MOVE_CACHE:
        if len(_MOVE_CACHE) > 512:
            _MOVE_CACHE.clear()
        _MOVE_CACHE[key] = _moves(n, max_len)
    return _MOVE_CACHE[key]


def move_keys(tb: _Tables, unit: RouteUnit, moves: tuple[np.ndarray, ...], travel: np.ndarray) -> np.ndarray:
    """``back + walk`` of the route after each move (int64 max where infeasible)."""
    p, t1, a1, b1, t2, a2, b2, s = moves
    seg = _concat(tb.prefix[:, p], tb.tab[:, t1, a1, b1], travel)
    seg = _concat(seg, tb.tab[:, t2, a2, b2], travel, a2 == b2)
    seg = _concat(seg, tb.suffix[:, s], travel)
    key = np.maximum(unit.start, seg[_E]) + seg[_D] + seg[_TT]
    return np.where((seg[_OK] == 1) & (seg[_E] <= seg[_L]), key, _BIG)


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
        tb = _Tables(unit, nodes[order], hs[order], consts, T)
        w = tb.whole[:, 0]
        cur_key = int(max(unit.start, w[_E]) + w[_D] + w[_TT])
        moves = _cached_moves(n, max_len)
        key = move_keys(tb, unit, moves, T)
        m = int(key.argmin())
        if key[m] >= cur_key:
            break
        order = order[_apply(n, *(int(x[m]) for x in moves))]
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
