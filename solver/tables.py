"""Read user tables (CSV or Excel) as text, with forgiving headers and exact line numbers."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from solver.problems import ProblemList

log = logging.getLogger(__name__)

#: Encodings tried in order: Excel writes UTF-8 with a BOM or Windows-1252.
ENCODINGS = ("utf-8-sig", "cp1252")


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

    Missing required columns, an empty file, a bad encoding or an unreadable file are added
    to ``problems`` (and None returned); unknown columns are kept under their own name.
    """
    label = str(path)
    if not path.exists():
        problems.add(label, None, None, "file not found; check the path in the scenario file")
        return None
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            header, body = _read_xlsx(path)
        else:
            header, body = _read_csv(path, problems)
            if header is None:
                return None
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes one clear problem
        problems.add(label, None, None, f"cannot read the file ({exc}); save it as CSV (UTF-8) or XLSX")
        return None
    if not header or all(not h.strip() for h in header):
        problems.add(label, None, None, "the file is empty; it needs a header line and data rows")
        return None
    canonical = _canonical_columns(header, required, optional, aliases or {})
    missing = [c for c in required if c not in canonical.values()]
    for column in missing:
        problems.add(label, 1, column, f"missing column '{column}'; add it to the header line (found: {', '.join(h for h in header if h)})")
    if missing:
        return None
    rows: list[TableRow] = []
    for offset, values in enumerate(body):
        if not any(str(v).strip() for v in values):
            continue
        cells = {canonical[i]: str(values[i]) if i < len(values) else "" for i in canonical}
        rows.append(TableRow(line=offset + 2, cells=cells))
    if not rows:
        problems.add(label, None, None, "the file has a header but no data rows")
        return None
    log.debug("read %s: %d rows", path.name, len(rows))
    return rows


def _read_csv(path: Path, problems: ProblemList) -> tuple[list[str] | None, list[list[str]]]:
    raw = path.read_bytes()
    text = None
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        problems.add(str(path), None, None, "unknown text encoding; save it as CSV UTF-8 from Excel")
        return None, []
    if not text.strip():
        return [], []
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines = list(reader)
    return lines[0], lines[1:]


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        lines = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not lines:
        return [], []
    return lines[0], lines[1:]


def _cell_text(value: object) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
