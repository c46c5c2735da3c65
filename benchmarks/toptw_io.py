"""Read TOPTW instances (Solomon / Cordeau format) into route problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from solver.routes_core import RouteHotspot, RouteProblem, RouteUnit

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TOPTW_DIR = SHARED / "bench" / "toptw"

#: Proven optima for m = 1 (Righini & Salani), from ../shared/bench/README.md.
OPT_M1 = {
    "c101": 320, "c102": 360, "c103": 400, "c104": 420, "c105": 340, "c106": 340, "c107": 370,
    "c108": 370, "c109": 380, "r101": 198, "r102": 286, "r103": 293, "r105": 247, "r106": 293,
    "r107": 299, "r109": 277, "r110": 284, "r111": 297, "r112": 298, "rc101": 219, "rc102": 266,
    "rc103": 266, "rc104": 301, "rc105": 244, "rc106": 252, "rc107": 277, "rc108": 298,
    "pr01": 308, "pr02": 404, "pr03": 394, "pr04": 489, "pr05": 595, "pr07": 298, "pr08": 463,
    "pr09": 493,
}  # fmt: skip


@dataclass(frozen=True)
class ToptwInstance:
    name: str
    scale: int
    xy: np.ndarray
    service: np.ndarray  # scaled
    score: np.ndarray
    open_: np.ndarray  # scaled
    close: np.ndarray  # scaled
    travel: np.ndarray  # scaled, rounded down

    @property
    def n(self) -> int:
        return len(self.score) - 1

    @property
    def tmax(self) -> int:
        return int(self.close[0])


def read_toptw(path: Path) -> ToptwInstance:
    """Read one instance; distances are Euclidean rounded down to 1 (Solomon) or 2 (Cordeau) decimals."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    n = int(lines[0][2])
    scale = 100 if path.name.startswith("pr") else 10
    rows = lines[2 : 3 + n]
    xy = np.array([[float(r[1]), float(r[2])] for r in rows])
    service = np.array([round(float(r[3]) * scale) for r in rows], dtype=np.int64)
    score = np.array([float(r[4]) for r in rows])
    open_ = np.array([round(float(r[-2]) * scale) for r in rows], dtype=np.int64)
    close = np.array([round(float(r[-1]) * scale) for r in rows], dtype=np.int64)
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    travel = np.floor(dist * scale + 1e-9).astype(np.int64)
    return ToptwInstance(path.stem, scale, xy, service, score, open_, close, travel)


def toptw_problem(inst: ToptwInstance, m: int) -> RouteProblem:
    """The instance as a route problem: m units at the depot, one window per hotspot, no breaks."""
    units = tuple(RouteUnit(id=f"tour{k + 1}", depot=0, start=int(inst.open_[0]), end=inst.tmax) for k in range(m))
    hotspots = tuple(
        RouteHotspot(
            id=str(i),
            access=(i,),
            dwell=int(inst.service[i]),
            per_visit=float(inst.score[i]),
            min_gap=0,
            target_per_day=1,
            earliest=int(inst.open_[i]),
            latest=int(inst.close[i]),
        )
        for i in range(1, inst.n + 1)
    )
    return RouteProblem(units=units, hotspots=hotspots, travel=inst.travel, travel_weight=1e-6)


def instance_paths() -> list[Path]:
    sol = sorted((TOPTW_DIR / "solomon_100").glob("*.txt"), key=lambda p: (p.stem[:-3], p.stem))
    cor = sorted((TOPTW_DIR / "cordeau_pr01_10").glob("pr*.txt"))
    return sol + cor


