"""Route sheets and roster PDF: page count, street names from the route, the map's parts."""

from __future__ import annotations

import pytest

from solver.matrix import walk_path
from solver.sheets import write_roster_pdf, write_route_sheets
from tests.plan_fixture import build_small_plan


def pdf_text(path) -> str:
    pypdf = pytest.importorskip("pypdf")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def pdf_pages(path) -> int:
    pypdf = pytest.importorskip("pypdf")
    return len(pypdf.PdfReader(str(path)).pages)


def test_route_sheet_names_the_streets_walked(tmp_path) -> None:
    plan, graph = build_small_plan()
    pdf = tmp_path / "sheets.pdf"
    assert write_route_sheets(plan, graph, pdf) == 1
    text = pdf_text(pdf)
    tour = plan.tours[0]
    first_leg = walk_path(graph, graph, tour.station_node, tour.visits[0].node)
    named = [leg.street for leg in first_leg.legs if leg.named]
    assert named and all(street in text for street in named[:3])
    assert "Timed visits" in text and "Meal break" in text and "OpenStreetMap" in text
    assert 1 <= pdf_pages(pdf) <= 2


def test_filter_by_unit_that_does_not_exist_writes_no_tours(tmp_path) -> None:
    plan, graph = build_small_plan()
    assert write_route_sheets(plan, graph, tmp_path / "none.pdf", unit="NOPE") == 0


def test_roster_pdf_lists_every_officer(tmp_path) -> None:
    plan, _ = build_small_plan()
    pdf = tmp_path / "roster.pdf"
    write_roster_pdf(plan, pdf)
    text = pdf_text(pdf)
    assert all(o.id in text for o in plan.scenario.officers)
