"""Read a CSV or XLSX table into rows with their spreadsheet line numbers.

CSV text may be UTF-8 (with or without a byte-order mark) or Windows-1252, as Excel writes it;
the delimiter (comma, semicolon or tab) is sniffed. XLSX is read with openpyxl (first sheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path

from solver.problems import ProblemList

logger = logging.getLogger(__name__)

Row = list[str]


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes as UTF-8 (BOM allowed), else Windows-1252; returns (text, encoding)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_table(path: str | Path, problems: ProblemList) -> tuple[Row, list[tuple[int, Row]]] | None:
    """Read a table: its header and its rows, each with its 1-based line (header = line 1).

    Parameters
    ----------
    path
        A ``.csv`` (or ``.txt``) file, or an ``.xlsx`` / ``.xlsm`` workbook (first sheet).
    problems
        Where a missing, empty or unreadable file is reported.

    Returns
    -------
    (header, rows), or None when the file could not be read (a problem was added).
    Cells are strings, stripped of surrounding spaces; dates in workbooks become ISO text.
    """
    path = Path(path)
    if not path.is_file():
        problems.add(path, None, None, "file not found; check the path")
        return None
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows = _read_xlsx(path, problems)
    else:
        rows = _read_csv(path, problems)
    if rows is None:
        return None
    if not rows:
        problems.add(path, None, None, "the file is empty; it needs a header row and data rows")
        return None
    header = [h.strip() for h in rows[0][1]]
    return header, rows[1:]


def _read_csv(path: Path, problems: ProblemList) -> list[tuple[int, Row]] | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(path, None, None, f"cannot read the file: {exc.strerror or exc}")
        return None
    text, encoding = decode_text(data)
    if encoding != "utf-8":
        logger.info("%s is not UTF-8; read as Windows-1252", path)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, Row]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append((reader.line_num, [cell.strip() for cell in row]))
    except csv.Error as exc:
        problems.add(path, reader.line_num, None, f"not a readable CSV file: {exc}")
        return None
    return rows


def _read_xlsx(path: Path, problems: ProblemList) -> list[tuple[int, Row]] | None:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        problems.add(path, None, None, f"not a readable Excel workbook: {exc}")
        return None
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[int, Row]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
        return rows
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A workbook cell as text: dates in ISO form, whole floats without ".0", stripped."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()
