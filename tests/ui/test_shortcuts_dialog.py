"""The F1 cheat sheet lists every action with a shortcut, straight from the window, grouped by menu."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from ui.shortcuts_dialog import OTHER_GROUP, ShortcutsDialog, describe_shortcuts, plain_text


def native(sequence: str) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def test_every_window_action_with_a_shortcut_is_listed(main_window):
    rows = describe_shortcuts(main_window)
    listed = {(row.name, row.keys) for row in rows}
    for action in main_window.findChildren(QAction):
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if not s.isEmpty()]
        if keys and plain_text(action.text()):
            assert (plain_text(action.text()), " or ".join(dict.fromkeys(keys))) in listed
    by_name = {row.name: row for row in rows}
    assert by_name["Start Facilitator Mode"].keys == native("F5")
    assert by_name["Start Facilitator Mode"].group == "View"
    assert by_name["Keyboard Shortcuts"].group == "Help"
    assert by_name["Next Agenda Step"].keys == f"{native('PgDown')} or {native('Right')}"
    assert by_name["Next Agenda Step"].group == "Facilitator mode"
    assert by_name["Undo"].group == "Edit"
    assert by_name["Redo"].keys.count(native("Ctrl+Shift+Z")) == 1


def test_an_action_added_later_appears_without_editing_the_dialog(main_window, qtbot):
    action = QAction("Fit &Everything…", main_window)
    action.setShortcut(QKeySequence("Ctrl+Alt+F"))
    main_window.addAction(action)
    dialog = ShortcutsDialog(main_window)
    qtbot.addWidget(dialog)
    assert "Fit Everything" in dialog.visible_names()
    assert next(r for r in dialog.rows if r.name == "Fit Everything").group == OTHER_GROUP


def test_f1_opens_the_cheat_sheet_and_search_narrows_it(main_window, qtbot):
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(main_window.findChildren(ShortcutsDialog)))
    dialog = main_window.findChildren(ShortcutsDialog)[0]
    assert len(dialog.visible_names()) == len(dialog.rows) > 10
    qtbot.keyClicks(dialog.search, "agenda step")
    assert sorted(dialog.visible_names()) == ["Next Agenda Step", "Previous Agenda Step"]
    dialog.reject()


def test_mnemonics_and_ellipses_are_not_read_out():
    assert plain_text("&Import Tickets…") == "Import Tickets"
    assert plain_text("Save && Close") == "Save & Close"
