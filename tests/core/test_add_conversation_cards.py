"""Many conversations put on the board as whole-conversation cards at once (the board's Add Cards, the
Conversations window): one transaction, one undo step, one entry in a team incident's history."""
from __future__ import annotations

from sqlalchemy import func, select

from postmortem_desktop.services.conversation_cards import quote_whole_conversations
from postmortem_desktop.services.quotes import CreateQuote, board_cards
from postmortem_desktop.services.suggestions import run_suggestions
from postmortem_desktop.storage.schema import Conversation, EditRecord, Quote, TagAssignment
from tests.helpers import billing_id


def uncarded(ws, incident_id: int) -> list[int]:
    carded = {c.conversation_id for c in board_cards(ws, incident_id)}
    with ws.reading() as s:
        return [cid for cid in s.scalars(select(Conversation.id).where(Conversation.incident_id == incident_id)
                                         .order_by(Conversation.id)) if cid not in carded]


def history_size(ws, incident_id: int) -> int:
    with ws.reading() as s:
        return s.scalar(select(func.count()).select_from(EditRecord).where(EditRecord.incident_id == incident_id))


def test_add_cards_is_one_step_and_leaves_alone_a_conversation_carded_meanwhile(demo):
    incident_id = billing_id(demo)
    run_suggestions(demo, incident_id)
    waiting = uncarded(demo, incident_id)[:6]
    assert len(waiting) == 6
    teammates = CreateQuote(incident_id, waiting[2])  # someone put this one on the board meanwhile
    teammates.do(demo)
    history = history_size(demo, incident_id)
    add = quote_whole_conversations(incident_id, waiting)
    add.do(demo)
    cards = {c.conversation_id: c for c in board_cards(demo, incident_id) if c.message_id is None}
    assert set(waiting) <= set(cards) and cards[waiting[2]].quote_id == teammates.quote_id
    made = [add.quote_ids[cid] for cid in waiting if cid != waiting[2]]
    assert add.name == "Add 5 Conversations as Cards" and len(made) == 5
    assert history_size(demo, incident_id) == history + (1 if demo.kind.value == "team" else 0)
    with demo.reading() as s:  # each card has the tagger's suggestions at once, as one made alone
        suggested = s.scalar(select(func.count()).select_from(TagAssignment).where(
            TagAssignment.quote_id.in_(made), TagAssignment.source == "suggested"))
    assert suggested > 0
    add.undo(demo)
    with demo.reading() as s:
        assert s.scalar(select(func.count()).select_from(Quote).where(Quote.id.in_(made))) == 0
        assert s.get(Quote, teammates.quote_id) is not None  # the teammate's card stays
    add.do(demo)  # redo: the same cards, with the same ids
    assert {c.quote_id for c in board_cards(demo, incident_id)} >= set(made)


def test_a_redo_leaves_out_a_conversation_carded_since_the_undo(demo):
    incident_id = billing_id(demo)
    waiting = uncarded(demo, incident_id)[:3]
    add = quote_whole_conversations(incident_id, waiting)
    add.do(demo)
    add.undo(demo)
    CreateQuote(incident_id, waiting[0]).do(demo)  # a teammate's card, made after the undo
    add.do(demo)  # redo
    whole = [c.conversation_id for c in board_cards(demo, incident_id) if c.message_id is None]
    assert sorted(whole.count(cid) for cid in waiting) == [1, 1, 1]  # each once, none refused
    assert add.name == "Add 2 Conversations as Cards"
