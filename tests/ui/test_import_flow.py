"""Importing from the window: the mapping dialog's live preview, the worker, the summary, undo, drops."""
import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QMessageBox

from postmortem_desktop.services import spreadsheet_import

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)
HEADER = ["Id", "Requester", "Requester email", "Subject", "Tags", "Status", "Via", "Created at", "Updated at",
          "Organization", "Description"]


def billing_id(window):
    model = window.incident_model
    return next(model.summary(r).id for r in range(model.rowCount()) if "Billing" in model.summary(r).title)


def dump(path: Path, start: datetime, n=12, created_format="%Y-%m-%d %H:%M") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(n):
            at = start + timedelta(minutes=5 * i)
            w.writerow([f"90{i}", f"Person {i}", f"p{i}@example.com", f"Was I charged twice? #{i}", "billing",
                        "open", "Chat", at.strftime(created_format), at.strftime(created_format), "Org",
                        "<p>I clicked <b>Pay</b> &amp; nothing happened</p>"])
    return path


def conversation_count(window):
    with window.session.workspace.engine.connect() as c:
        return c.exec_driver_sql("SELECT count(*) FROM conversations").scalar()


@pytest.fixture
def incident_start(main_window):
    main_window.select_incident(billing_id(main_window))
    from postmortem_desktop.services.incidents import IncidentService

    return IncidentService(main_window.session.workspace).get(main_window.incident_id).technical_start



def wait_for_step(qtbot, main_window) -> None:
    """An import's undo and redo run on a worker with progress: wait until the stack has moved."""
    qtbot.waitUntil(lambda: not main_window.session.stepping, timeout=20000)

def test_mapping_dialog_previews_rows_as_they_will_be_imported(qtbot, tmp_path, incident_start):
    plan = spreadsheet_import.prepare_import(dump(tmp_path / "zd.csv", incident_start))
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    model = dialog.preview_model
    assert model.rowCount() == 12
    assert model.index(0, model.COL_ID).data() == "900"
    assert model.index(0, model.COL_CREATED).data() == incident_start.strftime("%Y-%m-%d %H:%M")
    # choosing a zone re-renders the preview: the file's naive times move
    dialog.zone.setCurrentText("America/New_York")
    assert model.index(0, model.COL_CREATED).data() == (incident_start + timedelta(hours=5)).strftime("%Y-%m-%d %H:%M")


def test_a_field_chosen_twice_is_explained_and_blocks_import(qtbot, tmp_path, incident_start):
    plan = spreadsheet_import.prepare_import(dump(tmp_path / "zd.csv", incident_start))
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    status_box = dialog.field_boxes[HEADER.index("Status")]
    status_box.setCurrentIndex(status_box.findData("subject"))
    assert "chosen for both" in dialog.problem_label.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


def test_ambiguous_day_order_asks_the_person(qtbot, tmp_path, incident_start):
    plan = spreadsheet_import.prepare_import(dump(tmp_path / "amb.csv", incident_start.replace(day=5, month=6),
                                                  n=3, created_format="%m/%d/%Y %H:%M"))
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    assert "day first or month first" in dialog.problem_label.text()
    dialog.day_order.setCurrentIndex(2)  # month first
    assert dialog.problems == []
    assert dialog.preview_model.index(0, 2).data().startswith(f"{incident_start.year}-06-05")


@pytest.fixture
def accepted_imports(monkeypatch):
    """Every mapping dialog is accepted as proposed; the summaries shown are collected here."""
    from ui.importing import import_controller
    from ui.importing.mapping_dialog import ImportMappingDialog

    monkeypatch.setattr(ImportMappingDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    summaries = []
    monkeypatch.setattr(import_controller, "_show_summary", lambda parent, summary: summaries.append(summary))
    return summaries


def test_import_runs_on_a_worker_shows_a_summary_and_undoes_in_one_step(qtbot, main_window, tmp_path,
                                                                        incident_start, accepted_imports):
    summaries = accepted_imports
    before = conversation_count(main_window)
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start))
    qtbot.waitUntil(lambda: bool(summaries), timeout=10000)
    assert summaries[0].imported == 12 and conversation_count(main_window) == before + 12
    assert main_window.undo_action.text().endswith("Import zd.csv")
    main_window.undo_action.trigger()  # an import's undo and redo run on a worker, with progress
    wait_for_step(qtbot, main_window)
    assert conversation_count(main_window) == before
    main_window.redo_action.trigger()
    wait_for_step(qtbot, main_window)
    assert conversation_count(main_window) == before + 12


def test_a_bad_file_is_refused_with_its_reason_and_nothing_changes(qtbot, main_window, tmp_path, incident_start,
                                                                   monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    before = conversation_count(main_window)
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    main_window.imports.import_file(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "empty" in shown[0]
    assert conversation_count(main_window) == before


def test_dropping_a_text_file_opens_the_paste_dialog_and_adds_an_undoable_conversation(qtbot, main_window, tmp_path,
                                                                                       incident_start, monkeypatch):

    seen = []

    def accept(dialog):
        seen.append((dialog.transcript.format, [m.author for m in dialog.transcript.messages]))
        dialog.role_boxes["Marcus"].setCurrentIndex(dialog.role_boxes["Marcus"].findData("agent"))
        return QDialog.DialogCode.Accepted

    from ui.importing.paste_dialog import PasteConversationDialog

    monkeypatch.setattr(PasteConversationDialog, "exec", accept)
    chat = tmp_path / "chat.txt"
    chat.write_text("[10:31] Dana Whitfield: did my payment go through??\n[10:33] Marcus: Checking now\n",
                    encoding="utf-8")
    before = conversation_count(main_window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(chat))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    main_window.dropEvent(event)
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    assert seen == [("plain", ["Dana Whitfield", "Marcus"])]
    with main_window.session.workspace.engine.connect() as c:
        roles = c.exec_driver_sql("SELECT role FROM messages WHERE author = 'Marcus'").scalars().all()
    assert roles == ["agent"]
    main_window.undo_action.trigger()
    wait_for_step(qtbot, main_window)
    assert conversation_count(main_window) == before


def test_preview_model_passes_the_model_tester(qtbot, qtmodeltester, tmp_path):
    plan = spreadsheet_import.prepare_import(dump(tmp_path / "zd.csv", T0))
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.preview_model)


def test_an_oversized_paste_is_refused_with_advice_and_nothing_changes(qtbot, main_window, incident_start,
                                                                      monkeypatch):
    from ui.importing import import_controller

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    before = conversation_count(main_window)
    main_window.imports.paste_text("x" * (import_controller.MAX_PASTE_CHARS + 1))
    assert shown and "Split it" in shown[0]
    assert conversation_count(main_window) == before


def test_a_large_paste_is_parsed_off_the_main_thread(qtbot, main_window, incident_start, monkeypatch):

    opened = []
    from ui.importing.paste_dialog import PasteConversationDialog

    monkeypatch.setattr(PasteConversationDialog, "exec",
                        lambda dialog: opened.append(len(dialog.transcript.messages)) or QDialog.DialogCode.Rejected)
    lines = "".join(f"[10:{i % 60:02d}] Customer {i % 7}: did my payment go through? attempt {i}\n"
                    for i in range(60_000))  # ~4 MB of chat
    main_window.imports.paste_text(lines)
    assert opened == []  # the parse has not run on the main thread
    qtbot.waitUntil(lambda: bool(opened), timeout=30000)
    assert opened == [60_000]


def test_next_weeks_tickets_from_the_follow_up_keep_rows_after_the_review_window(qtbot, main_window, tmp_path,
                                                                                  incident_start, monkeypatch):
    from ui import file_dialogs
    from ui.importing.mapping_dialog import ImportMappingDialog

    later = dump(tmp_path / "next_week.csv", incident_start + timedelta(days=8), n=4)
    monkeypatch.setattr(file_dialogs, "ask_open_file_name", lambda *a, **k: (str(later), ""))
    checked = []

    def accept(dialog):
        checked.append(dialog.include_outside.isChecked())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportMappingDialog, "exec", accept)
    from ui.importing import import_controller

    summaries = []
    monkeypatch.setattr(import_controller, "_show_summary", lambda parent, summary: summaries.append(summary))
    followup = main_window.show_screen("followup")
    followup.tickets_button.click()
    qtbot.waitUntil(lambda: bool(summaries), timeout=10000)
    assert checked == [True]
    assert summaries[0].imported == 4 and summaries[0].outside_window == 0


def test_the_preview_says_which_rows_the_review_window_leaves_out(qtbot, tmp_path, incident_start):
    plan = spreadsheet_import.prepare_import(dump(tmp_path / "old.csv", incident_start - timedelta(days=400), n=3))
    from ui.importing.mapping_dialog import ImportMappingDialog

    window = (incident_start - timedelta(hours=1), incident_start + timedelta(hours=72))
    dialog = ImportMappingDialog(plan, "UTC", [], review_window=window)
    qtbot.addWidget(dialog)
    model = dialog.preview_model
    assert model.index(0, model.COL_MESSAGES).data() == "left out: outside the review window"
    assert "3 of the first 3 rows" in dialog.problem_label.text()
    dialog.include_outside.setChecked(True)
    assert model.index(0, model.COL_MESSAGES).data() == "1"
    assert dialog.problem_label.text() == ""


def test_edits_wait_while_an_import_writes_and_typed_text_is_saved_after(qtbot, main_window, tmp_path,
                                                                          incident_start, monkeypatch):
    import threading

    from postmortem_desktop.services import spreadsheet_import as real
    from ui.importing.mapping_dialog import ImportMappingDialog

    gate, inside = threading.Event(), threading.Event()
    original = real.import_generator

    def held_import(*args, **kwargs):
        inner = original(*args, **kwargs)
        step = next(inner)  # the write transaction is open now
        inside.set()
        gate.wait(10)
        yield step
        return (yield from inner)

    monkeypatch.setattr(real, "import_generator", held_import)
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    from ui.importing import import_controller

    summaries, refusals = [], []
    monkeypatch.setattr(import_controller, "_show_summary", lambda parent, summary: summaries.append(summary))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: refusals.append(a[2]))
    review = main_window.show_screen("review")
    field = review.record.fields["trust_signals"]
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start))
    qtbot.waitUntil(inside.is_set, timeout=10000)  # the event loop must run to start the import
    assert main_window.session.busy_writing
    field.setPlainText("Asked for proof of a single charge")
    field.commit()  # the pause timer firing mid-import
    assert refusals == []  # a timer's save is not a dialog
    from postmortem_desktop.services.incidents import UpdateIncident

    assert not main_window.hub.run(UpdateIncident(main_window.incident_id, title="During import"))
    assert refusals and "import is still being written" in refusals[0]
    gate.set()
    qtbot.waitUntil(lambda: bool(summaries), timeout=10000)
    from postmortem_desktop.services.closeout import CloseoutService

    def saved() -> bool:
        record = CloseoutService(main_window.session.workspace).checklist(main_window.incident_id)
        return "trust_signals" not in {i.key for i in record.missing}

    qtbot.waitUntil(saved, timeout=5000)  # retried after the import let go of the workspace


def test_opening_another_workspace_stops_a_running_import_and_drops_its_result(qtbot, main_window, tmp_path,
                                                                              incident_start, demo_file, monkeypatch):
    import shutil
    import threading

    from postmortem_desktop.services import spreadsheet_import as real
    from ui.importing.mapping_dialog import ImportMappingDialog

    inside = threading.Event()
    original = real.import_generator

    def slow_import(*args, **kwargs):
        inner = original(*args, **kwargs)
        step = next(inner)
        inside.set()
        while True:  # keeps yielding (and so can be cancelled) until closed
            yield step

    monkeypatch.setattr(real, "import_generator", slow_import)
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    from ui.importing import import_controller

    summaries = []
    monkeypatch.setattr(import_controller, "_show_summary", lambda parent, summary: summaries.append(summary))
    first_path = main_window.session.workspace.path
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start))
    qtbot.waitUntil(inside.is_set, timeout=10000)  # the event loop must run to start the import
    other = tmp_path / "other.pmw"
    shutil.copy(demo_file, other)
    assert main_window.open_path(other)  # stops the import first
    qtbot.wait(200)
    assert summaries == []
    from postmortem_desktop.storage.workspace import open_workspace

    ws = open_workspace(first_path)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM import_batches").scalar() == 0
    finally:
        ws.close()


def test_a_large_file_imports_through_the_helper_process_and_undoes(qtbot, main_window, tmp_path,
                                                                    incident_start, monkeypatch, accepted_imports):
    from postmortem_desktop.services import import_pipeline

    monkeypatch.setattr(import_pipeline, "PARALLEL_MIN_BYTES", 0)  # every file counts as large
    helpers = []  # the jobs given a helper process (the one waiting since the dialog opened, or a new one)
    real_helper_for = import_pipeline._helper_for
    monkeypatch.setattr(import_pipeline, "_helper_for",
                        lambda job, limits: helpers.append(job) or real_helper_for(job, limits))
    summaries = accepted_imports
    before = conversation_count(main_window)
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start))
    qtbot.waitUntil(lambda: bool(summaries), timeout=20000)
    assert helpers and summaries[0].imported == 12 and conversation_count(main_window) == before + 12
    main_window.undo_action.trigger()
    wait_for_step(qtbot, main_window)
    assert conversation_count(main_window) == before
    main_window.redo_action.trigger()  # the file is unchanged: the helper reads it again
    wait_for_step(qtbot, main_window)
    assert conversation_count(main_window) == before + 12 and len(helpers) == 2


def test_a_helper_that_dies_is_explained_and_nothing_changes(qtbot, main_window, tmp_path, incident_start,
                                                             monkeypatch):
    import sys

    from postmortem_desktop.services import import_pipeline
    from ui.importing.mapping_dialog import ImportMappingDialog

    monkeypatch.setattr(import_pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(import_pipeline, "helper_command", lambda: [sys.executable, "-c", "raise SystemExit(7)"])
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda self: QDialog.DialogCode.Accepted)  # no summary comes
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append((a[1], a[2])))
    before = conversation_count(main_window)
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start))
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    title, text = shown[0]
    assert title == "Import stopped" and "exit code 7" in text and "Nothing was imported" in text
    assert conversation_count(main_window) == before


def test_the_summary_lists_repeated_ticket_ids_with_both_rows_and_lines_read_as_cp1252(qtbot, main_window, tmp_path,
                                                                                         incident_start, monkeypatch):
    from ui.importing.mapping_dialog import ImportMappingDialog

    previews = []  # the mapping dialog's summary, then accepted as proposed
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda self: (previews.append(self.summary.text()),
                                                                   QDialog.DialogCode.Accepted)[1])
    path = dump(tmp_path / "messages.csv", incident_start, n=3)
    at = incident_start.strftime("%Y-%m-%d %H:%M")
    with path.open("a", newline="", encoding="cp1252") as fh:  # a second message of ticket 900, saved by Excel
        csv.writer(fh).writerow(["900", "Person 0", "p0@example.com", "Was I charged twice? #0", "billing", "open",
                                 "Chat", at, at, "Org", "Déjà payé, still waiting"])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("903,Zoë,z@example.com,Café card declined,billing,open,Chat," + f"{at},{at},Org,Zoë here\n")
    main_window.imports.import_file(path)
    qtbot.waitUntil(lambda: main_window.findChild(QMessageBox, "import_summary") is not None, timeout=10000)
    said = "Line 5 of this UTF-8 file: 3 bytes that are not UTF-8 were read as Windows-1252; the rest stayed UTF-8."
    assert said in previews[0]  # before importing
    box = main_window.findChild(QMessageBox, "import_summary")
    assert box.icon() == QMessageBox.Icon.Warning
    assert said in box.text()
    assert "row 5: has the same ticket id (900) as row 2: its new message was added" in box.detailedText()
    box.close()


def test_a_file_changed_while_it_is_read_is_refused_with_the_reason_and_nothing_changes(qtbot, main_window, tmp_path,
                                                                                       incident_start, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    path = dump(tmp_path / "growing.csv", incident_start)
    real = spreadsheet_import.read_sheet

    def read_then_grow(*args, **kwargs):  # the help desk is still writing the export
        sheet = real(*args, **kwargs)
        with path.open("a", encoding="utf-8") as fh:
            fh.write("999,Late,l@example.com,Late row,billing,open,Chat,,,Org,more\n")
        return sheet

    monkeypatch.setattr(spreadsheet_import, "read_sheet", read_then_grow)
    before = conversation_count(main_window)
    main_window.imports.import_file(path)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "'growing.csv' changed while it was being imported" in shown[0] and "try again" in shown[0]
    assert conversation_count(main_window) == before


def test_a_workbook_that_blows_the_helpers_memory_cap_is_refused_and_the_app_carries_on(qtbot, main_window, tmp_path,
                                                                                         incident_start, monkeypatch):
    from openpyxl import Workbook

    from postmortem_desktop.services import import_pipeline
    from ui.importing.mapping_dialog import ImportMappingDialog

    real_limits = import_pipeline.HelperLimits
    monkeypatch.setattr(import_pipeline, "HelperLimits", lambda: real_limits(memory_bytes=300 << 20))
    opened = []
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda self: opened.append(self) or QDialog.DialogCode.Rejected)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append((a[1], a[2])))
    # 10 million cells that pass every check (610 rows by 16,384 columns): only the helper's cap
    # stands between them and the app
    book = Workbook()
    for column in range(1, 16385):
        book.active.cell(row=1, column=column, value=f"h{column}")
    book.active["A610"] = "x"
    wide = tmp_path / "wide.xlsx"
    book.save(wide)
    before = conversation_count(main_window)
    main_window.imports.import_file(wide)
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    title, text = shown[0]
    assert title == "Cannot import this file" and "needs more memory than 300 MB" in text
    assert opened == [] and conversation_count(main_window) == before
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start))  # the app still imports
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)


def test_the_mapping_dialog_shows_how_many_dates_read_and_which_do_not(qtbot, tmp_path):
    path = tmp_path / "social.csv"
    path.write_text("Ticket ID,Subject,Created at\n1,a,Tue Oct 31 22:10:47 +0000 2017\n2,b,soon\n"
                    "3,c,Tue Oct 31 22:12:00 +0000 2017\n", encoding="utf-8")
    plan = spreadsheet_import.prepare_import(path)
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    dialog.field_boxes[2].setCurrentIndex(dialog.field_boxes[2].findData("created_at"))
    assert not dialog.date_report.isHidden()
    assert "2 of 3 values read as dates" in dialog.date_report.text() and "soon" in dialog.date_report.text()


def test_an_import_that_changed_nothing_does_not_offer_undo(qtbot, main_window, tmp_path, incident_start,
                                                            accepted_imports):
    from ui.importing.import_controller import summary_text

    path = dump(tmp_path / "zd.csv", incident_start)
    main_window.imports.import_file(path)
    qtbot.waitUntil(lambda: len(accepted_imports) == 1, timeout=10000)
    assert "Undo takes the whole import back" in summary_text(accepted_imports[0])
    undo_text = main_window.undo_action.text()
    main_window.imports.import_file(path)  # the same file again: every ticket already here, unchanged
    qtbot.waitUntil(lambda: len(accepted_imports) == 2, timeout=10000)
    again = accepted_imports[1]
    assert again.imported == 0 and again.updated == 0
    text = summary_text(again)
    assert "Undo" not in text.replace("nothing to undo", "") and "nothing to undo" in text
    assert main_window.undo_action.text() == undo_text  # Undo still names the first import, not this one


def test_the_timeline_refits_to_show_what_an_import_added(qtbot, main_window, tmp_path, incident_start,
                                                          accepted_imports):
    timeline = main_window.show_screen("timeline")
    qtbot.waitUntil(lambda: timeline.layout_ is not None)
    timeline.view.zoom(8.0)  # zoomed into a corner, as someone reading one conversation would be
    assert (timeline.layout_.t0, timeline.layout_.t1) != timeline.layout_.incident_span()
    shown_before = len(timeline.layout_.data.conversations.ids)
    main_window.imports.import_file(dump(tmp_path / "zd.csv", incident_start + timedelta(hours=2)))
    qtbot.waitUntil(lambda: bool(accepted_imports), timeout=10000)
    layout = timeline.layout_
    assert len(layout.data.conversations.ids) == shown_before + 12
    assert (layout.t0, layout.t1) == layout.incident_span()


def test_the_preview_says_why_a_row_is_skipped_beside_its_number(qtbot, tmp_path, incident_start):
    path = dump(tmp_path / "zd.csv", incident_start, n=3)
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[HEADER.index("Created at")] = ""
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = spreadsheet_import.prepare_import(path)
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    model = dialog.preview_model
    skipped = next(r for r in range(model.rowCount()) if model.index(r, model.COL_ROW).data() == "3")
    reason = model.index(skipped, model.COL_ID).data()  # the second column, never scrolled off
    assert reason.startswith("⚠ skipped") and "created time" in reason
    assert "created time" in model.index(skipped, model.COL_MESSAGES).data(Qt.ItemDataRole.ToolTipRole)
