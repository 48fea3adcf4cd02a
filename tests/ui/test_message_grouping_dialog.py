"""The mapping dialog's Conversations panel: grouping and roles of a message-level dump, correctable per author."""
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.ticket_import import ImportSummary

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
SOCIAL = ["id", "author", "inbound", "created_at", "text", "in_reply_to"]


def social_dump(path: Path) -> Path:
    at = [(T0 + timedelta(minutes=m)).isoformat() for m in range(8)]
    rows = [["1", "@ann", "True", at[1], "charged twice", ""], ["2", "@Shop", "False", at[3], "sorry! DM us", "1"],
            ["3", "@ann", "True", at[5], "sent", "2"], ["4", "@bob", "True", at[2], "checkout spins", ""],
            ["5", "@Shop", "False", at[4], "looking into it", "4"]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SOCIAL)
        writer.writerows(rows)
    return path


def dialog_for(qtbot, path: Path):
    from ui.importing.mapping_dialog import ImportMappingDialog

    dialog = ImportMappingDialog(spreadsheet_import.prepare_import(path), "UTC", [])
    qtbot.addWidget(dialog)
    return dialog


def author_rows(panel) -> dict[str, tuple[str, str]]:
    table = panel.authors
    return {table.item(row, panel.AUTHOR).text(): (table.cellWidget(row, panel.ROLE).currentData(),
                                                   table.item(row, panel.WHY).text())
            for row in range(table.rowCount())}


def test_a_message_dump_shows_its_grouping_and_each_authors_role_before_import(qtbot, tmp_path):
    dialog = dialog_for(qtbot, social_dump(tmp_path / "social.csv"))
    panel = dialog.grouping
    assert not panel.isHidden()
    assert "5 messages</b> in <b>2 conversations</b>, grouped by reply chains" in panel.summary.text()
    roles = author_rows(panel)
    assert roles["@Shop"][0] == "agent" and "inbound" in roles["@Shop"][1]
    assert roles["@ann"][0] == "customer"
    assert dialog.preview_model.rowCount() == 2  # the preview lists conversations, not rows


def test_correcting_an_authors_role_reaches_the_mapping_and_the_preview(qtbot, tmp_path):
    dialog = dialog_for(qtbot, social_dump(tmp_path / "social.csv"))
    panel = dialog.grouping
    row = next(r for r in range(panel.authors.rowCount()) if panel.authors.item(r, panel.AUTHOR).text() == "@bob")
    box = panel.authors.cellWidget(row, panel.ROLE)
    box.setCurrentIndex(box.findData("internal"))
    assert dialog.plan.mapping.roles == {"@bob": "internal"}
    assert author_rows(dialog.grouping)["@bob"] == ("internal", "corrected by you")
    bob = next(r for r in dialog.preview_model.rows if r.external_id == "4")
    assert bob.comments[0].role == "internal"


def test_a_dump_with_one_row_per_ticket_shows_no_conversations_panel(qtbot, tmp_path):
    path = tmp_path / "tickets.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Id", "Subject", "Created at", "Description"])
        writer.writerow(["1", "Charged twice", T0.isoformat(), "It charged me twice"])
    assert dialog_for(qtbot, path).grouping.isHidden()


def test_the_import_summary_counts_conversations_and_messages(qtbot, monkeypatch):
    from ui.importing.import_controller import _show_summary

    shown = []
    monkeypatch.setattr(QMessageBox, "open", lambda box: shown.append(box.text()))
    summary = ImportSummary(file_name="social.csv", vendor="generic", encoding="utf-8", delimiter=",", mapping={},
                            rows_read=5, imported=2, conversations=2, messages=5)
    _show_summary(None, summary)
    assert "2 conversations hold 5 messages" in shown[0]


def test_a_role_corrected_in_the_dialog_is_the_role_imported(qtbot, main_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from ui.importing import import_controller
    from ui.importing.mapping_dialog import ImportMappingDialog

    def accept_with_bob_internal(dialog):
        panel = dialog.grouping
        row = next(r for r in range(panel.authors.rowCount()) if panel.authors.item(r, panel.AUTHOR).text() == "@bob")
        box = panel.authors.cellWidget(row, panel.ROLE)
        box.setCurrentIndex(box.findData("internal"))
        dialog.include_outside.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportMappingDialog, "exec", accept_with_bob_internal)
    summaries = []
    monkeypatch.setattr(import_controller, "_show_summary", lambda parent, summary: summaries.append(summary))
    main_window.imports.import_file(social_dump(tmp_path / "social.csv"))
    qtbot.waitUntil(lambda: bool(summaries), timeout=10000)
    assert (summaries[0].conversations, summaries[0].messages) == (2, 5)
    with main_window.session.workspace.engine.connect() as conn:
        roles = dict(conn.exec_driver_sql(
            "SELECT author, role FROM messages WHERE author IN ('@bob', '@Shop')").fetchall())
    assert roles == {"@bob": "internal", "@Shop": "agent"}
