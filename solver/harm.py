"""Harm weights per crime type: the shipped CCHI table, a user's own file, or counts only.

The shipped table (``resources/harm_weights.csv``, documented in ``resources/harm_weights.md``)
maps the 14 data.police.uk categories to Cambridge Crime Harm Index days, volume-weighted over
the offences in each category.
"""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from solver.problems import ProblemList
from solver.tabular import read_table

logger = logging.getLogger(__name__)

#: The shipped table of harm weights (CCHI days per data.police.uk category).
DEFAULT_WEIGHTS_PATH = Path(str(resources.files("resources") / "harm_weights.csv"))

#: The 14 crime types of data.police.uk street-level files.
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)


def normalise_crime_type(name: str) -> str:
    """Key used to match crime types: case, surrounding and repeated spaces ignored."""
    return " ".join(name.strip().lower().split())


@dataclass(frozen=True)
class HarmWeights:
    """Harm weight per crime type; ``counts_only`` makes every record weigh 1.

    Parameters
    ----------
    weights
        Crime type (as written in the table) -> weight.
    source
        Where the weights came from, for reports and file notes.
    counts_only
        When True, ``weight_of`` returns 1 for every known or unknown type.
    """

    weights: Mapping[str, float]
    source: str
    counts_only: bool = False
    _by_key: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_by_key", {normalise_crime_type(k): float(v) for k, v in self.weights.items()}
        )

    def knows(self, crime_type: str) -> bool:
        """True when the type has a weight (always True in counts-only mode)."""
        return self.counts_only or normalise_crime_type(crime_type) in self._by_key

    def weight_of(self, crime_type: str) -> float:
        """The harm weight of one record of ``crime_type`` (KeyError when unknown)."""
        if self.counts_only:
            return 1.0
        return self._by_key[normalise_crime_type(crime_type)]

    def canonical(self, crime_type: str) -> str:
        """The type as spelt in the table (the input unchanged when not found)."""
        key = normalise_crime_type(crime_type)
        for name in self.weights:
            if normalise_crime_type(name) == key:
                return name
        return crime_type.strip()

    @property
    def label(self) -> str:
        return "counts (every record = 1)" if self.counts_only else f"harm weights: {self.source}"


def counts_only() -> HarmWeights:
    """Weights that count records: every crime type weighs 1."""
    return HarmWeights(
        weights={t: 1.0 for t in POLICE_UK_CRIME_TYPES}, source="counts", counts_only=True
    )


def read_harm_weights(path: str | Path | None = None) -> HarmWeights:
    """Read a harm weights table (CSV: ``crime_type,weight``; other columns ignored).

    Parameters
    ----------
    path
        The file to read; None reads the shipped CCHI table.

    Returns
    -------
    HarmWeights

    Raises
    ------
    ScenarioError
        Listing every problem in the file (missing columns, empty or negative weights,
        duplicated types), each with its line and field.
    """
    source = str(path) if path is not None else "Cambridge Crime Harm Index (shipped table)"
    path = Path(path) if path is not None else DEFAULT_WEIGHTS_PATH
    problems = ProblemList()
    rows = read_table(path, problems)
    problems.raise_if_any()
    header, body = rows
    columns = {normalise_crime_type(h): i for i, h in enumerate(header)}
    type_col = _first(columns, ("crime_type", "crime type", "offence", "offence type", "category"))
    weight_col = _first(columns, ("weight", "harm", "harm_weight", "harm weight"))
    if type_col is None:
        problems.add(
            path,
            1,
            "crime_type",
            "missing column 'crime_type' (the crime type or "
            "offence name, spelt as in your crime records)",
        )
    if weight_col is None:
        problems.add(path, 1, "weight", "missing column 'weight' (a harm weight >= 0 per type)")
    problems.raise_if_any()
    weights: dict[str, float] = {}
    seen: dict[str, int] = {}
    for line, row in body:
        name = row[type_col].strip() if type_col < len(row) else ""
        raw = row[weight_col].strip() if weight_col < len(row) else ""
        if not name and not raw:
            continue
        if not name:
            problems.add(path, line, "crime_type", "empty crime type")
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.add(path, line, "weight", f"'{raw}' is not a number; give a weight >= 0")
            continue
        if not math.isfinite(value) or value < 0:
            problems.add(path, line, "weight", f"weight {raw} must be a finite number >= 0")
            continue
        key = normalise_crime_type(name)
        if key in seen:
            problems.add(
                path,
                line,
                "crime_type",
                f"'{name}' appears twice (first on line {seen[key]}); keep one row",
            )
            continue
        seen[key] = line
        weights[name] = value
    if not weights and not problems:
        problems.add(path, None, None, "no weights found; add one row per crime type")
    problems.raise_if_any()
    logger.info("read %d harm weights from %s", len(weights), path)
    return HarmWeights(weights=weights, source=source)


def write_harm_weights(weights: HarmWeights, path: str | Path) -> None:
    """Write ``weights`` as a ``crime_type,weight`` CSV (the format ``read_harm_weights`` reads)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["crime_type", "weight"])
        for name, value in weights.weights.items():
            writer.writerow([name, f"{value:g}"])


def _first(columns: Mapping[str, int], names: Iterable[str]) -> int | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None
