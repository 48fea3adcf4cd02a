"""A conflict over a card (its columns) or a column (a tag) names the teammate who changed it, from the card's or the
column's own history on a team workspace; never someone who only edited another card, another field of the column,
or the incident. A merge of columns is in the history of every card it moved. A file keeps none: "someone else".

Before, a card's conflict named someone only when the same edit (by name: "Move to “x”") was made by them, and a
column's never: its edits were recorded nowhere."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.services.commands import EditConflict
from postmortem_desktop.services.incidents import UpdateIncident
from postmortem_desktop.services.quotes import DeleteQuote, board_cards
from postmortem_desktop.services.tagging import (
    AddTag,
    AssignTag,
    MergeTags,
    MoveCardTag,
    RecolorTag,
    RemoveTag,
    RenameTag,
    list_tags,
)
from postmortem_desktop.storage.schema import CardEdit, EditRecord, WorkspaceEdit
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import ANA, BEN, billing_id, race_of_two_saves

CY = "Cy (engineer)"


@pytest.fixture
def cy(team_demo_url, monkeypatch):
    monkeypatch.setenv("POSTMORTEM_USER", CY)
    ws = open_workspace(team_demo_url)
    yield ws
    ws.close()


def _tag(ws, name: str) -> int:
    return next(t.id for t in list_tags(ws) if t.name == name)


def _cards(ws, count: int) -> list[int]:
    """Demo cards in no column yet, so the test decides their columns."""
    return [c.quote_id for c in board_cards(ws, billing_id(ws)) if not c.tag_ids][:count]


def _shown(ws, quote_ids: list[int]) -> dict[int, tuple[int, ...]]:
    return {c.quote_id: c.tag_ids for c in board_cards(ws, billing_id(ws), quote_ids)}


def test_a_card_conflict_names_who_moved_the_card_not_who_edited_other_cards(ben_and_ana, cy):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card, other = _cards(ben, 2)
    confusion, work, trust = _tag(ben, "confusion"), _tag(ben, "work-stopped"), _tag(ben, "trust-loss")
    AssignTag(iid, [card], confusion).do(ben)
    seen = _shown(ben, [card])  # both boards show the card under confusion
    MoveCardTag(iid, [card], confusion, work, "work-stopped").made_from(seen).do(ana)
    AssignTag(iid, [other], trust, "trust-loss").do(cy)  # another card, later, by Cy
    UpdateIncident(iid, service="Billing (Cy)").do(cy)  # and the incident itself
    with pytest.raises(EditConflict) as refused:
        MoveCardTag(iid, [card], confusion, trust, "trust-loss").made_from(seen).do(ben)
    assert refused.value.by == ANA and f"changed by {ANA}" in str(refused.value)


def test_a_conflict_over_cards_two_teammates_changed_names_no_one(ben_and_ana, cy):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    first, second = _cards(ben, 2)
    seen = _shown(ben, [first, second])  # both in Unsorted
    AssignTag(iid, [first], _tag(ana, "confusion")).made_from(seen).do(ana)
    AssignTag(iid, [second], _tag(cy, "data-fear")).made_from(seen).do(cy)
    with pytest.raises(EditConflict) as refused:
        DeleteQuote(iid, [first, second]).made_from(seen).do(ben)
    assert refused.value.by == ""  # either may be the one that matters to Ben: "someone else"
    with pytest.raises(EditConflict) as refused:  # one card: exactly who changed it
        DeleteQuote(iid, [second]).made_from({second: ()}).do(ben)
    assert refused.value.by == CY


def test_a_card_a_merge_of_columns_moved_names_who_merged_not_who_tagged_it(ben_and_ana, cy):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card = _cards(ben, 1)[0]
    fear, confusion, work = _tag(ben, "data-fear"), _tag(ben, "confusion"), _tag(ben, "work-stopped")
    AssignTag(iid, [card], fear, "data-fear").do(cy)  # Cy tagged it; Ben's board shows it under data-fear
    seen = _shown(ben, [card])
    MergeTags(fear, confusion, "data-fear", "confusion").do(ana)  # a column merged: the card moves with it
    with pytest.raises(EditConflict) as refused:
        MoveCardTag(iid, [card], fear, work, "work-stopped").made_from(seen).do(ben)
    assert refused.value.by == ANA
    with ben.reading() as session:  # a merge is the workspace's edit, and in the moved card's history
        assert session.scalars(select(WorkspaceEdit.user).where(WorkspaceEdit.tag_id == confusion)).all() == [ANA]
        assert session.scalars(select(CardEdit.user).where(CardEdit.quote_id == card)
                               .order_by(CardEdit.id)).all() == [CY, ANA]


def test_a_column_rename_conflict_names_who_renamed_it_not_who_recoloured_it(ben_and_ana, cy):
    ben, ana = ben_and_ana
    tag = next(t for t in list_tags(ben) if t.name == "confusion")
    RenameTag(tag.id, "lost-in-checkout", shown_name=tag.name).do(ana)
    RecolorTag(tag.id, (tag.color + 1) % 8, shown_color=tag.color).do(cy)  # another field of the column
    with pytest.raises(EditConflict) as refused:
        RenameTag(tag.id, "baffled", shown_name=tag.name).do(ben)
    assert refused.value.by == ANA
    with pytest.raises(EditConflict) as refused:
        RecolorTag(tag.id, (tag.color + 2) % 8, shown_color=tag.color).do(ben)
    assert refused.value.by == CY
    with ben.reading() as session:  # a column belongs to every incident: its edits are the workspace's
        assert session.scalars(select(WorkspaceEdit.user).where(WorkspaceEdit.tag_id == tag.id)
                               .order_by(WorkspaceEdit.id)).all() == [ANA, CY]
        assert not session.scalars(select(EditRecord.what).where(EditRecord.what.like("%Tag%"))).all()


def test_my_own_change_in_another_window_names_no_teammate(team_demo_url, monkeypatch):
    monkeypatch.setenv("POSTMORTEM_USER", BEN)
    here, there = open_workspace(team_demo_url), open_workspace(team_demo_url)
    try:
        iid = billing_id(here)
        card = _cards(here, 1)[0]
        seen = _shown(here, [card])
        AssignTag(iid, [card], _tag(there, "confusion")).made_from(seen).do(there)
        with pytest.raises(EditConflict) as refused:
            AssignTag(iid, [card], _tag(here, "data-fear")).made_from(seen).do(here)
        assert refused.value.by == ""
    finally:
        here.close()
        there.close()


def test_undoing_a_card_edit_names_only_who_changed_that_card_since(ben_and_ana, cy):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card, other = _cards(ben, 2)
    confusion, work = _tag(ben, "confusion"), _tag(ben, "work-stopped")
    mine = AssignTag(iid, [card], confusion, "confusion")
    mine.do(ben)
    RemoveTag(iid, [card], confusion, "confusion").do(ana)
    AssignTag(iid, [other], work, "work-stopped").do(cy)  # another card: nothing to do with Ben's undo
    with pytest.raises(ChangedSince) as refused:
        mine.undo(ben)
    assert refused.value.by == (ANA,)


def test_undoing_a_new_column_a_teammate_tagged_with_is_refused_and_keeps_their_tag(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card = _cards(ben, 1)[0]
    added = AddTag("double-charged")
    added.do(ben)
    AssignTag(iid, [card], added.tag_id, "double-charged").do(ana)
    with pytest.raises(ChangedSince, match="cannot be undone"):
        added.undo(ben)  # before: the column went, and Ana's tag with it
    assert {t.name for t in board_cards(ben, iid, [card])[0].tags} == {"double-charged"}


def test_undoing_a_merge_after_a_teammate_retagged_a_merged_card_is_refused(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card = _cards(ben, 1)[0]
    fear, confusion = _tag(ben, "data-fear"), _tag(ben, "confusion")
    AssignTag(iid, [card], fear).do(ben)
    merge = MergeTags(fear, confusion, "data-fear", "confusion")
    merge.do(ben)
    RemoveTag(iid, [card], confusion, "confusion").do(ana)
    with pytest.raises(ChangedSince):
        merge.undo(ben)  # before: the card went back under data-fear, over Ana's removal
    assert board_cards(ben, iid, [card])[0].tag_ids == ()
    assert "data-fear" not in {t.name for t in list_tags(ben)}


def test_a_file_keeps_no_card_or_column_history_and_its_conflict_says_someone_else(demo_copy):
    ws = open_workspace(demo_copy)
    try:
        iid = billing_id(ws)
        card = _cards(ws, 1)[0]
        seen = _shown(ws, [card])
        AssignTag(iid, [card], _tag(ws, "confusion")).made_from(seen).do(ws)
        RenameTag(_tag(ws, "trust-loss"), "doubt").do(ws)
        with pytest.raises(EditConflict) as refused:
            AssignTag(iid, [card], _tag(ws, "data-fear")).made_from(seen).do(ws)
        assert refused.value.by == "" and "someone else" in str(refused.value)
        with ws.reading() as session:
            assert not session.scalars(select(CardEdit.id)).all()
            assert not session.scalars(select(WorkspaceEdit.id)).all()
    finally:
        ws.close()


def test_a_card_an_edit_left_as_it_was_keeps_naming_who_changed_it(ben_and_ana, cy):
    """Cy's removal of a column from two cards, one of which never had it, changes only the other: the first's
    history still names Ana, who moved it (before, every selected card was recorded as Cy's)."""
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card, other = _cards(ben, 2)
    confusion, fear = _tag(ben, "confusion"), _tag(ben, "data-fear")
    AssignTag(iid, [other], fear).do(ben)
    seen = _shown(ben, [card])  # Ben's board shows the card in no column
    AssignTag(iid, [card], confusion, "confusion").do(ana)
    RemoveTag(iid, [card, other], fear, "data-fear").do(cy)  # the card had no data-fear: left as it was
    with pytest.raises(EditConflict) as refused:
        AssignTag(iid, [card], fear, "data-fear").made_from(seen).do(ben)
    assert refused.value.by == ANA


def test_undoing_a_new_column_waits_for_a_teammate_tagging_with_it_then_keeps_their_tag(ben_and_ana):
    """A teammate's tag with the new column, not committed yet when the undo starts: the undo waits for it and is
    refused, rather than deleting the column (and their tag with it) unseen."""
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card = _cards(ben, 1)[0]
    added = AddTag("double-charged")
    added.do(ben)
    undo = _Undo(added)
    refused = race_of_two_saves(ana, ben, AssignTag(iid, [card], added.tag_id, "double-charged"), undo)
    assert isinstance(refused, ChangedSince)
    assert {t.name for t in board_cards(ben, iid, [card])[0].tags} == {"double-charged"}


def test_a_merge_waits_for_a_teammate_tagging_with_the_merged_column_and_keeps_their_tag(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    card = _cards(ben, 1)[0]
    fear, confusion = _tag(ben, "data-fear"), _tag(ben, "confusion")
    merge = MergeTags(fear, confusion, "data-fear", "confusion")
    assert race_of_two_saves(ana, ben, AssignTag(iid, [card], fear, "data-fear"), merge) is None
    assert [t.name for t in board_cards(ben, iid, [card])[0].tags] == ["confusion"]  # moved with the merge


class _Undo:
    """An edit's undo, run as race_of_two_saves runs a save."""

    def __init__(self, edit) -> None:
        self.edit = edit

    def do(self, workspace) -> None:
        self.edit.undo(workspace)
