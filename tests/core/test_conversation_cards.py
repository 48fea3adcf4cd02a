"""Add Cards in two halves (services/conversation_cards.py): the cards worked out on a snapshot, as a worker does,
then written in one short transaction. On both engines, on real customers' words."""
from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from postmortem_desktop.analysis.suggester import Suggester
from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.importers.records import ParsedMessage
from postmortem_desktop.services.conversation_cards import prepare_whole_cards, quote_whole_conversations
from postmortem_desktop.services.conversations import AddConversation, AddConversations, NewConversation
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.quotes import CorrectAuthorRole, CreateQuote
from postmortem_desktop.services.tagging import AssignTag, list_tags
from postmortem_desktop.storage.schema import EditRecord, Message, Quote, Tag, TagAssignment
from tests.helpers import run_to_end
from tests.shared_data import shared_file

AT = datetime(2026, 11, 18, 12, tzinfo=UTC)
CONVERSATIONS = 40


def real_conversations() -> list[NewConversation]:
    """Conversations of three real messages each (../shared/data/real/customer-text): a customer's words, an agent's
    answer, the customer again. A seeded sample across the file's sources, so the tagger has something to find."""
    passages = [json.loads(line) for line in
                shared_file("real/customer-text/passages.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(18)
    customers = rng.sample([p["text"] for p in passages if p["role"] == "customer"], 2 * CONVERSATIONS)
    agents = rng.sample([p["text"] for p in passages if p["role"] == "agent"], CONVERSATIONS)
    return [NewConversation(channel="chat", customer_name=f"Customer {n}", external_id=f"R-{n}", messages=[
        ParsedMessage(f"Customer {n}", customers[2 * n], AT, "customer"),
        ParsedMessage("Agent", agents[n], AT, "agent"),
        ParsedMessage(f"Customer {n}", customers[2 * n + 1], AT, "customer")]) for n in range(CONVERSATIONS)]


@pytest.fixture
def real_incident(workspace):
    """An incident of real conversations, two of them with cards a person tagged (the suggester learns from them).
    Returns (workspace, incident id, the conversations without cards)."""
    incident = CreateIncident(title="Real words outage", technical_start=AT)
    incident.do(workspace)
    added = AddConversations(incident.incident_id, real_conversations(), batch_kind="paste", file_name="real")
    added.do(workspace)
    ids = added.conversation_ids
    tags = {t.name: t for t in list_tags(workspace)}
    for conversation_id, tag in zip(ids[:2], ("confusion", "trust-loss"), strict=True):
        card = CreateQuote(incident.incident_id, conversation_id)
        card.do(workspace)
        AssignTag(incident.incident_id, [card.quote_id], tags[tag].id, tag).do(workspace)
    return workspace, incident.incident_id, ids[2:]


def whole_cards(ws, conversation_ids) -> dict[int, tuple[str, dict[str, str]]]:
    """conversation -> (its whole-conversation card's text, {tag: stored suggestion note})."""
    with ws.reading() as s:
        quotes = {q.conversation_id: q for q in s.scalars(select(Quote).where(
            Quote.conversation_id.in_(conversation_ids), Quote.message_id.is_(None)))}
        found = {cid: (q.text, {}) for cid, q in quotes.items()}
        for cid, name, phrase in s.execute(select(Quote.conversation_id, Tag.name, TagAssignment.phrase)
                                           .join(TagAssignment, TagAssignment.quote_id == Quote.id)
                                           .join(Tag, Tag.id == TagAssignment.tag_id)
                                           .where(Quote.id.in_([q.id for q in quotes.values()]))):
            found[cid][1][name] = phrase
    return found


def counts(ws) -> tuple[int, int, int]:
    with ws.reading() as s:
        return (s.scalar(select(func.count()).select_from(Quote)),
                s.scalar(select(func.count()).select_from(TagAssignment)),
                s.scalar(select(func.count()).select_from(EditRecord)))


def no_suggester_at_work(monkeypatch) -> None:
    """The tagger may not run from here on: what is written was worked out before."""
    def refuse(*_a, **_k):
        raise AssertionError("the suggester ran while the cards were written")
    monkeypatch.setattr(Suggester, "suggest", refuse)


def test_prepared_cards_are_the_cards_made_one_at_a_time_on_real_words(real_incident):
    ws, incident_id, waiting = real_incident
    one_at_a_time = []
    for conversation_id in waiting:  # what a card made alone gets: its text and its suggested chips
        card = CreateQuote(incident_id, conversation_id)
        card.do(ws)
        one_at_a_time.append(card)
    expected = whole_cards(ws, waiting)
    for card in reversed(one_at_a_time):
        card.undo(ws)
    assert whole_cards(ws, waiting) == {}
    add = run_to_end(prepare_whole_cards(ws, incident_id, waiting))
    add.do(ws)
    assert whole_cards(ws, waiting) == expected
    assert sum(1 for _text, chips in expected.values() if chips) >= len(waiting) // 4  # the tagger found things
    assert add.name == f"Add {len(waiting)} Conversations as Cards"


def test_preparing_reports_each_conversation_and_cancel_writes_nothing(real_incident):
    ws, incident_id, waiting = real_incident
    before = counts(ws)
    steps = prepare_whole_cards(ws, incident_id, waiting)
    seen = [next(steps) for _ in range(5)]
    assert seen == [(0, len(waiting)), (1, len(waiting)), (2, len(waiting)), (3, len(waiting)), (4, len(waiting))]
    steps.close()  # Cancel
    assert counts(ws) == before


def test_the_write_runs_no_tagger_and_a_redo_gives_the_same_cards_their_ids(real_incident, monkeypatch):
    ws, incident_id, waiting = real_incident
    add = run_to_end(prepare_whole_cards(ws, incident_id, waiting))
    no_suggester_at_work(monkeypatch)
    history = counts(ws)[2]
    add.do(ws)
    made = whole_cards(ws, waiting)
    ids = dict(add.quote_ids)
    assert set(made) == set(waiting) == set(ids)
    assert counts(ws)[2] == history + (1 if ws.kind.value == "team" else 0)  # one entry in a team's history
    add.undo(ws)  # Ctrl+Z: every card goes, in one step
    assert whole_cards(ws, waiting) == {}
    add.do(ws)  # redo
    assert whole_cards(ws, waiting) == made
    with ws.reading() as s:
        assert {q.conversation_id: q.id for q in s.scalars(select(Quote).where(
            Quote.conversation_id.in_(waiting), Quote.message_id.is_(None)))} == ids


def test_the_write_takes_as_many_statements_for_many_cards_as_for_a_few(real_incident):
    """The write stays short for 500 cards because it never goes card by card: a statement per card (a check, a
    flush, a reach measured) cost seconds on a team workspace."""
    ws, incident_id, waiting = real_incident

    def statements_to_write(conversation_ids) -> int:
        add = run_to_end(prepare_whole_cards(ws, incident_id, conversation_ids))
        seen = []
        listener = lambda *_a: seen.append(1)  # noqa: E731
        event.listen(ws.engine, "before_cursor_execute", listener)
        try:
            add.do(ws)
        finally:
            event.remove(ws.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements_to_write(waiting[:3]) == statements_to_write(waiting[3:])


def test_conversations_carded_or_gone_while_prepared_are_left_out_on_redo_too(real_incident):
    ws, incident_id, waiting = real_incident
    stray = AddConversation(incident_id, NewConversation(channel="chat", customer_name="Noor", messages=[
        ParsedMessage("Noor", "I was charged twice and I want to cancel my account", AT, "customer")]))
    stray.do(ws)
    chosen = [*waiting[:5], stray.conversation_id]
    add = run_to_end(prepare_whole_cards(ws, incident_id, chosen))
    teammates = CreateQuote(incident_id, waiting[1])  # a teammate carded this one meanwhile
    teammates.do(ws)
    stray.undo(ws)  # and this one left the incident
    add.do(ws)
    assert add.name == "Add 4 Conversations as Cards"
    assert set(add.quote_ids) == {waiting[0], *waiting[2:5]}
    assert whole_cards(ws, [waiting[1]])[waiting[1]][0]  # the teammate's card stays, once
    add.undo(ws)
    # carded after the undo (a teammate's: on a file the person's own new card would have cleared the redo)
    again = CreateQuote(incident_id, waiting[0])
    again.do(ws)
    add.do(ws)  # redo
    assert add.name == "Add 3 Conversations as Cards"
    with ws.reading() as s:
        whole = list(s.scalars(select(Quote.conversation_id).where(Quote.conversation_id.in_(waiting[:5]),
                                                                    Quote.message_id.is_(None))))
    assert sorted(whole) == sorted(waiting[:5])  # each once


def test_a_card_whose_messages_changed_while_prepared_is_made_from_them_as_they_are(real_incident, monkeypatch):
    ws, incident_id, waiting = real_incident
    changed, kept = waiting[0], waiting[1]
    add = run_to_end(prepare_whole_cards(ws, incident_id, [changed, kept]))
    with ws.reading() as s:
        author = s.scalars(select(Message.author).where(Message.conversation_id == changed,
                                                        Message.role == "customer")).first()
    CorrectAuthorRole(incident_id, changed, author, "agent").do(ws)  # the importer had it wrong: the words change
    add.do(ws)
    cards = whole_cards(ws, [changed, kept])
    add.undo(ws)
    alone = CreateQuote(incident_id, changed)
    alone.do(ws)
    assert whole_cards(ws, [changed])[changed] == cards[changed]  # as a card made now gets it
    with ws.reading() as s:
        agent_words = "\n".join(t.strip() for t in s.scalars(select(Message.text).where(
            Message.conversation_id == changed).order_by(Message.position)))
    assert cards[changed][0] == agent_words[:2000]  # no customer words left: everyone's
    alone.undo(ws)
    no_suggester_at_work(monkeypatch)
    add.do(ws)  # the redo: the card worked out again is kept, the tagger does not run
    assert whole_cards(ws, [changed, kept]) == cards


def test_an_undo_over_a_card_tagged_since_is_refused_and_keeps_every_card(real_incident):
    ws, incident_id, waiting = real_incident
    add = run_to_end(prepare_whole_cards(ws, incident_id, waiting[:4]))
    add.do(ws)
    confusion = next(t for t in list_tags(ws) if t.name == "confusion")
    AssignTag(incident_id, [add.quote_ids[waiting[2]]], confusion.id, "confusion").do(ws)
    with pytest.raises(ChangedSince):
        add.undo(ws)
    assert set(whole_cards(ws, waiting[:4])) == set(waiting[:4])


def test_a_few_conversations_are_worked_out_as_they_are_written(real_incident):
    """The Conversations window's Card button and scripts: no preparing, the same cards."""
    ws, incident_id, waiting = real_incident
    prepared = run_to_end(prepare_whole_cards(ws, incident_id, waiting[:6]))
    prepared.do(ws)
    expected = whole_cards(ws, waiting[:6])
    prepared.undo(ws)
    quote_whole_conversations(incident_id, waiting[:6]).do(ws)
    assert whole_cards(ws, waiting[:6]) == expected


def test_add_cards_undoes_after_a_learning_pass_worked_their_chips_out_again(real_incident):
    """A decision made while the cards were prepared starts a learning pass after they are written; the chips it
    works out again are the machine's, not someone's work built on the cards: Ctrl+Z of Add Cards still works."""
    from postmortem_desktop.services.suggestions import compute_suggestions, run_suggestions

    ws, incident_id, waiting = real_incident
    run_suggestions(ws, incident_id)
    add = run_to_end(prepare_whole_cards(ws, incident_id, waiting))
    confusion = next(t for t in list_tags(ws) if t.name == "confusion")
    with ws.reading() as s:  # decisions made meanwhile: a card on a customer's words in six of them, tagged
        spans = [(c, s.execute(select(Message.id, Message.text).where(
            Message.conversation_id == c, Message.role == "customer")).first()) for c in waiting[:6]]
    for conversation_id, (message_id, body) in spans:
        card = CreateQuote(incident_id, conversation_id, message_id, 0, len(body))
        card.do(ws)
        AssignTag(incident_id, [card.quote_id], confusion.id, "confusion").do(ws)
    add.do(ws)
    before = whole_cards(ws, waiting)
    run_to_end(compute_suggestions(ws, incident_id, learning=True)).do(ws)
    assert whole_cards(ws, waiting) != before  # the pass did change the new cards' chips
    add.undo(ws)
    assert whole_cards(ws, waiting) == {}


def test_a_tag_renamed_while_add_cards_prepares_keeps_its_chips_under_its_new_name(real_incident):
    """The suggester says tags by name; the prepared cards keep them by id, so a rename meanwhile (here or by a
    teammate) loses no chip. Before, the chips of a renamed tag were left out: no tag had the old name any more."""
    from postmortem_desktop.services.tagging import RenameTag

    ws, incident_id, waiting = real_incident
    add = run_to_end(prepare_whole_cards(ws, incident_id, waiting))
    prepared = whole_cards_of(ws, add)
    renamed = max({tag for chips in prepared.values() for tag in chips},
                  key=lambda tag: sum(tag in chips for chips in prepared.values()))  # the most suggested
    tag_id = next(t.id for t in list_tags(ws) if t.name == renamed)
    RenameTag(tag_id, "renamed-meanwhile").do(ws)
    add.do(ws)
    written = {cid: set(chips) for cid, (_text, chips) in whole_cards(ws, waiting).items()}
    assert written == {cid: {"renamed-meanwhile" if tag == renamed else tag for tag in chips}
                       for cid, chips in prepared.items()}
    assert any("renamed-meanwhile" in chips for chips in written.values())


def whole_cards_of(ws, add) -> dict[int, set[str]]:
    """conversation -> the names of the tags its prepared card suggests, as the tags are named now."""
    names = {t.id: t.name for t in list_tags(ws)}
    return {cid: {names.get(tag, tag) for tag in card.suggested} for cid, card in add._prepared.items()}
