"""Map geometry as plain data (no Qt): a local metric plane and the street lines in it.

`Projection` is an equirectangular projection around the area's centre: x metres east and
y metres *south* (screen y grows downwards). Over a few kilometres its scale error is far
below a line's width. `street_lines` groups the walk graph's edges by the way they are drawn
(major roads, minor streets, footpaths), each undirected edge once; it runs in the loading
worker so the GUI thread only turns the lines into paths.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

EARTH_RADIUS_M = 6_371_008.8

MAJOR = {"motorway", "trunk", "primary", "secondary", "tertiary",
         "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"}
FOOT = {"footway", "path", "steps", "pedestrian", "track", "cycleway", "bridleway", "corridor"}
#: Street classes in drawing order (bottom to top).
CLASSES = ("foot", "minor", "major")


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection around (``lat0``, ``lon0``), in metres."""

    lat0: float
    lon0: float

    @property
    def _kx(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def _ky(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        """(metres east, metres south) of the centre."""
        return (lon - self.lon0) * self._kx, -(lat - self.lat0) * self._ky

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 - y / self._ky, self.lon0 + x / self._kx

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> Projection:
        """Centred on the bounding box of (lat, lon) points."""
        pts = list(points)
        if not pts:
            return cls(0.0, 0.0)
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        return cls((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)


@dataclass(frozen=True)
class StreetLines:
    """Projected street polylines by class, with the bounding box of all of them."""

    projection: Projection
    lines: dict[str, list[list[tuple[float, float]]]] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # min x, min y, max x, max y

    def count(self) -> int:
        return sum(len(v) for v in self.lines.values())


def street_class(highway: Any) -> str:
    """'major', 'minor' or 'foot' for an edge's ``highway`` (a list on merged edges)."""
    values = highway if isinstance(highway, list | tuple) else [highway]
    values = [str(v) for v in values]
    if any(v in MAJOR for v in values):
        return "major"
    if values and all(v in FOOT for v in values):
        return "foot"
    return "minor"


def graph_projection(graph: Any) -> Projection:
    return Projection.around((d["y"], d["x"]) for _, d in graph.nodes(data=True))


def street_lines(graph: Any, projection: Projection | None = None) -> StreetLines:
    """Every undirected street of ``graph`` once, projected, grouped by drawing class."""
    from solver.network import edge_geometry

    projection = projection or graph_projection(graph)
    lines: dict[str, list[list[tuple[float, float]]]] = {c: [] for c in CLASSES}
    seen: set[tuple[int, int, Any]] = set()
    min_x = min_y = math.inf
    max_x = max_y = -math.inf
    for u, v, key, data in graph.edges(keys=True, data=True):
        ident = (min(u, v), max(u, v), data.get("osmid", key) if not isinstance(data.get("osmid"), list) else tuple(data["osmid"]))
        if ident in seen:
            continue
        seen.add(ident)
        points = [projection.to_xy(lat, lon) for lon, lat in edge_geometry(graph, u, v, data)]
        for x, y in points:
            min_x, max_x = min(min_x, x), max(max_x, x)
            min_y, max_y = min(min_y, y), max(max_y, y)
        lines[street_class(data.get("highway"))].append(points)
    bounds = (min_x, min_y, max_x, max_y) if seen else (0.0, 0.0, 0.0, 0.0)
    return StreetLines(projection, lines, bounds)


def project_path(projection: Projection, latlons: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return [projection.to_xy(lat, lon) for lat, lon in latlons]


def nice_length_m(max_m: float) -> float:
    """The largest 1, 2 or 5 x 10^k metres not above ``max_m`` (for a scale bar)."""
    if max_m <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * power <= max_m:
            return float(step * power)
    return float(power)
