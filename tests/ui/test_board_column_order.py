"""A column's Move Left/Right on a board that shows an older order than a teammate's: refused with their order shown,
never putting every column back where this board had it. The feed is stopped (test_team_cards_and_actions's `hub`),
so the teammate's reorder reaches this board only through the refusal."""
from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from postmortem_desktop.services.tagging import ReorderTags, list_tags
from tests.ui.test_team_cards_and_actions import board, hub  # noqa: F401 - the fixtures


def test_a_move_left_on_a_stale_board_is_refused_and_shows_the_teammates_order(qtbot, board, teammate,  # noqa: F811
                                                                               monkeypatch):
    shown = [t.id for t in board.tags]
    theirs = [shown[-1], *shown[:-1]]
    ReorderTags(theirs).do(teammate)  # not on this board yet

    class ChoosingMoveLeft(QMenu):  # the person chooses Move Left in the column's menu
        def exec(self, *_args):
            return next(action for action in self.actions() if action.text() == "Move Left")

    monkeypatch.setattr("ui.board.board_menus.QMenu", ChoosingMoveLeft)
    told: list[tuple[str, str]] = []
    monkeypatch.setattr("ui.errors.QMessageBox.warning", lambda _parent, title, text: told.append((title, text)))
    board._on_grid_column_menu_requested(shown[2], QPoint())  # the third column, one to the left
    assert [t.id for t in list_tags(teammate)] == theirs  # the teammate's order stays
    assert [t.id for t in board.tags] == theirs  # and is what the board shows now
    assert told and told[0][0] == "Changed by someone else" and told[0][1].startswith("The columns' order was "
                                                                                      "changed by Ana")
    assert board.hub.session.undo_stack.count() == 0  # nothing was done, nothing to undo
