"""The delivered-dosage summary as a PDF, for the funding return: visits and hours in hotspots."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from solver.atomic import write_bytes_atomic
from solver.delivered_model import DeliveredReport

_GRID = TableStyle([
    ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hours(minutes: float) -> str:
    return f"{minutes / 60.0:.1f}"


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def write_delivered_pdf(report: DeliveredReport, path: Path, *, hotspot_names: dict[str, str], title: str = "") -> Path:
    """A two-page-ish summary: week totals, per hotspot, per day, tracks, and how it was measured."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    totals = report.totals()
    days = sorted({d.date for d in report.hotspot_days})
    span = f"{days[0]:%d %b %Y} to {days[-1]:%d %b %Y}" if days else ""
    story: list = [Paragraph(_esc(f"Hotspot patrols delivered{': ' + title if title else ''}"), styles["Title"]),
                   Paragraph(_esc(f"Period {span}. Measured from GPS tracks against the patrol plan."), body), Spacer(1, 4 * mm)]
    rows = [
        ["", "Planned", "Delivered"],
        ["Patrol visits to hotspots", f"{totals['planned_visits']:.0f}", f"{totals['delivered_visits']:.0f}"],
        ["Hours in hotspots", _hours(totals["planned_min"]), _hours(totals["delivered_min"])],
        ["Visits of Koper length "
         f"({report.settings.koper_min:g}-{report.settings.koper_max:g} min)", "", f"{totals['effective_visits']:.0f}"],
        ["Planned visits delivered (any part)", "", f"{totals['matched_planned_visits']:.0f} of {totals['planned_visits']:.0f}"],
        ["Compliance (planned hotspot minutes delivered)", "", _pct(totals["compliance"])],
        ["Compliance on tours with a track", "", _pct(totals["compliance_tracked"])],
        ["Tours with a track", "", f"{totals['tours_tracked']:.0f} of {totals['tours']:.0f}"],
        ["Tracked patrol hours: in hotspots / elsewhere / untracked", "",
         f"{_hours(totals['hotspot_min'])} / {_hours(totals['elsewhere_min'])} / {_hours(totals['untracked_min'])}"],
    ]
    table = Table(rows, colWidths=[95 * mm, 30 * mm, 45 * mm])
    table.setStyle(_GRID)
    story += [table, Spacer(1, 5 * mm), Paragraph("By hotspot (week)", styles["Heading3"])]

    per_hotspot: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0, 0.0, 0])
    for d in report.hotspot_days:
        acc = per_hotspot[d.hotspot_id]
        acc[0] += d.planned_visits
        acc[1] += d.planned_min
        acc[2] += d.delivered_visits
        acc[3] += d.delivered_min
        acc[4] += d.effective_visits
    rows = [["Hotspot", "Planned visits", "Planned h", "Delivered visits", "Delivered h", "Koper visits"]]
    for hotspot_id, (pv, pm, dv, dm, ev) in per_hotspot.items():
        name = f"{hotspot_id} {hotspot_names.get(hotspot_id, '')}".strip()
        rows.append([Paragraph(_esc(name), small), f"{pv:.0f}", _hours(pm), f"{dv:.0f}", _hours(dm), f"{ev:.0f}"])
    table = Table(rows, colWidths=[70 * mm, 20 * mm, 18 * mm, 22 * mm, 20 * mm, 20 * mm], repeatRows=1)
    table.setStyle(_GRID)
    story += [table, Spacer(1, 5 * mm), Paragraph("By day", styles["Heading3"])]

    rows = [["Date", "Planned visits", "Planned h", "Delivered visits", "Delivered h", "Koper visits"]]
    for day in days:
        items = [d for d in report.hotspot_days if d.date == day]
        rows.append([f"{day:%a %d %b}", str(sum(d.planned_visits for d in items)), _hours(sum(d.planned_min for d in items)),
                     str(sum(d.delivered_visits for d in items)), _hours(sum(d.delivered_min for d in items)),
                     str(sum(d.effective_visits for d in items))])
    table = Table(rows, colWidths=[30 * mm, 25 * mm, 20 * mm, 25 * mm, 22 * mm, 22 * mm], repeatRows=1)
    table.setStyle(_GRID)
    story += [table, Spacer(1, 5 * mm), Paragraph("Tracks", styles["Heading3"])]

    dropped = totals["fixes_dropped"]
    lines = [f"{totals['tracks']:.0f} tracks, {totals['fixes']:.0f} GPS fixes; {dropped:.0f} fixes dropped as inaccurate, duplicate, "
             f"without a position or at speeds impossible on foot."]
    if report.unmatched_tracks:
        lines.append(f"{len(report.unmatched_tracks)} track(s) matched no tour and are not counted: "
                     + "; ".join(f"{t.track_id} ({t.unmatched})" for t in report.unmatched_tracks[:8])
                     + (" ..." if len(report.unmatched_tracks) > 8 else ""))
    s = report.settings
    lines.append(
        f"How it is measured: a visit is a unit's continuous presence inside a hotspot's area of at least {s.min_visit_min:g} min "
        f"(shorter stays are passes and are not counted); a stay continues while fixes remain within {s.exit_margin_m:g} m of the "
        f"area, and stays less than {s.merge_gap_min:g} min apart are one visit. Fixes with accuracy worse than {s.max_accuracy_m:g} m "
        f"or implying more than {s.max_speed_kph:g} km/h are dropped; gaps up to {s.max_gap_s / 60:g} min are bridged. "
        + ("Time in the planned meal break is not counted. " if s.exclude_breaks else "")
        + "Compliance credits each planned visit with at most its planned minutes of presence by the same unit in the same hotspot "
        f"within {s.match_slack_min:g} min of its planned time."
    )
    story += [Paragraph(_esc(line), small) for line in lines]
    buffer = io.BytesIO()
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")

    def footer(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 10 * mm, f"patrol-plan delivered, generated {generated}")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm,
                            title="Hotspot patrols delivered")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    write_bytes_atomic(path, buffer.getvalue())
    return path
