"""Small roster scenarios built in code for the roster tests (no files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from solver.domain import (
    HOURS_PER_WEEK,
    Hotspot,
    Officer,
    RosterWeights,
    Rules,
    Scenario,
    ShiftTemplate,
    Station,
    Unavailability,
)

MONDAY = dt.date(2026, 11, 30)


def evening_risk() -> tuple[float, ...]:
    """A risk profile that peaks in the evening and at weekends."""
    risk = []
    for hour in range(HOURS_PER_WEEK):
        day, h = divmod(hour, 24)
        base = 3.0 if 16 <= h <= 23 else (1.5 if h < 3 else 0.5)
        risk.append(base * (1.5 if day >= 4 else 1.0))
    return tuple(risk)


def shifts(*, pairs_at_night: bool = True) -> tuple[ShiftTemplate, ...]:
    return (
        ShiftTemplate("Early", dt.time(7), dt.time(15)),
        ShiftTemplate("Late", dt.time(15), dt.time(23)),
        ShiftTemplate(
            "Night", dt.time(22), dt.time(7), unit_size=2 if pairs_at_night else 1, night=True
        ),
    )


def small_scenario(
    *,
    officers_per_station: int = 6,
    days: int = 7,
    week_start: dt.date = MONDAY,
    min_units: dict[str, int] | None = None,
    time_limit_s: float = 3.0,
    timezone: str = "Europe/London",
) -> Scenario:
    """Two stations, three shifts (Night in pairs), 37-40 h officers, evening-heavy risk."""
    stations = (
        Station("CHA", "Chapeltown", 53.82, -1.53),
        Station("KIL", "Killingbeck", 53.81, -1.49),
    )
    officers = []
    number = 2001
    for station in stations:
        for i in range(officers_per_station):
            role = "PCSO" if i == officers_per_station - 1 else "PC"
            officers.append(
                Officer(
                    str(number),
                    f"Officer {number}",
                    role,
                    station.id,
                    contracted_hours=40.0 if role == "PC" else 37.0,
                )
            )
            number += 1
    hotspots = (
        Hotspot(
            "H1",
            "Chapeltown Road",
            53.815,
            -1.532,
            weight=3.0,
            radius_m=100,
            risk=evening_risk(),
            risk_assumed=False,
        ),
        Hotspot("H2", "Harehills Lane", 53.812, -1.51, weight=2.0, radius_m=100),
    )
    templates = shifts()
    rules = Rules(
        min_units=min_units if min_units is not None else {"Early": 1, "Late": 2, "Night": 1},
        forbidden_after={"Night": ("Early", "Late")},
    )
    return Scenario(
        name="small",
        week_start=week_start,
        days=days,
        timezone=timezone,
        stations=stations,
        hotspots=hotspots,
        officers=tuple(officers),
        shifts=templates,
        rules=rules,
        roster_weights=RosterWeights(time_limit_s=time_limit_s),
    )


def with_officer(scenario: Scenario, officer_id: str, **changes) -> Scenario:
    """A copy of ``scenario`` with one officer's fields replaced."""
    officers = tuple(replace(o, **changes) if o.id == officer_id else o for o in scenario.officers)
    return replace(scenario, officers=officers)


def on_leave(
    scenario: Scenario, officer_id: str, days: list[dt.date], reason: str = "annual leave"
) -> Scenario:
    officer = scenario.officer(officer_id)
    extra = tuple(Unavailability(d, reason) for d in days)
    return with_officer(scenario, officer_id, unavailable=officer.unavailable + extra)
