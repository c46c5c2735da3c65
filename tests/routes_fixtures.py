"""Small synthetic route problems on a street-like grid (times in seconds)."""

from __future__ import annotations

import numpy as np

from solver.routes_core import PriorVisit, RouteHotspot, RouteProblem, RouteUnit


def grid_matrix(side: int, block_s: int = 120) -> np.ndarray:
    """Walking times on a side x side grid of street corners (Manhattan distance)."""
    xy = np.array([(i, j) for i in range(side) for j in range(side)])
    d = np.abs(xy[:, None, :] - xy[None, :, :]).sum(-1)
    return (d * block_s).astype(np.int64)


def patrol_problem(
    *,
    seed: int = 0,
    side: int = 8,
    n_hotspots: int = 8,
    n_units: int = 2,
    shift_s: int = 8 * 3600,
    start: int = 15 * 3600,
    brief_s: int = 15 * 60,
    break_s: int = 45 * 60,
    target: int = 3,
    gap_s: int = 60 * 60,
    dwell_s: int = 15 * 60,
    prior: tuple[PriorVisit, ...] = (),
    risk: bool = True,
    extra_far_hotspot: bool = False,
) -> RouteProblem:
    """A Late-like shift: units at one or two stations, hotspots with 1-3 access corners."""
    rng = np.random.default_rng(seed)
    travel = grid_matrix(side)
    n_nodes = side * side
    stations = [0, n_nodes - 1]
    units = tuple(
        RouteUnit(
            id=f"U{k + 1}",
            depot=stations[k % 2],
            start=start + brief_s,
            end=start + shift_s - brief_s,
            break_len=break_s,
            break_earliest=start + 2 * 3600,
            break_latest_end=start + shift_s - 2 * 3600,
            officer_ids=(f"P{k + 1}",),
        )
        for k in range(n_units)
    )
    hotspots = []
    for h in range(n_hotspots):
        c = int(rng.integers(0, n_nodes))
        acc = sorted({c, int(min(c + 1, n_nodes - 1)), int(min(c + side, n_nodes - 1))})[: int(rng.integers(1, 4))]
        hotspots.append(
            RouteHotspot(
                id=f"H{h + 1}",
                access=tuple(acc),
                dwell=dwell_s,
                per_visit=float(rng.integers(1, 10)) * dwell_s / 60,
                min_gap=gap_s,
                target_per_day=target,
            )
        )
    if extra_far_hotspot:
        far = travel.shape[0]
        big = np.full((far + 1, far + 1), 10 * shift_s, dtype=np.int64)
        big[:far, :far] = travel
        big[far, far] = 0
        travel = big
        hotspots.append(RouteHotspot(id="FAR", access=(far,), dwell=dwell_s, per_visit=1000.0, min_gap=gap_s, target_per_day=target))
    risk_arr = None
    if risk:
        risk_arr = rng.uniform(0.2, 2.0, size=(len(hotspots), 48))
    return RouteProblem(
        units=units,
        hotspots=tuple(hotspots),
        travel=travel,
        metres=travel * 1.25,
        risk=risk_arr,
        risk_origin=0,
        slot_len=3600,
        day_starts=(0, 86400),
        prior=prior,
        travel_weight=1e-4,
    )
