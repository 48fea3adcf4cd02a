"""The shared conflict dialog (issue #18): it names who changed the thing when the history says, and neither
Enter nor Esc drops anyone's words: both mean Decide later. Shown for real; a key is pressed once it is open."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from postmortem_desktop.services.actions import ActionService, EditActionItem, fields_of
from postmortem_desktop.services.customer_severity import SeverityService
from tests.helpers import billing_id
from tests.ui.test_team_cards_and_actions import actions, board, hub  # noqa: F401 - the screens' fixtures
from tests.ui.test_team_severity import _teammate_decides, review  # noqa: F401 - the review screen's fixture
from ui.conflict_dialog import Choice, ConflictDialog, ask_which


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_enter_and_esc_decide_later(qtbot, key):
    QTimer.singleShot(0, lambda: qtbot.keyClick(QApplication.activeModalWidget(), key))
    assert ask_which(None, "The incident's title", "mine", "theirs", "Ana") is Choice.LATER


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_a_version_with_nowhere_to_wait_offers_no_decide_later_and_enter_and_esc_take_theirs(qtbot, key):
    """A dragged mark goes back when not saved: there is no field for it to wait in."""
    dialog = ConflictDialog(None, "The mark “Recovery”", "moved to 10:40", "moved to 10:31", "Ana", can_wait=False)
    assert dialog.later_button.isHidden() and dialog.defaultButton() is dialog.take_button
    QTimer.singleShot(0, lambda: qtbot.keyClick(QApplication.activeModalWidget(), key))
    assert ask_which(None, "The mark “Recovery”", "moved to 10:40", "moved to 10:31", "Ana",
                     can_wait=False) is Choice.TAKE_THEIRS


def test_the_dialog_names_who_or_says_someone_else():
    named = ConflictDialog(None, "The incident's title", "mine", "theirs", "Ana")
    assert "changed by Ana" in named.text() and "Ana" in named.windowTitle()
    assert "someone else" in ConflictDialog(None, "The incident's title", "mine", "theirs").text()


@pytest.fixture
def pressing(monkeypatch, qtbot):
    """Presses a key in each real conflict dialog once it is open; remembers the dialogs."""
    shown: list[ConflictDialog] = []
    original = ConflictDialog.exec

    def choose(key):
        def exec_(dialog: ConflictDialog) -> int:
            shown.append(dialog)
            QTimer.singleShot(0, lambda: qtbot.keyClick(dialog, key))
            return original(dialog)
        monkeypatch.setattr(ConflictDialog, "exec", exec_)
        return shown
    return choose


def test_an_action_item_conflict_names_the_teammate(qtbot, actions, teammate, pressing):  # noqa: F811
    shown = pressing(Qt.Key.Key_Return)
    item = actions.model.item(0)
    EditActionItem(billing_id(teammate), item.id, owner="Ana Lima").do(teammate)
    actions.run_checked(EditActionItem(actions.hub.incident_id, item.id, based_on=fields_of(item),
                                       **{**fields_of(item), "owner": "Bo Chen"}))
    assert shown and "changed by Ana" in shown[0].text()
    stored = next(i for i in ActionService(teammate).list_items(billing_id(teammate)) if i.id == item.id)
    assert stored.owner == "Ana Lima"  # Enter wrote nothing


def test_enter_on_a_severity_conflict_keeps_the_reason_typed_and_asks_again(qtbot, review, teammate,  # noqa: F811
                                                                          pressing):
    shown = pressing(Qt.Key.Key_Return)
    widget = review.severity
    widget.reason.setText("my note")
    theirs = _teammate_decides(teammate)
    widget.confirm_button.click()
    assert len(shown) == 1 and "changed by Ana" in shown[0].text()
    assert widget.reason.text() == "my note"  # the words stay
    assert SeverityService(teammate).severity(billing_id(teammate)).confirmed == theirs
    widget.confirm_button.click()  # still made from the decision the person saw: asked again
    assert len(shown) == 2


def test_decide_later_on_an_action_item_brings_its_dialog_back_with_what_was_typed(qtbot, actions, teammate,  # noqa: F811
                                                                                   pressing, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from ui.actions.action_item_dialog import ActionItemDialog

    shown = pressing(Qt.Key.Key_Escape)
    item = actions.model.item(0)
    actions.view.selectRow(actions.proxy.mapFromSource(actions.model.index(0, 0)).row())
    owners: list[str] = []

    def exec_(dialog: ActionItemDialog) -> int:
        owners.append(dialog.owner.text())
        if len(owners) == 1:
            dialog.owner.setText("Bo Chen")
            EditActionItem(billing_id(teammate), item.id, owner="Ana Lima").do(teammate)
            return QDialog.DialogCode.Accepted
        if len(owners) == 2:
            return QDialog.DialogCode.Accepted  # OK again, with the same words: asked again
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ActionItemDialog, "exec", exec_)
    actions._on_edit_clicked()
    assert owners == [item.owner, "Bo Chen", "Bo Chen"]  # the dialog came back with what was typed, twice
    assert len(shown) == 2 and "changed by Ana" in shown[0].text()
    stored = next(i for i in ActionService(teammate).list_items(billing_id(teammate)) if i.id == item.id)
    assert stored.owner == "Ana Lima"


def test_decide_later_on_a_column_rename_asks_for_the_name_again_with_what_was_typed(qtbot, board, teammate,  # noqa: F811
                                                                                     answer_with, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from postmortem_desktop.services.tagging import RenameTag, list_tags

    shown = answer_with("later_button")
    asked: list[str] = []

    def get_text(_parent, _title, _label, text=""):
        asked.append(text)
        return text, len(asked) == 1  # OK once with the same name (asked about again), then Cancel

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    tag = next(t for t in board.tags if t.name == "trust-loss")
    RenameTag(tag.id, "lost-trust").do(teammate)
    board.rename_column(RenameTag(tag.id, "trust-damage", shown_name=tag.name))
    assert asked == ["trust-damage", "trust-damage"] and len(shown) == 2
    assert next(t.name for t in list_tags(teammate) if t.id == tag.id) == "lost-trust"
