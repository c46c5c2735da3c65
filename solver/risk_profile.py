"""Relative risk over the 168 hours of the week: measured from timed records, or assumed.

Index of an hour of the week: ``(isoweekday - 1) * 24 + hour`` (Monday 00:00 is 0), as in
`solver.domain.Hotspot.risk`. Every profile is scaled to a mean of 1.0, so a value of 2 means
twice the average hourly risk.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from solver.domain import HOURS_PER_WEEK
from solver.problems import ProblemList
from solver.tabular import read_table

logger = logging.getLogger(__name__)

#: Built-in assumed profiles (names accepted by `assumed_profile`).
ASSUMED_PROFILES = ("evening_weekend", "flat")

# Evening and weekend profile for violence, public order and ASB in a mixed residential and
# night-time-economy area. This is a planning assumption, not a measurement: the hour-of-day
# shape is low before dawn, rises through the afternoon and peaks from 19:00 to 01:00; Friday
# and Saturday carry more, and the small hours of Saturday and Sunday (Friday and Saturday
# nights) more again.
_HOUR_SHAPE = (
    1.3,
    1.1,
    0.9,
    0.6,
    0.4,
    0.3,
    0.3,
    0.4,
    0.6,
    0.7,
    0.8,
    0.9,
    1.0,
    1.0,
    1.0,
    1.1,
    1.2,
    1.3,
    1.4,
    1.5,
    1.6,
    1.6,
    1.6,
    1.5,
)
_DAY_FACTOR = (0.9, 0.9, 0.95, 1.0, 1.15, 1.25, 1.05)  # Monday .. Sunday
_WEEKEND_NIGHT_FACTOR = 1.3  # 00:00-04:59 on Saturday and Sunday


#: Crime types given the evening/weekend shape by `assumed_mix`; other types are assumed flat.
EVENING_WEEKEND_TYPES = frozenset(
    {
        "violence and sexual offences",
        "anti-social behaviour",
        "public order",
        "criminal damage and arson",
    }
)


def assumed_mix(harm_by_type: Mapping[str, float]) -> np.ndarray:
    """Assumed profile of an area from its mix of crime types (mean 1).

    The harm-weighted mean of the evening/weekend shape for the types in
    `EVENING_WEEKEND_TYPES` (violence, ASB, public order, criminal damage) and a flat profile
    for every other type. An assumption for month-only records, not a measurement.
    """
    evening = sum(
        v for k, v in harm_by_type.items() if " ".join(k.lower().split()) in EVENING_WEEKEND_TYPES
    )
    total = sum(harm_by_type.values())
    if total <= 0:
        return assumed_profile("evening_weekend")
    share = evening / total
    return normalise(
        share * assumed_profile("evening_weekend") + (1 - share) * np.ones(HOURS_PER_WEEK)
    )


def hour_of_week(when: dt.datetime) -> int:
    """Index 0..167 of a local date-time's hour of the week (Monday 00:00 is 0)."""
    return (when.isoweekday() - 1) * 24 + when.hour


def normalise(profile: Sequence[float] | np.ndarray) -> np.ndarray:
    """Scale a 168-value profile to mean 1 (a flat profile when it sums to zero)."""
    values = np.asarray(profile, dtype=float)
    if values.shape != (HOURS_PER_WEEK,):
        raise ValueError(f"a weekly profile has {HOURS_PER_WEEK} values, not {values.shape}")
    total = values.sum()
    if not np.isfinite(total) or total <= 0:
        return np.ones(HOURS_PER_WEEK)
    return values * (HOURS_PER_WEEK / total)


def assumed_profile(name: str = "evening_weekend") -> np.ndarray:
    """A built-in assumed profile: ``"evening_weekend"`` or ``"flat"`` (mean 1)."""
    if name == "flat":
        return np.ones(HOURS_PER_WEEK)
    if name == "evening_weekend":
        values = np.empty(HOURS_PER_WEEK)
        for day in range(7):
            for hour in range(24):
                factor = _DAY_FACTOR[day] * _HOUR_SHAPE[hour]
                if day in (5, 6) and hour < 5:
                    factor *= _WEEKEND_NIGHT_FACTOR
                values[day * 24 + hour] = factor
        return normalise(values)
    raise ValueError(
        f"unknown profile '{name}'; use one of {', '.join(ASSUMED_PROFILES)} or a risk CSV file"
    )


def read_profile_csv(path: str | Path) -> np.ndarray:
    """Read a user's default profile: CSV ``weekday,hour,risk`` (ISO weekday 1=Mon..7=Sun).

    Hours without a row have risk 0, as in the scenario's risk file; the result has mean 1.

    Raises
    ------
    ScenarioError
        For bad weekdays, hours or risks (each with its line), or a file with no rows.
    """
    path = Path(path)
    problems = ProblemList()
    table = read_table(path, problems)
    problems.raise_if_any()
    header, body = table
    index = {h.strip().lower(): i for i, h in enumerate(header)}
    for name in ("weekday", "hour", "risk"):
        if name not in index:
            problems.add(path, 1, name, f"missing column '{name}' (columns: weekday,hour,risk)")
    problems.raise_if_any()
    values = np.full(HOURS_PER_WEEK, np.nan)
    for line, row in body:
        cells = {k: (row[i] if i < len(row) else "") for k, i in index.items()}
        try:
            day = int(cells["weekday"])
            assert 1 <= day <= 7
        except (ValueError, AssertionError):
            problems.add(
                path, line, "weekday", f"'{cells['weekday']}' is not a weekday 1-7 (1 = Monday)"
            )
            continue
        try:
            hour = int(cells["hour"])
            assert 0 <= hour <= 23
        except (ValueError, AssertionError):
            problems.add(path, line, "hour", f"'{cells['hour']}' is not an hour 0-23")
            continue
        try:
            risk = float(cells["risk"])
            assert np.isfinite(risk) and risk >= 0
        except (ValueError, AssertionError):
            problems.add(path, line, "risk", f"'{cells['risk']}' is not a risk >= 0")
            continue
        values[(day - 1) * 24 + hour] = risk
    values[np.isnan(values)] = 0.0
    if not problems and values.sum() <= 0:
        problems.add(path, None, "risk", "no hour has a risk above 0; give weekday,hour,risk rows")
    problems.raise_if_any()
    return normalise(values)


def smooth(histogram: np.ndarray, sigma_h: float) -> np.ndarray:
    """Circular Gaussian smoothing over the week (the week wraps from Sunday to Monday)."""
    if sigma_h <= 0:
        return np.asarray(histogram, dtype=float)
    offsets = np.arange(-HOURS_PER_WEEK // 2, HOURS_PER_WEEK // 2)
    kernel = np.exp(-0.5 * (offsets / sigma_h) ** 2)
    kernel /= kernel.sum()
    spectrum = np.fft.rfft(histogram) * np.fft.rfft(np.roll(kernel, -HOURS_PER_WEEK // 2))
    return np.clip(np.fft.irfft(spectrum, n=HOURS_PER_WEEK), 0.0, None)


def measured_profile(
    hours: Sequence[int],
    weights: Sequence[float] | None = None,
    *,
    prior: np.ndarray | None = None,
    prior_strength: float = 10.0,
    sigma_h: float = 2.0,
) -> np.ndarray:
    """Risk profile from timed records: smoothed histogram, shrunk toward ``prior``.

    Parameters
    ----------
    hours
        Hour-of-week index (0..167) of each record.
    weights
        Harm of each record (1 each when None).
    prior
        The profile to shrink toward (flat when None), e.g. the area-wide profile. With n
        records the result is ``(n * own + prior_strength * prior) / (n + prior_strength)``,
        so a hotspot with few timed records stays close to the prior.
    sigma_h
        Width of the circular Gaussian smoothing, hours.

    Returns
    -------
    np.ndarray of 168 values with mean 1.
    """
    hours = np.asarray(hours, dtype=int)
    base = np.ones(HOURS_PER_WEEK) if prior is None else normalise(prior)
    if hours.size == 0:
        return base
    w = np.ones(hours.size) if weights is None else np.asarray(weights, dtype=float)
    histogram = np.bincount(hours, weights=w, minlength=HOURS_PER_WEEK)
    own = normalise(smooth(histogram, sigma_h))
    n = float(hours.size)
    return normalise((n * own + prior_strength * base) / (n + prior_strength))
