"""The board's columns (tags, every incident's) edited by two people: a Move Left/Right made on a board that shows an
older order is refused (EditConflict), never putting back every column where that board had them; a reorder's undo
or redo is refused (ChangedSince) over a teammate's later order. Nothing is written when refused. `demo` is a
teammate's client, `ben` Ben's (on a file the same handle); both engines."""
from __future__ import annotations

import pytest

from postmortem_desktop.domain.errors import ChangedSince, EditConflict
from postmortem_desktop.services.tagging import AddTag, ReorderTags, list_tags


def _order(ws) -> list[int]:
    return [t.id for t in list_tags(ws)]


def _names(ws) -> dict[int, str]:
    return {t.id: t.name for t in list_tags(ws)}


def _moved_left(order: list[int], index: int) -> list[int]:
    """What the column menu's Move Left makes of the board's order."""
    moved = list(order)
    moved[index - 1], moved[index] = moved[index], moved[index - 1]
    return moved


def test_a_move_made_on_a_board_showing_an_older_order_is_refused_and_the_teammates_order_stays(demo, ben):
    shown = _order(ben)  # Ben's board
    theirs = [shown[-1], *shown[:-1]]
    ReorderTags(theirs).do(demo)  # the teammate moves the last column first
    with pytest.raises(EditConflict) as refused:
        ReorderTags(_moved_left(shown, 1), based_on=shown).do(ben)  # Ben, from his board as it was
    assert _order(demo) == theirs
    assert refused.value.theirs == tuple(_names(demo)[tag_id] for tag_id in theirs)
    if demo.user:  # a team workspace: its history says who reordered
        assert refused.value.by == demo.user


def test_a_move_made_on_a_board_missing_a_column_added_since_is_refused_not_a_bare_rule(demo, ben):
    shown = _order(ben)
    AddTag("double-charged").do(demo)
    with pytest.raises(EditConflict) as refused:
        ReorderTags(_moved_left(shown, 1), based_on=shown).do(ben)
    assert refused.value.by == ""  # a column added is no reorder: nobody is named as having reordered
    assert _order(demo) == [*shown, _order(demo)[-1]]


def test_a_move_made_on_the_order_as_stored_is_made_and_undone(demo):
    shown = _order(demo)
    move = ReorderTags(_moved_left(shown, 2), based_on=shown)
    move.do(demo)
    assert _order(demo) == _moved_left(shown, 2)
    move.undo(demo)
    assert _order(demo) == shown
    move.do(demo)  # the redo
    assert _order(demo) == _moved_left(shown, 2)


def test_undoing_a_reorder_is_refused_over_a_teammates_later_reorder(demo, ben):
    shown = _order(ben)
    mine = ReorderTags(_moved_left(shown, 1))
    mine.do(ben)
    theirs = [_order(demo)[-1], *_order(demo)[:-1]]
    ReorderTags(theirs).do(demo)
    with pytest.raises(ChangedSince) as refused:
        mine.undo(ben)
    assert refused.value.undoing and "move them by hand" in str(refused.value)
    assert _order(demo) == theirs
    if demo.user:
        assert refused.value.by == (demo.user,)


def test_redoing_a_reorder_is_refused_over_a_teammates_reorder_after_the_undo(demo, ben):
    shown = _order(ben)
    mine = ReorderTags(_moved_left(shown, 1))
    mine.do(ben)
    mine.undo(ben)
    theirs = [shown[-1], *shown[:-1]]
    ReorderTags(theirs).do(demo)
    with pytest.raises(ChangedSince) as refused:
        mine.do(ben)  # the redo
    assert not refused.value.undoing
    assert _order(demo) == theirs
    if demo.user:
        assert refused.value.by == (demo.user,)
