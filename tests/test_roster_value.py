"""The value of a patrol unit on a shift: harm x risk in the shift's real hours."""

from __future__ import annotations

import datetime as dt

import pytest

from solver.domain import HOURS_PER_WEEK, Hotspot, ShiftTemplate
from solver.roster_value import shift_risk, shift_value, unit_fraction, units_value

NIGHT = ShiftTemplate("Night", dt.time(22), dt.time(7), night=True)
FLAT = Hotspot("H", "flat", 53.8, -1.5, weight=2.0)


def test_flat_risk_counts_real_hours_across_clock_changes():
    ordinary = shift_risk(FLAT, NIGHT, dt.date(2026, 10, 17), "Europe/London")
    back = shift_risk(FLAT, NIGHT, dt.date(2026, 10, 24), "Europe/London")  # clocks go back
    forward = shift_risk(FLAT, NIGHT, dt.date(2026, 3, 28), "Europe/London")  # clocks go forward
    assert ordinary == pytest.approx(9.0)
    assert back == pytest.approx(10.0)
    assert forward == pytest.approx(8.0)


def test_value_follows_the_risk_hours_and_harm_weight():
    risk = [0.0] * HOURS_PER_WEEK
    for day in range(7):
        for hour in (19, 20):
            risk[day * 24 + hour] = 1.0
    evening = Hotspot("E", "evening", 53.8, -1.5, weight=3.0, risk=tuple(risk))
    late = ShiftTemplate("Late", dt.time(15), dt.time(23))
    early = ShiftTemplate("Early", dt.time(7), dt.time(15))
    half = ShiftTemplate("Half", dt.time(19, 30), dt.time(23))
    monday = dt.date(2026, 11, 30)
    assert shift_value([evening], late, monday, "Europe/London") == pytest.approx(6.0)
    assert shift_value([evening], early, monday, "Europe/London") == 0.0
    assert shift_value([evening], half, monday, "Europe/London") == pytest.approx(4.5)
    assert shift_value([evening, FLAT], late, monday, "Europe/London") == pytest.approx(6.0 + 16.0)


def test_each_extra_unit_adds_less():
    fractions = (1.0, 0.7, 0.5)
    gains = [
        units_value(10.0, n + 1, fractions) - units_value(10.0, n, fractions) for n in range(5)
    ]
    assert gains[:3] == pytest.approx([10.0, 7.0, 5.0])
    assert gains[3:] == [0.0, 0.0]
    assert unit_fraction(0, fractions) == 0.0
