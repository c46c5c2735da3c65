"""Which of the routes a search has seen can improve the best set of them: an LP screen.

The route recombination (`solver.routes._route_packer`) picks at most one route per unit with
no hotspot twice, worth first. Its linear relaxation (a set packing LP over the routes'
worth) is solved first; it gives

- a bound ``z`` on the worth of any set, and for every route its reduced cost ``rc`` (zero
  for the LP's own routes, negative for the others): a set that contains the route is worth
  at most ``z + rc``. Routes that cannot reach the worth of a set already in hand are left
  out of the exact packing, which is then small (tens to a few thousand routes instead of
  several thousand) and solves to optimality in a fraction of the time;
- a set in hand better than the incumbent, often: the LP's routes taken greedily by their
  LP value (on many instances the LP optimum is integral).

Plain numpy / scipy (HiGHS), deterministic; no OR-Tools here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

log = logging.getLogger(__name__)

#: Relative tolerance on worths when comparing with the LP bound (keeps a route in doubt).
_TOLERANCE = 1e-7


@dataclass(frozen=True)
class PackingScreen:
    """What the LP says about a set of candidate routes.

    Attributes
    ----------
    keep
        Indices of the routes that can be part of a set worth at least ``floor_worth``
        (always including the routes of ``start``).
    start
        Indices of the best set in hand (the LP's rounding or the incumbent's routes).
    floor_worth
        Worth of ``start``.
    bound
        The LP bound on the worth of any set.
    """

    keep: list[int]
    start: list[int]
    floor_worth: float
    bound: float


def screen_routes(
    route_hotspots: Sequence[Sequence[int]],
    worth: Sequence[float],
    incumbent: Sequence[int],
    n_units: int,
) -> PackingScreen | None:
    """Screen candidate routes for a set packing by the LP relaxation's reduced costs.

    Parameters
    ----------
    route_hotspots
        For each route, the hotspots it visits (each at most once).
    worth
        Each route's worth (sum of its visits' values).
    incumbent
        Indices of the routes of the best set known (disjoint, at most ``n_units``).
    n_units
        How many routes a set may hold.

    Returns
    -------
    PackingScreen or None
        None when the LP could not be solved (the caller then packs over every route).
    """
    n = len(route_hotspots)
    w = np.asarray(worth, dtype=float)
    if n == 0 or n_units <= 0:
        return None
    cols = np.repeat(np.arange(n), [len(hs) for hs in route_hotspots])
    flat = np.fromiter((h for hs in route_hotspots for h in hs), dtype=np.int64, count=len(cols))
    hotspots, rows = np.unique(flat, return_inverse=True)
    n_rows = len(hotspots) + 1
    rows = np.concatenate([rows, np.full(n, n_rows - 1)])
    cols = np.concatenate([cols, np.arange(n)])
    a = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, n))
    b = np.ones(n_rows)
    b[-1] = n_units
    res = linprog(-w, A_ub=a, b_ub=b, bounds=(0.0, 1.0), method="highs-ds")
    if res.status != 0 or res.x is None:
        log.debug("packing LP not solved: %s", res.message)
        return None
    bound = float(-res.fun)
    x = np.asarray(res.x)
    # d(min -worth)/d(lower bound) >= 0 for a route held at 0: its reduced cost in worth
    reduced = -np.asarray(res.lower.marginals)
    start = list(incumbent)
    floor = float(w[start].sum()) if start else 0.0
    rounded = _round(route_hotspots, w, x, n_units)
    rounded_worth = float(w[rounded].sum())
    if rounded_worth > floor:
        start, floor = rounded, rounded_worth
    tol = _TOLERANCE * max(1.0, abs(bound))
    in_start = np.zeros(n, dtype=bool)
    in_start[start] = True
    keep = np.nonzero(in_start | (bound + reduced >= floor - tol))[0]
    return PackingScreen(
        keep=[int(k) for k in keep],
        start=[int(k) for k in start],
        floor_worth=floor,
        bound=bound,
    )


def _round(route_hotspots: Sequence[Sequence[int]], w: np.ndarray, x: np.ndarray, n_units: int) -> list[int]:
    """Routes taken by decreasing LP value (then worth) while they fit: a set in hand."""
    order = np.lexsort((-w, -x))
    used: set[int] = set()
    chosen: list[int] = []
    for k in order:
        if len(chosen) >= n_units or x[k] <= 1e-9:
            break
        hs = route_hotspots[k]
        if used.isdisjoint(hs):
            chosen.append(int(k))
            used.update(hs)
    return chosen
