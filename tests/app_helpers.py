"""Helpers for the app's Qt tests: a main window with private settings, waiting for jobs."""

from __future__ import annotations

import os
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


def wait_idle(qtbot, window: MainWindow, timeout_ms: int = 60_000) -> None:
    """Wait until the window's background job has ended and its signals were handled."""
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=timeout_ms)
    qtbot.wait(10)


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
