"""The mapping dialog and the import summary say where a quote ran over rows, without refusing the import."""
from __future__ import annotations

from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.workspace import open_workspace
from tests.core.test_open_quotes import dump


def test_the_mapping_dialog_warns_and_still_lets_the_person_import(qtbot, tmp_path):
    from ui.importing.mapping_dialog import ImportMappingDialog

    plan = spreadsheet_import.prepare_import(dump(tmp_path / "q.csv", {2: '"body 2', 3: 'body 3 said "stop"'}))
    dialog = ImportMappingDialog(plan, "UTC", [])
    qtbot.addWidget(dialog)
    text = dialog.problem_label.text()
    assert "row 3: a quote opened here runs over 1 line that looks like a row of its own (Q3)" in text
    assert dialog.problems == [] and dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


def test_the_import_summary_says_it(tmp_path, demo_copy):
    from ui.importing.import_controller import summary_text

    plan = spreadsheet_import.prepare_import(dump(tmp_path / "q.csv", {2: '"body 2', 3: 'body 3 said "stop"'}))
    ws = open_workspace(demo_copy)
    try:
        summary = spreadsheet_import.run_import(ws, 1, plan, ImportOptions(include_outside_window=True, dry_run=True))
    finally:
        ws.close()
    assert "⚠ row 3: a quote opened here runs over 1 line" in summary_text(summary)
