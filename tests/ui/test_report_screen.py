"""The Report screen: redaction on by default, a warning before it goes off, preview then save, XLSX, Cancel."""
from __future__ import annotations

import re

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

    assert ("report", "ui.reports.report_screen:ReportScreen", "Rep&ort") in SCREENS


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


def test_the_redaction_check_shows_what_is_masked_and_masks_ticked_candidates_too(qtbot, report):
    screen = report
    with qtbot.waitSignal(screen.redaction_checked, timeout=20000) as blocker:
        screen.export_pdf_button.click()
    check = blocker.args[0]
    panel = screen.redaction_panel
    assert check.total_masked > 0 and panel.masked_view.topLevelItemCount() == len(check.examples)
    assert panel.candidate_view.topLevelItemCount() == len(check.candidates) > 0
    assert not panel.mask_button.isEnabled()  # nothing ticked yet
    term = next(c.term for c in check.candidates if " " in c.term)
    panel.set_ticked([term])
    assert panel.ticked_terms() == [term] and panel.mask_button.isEnabled()
    with qtbot.waitSignal(screen.redaction_checked, timeout=20000) as blocker:
        panel.mask_button.click()
    again = blocker.args[0]
    assert term in again.extra_terms and term not in {c.term for c in again.candidates}
    pages = PdfReader(str(screen.preview.path)).pages
    assert term not in re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))
    # one undoable edit: undo brings the term back as a candidate once the PDF is laid out again
    screen.hub.session.undo_stack.undo()
    with qtbot.waitSignal(screen.redaction_checked, timeout=20000) as blocker:
        screen.export_pdf_button.click()
    assert term in {c.term for c in blocker.args[0].candidates}


def test_with_redaction_off_the_check_says_nothing_will_be_masked(qtbot, report):
    screen = report
    screen.confirm_unredacted = lambda: True
    screen.redact_check.setChecked(False)
    with qtbot.waitSignal(screen.preview_ready, timeout=20000):
        screen.export_pdf_button.click()
    assert screen.redaction_panel.preview is None
    assert screen.redaction_panel.candidate_view.topLevelItemCount() == 0
