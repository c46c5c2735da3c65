"""Curtois & Qu shift-scheduling instances: reader, mapping into our roster model, checker.

The instances (schedulingbenchmarks.org "Instances 1-24") are read by path from
``../shared/bench/shift_curtois_qu``. `to_scenario` expresses one in our own domain model
(`solver.domain.Scenario`): shift types become shift templates, staff become officers with
per-officer limits, hard days off become unavailability, on/off requests become weighted
requests and cover becomes soft cover targets. `evaluate` re-checks a solution against the
instance itself (not through our model) and prices it with the published objective.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from solver.domain import (
    CoverTarget,
    Officer,
    RosterWeights,
    Rules,
    Scenario,
    ShiftRequest,
    ShiftTemplate,
    Station,
    Unavailability,
)

BENCH_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "shift_curtois_qu"
#: Instances start on a Monday; any Monday will do.
FIRST_DAY = dt.date(2024, 1, 1)

#: Best-known upper bounds (objective, minimised), from ../shared/bench/README.md.
BEST_KNOWN = {
    1: 607,
    2: 828,
    3: 1001,
    4: 1716,
    5: 1143,
    6: 1950,
    7: 1056,
    8: 1300,
    9: 439,
    10: 4631,
    11: 3443,
    12: 4040,
    13: 1348,
    14: 1278,
    15: 3834,
    16: 3225,
    17: 5746,
    18: 4459,
    19: 3149,
    20: 4943,
    21: 21159,
    22: 33155,
    23: 17428,
    24: 48777,
}


@dataclass
class Staff:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass
class Instance:
    name: str
    horizon: int
    shift_minutes: dict[str, int]
    cannot_follow: dict[str, list[str]]
    staff: list[Staff]
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    off_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)


def read_instance(path: Path) -> Instance:
    """Parse one ``InstanceN.txt`` file."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    horizon = int(sections["SECTION_HORIZON"][0])
    shift_minutes: dict[str, int] = {}
    cannot_follow: dict[str, list[str]] = {}
    for line in sections["SECTION_SHIFTS"]:
        parts = line.split(",")
        shift_minutes[parts[0]] = int(parts[1])
        cannot_follow[parts[0]] = [s for s in (parts[2] if len(parts) > 2 else "").split("|") if s]
    staff = []
    for line in sections["SECTION_STAFF"]:
        p = line.split(",")
        limits = {}
        for item in p[1].split("|"):
            if item:
                name, value = item.split("=")
                limits[name] = int(value)
        staff.append(
            Staff(p[0], limits, int(p[2]), int(p[3]), int(p[4]), int(p[5]), int(p[6]), int(p[7]))
        )
    inst = Instance(path.stem, horizon, shift_minutes, cannot_follow, staff)
    for line in sections.get("SECTION_DAYS_OFF", []):
        p = line.split(",")
        inst.days_off[p[0]] = {int(v) for v in p[1:] if v}
    for key, target in (
        ("SECTION_SHIFT_ON_REQUESTS", inst.on_requests),
        ("SECTION_SHIFT_OFF_REQUESTS", inst.off_requests),
    ):
        for line in sections.get(key, []):
            p = line.split(",")
            target.append((p[0], int(p[1]), p[2], int(p[3])))
    for line in sections["SECTION_COVER"]:
        p = line.split(",")
        inst.cover.append((int(p[0]), p[1], int(p[2]), int(p[3]), int(p[4])))
    return inst


def to_scenario(inst: Instance, *, time_limit_s: float = 60.0, seed: int = 0) -> Scenario:
    """Express a Curtois & Qu instance in our roster model.

    Shifts start at midnight in UTC with their length, rest is governed by the explicit
    successions only (``min_rest_h`` 0), every staff limit is an officer field, hard days
    off are unavailability, and the objective is requests + cover (no hotspots, no fairness).
    """
    day = [FIRST_DAY + dt.timedelta(days=i) for i in range(inst.horizon)]
    midnight = dt.time(0, 0)
    shifts = tuple(
        ShiftTemplate(
            name,
            midnight,
            (dt.datetime.combine(FIRST_DAY, midnight) + dt.timedelta(minutes=m)).time(),
            meal_break_min=0,
        )
        for name, m in inst.shift_minutes.items()
    )
    on: dict[str, list[ShiftRequest]] = {s.id: [] for s in inst.staff}
    for emp, d, shift, weight in inst.on_requests:
        on[emp].append(ShiftRequest(day[d], shift, weight=float(weight)))
    for emp, d, shift, weight in inst.off_requests:
        on[emp].append(ShiftRequest(day[d], shift, weight=float(weight), avoid=True))
    officers = tuple(
        Officer(
            id=s.id,
            name=s.id,
            role="RN",
            station_id="WARD",
            contracted_hours=0.0,
            unavailable=tuple(
                Unavailability(day[d], "day off") for d in sorted(inst.days_off.get(s.id, ()))
            ),
            requests=tuple(on[s.id]),
            max_tours=tuple((name, s.max_shifts.get(name, 0)) for name in inst.shift_minutes),
            min_minutes=s.min_minutes,
            max_minutes=s.max_minutes,
            max_consecutive_days=s.max_consecutive,
            min_consecutive_days=s.min_consecutive,
            min_consecutive_days_off=s.min_days_off,
            max_weekends=s.max_weekends,
        )
        for s in inst.staff
    )
    rules = Rules(
        min_rest_h=0.0,
        max_consecutive_days=inst.horizon,
        min_units={},
        forbidden_after={k: tuple(v) for k, v in inst.cannot_follow.items() if v},
        cover_targets=tuple(
            CoverTarget(shift, req, day[d], float(wu), float(wo))
            for d, shift, req, wu, wo in inst.cover
        ),
    )
    weights = RosterWeights(
        fairness_nights=0.0, fairness_weekends=0.0, change=0.0, time_limit_s=time_limit_s, seed=seed
    )
    return Scenario(
        name=inst.name,
        week_start=FIRST_DAY,
        days=inst.horizon,
        timezone="UTC",
        stations=(Station("WARD", "Ward", 0.0, 0.0),),
        hotspots=(),
        officers=officers,
        shifts=shifts,
        rules=rules,
        roster_weights=weights,
    )


def evaluate(inst: Instance, roster: dict[tuple[str, int], str]) -> tuple[int, list[str]]:
    """Published objective of a solution ``{(staff id, day index): shift}`` and hard breaches.

    Written from the instance definition alone (not through our model): every staff limit
    is re-checked; min-consecutive rules apply to runs that neither start on the first day
    nor end on the last (the instance convention).
    """
    errors: list[str] = []
    h = inst.horizon
    for s in inst.staff:
        row = [roster.get((s.id, d)) for d in range(h)]
        for d in inst.days_off.get(s.id, ()):
            if row[d] is not None:
                errors.append(f"{s.id} works on day off {d}")
        for name in inst.shift_minutes:
            count = sum(1 for v in row if v == name)
            if count > s.max_shifts.get(name, 0):
                errors.append(f"{s.id}: {count} x {name} > {s.max_shifts.get(name, 0)}")
        minutes = sum(inst.shift_minutes[v] for v in row if v)
        if not s.min_minutes <= minutes <= s.max_minutes:
            errors.append(f"{s.id}: {minutes} min outside [{s.min_minutes}, {s.max_minutes}]")
        for d in range(h - 1):
            if row[d] and row[d + 1] and row[d + 1] in inst.cannot_follow.get(row[d], []):
                errors.append(f"{s.id}: {row[d + 1]} after {row[d]} on day {d + 1}")
        works = [v is not None for v in row]
        d = 0
        while d < h:
            j = d
            while j + 1 < h and works[j + 1] == works[d]:
                j += 1
            length = j - d + 1
            if works[d] and length > s.max_consecutive:
                errors.append(f"{s.id}: {length} shifts in a row from day {d}")
            inside = d > 0 and j < h - 1
            if inside and works[d] and length < s.min_consecutive:
                errors.append(f"{s.id}: only {length} shifts in a row from day {d}")
            if inside and not works[d] and length < s.min_days_off:
                errors.append(f"{s.id}: only {length} days off in a row from day {d}")
            d = j + 1
        weekends = sum(1 for w in range(h // 7) if works[7 * w + 5] or works[7 * w + 6])
        if weekends > s.max_weekends:
            errors.append(f"{s.id}: {weekends} weekends > {s.max_weekends}")
    penalty = 0
    for emp, d, shift, weight in inst.on_requests:
        if roster.get((emp, d)) != shift:
            penalty += weight
    for emp, d, shift, weight in inst.off_requests:
        if roster.get((emp, d)) == shift:
            penalty += weight
    for d, shift, req, wu, wo in inst.cover:
        n = sum(1 for s in inst.staff if roster.get((s.id, d)) == shift)
        penalty += wu * max(0, req - n) + wo * max(0, n - req)
    return penalty, errors
