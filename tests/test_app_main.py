"""The ``patrol-planner`` entry point: arguments, and ``--demo`` opening the demo."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from planner import app as app_module  # noqa: E402
from planner import mainwindow  # noqa: E402
from tests.app_helpers import no_modal_dialogs, wait_for  # noqa: E402, F401


def test_parser_takes_a_path_and_demo():
    args = app_module.build_parser().parse_args(["--demo"])
    assert args.demo and args.path is None
    args = app_module.build_parser().parse_args(["week.patrolplan"])
    assert str(args.path) == "week.patrolplan" and not args.demo


def test_main_with_demo_opens_the_demo(qapp, tmp_path, monkeypatch):
    opened = []
    real_init = mainwindow.MainWindow.__init__

    def private_settings(self, settings=None, autosave_path=None):
        real_init(self, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), tmp_path / "auto.patrolplan")
        opened.append(self)

    def run_until_loaded(self):
        window = opened[0]
        wait_for(lambda: window.scenario is not None and not window.runner.busy, 60)
        window.setWindowModified(False)
        window.close()
        return 0

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own
    monkeypatch.setattr(mainwindow.MainWindow, "__init__", private_settings)
    monkeypatch.setattr(QApplication, "exec", run_until_loaded)
    assert app_module.main(["--demo"]) == 0
    assert opened[0].scenario.name == "Leeds NE demo"
    assert opened[0].graph is not None
