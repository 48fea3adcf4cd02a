"""Redo after a teammate's change: on a team workspace, Ben undoes his edit, Ana changes the same thing, and
Ben's redo is refused with a message naming Ana and saying what to do; Ana's change stays as she left it.

Redo makes the edit again over what the undo left; without the check it silently overwrote her change.
Each kind of edit a person makes of shared things: an answer (also one stored in the close-out record),
a close-out field, a card's tags (a tag, a move), an action item (its fields, its links, its deletion) and a
card's deletion. When nobody changed the thing in between, redo still works.
"""
from __future__ import annotations

import pytest

from postmortem_desktop.services.actions import (
    ActionService,
    DeleteActionItem,
    EditActionItem,
    SetActionLinks,
    fields_of,
)
from postmortem_desktop.services.commands import ChangedSince
from postmortem_desktop.services.quotes import DeleteQuote, board_cards
from postmortem_desktop.services.review_answers import EditCloseoutFields, ReviewService, SetReviewAnswer
from postmortem_desktop.services.tagging import AssignTag, MoveCardTag, list_tags
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import ANA, billing_id

WHAT_TO_DO = "make your change by hand if it is still needed"




def _answer(ws, iid: int, key: str) -> str:
    return next(a.answer for a in ReviewService(ws).answers(iid) if a.key == key)


def _tag(ws, name: str) -> int:
    return next(t.id for t in list_tags(ws) if t.name == name)


def _columns(ws, iid: int, quote_id: int) -> set[str]:
    return {t.name for t in board_cards(ws, iid, [quote_id])[0].tags}


def _shown(ws, iid: int, quote_id: int) -> dict[int, tuple[int, ...]]:
    return {quote_id: board_cards(ws, iid, [quote_id])[0].tag_ids}


def _a_card(ws, iid: int) -> int:
    return next(c.quote_id for c in board_cards(ws, iid) if not c.tag_ids)


def _item(ws, iid: int, item_id: int):
    return next((i for i in ActionService(ws).list_items(iid) if i.id == item_id), None)


def _refused_redo(edit, ben) -> ChangedSince:
    with pytest.raises(ChangedSince) as refused:
        edit.do(ben)
    message = str(refused.value)
    assert "cannot be redone" in message and f"changed by {ANA} after you undid it" in message, message
    assert WHAT_TO_DO in message
    assert refused.value.by == (ANA,) and not refused.value.undoing
    return refused.value


@pytest.mark.parametrize("key", ["wording", "task"])  # "task" is stored in the close-out record
def test_redo_of_an_answer_is_refused_when_a_teammate_changed_it_after_the_undo(ben_and_ana, key):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    before = _answer(ben, iid, key)
    mine = SetReviewAnswer(iid, key, "Ben's answer", based_on=before)
    mine.do(ben)
    mine.undo(ben)
    SetReviewAnswer(iid, key, "Ana's answer", based_on=before).do(ana)
    _refused_redo(mine, ben)
    assert _answer(ana, iid, key) == "Ana's answer"


def test_redo_of_a_closeout_field_is_refused_when_a_teammate_changed_it_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    read = {"trust_signals": ReviewService(ben).closeout_fields(iid).trust_signals}
    mine = EditCloseoutFields.checked_against(read, iid, trust_signals="Ben: two asked if data was lost")
    mine.do(ben)
    mine.undo(ben)
    EditCloseoutFields.checked_against(read, iid, trust_signals="Ana: none seen").do(ana)
    _refused_redo(mine, ben)
    assert ReviewService(ana).closeout_fields(iid).trust_signals == "Ana: none seen"


def test_redo_of_a_card_tag_is_refused_when_a_teammate_retagged_the_card_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    quote = _a_card(ben, iid)
    mine = AssignTag(iid, [quote], _tag(ben, "confusion"), "confusion").made_from(_shown(ben, iid, quote))
    mine.do(ben)
    mine.undo(ben)
    AssignTag(iid, [quote], _tag(ana, "data-fear"), "data-fear").made_from(_shown(ana, iid, quote)).do(ana)
    _refused_redo(mine, ben)
    assert _columns(ana, iid, quote) == {"data-fear"}


def test_redo_of_a_card_move_is_refused_when_a_teammate_moved_the_card_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    quote = _a_card(ben, iid)
    confusion, trust, work = _tag(ben, "confusion"), _tag(ben, "trust-loss"), _tag(ben, "work-stopped")
    AssignTag(iid, [quote], confusion).do(ana)
    mine = MoveCardTag(iid, [quote], confusion, trust, "trust-loss").made_from(_shown(ben, iid, quote))
    mine.do(ben)
    mine.undo(ben)  # back under confusion
    MoveCardTag(iid, [quote], confusion, work, "work-stopped").made_from(_shown(ana, iid, quote)).do(ana)
    _refused_redo(mine, ben)
    assert _columns(ana, iid, quote) == {"work-stopped"}


def test_redo_of_an_action_item_edit_is_refused_when_a_teammate_changed_it_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    read = ActionService(ben).list_items(iid)[0]
    mine = EditActionItem(iid, read.id, based_on=fields_of(read, ["owner"]), owner="Ben")
    mine.do(ben)
    mine.undo(ben)
    EditActionItem(iid, read.id, based_on=fields_of(read, ["owner"]), owner="Ana Lima").do(ana)
    _refused_redo(mine, ben)
    assert _item(ana, iid, read.id).owner == "Ana Lima"


def test_redo_of_an_action_items_links_is_refused_when_a_teammate_relinked_it_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    item = ActionService(ben).list_items(iid)[0]
    cards = [c.quote_id for c in board_cards(ben, iid)][:2]
    links = [(link.target_id, None) if link.kind == "quote" else (None, link.target_id) for link in item.links]
    mine = SetActionLinks(iid, item.id, [cards[0]], [], based_on=links)
    mine.do(ben)
    mine.undo(ben)
    SetActionLinks(iid, item.id, [cards[1]], [], based_on=links).do(ana)
    _refused_redo(mine, ben)
    assert [(link.kind, link.target_id) for link in _item(ana, iid, item.id).links] == [("quote", cards[1])]


def test_redo_of_an_action_item_delete_is_refused_when_a_teammate_changed_it_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    read = ActionService(ben).list_items(iid)[0]
    mine = DeleteActionItem(iid, read.id, based_on=fields_of(read))
    mine.do(ben)
    mine.undo(ben)  # the item is back, as it was
    EditActionItem(iid, read.id, based_on=fields_of(read, ["owner"]), owner="Ana Lima").do(ana)
    _refused_redo(mine, ben)
    assert _item(ana, iid, read.id).owner == "Ana Lima"  # not deleted


def test_redo_of_a_card_delete_is_refused_when_a_teammate_tagged_the_card_after_the_undo(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    quote = _a_card(ben, iid)
    mine = DeleteQuote(iid, [quote]).made_from(_shown(ben, iid, quote))
    mine.do(ben)
    mine.undo(ben)  # the card is back
    AssignTag(iid, [quote], _tag(ana, "churn-risk")).made_from(_shown(ana, iid, quote)).do(ana)
    _refused_redo(mine, ben)
    assert _columns(ana, iid, quote) == {"churn-risk"}  # the card and Ana's tag are still there


def test_a_refused_redo_is_not_in_the_history_and_redo_works_once_the_thing_is_back(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    before = _answer(ben, iid, "wording")
    mine = SetReviewAnswer(iid, "wording", "Ben's", based_on=before)
    mine.do(ben)
    mine.undo(ben)
    hers = SetReviewAnswer(iid, "wording", "Ana's", based_on=before)
    hers.do(ana)
    edits = len(ReviewService(ben).edits(iid))
    _refused_redo(mine, ben)
    assert len(ReviewService(ben).edits(iid)) == edits
    hers.undo(ana)  # what Ben's undo left is stored again: nothing of Ana's would be overwritten
    mine.do(ben)
    assert _answer(ana, iid, "wording") == "Ben's"


def test_redo_nobody_interfered_with_still_works_for_every_kind(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    quote = _a_card(ben, iid)
    item = ActionService(ben).list_items(iid)[0]
    read = {"trust_signals": ReviewService(ben).closeout_fields(iid).trust_signals}
    edits = [SetReviewAnswer(iid, "wording", "Ben's", based_on=_answer(ben, iid, "wording")),
             EditCloseoutFields.checked_against(read, iid, trust_signals="Ben's"),
             AssignTag(iid, [quote], _tag(ben, "confusion")).made_from(_shown(ben, iid, quote)),
             EditActionItem(iid, item.id, based_on=fields_of(item, ["owner"]), owner="Ben")]
    for edit in edits:
        edit.do(ben)
        edit.undo(ben)
    SetReviewAnswer(iid, "confusing", "Ana's note elsewhere", based_on=_answer(ana, iid, "confusing")).do(ana)
    for edit in edits:
        edit.do(ben)  # redone: Ana edited something else
    assert _answer(ana, iid, "wording") == "Ben's"
    assert ReviewService(ana).closeout_fields(iid).trust_signals == "Ben's"
    assert _columns(ana, iid, quote) == {"confusion"}
    assert _item(ana, iid, item.id).owner == "Ben"
    deleting = DeleteQuote(iid, [quote]).made_from(_shown(ben, iid, quote))
    deleting.do(ben)
    deleting.undo(ben)
    deleting.do(ben)
    assert not board_cards(ana, iid, [quote])


def test_on_a_file_a_refused_undo_says_someone_else(demo_copy):
    ws = open_workspace(demo_copy)
    try:
        iid = billing_id(ws)
        mine = SetReviewAnswer(iid, "wording", "Mine", based_on=_answer(ws, iid, "wording"))
        mine.do(ws)
        SetReviewAnswer(iid, "wording", "Another script's", based_on="Mine").do(ws)
        with pytest.raises(ChangedSince, match="changed by someone else since your edit"):
            mine.undo(ws)
    finally:
        ws.close()
