"""Derive hotspot areas from crime records on the street network.

Method (each step logs one line of counts):

1. Project records and streets to metres (azimuthal equidistant, centred on the area).
2. Candidate centres: points every ``candidate_step_m`` along every street of the walking
   graph (and its junctions), so a hotspot always sits on a walkable street.
3. Records farther than ``max_snap_m`` from any street are counted and left out.
4. Greedy maximum-harm cover: repeatedly pick the candidate whose circle of ``radius_m``
   holds the most expected harm not yet covered (records held x their harm per record,
   shrunk toward the area-wide mean so that one or two grave records do not outweigh a
   steady volume), among candidates whose circle would not overlap a chosen one; ties go to
   the candidate closest to the records it covers. The circle is
   then shrunk to the smallest radius (at least ``min_radius_m``) that still holds them, so
   areas stay compact. Stops after ``top_n`` hotspots or when the best holds less than
   ``min_harm``.
5. Name each hotspot from the streets nearest its records ("Roundhay Road / Harehills Lane").
6. Risk over the 168 hours: measured from timed records (smoothed, shrunk toward the area's
   profile), else an assumed profile, labelled as such.
"""

from __future__ import annotations

import logging
import math
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from pyproj import Transformer
from scipy import sparse
from scipy.spatial import cKDTree

from solver.crimes import CrimeRecord
from solver.domain import Hotspot
from solver.harm import HarmWeights
from solver.risk_profile import (
    assumed_mix,
    assumed_profile,
    hour_of_week,
    measured_profile,
    normalise,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HotspotSettings:
    """How hotspots are derived; every field has a working default."""

    top_n: int = 25
    #: Largest radius of a hotspot, metres (the circle used to find it).
    radius_m: float = 100.0
    #: Smallest radius after shrinking to the records a hotspot holds, metres.
    min_radius_m: float = 50.0
    #: Added to the farthest record when shrinking (records are approximate), metres.
    shrink_margin_m: float = 10.0
    shrink: bool = True
    #: A hotspot must hold at least this much harm (or records, with counts).
    min_harm: float = 0.0
    #: Shrinks each area's harm per record toward the area-wide mean, as if it held this many
    #: more records of average harm (0: rank by harm held). Chosen on 2016-07 -> 2017-07
    #: Leeds validation data; see benchmarks/README.md.
    harm_prior_records: float = 20.0
    candidate_step_m: float = 20.0
    #: Records farther than this from every street are left out (and counted).
    max_snap_m: float = 250.0
    #: Profile for records without times: "evening_weekend", "flat", or 168 values.
    default_profile: str = "evening_weekend"
    #: Used instead of ``default_profile`` when given (e.g. read from a user's file).
    profile_values: tuple[float, ...] | None = None
    profile_label: str = ""
    risk_sigma_h: float = 2.0
    risk_prior_strength: float = 10.0
    timezone: str = "Europe/London"
    visit_min: int = 15
    min_gap_min: int = 60
    min_visits_per_day: int = 2
    max_visits_per_day: int = 4


@dataclass(frozen=True)
class HotspotResult:
    """The derived hotspots, sorted by harm (highest first), and what they were built from."""

    hotspots: tuple[Hotspot, ...]
    #: Records captured by each hotspot (same order).
    record_counts: tuple[int, ...]
    #: Harm of all records used (inside the area and near a street).
    harm_total: float
    records_used: int
    #: Records left out for lying farther than max_snap_m from every street.
    far_from_streets: int
    risk_measured: bool
    risk_label: str
    weights_label: str

    @property
    def harm_captured(self) -> float:
        return float(sum(h.weight for h in self.hotspots))

    def summary_lines(self) -> list[str]:
        share = self.harm_captured / self.harm_total if self.harm_total else 0.0
        lines = [
            f"{len(self.hotspots)} hotspots from {self.records_used} records "
            f"({self.weights_label}); they hold {share:.0%} of the harm",
            f"risk: {self.risk_label}",
        ]
        if self.far_from_streets:
            lines.append(
                f"{self.far_from_streets} records were more than the snap distance "
                "from every street and were left out"
            )
        return lines


class _Projection:
    """Lon/lat <-> local metres (azimuthal equidistant centred on the area)."""

    def __init__(self, lat0: float, lon0: float):
        crs = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs"
        self.forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def to_xy(self, lon, lat) -> np.ndarray:
        x, y = self.forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self.inverse.transform(x, y)
        return float(lon), float(lat)


def network_area(graph: nx.MultiDiGraph) -> tuple[float, float, float, float]:
    """The network's area (min_lat, min_lon, max_lat, max_lon): the OSM file's bounding box
    when the graph records one (``file_bbox``), else the extent of its nodes."""
    box = graph.graph.get("file_bbox")
    if box:
        min_lon, min_lat, max_lon, max_lat = box
        return (float(min_lat), float(min_lon), float(max_lat), float(max_lon))
    ys = [d["y"] for _, d in graph.nodes(data=True)]
    xs = [d["x"] for _, d in graph.nodes(data=True)]
    return (min(ys), min(xs), max(ys), max(xs))


def projection_for(graph: nx.MultiDiGraph) -> _Projection:
    """The local metric projection used for a graph (centred on its nodes)."""
    xs = [d["x"] for _, d in graph.nodes(data=True)]
    ys = [d["y"] for _, d in graph.nodes(data=True)]
    return _Projection((min(ys) + max(ys)) / 2, (min(xs) + max(xs)) / 2)


#: How strongly a street's class counts when naming a hotspot (main roads name places).
_NAMING_CLASS = {
    "trunk": 3.0,
    "primary": 3.0,
    "secondary": 3.0,
    "tertiary": 2.5,
    "trunk_link": 2.0,
    "primary_link": 2.0,
    "secondary_link": 2.0,
    "tertiary_link": 2.0,
    "unclassified": 1.5,
    "residential": 1.5,
    "living_street": 1.5,
    "pedestrian": 1.5,
    "service": 0.5,
    "footway": 0.5,
    "path": 0.5,
    "steps": 0.3,
    "track": 0.5,
    "cycleway": 0.5,
}


def _street_names(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple | set):
        out: list[str] = []
        for item in value:
            out.extend(_street_names(item))
        return out
    text = " ".join(str(value).split())
    return [text] if text else []


@dataclass(frozen=True)
class _Candidates:
    xy: np.ndarray  # (n, 2) metres
    street: tuple[str, ...]  # street name of each candidate ("" when unnamed)
    highway: tuple[str, ...]


def street_candidates(graph: nx.MultiDiGraph, proj: _Projection, step_m: float) -> _Candidates:
    """Points every ``step_m`` along each street of the graph, with the street's name."""
    points: list[np.ndarray] = []
    names: list[str] = []
    kinds: list[str] = []
    seen: set[tuple] = set()
    for u, v, data in graph.edges(data=True):
        key = (min(u, v), max(u, v), round(float(data.get("length", 0.0)), 1))
        if key in seen:
            continue
        seen.add(key)
        geometry = data.get("geometry")
        if geometry is not None:
            lon, lat = np.asarray(geometry.coords).T
        else:
            lon = np.array([graph.nodes[u]["x"], graph.nodes[v]["x"]])
            lat = np.array([graph.nodes[u]["y"], graph.nodes[v]["y"]])
        line = proj.to_xy(lon, lat)
        seg = np.diff(line, axis=0)
        seg_len = np.hypot(seg[:, 0], seg[:, 1])
        total = float(seg_len.sum())
        if total == 0:
            sample = line[:1]
        else:
            cum = np.concatenate([[0.0], np.cumsum(seg_len)])
            at = np.linspace(0.0, total, max(2, int(math.ceil(total / step_m)) + 1))
            sample = np.column_stack(
                [np.interp(at, cum, line[:, 0]), np.interp(at, cum, line[:, 1])]
            )
        street = " / ".join(dict.fromkeys(_street_names(data.get("name"))))
        highway = ",".join(_street_names(data.get("highway")))
        points.append(sample)
        names.extend([street] * len(sample))
        kinds.extend([highway] * len(sample))
    xy = np.vstack(points) if points else np.empty((0, 2))
    return _Candidates(xy=xy, street=tuple(names), highway=tuple(kinds))


def derive_hotspots(
    records: Sequence[CrimeRecord],
    graph: nx.MultiDiGraph,
    weights: HarmWeights,
    settings: HotspotSettings = HotspotSettings(),
) -> HotspotResult:
    """Find the top-N compact high-harm areas on the street network.

    Parameters
    ----------
    records
        Crime records (already limited to the network's area, e.g. by `read_crimes`).
    graph
        The walking graph (osmnx conventions: node ``x``/``y`` lon/lat; edge ``name``,
        ``highway``, ``length``, optional ``geometry``).
    weights
        Harm weights (or `solver.harm.counts_only()`).
    settings
        Radii, N, minimum harm, risk profile options.

    Returns
    -------
    HotspotResult with `solver.domain.Hotspot` objects sorted by harm, highest first.
    """
    if settings.top_n < 1:
        raise ValueError("top_n must be at least 1")
    if not 0 < settings.min_radius_m <= settings.radius_m:
        raise ValueError("need 0 < min_radius_m <= radius_m")
    proj = projection_for(graph)
    cands = street_candidates(graph, proj, settings.candidate_step_m)
    logger.info(
        "hotspots: %d candidate centres along %d streets", len(cands.xy), graph.number_of_edges()
    )
    if not records:
        return _empty_result(weights, settings)
    rec_xy = proj.to_xy([r.lon for r in records], [r.lat for r in records])
    harm = np.array([weights.weight_of(r.crime_type) for r in records])
    cand_tree = cKDTree(cands.xy)
    snap_dist, snap_idx = cand_tree.query(rec_xy)
    near = snap_dist <= settings.max_snap_m
    far = int((~near).sum())
    used = np.flatnonzero(near)
    logger.info(
        "hotspots: %d records used, %d farther than %.0f m from every street",
        used.size,
        far,
        settings.max_snap_m,
    )

    radius = settings.radius_m
    # A[c, i] = 1 when record i lies within radius of candidate c.
    rec_tree = cKDTree(rec_xy[used])
    balls = rec_tree.query_ball_point(cands.xy, r=radius)
    rows = np.repeat(np.arange(len(balls)), [len(b) for b in balls])
    cols = (
        np.concatenate([np.asarray(b, dtype=int) for b in balls]) if rows.size else np.empty(0, int)
    )
    matrix = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(cands.xy), used.size))
    active = np.ones(used.size, dtype=bool)
    allowed = np.ones(len(cands.xy), dtype=bool)
    used_harm = harm[used]
    mean_harm = float(used_harm.mean()) if used_harm.size else 0.0
    chosen: list[tuple[int, float, np.ndarray]] = []  # (candidate, radius, record indices)
    while len(chosen) < settings.top_n:
        held = matrix @ (used_harm * active)
        scores = _expected_harm(held, matrix @ active.astype(float), mean_harm, settings, weights)
        scores[~allowed | (held < settings.min_harm) | (held <= 0)] = -1.0
        best = float(scores.max()) if scores.size else 0.0
        if best <= 0:
            break
        ties = np.flatnonzero(scores >= best * (1 - 1e-9))
        cand, members = _tightest(ties, balls, active, rec_xy[used], cands.xy)
        r = radius
        if settings.shrink:
            far_m = float(np.hypot(*(rec_xy[used][members] - cands.xy[cand]).T).max())
            r = min(
                radius,
                max(
                    settings.min_radius_m, 5.0 * math.ceil((far_m + settings.shrink_margin_m) / 5.0)
                ),
            )
        chosen.append((cand, r, members))
        active[members] = False
        gap = np.hypot(*(cands.xy - cands.xy[cand]).T)
        allowed &= gap >= r + radius
    logger.info(
        "hotspots: %d chosen (top_n %d, min_harm %g)",
        len(chosen),
        settings.top_n,
        settings.min_harm,
    )

    # Risk profiles.
    tz = zoneinfo.ZoneInfo(settings.timezone)
    timed_hours = np.array(
        [
            hour_of_week(_local(records[i].when, tz)) if records[i].when is not None else -1
            for i in used
        ]
    )
    risk_measured = bool((timed_hours >= 0).any())
    if risk_measured:
        mask = timed_hours >= 0
        area_profile = measured_profile(
            timed_hours[mask],
            used_harm[mask],
            prior=None,
            prior_strength=50.0,
            sigma_h=settings.risk_sigma_h,
        )
        risk_note = "risk measured from timed records"
        risk_label = (
            f"measured from {int(mask.sum())} timed records (smoothed over "
            f"{settings.risk_sigma_h:g} h, shrunk toward the area's profile)"
        )
    else:
        if settings.profile_values is not None:
            area_profile = normalise(settings.profile_values)
            name = f"profile {settings.profile_label}" if settings.profile_label else "user profile"
        else:
            area_profile = assumed_profile(settings.default_profile)
            name = settings.default_profile.replace("_", "/") + " profile"
            if settings.default_profile == "evening_weekend":
                name = (
                    "evening/weekend profile for violence, ASB, public order and damage, "
                    "flat for other types"
                )
        risk_label = f"assumed ({name}): the records carry no time of day"
        risk_note = f"risk ASSUMED ({name}; records have no time of day)"

    max_harm = max((float(used_harm[m].sum()) for _, _, m in chosen), default=1.0) or 1.0
    hotspots: list[Hotspot] = []
    counts: list[int] = []
    names_seen: Counter[str] = Counter()
    order = sorted(range(len(chosen)), key=lambda k: -float(used_harm[chosen[k][2]].sum()))
    for rank, k in enumerate(order, start=1):
        cand, r, members = chosen[k]
        lon, lat = proj.to_lonlat(*cands.xy[cand])
        member_records = [records[used[i]] for i in members]
        total = float(used_harm[members].sum())
        name = _name(cand, r, members, cands, cand_tree, rec_xy[used], member_records)
        names_seen[name] += 1
        if names_seen[name] > 1:
            name = f"{name} ({names_seen[name]})"
        if risk_measured:
            mask = timed_hours[members] >= 0
            profile = measured_profile(
                timed_hours[members][mask],
                used_harm[members][mask],
                prior=area_profile,
                prior_strength=settings.risk_prior_strength,
                sigma_h=settings.risk_sigma_h,
            )
        elif settings.profile_values is None and settings.default_profile == "evening_weekend":
            by_type: Counter[str] = Counter()
            for i in members:
                by_type[records[used[i]].crime_type] += float(used_harm[i])
            profile = assumed_mix(by_type)
        else:
            profile = area_profile
        visits = settings.min_visits_per_day + round(
            (settings.max_visits_per_day - settings.min_visits_per_day) * total / max_harm
        )
        hotspots.append(
            Hotspot(
                id=f"H{rank:02d}",
                name=name,
                lat=round(lat, 6),
                lon=round(lon, 6),
                weight=round(total, 1),
                radius_m=float(r),
                risk=tuple(round(float(v), 4) for v in profile),
                risk_assumed=not risk_measured,
                target_visits_per_day=int(visits),
                visit_min=settings.visit_min,
                min_gap_min=settings.min_gap_min,
                notes=_notes(member_records, total, weights, risk_note),
            )
        )
        counts.append(len(members))
    return HotspotResult(
        hotspots=tuple(hotspots),
        record_counts=tuple(counts),
        harm_total=float(used_harm.sum()),
        records_used=int(used.size),
        far_from_streets=far,
        risk_measured=risk_measured,
        risk_label=risk_label,
        weights_label=weights.label,
    )


def _expected_harm(
    held: np.ndarray,
    count: np.ndarray,
    mean_harm: float,
    settings: HotspotSettings,
    weights: HarmWeights,
) -> np.ndarray:
    """Selection score: records held x their mean harm shrunk toward the area-wide mean.

    With n records holding harm S, the score is ``n * (S + k * m) / (n + k)`` for
    ``k = harm_prior_records`` and area-wide mean harm per record ``m``: an area with a few
    high-harm records does not outrank one with many records unless its harm per record is
    backed by enough of them. k = 0 ranks by harm held; counts-only ranks by records.
    """
    k = settings.harm_prior_records
    if k <= 0 or weights.counts_only:
        return held.copy()
    return count * (held + k * mean_harm) / np.maximum(count + k, 1e-12)


def _empty_result(weights: HarmWeights, settings: HotspotSettings) -> HotspotResult:
    return HotspotResult(
        hotspots=(),
        record_counts=(),
        harm_total=0.0,
        records_used=0,
        far_from_streets=0,
        risk_measured=False,
        risk_label=f"assumed ({settings.default_profile})",
        weights_label=weights.label,
    )


def _local(when, tz):
    return when.astimezone(tz) if when.tzinfo is not None else when


def _tightest(ties, balls, active, rec_xy, cand_xy) -> tuple[int, np.ndarray]:
    """Among tied candidates, the one whose covered records lie closest to it."""
    best = None
    for cand in ties:
        members = np.asarray([i for i in balls[cand] if active[i]], dtype=int)
        d = np.hypot(*(rec_xy[members] - cand_xy[cand]).T)
        key = (float(d.max()), float(d.mean()), int(cand))
        if best is None or key < best[0]:
            best = (key, int(cand), members)
    return best[1], best[2]


_LOCATION_PREFIX = re.compile(r"^\s*on or near\s+", re.IGNORECASE)


def _name(cand, radius, members, cands: _Candidates, cand_tree, rec_xy, member_records) -> str:
    """Name from the streets nearest the hotspot's records: the top two by harm share."""
    score: Counter[str] = Counter()
    for i in members:
        near = cand_tree.query_ball_point(rec_xy[i], r=max(radius, 30.0))
        best: dict[str, tuple[float, float]] = {}
        for c in near:
            if cands.street[c]:
                d = float(np.hypot(*(cands.xy[c] - rec_xy[i])))
                if cands.street[c] not in best or d < best[cands.street[c]][0]:
                    best[cands.street[c]] = (d, _naming_weight(cands.highway[c]))
        # each record votes for its nearby streets: nearer and bigger streets count more
        for street, (d, klass) in best.items():
            for part in street.split(" / "):
                score[part] += klass / (1.0 + d / 25.0)
    centre_street = cands.street[cand]
    if centre_street:
        for part in centre_street.split(" / "):
            score[part] += 0.5 * _naming_weight(cands.highway[cand])
    names = [n for n, _ in score.most_common(2)]
    if names:
        return " / ".join(names)
    locations = Counter(
        _LOCATION_PREFIX.sub("", r.location).strip() for r in member_records if r.location
    )
    if locations:
        return locations.most_common(1)[0][0]
    kind = cands.highway[cand] or "street"
    return f"Unnamed {kind.split(',')[0]}"


def _naming_weight(highway: str) -> float:
    return max((_NAMING_CLASS.get(k, 1.0) for k in highway.split(",") if k), default=1.0)


def _notes(member_records, total, weights: HarmWeights, risk_note: str) -> str:
    types = Counter(r.crime_type for r in member_records)
    top = ", ".join(f"{t} {n}" for t, n in types.most_common(3))
    months = sorted({r.month for r in member_records})
    span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    unit = "records" if weights.counts_only else "harm (CCHI days)"
    return f"{len(member_records)} records {span}, {unit} {total:.0f}; {top}; {risk_note}"
