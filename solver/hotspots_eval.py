"""How well hotspot areas capture crime: hit rate and the Predictive Accuracy Index (PAI).

hit rate = share of the crimes (or of their harm) that fall inside the hotspot areas;
PAI = hit rate / share of the study area that the hotspots cover (Chainey, Tompson & Uhlig
2008). A PAI of 1 is what areas placed at random would score on average. Areas are measured
as the union of the shapes inside the study area, so overlaps count once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from solver.domain import Hotspot


@dataclass(frozen=True)
class CaptureScore:
    """Hit rate and PAI of a set of areas on a set of (weighted) points."""

    hit_rate: float
    area_share: float
    area_m2: float
    captured: float
    total: float

    @property
    def pai(self) -> float:
        return self.hit_rate / self.area_share if self.area_share > 0 else 0.0


def score_areas(
    areas: BaseGeometry,
    study_area: BaseGeometry,
    points_xy: np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
) -> CaptureScore:
    """Hit rate and PAI of ``areas`` (metres) for points, within ``study_area`` (metres).

    Parameters
    ----------
    areas
        The hotspot areas (any shapely geometry; overlaps count once).
    study_area
        The whole area the hotspots were chosen from; points outside it are ignored.
    points_xy
        (n, 2) array of point coordinates in the same metric system.
    weights
        Weight of each point (harm); 1 each when None (counts).
    """
    pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    w = np.ones(len(pts)) if weights is None else np.asarray(weights, dtype=float)
    inside_study = shapely.contains_xy(study_area, pts[:, 0], pts[:, 1]) | shapely.intersects_xy(
        study_area.boundary, pts[:, 0], pts[:, 1]
    )
    clipped = areas.intersection(study_area)
    hit = shapely.contains_xy(clipped, pts[:, 0], pts[:, 1]) | shapely.intersects_xy(
        clipped.boundary, pts[:, 0], pts[:, 1]
    )
    total = float(w[inside_study].sum())
    captured = float(w[inside_study & hit].sum())
    area = float(clipped.area)
    return CaptureScore(
        hit_rate=captured / total if total > 0 else 0.0,
        area_share=area / float(study_area.area) if study_area.area > 0 else 0.0,
        area_m2=area,
        captured=captured,
        total=total,
    )


class LocalMetres:
    """Lon/lat -> metres in an azimuthal equidistant projection centred on a box."""

    def __init__(self, bounds: tuple[float, float, float, float]):
        south, west, north, east = bounds
        crs = (
            f"+proj=aeqd +lat_0={(south + north) / 2} +lon_0={(west + east) / 2} "
            "+datum=WGS84 +units=m +no_defs"
        )
        self.transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.bounds = bounds

    def xy(self, lat, lon) -> np.ndarray:
        x, y = self.transformer.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])

    def study_area(self, steps: int = 50) -> Polygon:
        """The bounds box (lat/lon) as a polygon in metres, edges densified."""
        south, west, north, east = self.bounds
        ring = box(west, south, east, north).exterior
        pts = [ring.interpolate(t, normalized=True) for t in np.linspace(0, 1, 4 * steps + 1)]
        lon = [p.x for p in pts]
        lat = [p.y for p in pts]
        return Polygon(self.xy(lat, lon))


def circles(centres_xy: np.ndarray, radii: Sequence[float] | float) -> BaseGeometry:
    """Union of circles (64-sided) around centres, metres."""
    centres = np.asarray(centres_xy, dtype=float).reshape(-1, 2)
    r = np.broadcast_to(np.asarray(radii, dtype=float), (len(centres),))
    return unary_union(
        [Point(x, y).buffer(ri, quad_segs=16) for (x, y), ri in zip(centres, r, strict=True)]
    )


def hotspot_areas(hotspots: Sequence[Hotspot], proj: LocalMetres) -> BaseGeometry:
    """The hotspots' circles or polygons in metres."""
    shapes = []
    for h in hotspots:
        if h.polygon:
            lon, lat = np.asarray(h.polygon, dtype=float).T
            shapes.append(Polygon(proj.xy(lat, lon)))
        else:
            shapes.append(circles(proj.xy([h.lat], [h.lon]), h.radius_m or 0.0))
    return unary_union(shapes) if shapes else Polygon()
