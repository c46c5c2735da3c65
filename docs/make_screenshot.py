"""Render the main window with a plan of the embedded demo to docs/screenshot.png, offscreen.

    python docs/make_screenshot.py [--time-limit 20] [--out docs/screenshot.png]

Plans the demo with the real solver (a short search), shows the busiest shift of the first
weekday, selects its first unit and saves the window. Needs system fonts (fontconfig and
e.g. DejaVu); no X server.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=40.0, help="planning time limit in seconds")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1500)
    parser.add_argument("--height", type=int, default=950)
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from planner.app import create_application
    from planner.edits import Edits
    from planner.mainwindow import MainWindow

    app = create_application(sys.argv[:1])
    scratch = Path(tempfile.mkdtemp(prefix="patrol-shot-"))
    window = MainWindow(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat), scratch / "autosave.patrolplan")
    window.resize(args.width, args.height)
    window.show()

    def wait(limit_s: float) -> None:
        deadline = time.monotonic() + limit_s
        while window.runner.busy and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        QApplication.processEvents()

    window.open_demo()
    wait(120)
    if window.scenario is None:
        print("the demo did not load", file=sys.stderr)
        return 1
    limit = args.time_limit
    window.edits = Edits(settings={"patrol": {"time_limit_s": limit}, "roster": {"time_limit_s": max(1.0, limit / 4)}})
    window._edits_changed("")
    window.start_plan()
    wait(limit * 10 + 120)
    if window.plan is None:
        print("planning failed; see the log", file=sys.stderr)
        return 1
    day = window.scenario.dates[2]
    window.day_combo.setCurrentIndex(2)
    busiest = max(window.scenario.shifts, key=lambda s: len(window.plan.tours_on(day, s.name)))
    window.shift_combo.setCurrentText(busiest.name)
    if window.units_model.rowCount():
        window.units_view.selectRow(0)
    window.roster_dock.raise_()
    window.map.fit_to_area()
    window.statusBar().showMessage("Hover a hotspot for its plan; right-click a roster cell to mark an officer sick and re-plan")
    QApplication.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    print(f"wrote {args.out}")
    window.setWindowModified(False)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
