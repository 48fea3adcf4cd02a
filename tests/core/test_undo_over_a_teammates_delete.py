"""An undo or redo that would write rows back pointing at something a teammate deleted since (a card, an action item,
a column) is refused in words, ChangedSince, with nothing written: never the database's foreign-key error. Two
people stand for one handle; both engines."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.services.actions import (
    ActionService,
    AddActionItem,
    DeleteActionItem,
    SetActionLinks,
)
from postmortem_desktop.services.quotes import DeleteQuote, board_cards
from postmortem_desktop.services.review_answers import LinkAnswerQuotes, UnlinkAnswerQuote
from postmortem_desktop.storage.schema import ReviewAnswer, ReviewAnswerQuote
from tests.helpers import billing_id


def _quotes(ws, iid: int) -> list[int]:
    return [c.quote_id for c in board_cards(ws, iid)]


def _items(ws, iid: int) -> dict[int, list[int]]:
    return {i.id: [link.target_id for link in i.links] for i in ActionService(ws).list_items(iid)}


def _refused_undo(edit, ws) -> ChangedSince:
    with pytest.raises(ChangedSince) as refused:
        edit.undo(ws)
    assert refused.value.undoing and "deleted since" in str(refused.value)
    return refused.value


def test_undoing_a_link_change_is_refused_when_the_quote_it_would_link_again_was_deleted(demo):
    iid = billing_id(demo)
    quotes = _quotes(demo, iid)
    add = AddActionItem(iid, area="support", description="Saved reply", quote_ids=[quotes[0]])
    add.do(demo)
    relink = SetActionLinks(iid, add.item_id, [quotes[1]], [], based_on=[(quotes[0], None)])
    relink.do(demo)
    DeleteQuote(iid, [quotes[0]]).do(demo)  # the teammate's
    _refused_undo(relink, demo)
    assert _items(demo, iid)[add.item_id] == [quotes[1]]


def test_undoing_an_item_delete_is_refused_when_its_quote_was_deleted(demo):
    iid = billing_id(demo)
    quotes = _quotes(demo, iid)
    add = AddActionItem(iid, area="support", description="Saved reply", quote_ids=[quotes[1]])
    add.do(demo)
    delete = DeleteActionItem(iid, add.item_id)
    delete.do(demo)
    DeleteQuote(iid, [quotes[1]]).do(demo)
    _refused_undo(delete, demo)
    assert add.item_id not in _items(demo, iid)  # nothing written: not even the item without its link


def _links_of(ws, iid: int, quote_id: int) -> int:
    with ws.reading() as s:
        return s.scalar(select(func.count()).select_from(ReviewAnswerQuote).join(ReviewAnswer).where(
            ReviewAnswer.incident_id == iid, ReviewAnswer.question == "confusing",
            ReviewAnswerQuote.quote_id == quote_id)) or 0


def test_undoing_an_unlink_is_refused_when_the_card_was_deleted(demo):
    iid = billing_id(demo)
    quote = _quotes(demo, iid)[3]
    LinkAnswerQuotes(iid, "confusing", [quote]).do(demo)
    unlink = UnlinkAnswerQuote(iid, "confusing", quote)
    unlink.do(demo)
    DeleteQuote(iid, [quote]).do(demo)
    _refused_undo(unlink, demo)


def test_undoing_an_unlink_after_a_teammate_linked_the_quote_again_leaves_one_link(demo):
    iid = billing_id(demo)
    quote = _quotes(demo, iid)[2]
    LinkAnswerQuotes(iid, "confusing", [quote]).do(demo)
    unlink = UnlinkAnswerQuote(iid, "confusing", quote)
    unlink.do(demo)
    LinkAnswerQuotes(iid, "confusing", [quote]).do(demo)  # the teammate's
    unlink.undo(demo)
    assert _links_of(demo, iid, quote) == 1


def test_undoing_a_card_delete_is_refused_when_its_action_item_was_deleted(demo):
    iid = billing_id(demo)
    quote = _quotes(demo, iid)[4]
    add = AddActionItem(iid, area="engineering", description="Idempotent retries", quote_ids=[quote])
    add.do(demo)
    delete = DeleteQuote(iid, [quote])
    delete.do(demo)
    DeleteActionItem(iid, add.item_id).do(demo)  # the teammate's
    _refused_undo(delete, demo)
    assert quote not in _quotes(demo, iid)
