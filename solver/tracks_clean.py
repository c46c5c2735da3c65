"""Clean a GPS track: drop missing, inaccurate, duplicate and impossible fixes; mark gaps.

A fix is dropped when it has no position (0, 0), when its stated accuracy is worse than
`DeliveredSettings.max_accuracy_m`, when it repeats the time of the fix before, or when
reaching it from the last good fix needs a speed no one on foot reaches (allowing for each
fix's position error). A lone wild fix (the track comes back within a few fixes) is "wild";
a sustained run at such speed (a vehicle) is "not on foot" and the track resumes when the
speed falls. Gaps between good fixes up to `DeliveredSettings.max_gap_s` are bridged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.delivered_model import CleanTrack, DeliveredSettings, Track
from solver.geometry import EARTH_RADIUS_M

#: Metres per degree of latitude, and of longitude at the equator, on the sphere that
#: `solver.geometry.haversine_m` uses (so areas here agree with `hotspot_contains`).
M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180.0
M_PER_DEG_LON = M_PER_DEG_LAT
#: How many later fixes are looked at to tell a lone wild fix from a sustained run.
LOOKAHEAD = 3


@dataclass(frozen=True)
class CleanCounts:
    """Fixes dropped by reason, and the gaps found between the good ones."""

    fixes: int
    kept: int
    no_fix: int
    accuracy: int
    duplicate: int
    wild: int
    not_on_foot: int
    bridged_gaps: int
    bridged_s: float
    unbridged_gaps: int
    unbridged_s: float


def local_metres(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """East and north metres of points from (lat0, lon0) on a local tangent plane."""
    return (lon - lon0) * (M_PER_DEG_LON * math.cos(math.radians(lat0))), (lat - lat0) * M_PER_DEG_LAT


def clean_track(track: Track, settings: DeliveredSettings) -> tuple[CleanTrack, CleanCounts]:
    """The track's good fixes in time order, with bridged and unbridged gaps marked."""
    total = len(track)
    order = np.argsort(track.times, kind="stable")
    times, lat, lon, acc = track.times[order], track.lat[order], track.lon[order], track.accuracy_m[order]
    no_fix = (lat == 0.0) & (lon == 0.0)
    poor = ~no_fix & np.isfinite(acc) & (acc > settings.max_accuracy_m)
    keep = ~no_fix & ~poor
    times, lat, lon, acc = times[keep], lat[keep], lon[keep], acc[keep]
    duplicate = np.zeros(times.size, dtype=bool)
    if times.size > 1:
        duplicate[1:] = np.diff(times) <= 0
    times, lat, lon, acc = times[~duplicate], lat[~duplicate], lon[~duplicate], acc[~duplicate]
    acc = np.where(np.isfinite(acc), acc, settings.assumed_accuracy_m)
    good, wild, vehicle = _speed_filter(times, lat, lon, acc, settings.max_speed_kph / 3.6)
    times, lat, lon = times[good], lat[good], lon[good]
    steps = np.diff(times)
    bridged = steps <= settings.max_gap_s
    gap_floor = max(30.0, 3.0 * float(np.median(steps))) if steps.size else 30.0
    is_gap = steps > gap_floor
    counts = CleanCounts(
        fixes=total,
        kept=int(times.size),
        no_fix=int(no_fix.sum()),
        accuracy=int(poor.sum()),
        duplicate=int(duplicate.sum()),
        wild=wild,
        not_on_foot=vehicle,
        bridged_gaps=int((is_gap & bridged).sum()),
        bridged_s=float(steps[is_gap & bridged].sum()),
        unbridged_gaps=int((~bridged).sum()),
        unbridged_s=float(steps[~bridged].sum()),
    )
    return CleanTrack(track, times, lat, lon, bridged), counts


def _speed_filter(times: np.ndarray, lat: np.ndarray, lon: np.ndarray, acc: np.ndarray, vmax: float) -> tuple[np.ndarray, int, int]:
    """Mask of fixes reachable on foot from the last good one; counts of wild and vehicle fixes."""
    n = times.size
    good = np.ones(n, dtype=bool)
    if n < 2:
        return good, 0, 0
    x, y = local_metres(lat, lon, float(np.median(lat)), float(np.median(lon)))
    xs, ys, ts, es = x.tolist(), y.tolist(), times.tolist(), acc.tolist()

    def reachable(a: int, b: int) -> bool:
        distance = math.hypot(xs[b] - xs[a], ys[b] - ys[a]) - es[a] - es[b]
        return distance <= vmax * (ts[b] - ts[a])

    wild = vehicle = 0
    anchor = 0
    # A first fix that the next two agree against is itself wild.
    if n >= 3 and not reachable(0, 1) and not reachable(0, 2) and reachable(1, 2):
        good[0] = False
        wild += 1
        anchor = 1
    for i in range(anchor + 1, n):
        if reachable(anchor, i):
            anchor = i
            continue
        good[i] = False
        if any(reachable(anchor, j) for j in range(i + 1, min(n, i + 1 + LOOKAHEAD))):
            wild += 1
        else:
            vehicle += 1
            anchor = i
    return good, wild, vehicle
