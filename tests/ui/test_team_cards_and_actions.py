"""Cards and action items on a team workspace: a teammate's change that the screen has not shown yet is never
overwritten. A drop is refused with a notice and the card is shown where it really is; a tag or action-item
edit offers Keep mine / Take theirs; undo refuses when the teammate changed it since.

The feed is stopped in these tests, so the teammate's change reaches the screen only through the refusal
(the edit's `based_on`), the race the feed cannot close.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from postmortem_desktop.services.actions import ActionService, DeleteActionItem, EditActionItem, fields_of
from postmortem_desktop.services.quotes import board_cards
from postmortem_desktop.services.tagging import AssignTag, MoveCardTag, list_tags
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from tests.ui.test_board import drop, select_card, view_for
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def hub(qtbot, team_demo_url):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(team_demo_url))
    hub.set_session(session, "UTC")
    hub.set_incident(billing_id(session.workspace))
    if session._teammates is not None:
        session._teammates.stop()  # the teammate's notice never arrives: only based_on can catch the race
    yield hub
    session.close()


@pytest.fixture
def board(qtbot, hub):
    from ui.board.board_screen import BoardScreen

    screen = BoardScreen(hub)
    qtbot.addWidget(screen)
    screen.resize(1600, 900)
    screen.show()
    screen.reload()
    yield screen
    screen._learn_timer.stop()  # its relearning must not outlive the test's database


def _tag(ws, name: str) -> int:
    return next(t.id for t in list_tags(ws) if t.name == name)


def _stored_columns(ws, quote_id: int) -> set[str]:
    return {t.name for t in board_cards(ws, billing_id(ws), [quote_id])[0].tags}


def _unsorted(board) -> int:
    return next(c.quote_id for c in board.model.cards if not c.tags and not c.pre_existing)


def test_a_drop_a_teammate_beat_is_refused_with_a_notice_and_the_card_shown_where_it_is(qtbot, board, teammate):
    quote = _unsorted(board)
    work, trust = _tag(teammate, "work-stopped"), _tag(teammate, "trust-loss")
    MoveCardTag(billing_id(teammate), [quote], None, work, "work-stopped").do(teammate)  # not on this board yet
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, trust), [quote], None)
    qtbot.waitUntil(lambda: board.drop_notice is not None and board.drop_notice.isVisible(), timeout=2000)
    notice = board.drop_notice.text() + " " + board.drop_notice.informativeText()
    assert "was not done" in notice and "work-stopped" in notice
    # who moved it, from the card's history (the teammate's edits are attributed to "Ana")
    assert board.drop_notice.windowTitle() == "Moved by Ana" and "Ana changed the columns of this card" in notice
    assert board.model.card(board.model.row_of(quote)).tag_ids == (work,)  # shown where it really is
    assert board.model.row_of(quote) in view_for(board, work).model().source_rows()
    assert _stored_columns(teammate, quote) == {"work-stopped"}
    assert board.hub.session.undo_stack.count() == 0  # nothing was done, nothing to undo
    board.drop_notice.close()


def test_a_tag_key_a_teammate_beat_offers_both_versions_and_keep_mine_adds_mine(qtbot, board, teammate, answer_with):
    shown = answer_with("keep_button")
    quote = _unsorted(board)
    tags = list_tags(teammate)
    AssignTag(billing_id(teammate), [quote], _tag(teammate, "work-stopped")).do(teammate)
    view = view_for(board, None)
    select_card(view, quote)
    qtbot.keyClick(view, Qt.Key.Key_1)  # the first column's tag
    assert len(shown) == 1
    assert "Yours: " + tags[0].name in shown[0].informativeText()
    assert "Theirs: work-stopped" in shown[0].informativeText()
    assert shown[0].windowTitle() == "Changed by Ana"  # her edit had another name ("Tag Card"): named all the same
    assert _stored_columns(teammate, quote) == {tags[0].name, "work-stopped"}
    assert board.hub.session.undo_stack.count() == 1


def test_take_theirs_keeps_the_teammates_columns_and_saves_nothing(qtbot, board, teammate, answer_with):
    answer_with("take_button")
    quote = _unsorted(board)
    AssignTag(billing_id(teammate), [quote], _tag(teammate, "work-stopped")).do(teammate)
    board.run_local(AssignTag(board.hub.incident_id, [quote], _tag(teammate, "confusion"), "confusion"))
    assert _stored_columns(teammate, quote) == {"work-stopped"}
    assert board.model.card(board.model.row_of(quote)).tag_ids == (_tag(teammate, "work-stopped"),)
    assert board.hub.session.undo_stack.count() == 0


def test_deleting_a_card_a_teammate_just_tagged_asks_first_and_take_theirs_keeps_it(qtbot, board, teammate,
                                                                                    answer_with):
    shown = answer_with("take_button")
    quote = _unsorted(board)
    AssignTag(billing_id(teammate), [quote], _tag(teammate, "work-stopped")).do(teammate)  # not on this board yet
    view = view_for(board, None)
    select_card(view, quote)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert len(shown) == 1
    assert "Yours: deleted" in shown[0].informativeText() and "Theirs: work-stopped" in shown[0].informativeText()
    assert _stored_columns(teammate, quote) == {"work-stopped"}  # still there, with the teammate's tag
    assert board.model.card(board.model.row_of(quote)).tag_ids == (_tag(teammate, "work-stopped"),)
    assert board.hub.session.undo_stack.count() == 0


def test_keep_mine_deletes_the_card_the_teammate_tagged(qtbot, board, teammate, answer_with):
    answer_with("keep_button")
    quote = _unsorted(board)
    AssignTag(billing_id(teammate), [quote], _tag(teammate, "work-stopped")).do(teammate)
    view = view_for(board, None)
    select_card(view, quote)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert board.model.row_of(quote) < 0
    assert not board_cards(teammate, billing_id(teammate), [quote])
    assert board.hub.session.undo_stack.count() == 1


def test_undo_of_a_card_edit_refuses_when_a_teammate_changed_the_card_since(qtbot, board, teammate):
    quote = _unsorted(board)
    assert board.run_local(AssignTag(board.hub.incident_id, [quote], _tag(teammate, "confusion"), "confusion"))
    AssignTag(billing_id(teammate), [quote], _tag(teammate, "trust-loss")).do(teammate)
    session = board.hub.session
    with qtbot.waitSignal(session.step_failed) as failed:
        session.undo()
    assert "changed by Ana since your edit" in str(failed.args[1])
    assert session.undo_stack.index() == 1
    assert _stored_columns(teammate, quote) == {"confusion", "trust-loss"}


@pytest.fixture
def actions(qtbot, hub):
    from ui.actions.actions_screen import ActionsScreen

    screen = ActionsScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def test_an_action_item_edit_a_teammate_beat_shows_both_and_keep_mine_saves_it(qtbot, actions, teammate,
                                                                               answer_with):
    shown = answer_with("keep_button")
    item = actions.model.item(0)  # what this screen shows
    EditActionItem(billing_id(teammate), item.id, owner="Ana Lima").do(teammate)
    actions.run_checked(EditActionItem(actions.hub.incident_id, item.id, based_on=fields_of(item),
                                       **{**fields_of(item), "owner": "Bo Chen"}))
    text = shown[0].informativeText()
    assert "Yours: owner: Bo Chen" in text and "Theirs: owner: Ana Lima" in text
    stored = next(i for i in ActionService(teammate).list_items(billing_id(teammate)) if i.id == item.id)
    assert stored.owner == "Bo Chen"


def test_take_theirs_shows_the_teammates_action_item(qtbot, actions, teammate, answer_with):
    answer_with("take_button")
    item = actions.model.item(0)
    EditActionItem(billing_id(teammate), item.id, status="done").do(teammate)
    actions.run_checked(EditActionItem(actions.hub.incident_id, item.id, based_on=fields_of(item),
                                       **{**fields_of(item), "owner": "Bo Chen"}))
    stored = next(i for i in ActionService(teammate).list_items(billing_id(teammate)) if i.id == item.id)
    assert (stored.owner, stored.status) == (item.owner, "done")
    shown = next(actions.model.item(r) for r in range(actions.model.rowCount()) if actions.model.item(r).id == item.id)
    assert shown.status == "done"


def test_an_action_item_edit_refused_because_a_teammate_deleted_it_keeps_the_dialog_and_its_text(
        qtbot, actions, teammate, monkeypatch):
    """A refusal after OK (the item deleted, the incident closed, the server gone) must not throw away what
    was typed in the dialog: it comes back with the words still in it, to copy them or cancel."""
    from ui.actions.action_item_dialog import ActionItemDialog

    item = actions.model.item(0)
    monkeypatch.setattr("ui.errors.QMessageBox.warning", lambda *args: None)  # the refusal, answered
    shown: list[str] = []

    def exec_(dialog: ActionItemDialog) -> int:
        shown.append(dialog.owner.text())
        if len(shown) == 1:
            dialog.owner.setText("Bo Chen, typed before Ana deleted it")
            DeleteActionItem(billing_id(teammate), item.id).do(teammate)
            return QDialog.DialogCode.Accepted
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ActionItemDialog, "exec", exec_)
    actions.view.selectRow(actions.proxy.mapFromSource(actions.model.index(0, 0)).row())
    actions._on_edit_clicked()
    assert shown == [item.owner, "Bo Chen, typed before Ana deleted it"]


def test_an_action_item_edit_names_only_the_fields_changed_in_who_edited_and_the_edit_menu(
        qtbot, actions, teammate, monkeypatch):
    """The dialog gives every field; an edit of the owner alone must not be recorded as Ben editing the
    area, description, due date and status too (Who edited, Edit › Undo)."""
    from postmortem_desktop.services.review_answers import ReviewService
    from ui.actions.action_item_dialog import ActionItemDialog

    item = actions.model.item(0)
    runs: list[int] = []

    def exec_(dialog: ActionItemDialog) -> int:
        runs.append(1)
        dialog.owner.setText("Bo Chen")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ActionItemDialog, "exec", exec_)
    actions.view.selectRow(actions.proxy.mapFromSource(actions.model.index(0, 0)).row())
    actions._on_edit_clicked()
    assert runs == [1]
    assert actions.hub.session.undo_stack.undoText() == "Edit Action Item owner"
    assert ReviewService(teammate).edits(billing_id(teammate))[-1].what == "Edit Action Item owner"
    stored = next(i for i in ActionService(teammate).list_items(billing_id(teammate)) if i.id == item.id)
    assert {**fields_of(stored), "owner": item.owner} == fields_of(item) and stored.owner == "Bo Chen"


@pytest.mark.parametrize("button, kept", [("keep_button", "trust-damage"), ("take_button", "lost-trust")])
def test_a_column_rename_a_teammate_beat_offers_both_names(qtbot, board, teammate, answer_with, button, kept):
    from postmortem_desktop.services.tagging import RenameTag

    shown = answer_with(button)
    tag = next(t for t in board.tags if t.name == "trust-loss")  # what the board shows
    RenameTag(tag.id, "lost-trust").do(teammate)
    board.rename_column(RenameTag(tag.id, "trust-damage", shown_name=tag.name))
    assert "Yours: trust-damage" in shown[0].informativeText()
    assert "Theirs: lost-trust" in shown[0].informativeText()
    assert shown[0].windowTitle() == "Changed by Ana"  # the column's own history: the workspace's edits
    assert next(t.name for t in list_tags(teammate) if t.id == tag.id) == kept
    assert next(t.name for t in board.tags if t.id == tag.id) == kept  # the board shows what is stored


def test_a_teammates_change_of_another_field_of_an_action_item_is_kept_with_mine(qtbot, actions, teammate,
                                                                                 answer_with, monkeypatch):
    """The reviewer changed the owner while a teammate changed the description: not a conflict, both kept."""
    from ui.actions.action_item_dialog import ActionItemDialog

    shown = answer_with("take_button")
    item = actions.model.item(0)  # what this screen shows
    EditActionItem(billing_id(teammate), item.id, description="Ana's wording of the action").do(teammate)

    def exec_(dialog: ActionItemDialog) -> int:
        dialog.owner.setText("Bo Chen")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ActionItemDialog, "exec", exec_)
    actions.view.selectRow(actions.proxy.mapFromSource(actions.model.index(0, 0)).row())
    actions._on_edit_clicked()
    assert not shown
    stored = next(i for i in ActionService(teammate).list_items(billing_id(teammate)) if i.id == item.id)
    assert (stored.owner, stored.description) == ("Bo Chen", "Ana's wording of the action")
