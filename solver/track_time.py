"""Timestamps of GPS fixes: ISO 8601, UK day-first, epoch seconds; UTC or a stated zone.

A timestamp that states its zone (``Z``, ``+01:00``, ``UTC``, ``GMT``, ``BST`` or an IANA name
such as ``Europe/London``) is read in that zone; a naive one is local time in the zone given
by the caller (``--tz``, default the scenario's). Naive local times in the repeated hour of an
autumn clock change are resolved in file order by `localise` (a track never runs backwards).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAY_FIRST = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?$"
)
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_ATTACHED = re.compile(r"^(.*\d)([+-]\d{2}:?\d{2}|[Zz])$")
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
_NAMED = {"Z": dt.UTC, "UTC": dt.UTC, "GMT": dt.UTC, "BST": dt.timezone(dt.timedelta(hours=1), "BST")}

TIMESTAMP_HELP = (
    "write ISO 8601 (2026-12-01T18:05:10Z, 2026-12-01 18:05:10+00:00, 2026-12-01 18:05:10) "
    "or UK day-first (01/12/2026 18:05:10), optionally followed by UTC, GMT, BST or a zone name"
)


def _zone_of(token: str) -> dt.tzinfo | None:
    named = _NAMED.get(token.upper())
    if named is not None:
        return named
    match = _OFFSET.match(token)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    if "/" in token:
        try:
            return ZoneInfo(token)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def _day_first(text: str) -> dt.datetime | None:
    match = _DAY_FIRST.match(text)
    if not match:
        return None
    day, month, year, hour, minute, second, fraction = match.groups()
    year_n = int(year) + (2000 if len(year) == 2 else 0)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    try:
        return dt.datetime(year_n, int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        return None


def parse_timestamp(text: str) -> dt.datetime | None:
    """A fix's time: aware when the text states its zone, naive (local) when it does not.

    Returns None when the text is not a timestamp this reader understands.
    """
    text = text.strip()
    if not text:
        return None
    if _EPOCH.match(text):
        seconds = float(text)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000.0
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    zone: dt.tzinfo | None = None
    body = text
    if " " in text:
        head, tail = text.rsplit(" ", 1)
        zone = _zone_of(tail)
        if zone is not None:
            body = head.strip()
    if zone is None:
        attached = _ATTACHED.match(text)
        if attached:
            zone = _zone_of(attached.group(2).upper())
            body = attached.group(1).strip()
    value = _day_first(body)
    if value is None:
        try:
            value = dt.datetime.fromisoformat(body)
        except ValueError:
            return None
        if value.tzinfo is not None:
            return value if zone is None else None
    return value if zone is None else value.replace(tzinfo=zone)


def localise(values: list[dt.datetime], zone: ZoneInfo) -> tuple[list[float], int]:
    """UTC epoch seconds of fixes in file order; naive ones are local times in ``zone``.

    In the repeated hour of an autumn clock change a naive time is read as the later of its
    two instants when the earlier would make the track run backwards. Returns the seconds and
    how many fixes fell in such a repeated hour.
    """
    out: list[float] = []
    ambiguous = 0
    previous: float | None = None
    for value in values:
        if value.tzinfo is not None:
            stamp = value.timestamp()
        else:
            stamp = value.replace(tzinfo=zone).timestamp()
            later = value.replace(tzinfo=zone, fold=1).timestamp()
            if later != stamp:
                ambiguous += 1
                if previous is not None and stamp < previous - 60 and later >= previous - 60:
                    stamp = later
        out.append(stamp)
        previous = stamp
    return out, ambiguous
