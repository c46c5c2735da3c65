"""Helpers for the app's Qt tests: a main window with private settings, waiting for jobs."""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from planner.mainwindow import MainWindow  # noqa: E402


def make_window(qtbot, tmp_path: Path) -> MainWindow:
    """A main window whose settings and autosave live in ``tmp_path``."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, autosave_path=tmp_path / "autosave.patrolplan")
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    return window


def wait_for(predicate, timeout_s: float) -> None:
    """Process events until ``predicate()``; sleeps between rounds so worker threads get the GIL
    (QTest.qWait keeps it while it spins, which starves a solver running in a worker)."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s")
        QApplication.processEvents()
        time.sleep(0.02)
    QApplication.processEvents()


def wait_idle(qtbot, window: MainWindow, timeout_ms: int = 60_000) -> None:
    """Wait until the window's background job has ended and its signals were handled."""
    wait_for(lambda: not window.runner.busy, timeout_ms / 1000)


def discard_on_close(window: MainWindow) -> None:
    window.setWindowModified(False)


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """Dialogs never block a test: unsaved work is discarded, errors are recorded."""
    from planner import dialogs

    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs.UnsavedChangesDialog, "ask", classmethod(lambda cls, parent, what="": "discard"))
    monkeypatch.setattr(dialogs.ErrorDialog, "ask",
                        classmethod(lambda cls, parent, title, message, details="": errors.append((message, details))))
    monkeypatch.setattr(dialogs.InfoDialog, "ask", classmethod(lambda cls, parent, title, message: None))
    monkeypatch.setattr(dialogs.RecoverDialog, "ask", classmethod(lambda cls, parent, path, saved: False))
    return errors
