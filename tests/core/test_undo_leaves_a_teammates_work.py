"""An undo takes back only its own edit: a teammate's decision made since on the same card, or a new action item
relinked by a teammate, is neither brought back nor deleted with it. Two people stand for one handle; both engines.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.services.actions import ActionService, AddActionItem, SetActionLinks
from postmortem_desktop.services.quotes import board_cards
from postmortem_desktop.services.suggestions import run_suggestions
from postmortem_desktop.services.tagging import AssignTag, DismissSuggestion, applied_tags, list_tags
from postmortem_desktop.storage.schema import TagAssignment
from tests.helpers import billing_id


def _rows(ws, quote_id: int) -> dict[int, str]:
    with ws.reading() as s:
        return dict(s.execute(select(TagAssignment.tag_id, TagAssignment.source)
                              .where(TagAssignment.quote_id == quote_id)).all())


def _a_suggested_card(ws, iid: int) -> tuple[int, int]:
    run_suggestions(ws, iid)
    with ws.reading() as s:
        return s.execute(select(TagAssignment.quote_id, TagAssignment.tag_id).where(
            TagAssignment.source == "suggested", TagAssignment.quote_id.is_not(None))
            .order_by(TagAssignment.id).limit(1)).one()


def _shown(ws, quote_id: int):
    with ws.reading() as s:
        return applied_tags(s, [quote_id])


def test_undoing_a_tag_leaves_a_teammates_dismissal_of_a_suggestion_on_that_card(demo):
    iid = billing_id(demo)
    card, suggested = _a_suggested_card(demo, iid)
    before = _rows(demo, card)
    free = next(t.id for t in list_tags(demo) if t.id not in before)
    mine = AssignTag(iid, [card], free, "x").made_from(_shown(demo, card))
    mine.do(demo)
    DismissSuggestion(iid, card, suggested, "s").made_from(_shown(demo, card)).do(demo)  # the teammate's
    mine.undo(demo)
    assert _rows(demo, card) == {**before, suggested: "dismissed"}  # only the tag is gone; the "no" stays


def test_a_tag_undone_and_redone_still_puts_back_exactly_its_own_rows(demo):
    iid = billing_id(demo)
    card, _ = _a_suggested_card(demo, iid)
    before = _rows(demo, card)
    free = next(t.id for t in list_tags(demo) if t.id not in before)
    mine = AssignTag(iid, [card], free, "x").made_from(_shown(demo, card))
    mine.do(demo)
    mine.undo(demo)
    mine.do(demo)
    assert _rows(demo, card) == {**before, free: "manual"}
    mine.undo(demo)
    assert _rows(demo, card) == before


def test_undoing_a_new_action_item_is_refused_when_a_teammate_relinked_it(demo):
    iid = billing_id(demo)
    quotes = [c.quote_id for c in board_cards(demo, iid)][:3]
    mine = AddActionItem(iid, area="product", description="Fix invoice retry", quote_ids=[quotes[0]])
    mine.do(demo)
    SetActionLinks(iid, mine.item_id, [quotes[1], quotes[2]], [], based_on=[(quotes[0], None)]).do(demo)
    with pytest.raises(ChangedSince) as refused:
        mine.undo(demo)
    assert refused.value.undoing
    item = next(i for i in ActionService(demo).list_items(iid) if i.id == mine.item_id)
    assert [link.target_id for link in item.links] == quotes[1:3]  # the teammate's links stay, and the item


def test_undoing_a_new_action_item_after_a_teammate_deleted_a_card_it_linked_is_no_refusal(demo):
    """The link went with the card (its foreign key cascades): nobody edited the item, so its undo goes ahead. A
    review found it refused, naming a teammate who never touched the item."""
    from postmortem_desktop.services.quotes import DeleteQuote

    iid = billing_id(demo)
    quotes = [c.quote_id for c in board_cards(demo, iid)][:2]
    mine = AddActionItem(iid, area="product", description="Fix invoice retry", quote_ids=quotes)
    mine.do(demo)
    DeleteQuote(iid, [quotes[1]]).do(demo)
    mine.undo(demo)
    assert all(i.id != mine.item_id for i in ActionService(demo).list_items(iid))


def test_a_redo_of_an_action_items_links_to_a_column_merged_away_since_leaves_that_column_out(demo):
    """Before: the redo inserted a link to the merged-away column and failed on the database's foreign key."""
    from postmortem_desktop.services.tagging import MergeTags

    iid = billing_id(demo)
    tags = [t.id for t in list_tags(demo)]
    linked = AddActionItem(iid, area="support", description="Status page wording", tag_ids=[tags[0]])
    linked.do(demo)
    relink = SetActionLinks(iid, linked.item_id, [], [tags[1], tags[3]], based_on=[(None, tags[0])])
    relink.do(demo)
    relink.undo(demo)
    added = AddActionItem(iid, area="support", description="Reply templates", tag_ids=[tags[1]])
    added.do(demo)
    added.undo(demo)
    MergeTags(tags[1], tags[2]).do(demo)  # a teammate merges the column away
    relink.do(demo)
    added.do(demo)
    items = {i.id: i for i in ActionService(demo).list_items(iid)}
    assert [link.target_id for link in items[linked.item_id].links] == [tags[3]]
    assert [link.target_id for link in items[added.item_id].links] == []
