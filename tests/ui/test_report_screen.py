"""The Report screen: redaction on by default, a warning before it goes off, preview then save, XLSX, Cancel."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.reports.report_screen import ReportScreen
from ui.undo import WorkspaceSession


@pytest.fixture
def report(qtbot, demo_copy):
    """The screen on its own over a hub with the demo's billing incident selected (no main window:
    the screen depends only on the hub)."""
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    screen = ReportScreen(hub)
    qtbot.addWidget(screen)
    hub.set_incident(1)
    screen.show()
    yield screen
    screen.close()
    session.close()


def test_the_screen_is_registered_for_the_main_window():
    from ui.screens import SCREENS

    assert ("report", "ui.reports.report_screen:ReportScreen", "Re&port") in SCREENS


def test_redaction_is_on_by_default_and_turning_it_off_needs_consent(report):
    screen = report
    assert screen.redact_check.isChecked()
    asked = []
    screen.confirm_unredacted = lambda: asked.append(True) or False
    screen.redact_check.setChecked(False)
    assert asked == [True] and screen.redact_check.isChecked()
    screen.confirm_unredacted = lambda: True
    screen.redact_check.setChecked(False)
    assert not screen.redact_check.isChecked()


def test_export_pdf_previews_the_pages_and_save_writes_exactly_them(qtbot, report, tmp_path):
    screen = report
    assert not screen.save_pdf_button.isEnabled()
    with qtbot.waitSignal(screen.preview_ready, timeout=20000) as blocker:
        screen.export_pdf_button.click()
    pages = blocker.args[0]
    assert pages >= 3
    assert len(screen.preview_widget.page_labels) == pages
    assert not screen.preview_widget.page_labels[0].pixmap().isNull()
    assert screen.save_pdf_button.isEnabled()
    target = tmp_path / "saved.pdf"
    screen.ask_save_path = lambda *_: str(target)
    with qtbot.waitSignal(screen.export_saved, timeout=5000):
        screen.save_pdf_button.click()
    assert target.read_bytes() == screen.preview.path.read_bytes()
    assert len(PdfReader(str(target)).pages) == pages


def test_changing_an_option_retires_the_preview(qtbot, report):
    screen = report
    with qtbot.waitSignal(screen.preview_ready, timeout=20000):
        screen.start_pdf_preview()
    screen.appendix_check.setChecked(False)
    assert screen.preview is None and not screen.save_pdf_button.isEnabled()


def test_export_xlsx_runs_in_the_background_and_writes_the_workbook(qtbot, report, tmp_path):
    screen = report
    target = tmp_path / "data.xlsx"
    screen.ask_save_path = lambda *_: str(target)
    with qtbot.waitSignal(screen.export_saved, timeout=20000) as blocker:
        screen.export_xlsx_button.click()
    assert blocker.args == [str(target)]
    assert load_workbook(target).sheetnames == ["Quotes", "Action items", "Contact list"]
    assert screen.export_xlsx_button.isEnabled()  # ready for the next export


def test_cancel_stops_the_export_and_keeps_the_screen_usable(qtbot, report):
    screen = report
    with qtbot.waitSignal(screen.export_cancelled, timeout=20000):
        screen.start_pdf_preview()
        assert not screen.export_pdf_button.isEnabled()  # one export at a time
        screen._progress.canceled.emit()  # what the progress dialog's Cancel button sends
    assert screen.preview is None
    assert screen.export_pdf_button.isEnabled()
