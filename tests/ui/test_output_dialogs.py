"""Every save in the app: a refused target is explained right after the dialog and asked again, the export
never starts on it, and the workspace stays byte-identical."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from postmortem_desktop.reporting import output_file
from postmortem_desktop.services.closeout import CloseoutService
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from ui import file_dialogs
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def hub(qtbot, demo_copy):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    scheduled = next(s.id for s in IncidentService(session.workspace).list_incidents()
                     if CloseoutService(session.workspace).follow_up(s.id).scheduled_at is not None)
    hub.set_incident(scheduled)
    yield hub
    session.close()


@pytest.fixture
def warnings_shown(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    return shown


@pytest.fixture
def answers(monkeypatch):
    """The save dialog answers these names in turn, then Cancel; records what it was asked."""
    queue: list[str] = []
    asked: list[str] = []

    def dialog(_parent, title, suggested, _filter, *rest, **kwargs):
        asked.append(suggested)
        return (queue.pop(0) if queue else "", "")

    monkeypatch.setattr(file_dialogs, "ask_save_file_name", dialog)
    return queue, asked


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def test_follow_up_ics_refuses_the_workspace_through_a_link_and_asks_again(qtbot, hub, demo_copy, out_dir, answers,
                                                                         warnings_shown):
    from ui.followup.followup_screen import FollowUpScreen

    screen = FollowUpScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    link = out_dir / "check.ics"
    link.symlink_to(demo_copy)
    good = out_dir / "follow-up.ics"
    queue, asked = answers
    queue += [str(link), str(good)]
    before = digest(demo_copy)
    screen.ics_button.click()
    assert len(asked) == 2 and len(warnings_shown) == 1 and "which this export reads" in warnings_shown[0]
    assert good.read_bytes().startswith(b"BEGIN:VCALENDAR") and b"repeat confusion" in good.read_bytes()
    assert digest(demo_copy) == before


def test_contact_csv_refuses_a_folder_and_a_hard_link_of_the_workspace(qtbot, hub, demo_copy, out_dir, answers,
                                                                       warnings_shown):
    from ui.review.contacts_widget import ContactsWidget

    widget = ContactsWidget(hub)
    qtbot.addWidget(widget)
    hard = out_dir / "contacts.csv"
    os.link(demo_copy, hard)
    folder = out_dir / "list.csv"
    folder.mkdir()
    queue, asked = answers
    queue += [str(folder), str(hard), ""]  # a folder, the workspace under another name, then Cancel
    before = digest(demo_copy)
    widget._on_export_clicked()
    assert len(asked) == 3
    assert "is a folder" in warnings_shown[0] and "which this export reads" in warnings_shown[1]
    assert digest(demo_copy) == before and digest(hard) == before
    assert sorted(p.name for p in out_dir.iterdir()) == ["contacts.csv", "list.csv"]


def test_contact_csv_on_a_full_disk_is_explained_and_keeps_the_old_file(qtbot, hub, out_dir, answers,
                                                                        warnings_shown, monkeypatch):
    from ui.review.contacts_widget import ContactsWidget

    def full_temp(real: Path) -> Path:  # /dev/full answers every write with ENOSPC, as a full disk does
        temp = real.with_name(f".{real.name}.full.partial")
        temp.symlink_to("/dev/full")
        return temp

    widget = ContactsWidget(hub)
    qtbot.addWidget(widget)
    old = out_dir / "contacts.csv"
    old.write_text("name\nthe old list\n")
    monkeypatch.setattr(output_file, "_create_temp", full_temp)
    answers[0].append(str(old))
    widget._on_export_clicked()
    assert len(warnings_shown) == 1 and "disk is full" in warnings_shown[0]
    assert old.read_text() == "name\nthe old list\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["contacts.csv"]


def test_timeline_png_refuses_a_read_only_place_then_saves(qtbot, main_window, out_dir, answers, warnings_shown):
    screen = main_window.show_screen("timeline")
    qtbot.waitUntil(lambda: screen.layout_ is not None)
    queue, asked = answers
    good = out_dir / "timeline"  # typed without the suffix: .png is added
    queue += ["/sys/timeline.png", str(good)]
    screen.save_image()
    assert len(asked) == 2 and "read-only" in warnings_shown[0]
    assert (out_dir / "timeline.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_timeline_png_refuses_a_file_of_another_kind(qtbot, main_window, out_dir, answers, warnings_shown):
    screen = main_window.show_screen("timeline")
    qtbot.waitUntil(lambda: screen.layout_ is not None)
    report = out_dir / "report.png"
    report.write_bytes(b"%PDF-1.7 someone's report")
    answers[0].append(str(report))
    screen.save_image()
    assert "is not one of the PNG images" in warnings_shown[0]
    assert report.read_bytes() == b"%PDF-1.7 someone's report"


@pytest.fixture
def report(qtbot, hub):
    from ui.reports.report_screen import ReportScreen

    screen = ReportScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    yield screen
    screen.close()


def test_report_xlsx_never_starts_on_a_refused_target(qtbot, report, demo_copy, out_dir, warnings_shown):
    other = out_dir / "team.xlsx"
    other.write_bytes(demo_copy.read_bytes())  # another workspace, named like a workbook
    asked: list[str] = []
    report.ask_save_path = lambda *a: asked.append(a[1]) or ("" if len(asked) > 1 else str(other))
    report.export_xlsx_button.click()
    assert len(asked) == 2 and "is a workspace" in warnings_shown[0]
    assert report._worker is None  # the export never started
    assert other.read_bytes() == demo_copy.read_bytes()


def test_report_pdf_save_refuses_the_workspace_then_saves_the_preview(qtbot, report, demo_copy, out_dir,
                                                                     warnings_shown):
    with qtbot.waitSignal(report.preview_ready, timeout=20000):
        report.start_pdf_preview()
    link = out_dir / "report.pdf"
    os.link(demo_copy, link)
    good = out_dir / "saved.pdf"
    names = [str(link), str(good)]
    report.ask_save_path = lambda *a: names.pop(0)
    before = digest(demo_copy)
    with qtbot.waitSignal(report.export_saved, timeout=5000) as saved:
        report.save_pdf_button.click()
    assert saved.args == [str(good)] and "which this export reads" in warnings_shown[0]
    assert good.read_bytes() == report.preview.path.read_bytes()
    assert digest(demo_copy) == before == digest(link)


def test_every_export_is_offered_in_the_workspace_folder_not_the_home_folder(qtbot, hub, demo_copy, answers):
    from ui.followup.followup_screen import FollowUpScreen
    from ui.reports.report_screen import ReportScreen
    from ui.review.contacts_widget import ContactsWidget

    queue, asked = answers  # the dialog is cancelled each time; only where it opened matters
    report = ReportScreen(hub)
    contacts = ContactsWidget(hub)
    followup = FollowUpScreen(hub)
    for widget in (report, contacts, followup):
        qtbot.addWidget(widget)
    report._ask_target("Save PDF", ".pdf", output_file.PDF)
    contacts._on_export_clicked()
    followup.refresh()
    followup._on_ics_clicked()
    folder = demo_copy.resolve().parent
    assert folder != Path.home()
    assert len(asked) == 3 and all(Path(a).parent == folder for a in asked), asked
