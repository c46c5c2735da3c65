"""Cell parsers that report problems instead of raising: one bad cell, one clear message."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from solver.problems import ProblemList
from solver.tables import TableRow

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date_text(text: str) -> dt.date | None:
    """A date as ISO ``YYYY-MM-DD`` or UK day-first ``DD/MM/YYYY``; None when unreadable."""
    text = text.strip()
    if " " in text:  # spreadsheet date-times like "2026-12-01 00:00:00"
        text = text.split(" ", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_time_text(text: str) -> dt.time | None:
    """A local wall-clock time ``HH:MM`` (24 h); None when unreadable."""
    try:
        hours, minutes = text.strip().split(":")[:2]
        return dt.time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None


class CellReader:
    """Reads typed cells of one file's rows, adding a problem for each bad cell."""

    def __init__(self, file: Path | str, problems: ProblemList):
        self.file = str(file)
        self.problems = problems

    def text(self, row: TableRow, column: str, *, required: bool = True) -> str | None:
        value = row.get(column)
        if not value and required:
            self.problems.add(self.file, row.line, column, f"'{column}' is empty; fill it in")
            return None
        return value

    def number(
        self,
        row: TableRow,
        column: str,
        *,
        default: float | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
        what: str = "",
    ) -> float | None:
        raw = row.get(column)
        if not raw:
            if default is None:
                self.problems.add(self.file, row.line, column, f"'{column}' is empty; give a number{what}")
            return default
        try:
            value = float(raw.replace(",", "")) if raw.count(",") and "." in raw else float(raw.replace(",", "."))
        except ValueError:
            self.problems.add(self.file, row.line, column, f"'{raw}' is not a number; give a number{what}")
            return None
        if not math.isfinite(value):
            self.problems.add(self.file, row.line, column, f"'{raw}' is not a finite number")
            return None
        if integer and not value.is_integer():
            self.problems.add(self.file, row.line, column, f"'{raw}' must be a whole number")
            return None
        if minimum is not None and value < minimum:
            self.problems.add(self.file, row.line, column, f"{raw} is below the minimum {minimum:g}{what}")
            return None
        if maximum is not None and value > maximum:
            self.problems.add(self.file, row.line, column, f"{raw} is above the maximum {maximum:g}{what}")
            return None
        return value

    def date(self, row: TableRow, column: str, raw: str | None = None) -> dt.date | None:
        text = row.get(column) if raw is None else raw
        value = parse_date_text(text)
        if value is None:
            self.problems.add(
                self.file, row.line, column, f"'{text}' is not a date; write YYYY-MM-DD (e.g. 2026-12-01) or DD/MM/YYYY"
            )
        return value

    def latlon(self, row: TableRow) -> tuple[float, float] | None:
        lat = self.number(row, "lat", minimum=-90, maximum=90, what=" (latitude in degrees, WGS84)")
        lon = self.number(row, "lon", minimum=-180, maximum=180, what=" (longitude in degrees, WGS84)")
        if lat is None or lon is None:
            return None
        return lat, lon
