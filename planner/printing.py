"""Printing: the solver's PDFs to a printer, and small HTML reports through QPrinter.

Qt (without the QtPdf add-on) cannot render a PDF page, so a route-sheet PDF goes to the
printer chosen in `QPrintDialog` through the system's print spooler (``lp`` on Linux and
macOS, the shell's print verb on Windows); "Print to file" copies the PDF there. HTML
reports (the list of changes) are printed by Qt itself.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

log = logging.getLogger(__name__)


class PrintDialog:
    """The system print dialog; None when cancelled."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


class PrintService(QObject):
    """Sends PDFs and HTML reports to a printer the user picks."""

    def parent_widget(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def print_pdf(self, pdf: Path) -> str:
        """Print a PDF file; returns how it was handled ("file", "spooler", "viewer", "cancelled")."""
        printer = PrintDialog.ask(self.parent_widget(), "Print route sheets")
        if printer is None:
            return "cancelled"
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
            shutil.copyfile(pdf, printer.outputFileName())
            return "file"
        name = printer.printerName()
        copies = max(1, printer.copyCount())
        if sys.platform.startswith("win"):
            os.startfile(str(pdf), "print")  # type: ignore[attr-defined]  # noqa: S606
            return "spooler"
        lp = shutil.which("lp")
        if lp is not None:
            command = [lp, "-n", str(copies)] + (["-d", name] if name else []) + [str(pdf)]
            result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
            if result.returncode == 0:
                return "spooler"
            log.warning("lp failed: %s", result.stderr.strip())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(pdf)))
        return "viewer"

    def _document(self, html: str) -> QTextDocument:
        document = QTextDocument(self)
        document.setHtml(html)
        return document

    def print_html(self, html: str, title: str) -> bool:
        printer = PrintDialog.ask(self.parent_widget(), title)
        if printer is None:
            return False
        self._document(html).print_(printer)
        return True

    def html_to_pdf(self, html: str, path: Path) -> Path:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setOutputFileName(str(path))
        self._document(html).print_(printer)
        return path
