"""The board's columns (tags, every incident's) edited by two people: a Move Left/Right made on a board that shows an
older order is refused (EditConflict), never putting back every column where that board had them; a reorder's undo
or redo is refused (ChangedSince) over a teammate's later order; an undo that gives a column its name back (a
merge's, a rename's) is refused in words when a teammate gave that name to another column since, never by the
database's unique-name error. Nothing is written when refused. `demo` is a teammate's client, `ben` Ben's (on a
file the same handle); both engines."""
from __future__ import annotations

import pytest

from postmortem_desktop.domain.errors import ChangedSince, EditConflict
from postmortem_desktop.services.tagging import AddTag, MergeTags, RenameTag, ReorderTags, list_tags


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


def test_undoing_a_merge_is_refused_in_words_when_a_teammate_gave_its_name_to_another_column(demo, ben):
    tags = list_tags(ben)
    source, target = tags[0], tags[1]
    merge = MergeTags(source.id, target.id, source.name, target.name)
    merge.do(ben)
    AddTag(source.name).do(demo)  # Ana makes a column with the name the merge freed
    before = (_order(demo), _names(demo))
    with pytest.raises(ChangedSince, match=f"gave the name “{source.name}” to another column") as refused:
        merge.undo(ben)  # before: the database's unique-name error
    assert refused.value.undoing and "rename or merge that column first" in str(refused.value)
    assert (_order(demo), _names(demo)) == before  # nothing was undone; Ana's column stays
    if demo.user:
        assert f"since your edit, {demo.user} gave" in str(refused.value)


def test_undoing_a_rename_is_refused_in_words_when_a_teammate_gave_the_old_name_to_another_column(demo, ben):
    tag = next(t for t in list_tags(ben) if t.name == "confusion")
    mine = RenameTag(tag.id, "baffled", shown_name=tag.name)
    mine.do(ben)
    AddTag("confusion").do(demo)
    before = _names(demo)
    with pytest.raises(ChangedSince, match="gave the name “confusion” to another column") as refused:
        mine.undo(ben)
    assert _names(demo) == before
    if demo.user:
        assert f"since your edit, {demo.user} gave" in str(refused.value)


def test_undoing_a_rename_over_a_teammates_rename_names_them_from_the_columns_history(demo, ben):
    tag = next(t for t in list_tags(ben) if t.name == "trust-loss")
    mine = RenameTag(tag.id, "lost-trust", shown_name=tag.name)
    mine.do(ben)
    RenameTag(tag.id, "trust-damage", shown_name="lost-trust").do(demo)
    with pytest.raises(ChangedSince) as refused:
        mine.undo(ben)
    assert refused.value.by == ((demo.user,) if demo.user else ())  # before: "someone else" on a team workspace too
