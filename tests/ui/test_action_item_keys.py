"""The Delete key deletes the selected action item, as the button does and as it removes cards on the board."""
from PySide6.QtCore import Qt

from postmortem_desktop.services.actions import ActionService


def _descriptions(window) -> list[str]:
    return sorted(item.description for item in ActionService(window.hub.workspace).list_items(window.incident_id))


def _focused_actions(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    actions = window.show_screen("actions")
    actions.view.selectRow(0)
    actions.view.setFocus()
    qtbot.waitUntil(actions.view.hasFocus)
    return actions


def test_delete_on_the_list_deletes_the_selected_item_and_undo_brings_it_back(main_window, qtbot):
    actions = _focused_actions(main_window, qtbot)
    before = _descriptions(main_window)
    chosen = actions._selected_item().description
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        qtbot.keyClick(actions.view, Qt.Key.Key_Delete)
    after = _descriptions(main_window)
    assert chosen not in after and len(after) == len(before) - 1
    assert "Delete" in main_window.session.undo_stack.undoText()  # the button's edit, with its undo
    main_window.session.undo()
    assert _descriptions(main_window) == before


def test_delete_elsewhere_or_with_nothing_selected_deletes_nothing(main_window, qtbot):
    actions = _focused_actions(main_window, qtbot)
    before = _descriptions(main_window)
    actions.search.setFocus()
    qtbot.waitUntil(actions.search.hasFocus)
    qtbot.keyClick(actions.search, Qt.Key.Key_Delete)  # the filter field's own key
    actions.view.clearSelection()
    actions.view.setFocus()
    qtbot.keyClick(actions.view, Qt.Key.Key_Delete)
    qtbot.wait(50)
    assert _descriptions(main_window) == before
