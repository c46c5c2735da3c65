"""User tables (CSV or Excel) by canonical column names, with forgiving headers and exact line numbers."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from solver.problems import ProblemList
from solver.tabular import read_table as read_raw_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableRow:
    """One data row: its line number as a spreadsheet shows it (header = 1) and its cells."""

    line: int
    cells: Mapping[str, str]

    def get(self, column: str, default: str = "") -> str:
        return self.cells.get(column, default).strip()


def normalise_header(name: str) -> str:
    """``"Collar No."`` -> ``"collar_no"``: lower case, spaces and dashes to underscores."""
    text = str(name).strip().lower().replace("\ufeff", "")
    for char in " -/.()#":
        text = text.replace(char, "_")
    while "__" in text:
        text = text.replace("__", "_")
    return text.strip("_")


def read_table(
    path: Path,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    aliases: Mapping[str, Iterable[str]] | None = None,
    problems: ProblemList,
) -> list[TableRow] | None:
    """Read a CSV or XLSX file into rows keyed by canonical column names.

    The file itself is read by `solver.tabular.read_table` (encodings, delimiter, workbooks,
    real line numbers). Missing required columns, an empty file or an unreadable file are
    added to ``problems`` (and None returned); unknown columns are kept under their own name.
    """
    label = str(path)
    table = read_raw_table(path, problems)
    if table is None:
        return None
    header, body = table
    if not header or all(not h.strip() for h in header):
        problems.add(label, None, None, "the file is empty; it needs a header line and data rows")
        return None
    canonical = _canonical_columns(header, required, optional, aliases or {})
    missing = [c for c in required if c not in canonical.values()]
    for column in missing:
        problems.add(label, 1, column, f"missing column '{column}'; add it to the header line (found: {', '.join(h for h in header if h)})")
    if missing:
        return None
    rows = [
        TableRow(line=line, cells={canonical[i]: values[i] if i < len(values) else "" for i in canonical})
        for line, values in body
    ]
    if not rows:
        problems.add(label, None, None, "the file has a header but no data rows")
        return None
    log.debug("read %s: %d rows", path.name, len(rows))
    return rows


def _canonical_columns(
    header: list[str],
    required: Iterable[str],
    optional: Iterable[str],
    aliases: Mapping[str, Iterable[str]],
) -> dict[int, str]:
    known = list(required) + list(optional)
    lookup: dict[str, str] = {}
    for name in known:
        lookup[normalise_header(name)] = name
        for alias in aliases.get(name, ()):
            lookup[normalise_header(alias)] = name
    result: dict[int, str] = {}
    taken: set[str] = set()
    for i, column in enumerate(header):
        key = normalise_header(column)
        if not key:
            continue
        name = lookup.get(key, key)
        if name in taken:
            continue
        result[i] = name
        taken.add(name)
    return result
