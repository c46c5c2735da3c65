"""``patrol-planner``: start the desktop app (``--demo`` opens the embedded demo)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

ORGANISATION = "patrol-planner"
APPLICATION = "Patrol planner"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="patrol-planner", description="Plan police foot patrols in crime hotspots.")
    parser.add_argument("path", nargs="?", type=Path, help="a project (.patrolplan) or scenario (.toml) to open")
    parser.add_argument("--demo", action="store_true", help="open the embedded demo (inner north-east Leeds)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    return parser


def _excepthook(window_ref: list) -> object:
    """Unexpected errors on the GUI thread: log the traceback, show one dialog, keep running."""
    import traceback

    def hook(kind, value, tb) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error:\n%s", text)
        from planner.dialogs import ErrorDialog

        try:
            ErrorDialog.ask(window_ref[0] if window_ref else None, "Something went wrong", str(value) or kind.__name__, text)
        except Exception:  # noqa: BLE001 - never fail while reporting a failure
            log.exception("could not show the error dialog")

    return hook


def create_application(argv: Sequence[str]):
    """The QApplication with names set (QSettings keys, data folders)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(argv))
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    from planner import __version__

    app.setApplicationVersion(__version__)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``patrol-planner`` gui script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = create_application(sys.argv[:1])
    from planner.mainwindow import MainWindow

    window_ref: list = []
    sys.excepthook = _excepthook(window_ref)  # type: ignore[assignment]
    window = MainWindow()
    window_ref.append(window)
    window.show()
    if args.demo:
        window.open_demo()
    elif args.path is not None:
        window.open_path(args.path)
    else:
        window.offer_recovery()
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
