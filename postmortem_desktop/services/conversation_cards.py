"""Many conversations put on the board as whole-conversation cards at once (the board's Add Cards).

The slow part, reading each conversation's messages and running the suggester over them (about 4 s for 500
cards), is `prepare_whole_cards`: a generator of progress steps over a snapshot, for a worker with Cancel, that
writes nothing. What it returns, `QuoteWholeConversations`, writes the cards it prepared in one short
transaction on the window's thread: one undo step, one entry in the incident's history.
"""
from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..analysis.suggester import Suggester
from ..domain.counting import counted
from ..domain.storable_text import storable
from ..domain.vocabulary import TagSource
from ..storage.bulk import db_time, insert_rows, session_cursor
from ..storage.id_sets import among
from ..storage.schema import Conversation, Message, Quote, Tag
from ..storage.undo_reach import Footprint, Reach
from ..storage.workspace import Workspace
from .commands import Edit, RuleError, measure_reach, refuse_undo_if_reached_since
from .quotes import CreateQuote, whole_carded, whole_conversation_card
from .suggestions import session_suggester, workspace_suggester

#: a conversation's messages as a whole-conversation card is made from them: (role, text), in their order
Spoken = list[tuple[str, str]]


@dataclass(frozen=True)
class PreparedCard:
    """A whole-conversation card worked out before it is written, and what it was worked out from."""

    text: str
    # tag id -> stored note (see suggestions.stored_note): by id, as the tags were named when the card was worked
    # out, so a tag renamed while Add Cards prepares keeps its chips (the suggester says names)
    suggested: Mapping[int, str]
    made_from: bytes  # the digest of the messages it was made from: a card is made again when they changed


def spoken_digest(spoken: Spoken) -> bytes:
    """What a card depends on of its conversation's messages, in 16 bytes (the roles and texts in order)."""
    digest = hashlib.blake2b(digest_size=16)
    for role, body in spoken:
        digest.update(f"{len(role)}:{role}{len(body)}:".encode("utf-8", "surrogatepass"))
        digest.update(body.encode("utf-8", "surrogatepass"))
    return digest.digest()


def prepare_card(spoken: Spoken, suggester: Suggester, tag_ids: Mapping[str, int]) -> PreparedCard:
    """tag_ids: each tag's id by its name, read with the conversations (a suggestion of no tag here is left out)."""
    text, suggested = whole_conversation_card(spoken, suggester)
    return PreparedCard(storable(text), {tag_ids[tag]: note for tag, note in suggested.items() if tag in tag_ids},
                        spoken_digest(spoken))


def _tag_ids(session: Session) -> dict[str, int]:
    return {name: tid for tid, name in session.execute(select(Tag.id, Tag.name))}


def _spoken(session: Session, conversation_ids: Iterable[int]) -> dict[int, Spoken]:
    """Each conversation's messages as (role, text) in their order, in one query."""
    spoken: dict[int, Spoken] = {}
    for conversation_id, role, body in session.execute(
            select(Message.conversation_id, Message.role, Message.text)
            .where(among(Message.conversation_id, conversation_ids))
            .order_by(Message.conversation_id, Message.position, Message.id)):
        spoken.setdefault(conversation_id, []).append((role, body))
    return spoken


def prepare_whole_cards(workspace: Workspace, incident_id: int, conversation_ids: Iterable[int]
                        ) -> Generator[tuple[int, int], None, QuoteWholeConversations]:
    """Reads the conversations and runs the workspace's suggester over them, one conversation a step (done, total).

    Returns the edit that writes the cards; nothing is written here, so Cancel (closing the generator) leaves the
    workspace as it was. The suggestions come from the decisions people had made when this began: the board's
    learning pass after the next decision brings them up to date, as it does every card's.
    """
    ids = tuple(dict.fromkeys(conversation_ids))
    with workspace.reading() as session:
        spoken = _spoken(session, ids)
        tag_ids = _tag_ids(session)
    yield 0, len(ids)
    suggester = workspace_suggester(workspace)
    prepared: dict[int, PreparedCard] = {}
    for done, conversation_id in enumerate(ids, start=1):
        prepared[conversation_id] = prepare_card(spoken.get(conversation_id, []), suggester, tag_ids)
        yield done, len(ids)
    return QuoteWholeConversations(incident_id, ids, prepared)


class QuoteWholeConversations(Edit):
    """Puts many conversations on the board as whole-conversation cards, in one transaction and one undo step.

    Each card as CreateQuote makes it: the customer's words, with the tagger's suggestions at once. Cards come
    prepared (prepare_whole_cards, off the window's thread) or are worked out here, with the workspace's suggester
    made once for all; a prepared card whose conversation's messages changed since is worked out again here.
    A conversation that has a whole-conversation card by now (a teammate's, meanwhile), or is no longer in the
    incident, is left out, on a redo too; the step is named by the cards it made. A redo writes the same cards
    with the same ids. Its undo deletes them, so it is refused when another edit since tagged one, linked it
    to an answer or an action item, or took it away (the rule: storage/undo_reach.py).
    """

    changes = CreateQuote.changes

    def __init__(self, incident_id: int, conversation_ids: Iterable[int],
                 prepared: Mapping[int, PreparedCard] | None = None):
        super().__init__(incident_id)
        self.conversation_ids = tuple(dict.fromkeys(conversation_ids))
        self.name = f"Add {counted(len(self.conversation_ids), 'Conversation')} as Cards"
        self._prepared = dict(prepared or {})
        self.quote_ids: dict[int, int] = {}  # conversation -> its card, kept so a redo gives the cards their ids
        self._made: tuple[int, ...] = ()  # the cards the last do wrote
        self._footprint: Footprint | None = None  # those cards with their tags and links, as the do left them

    def apply(self, session: Session) -> None:
        left = self._still_to_card(session)
        chosen = [cid for cid in self.conversation_ids if cid in left]
        if not chosen:
            raise RuleError("Those conversations are on the board already, or no longer in this incident.")
        self.name = f"Add {counted(len(chosen), 'Conversation')} as Cards"
        cards = self._cards(session, chosen)
        self._write_quotes(session, cards)
        self._write_suggestions(session, cards)
        self._made = tuple(self.quote_ids[cid] for cid in chosen)
        self._footprint = measure_reach(session, Reach(quotes=self._made))

    def _still_to_card(self, session: Session) -> set[int]:
        """The conversations still in the incident without a whole-conversation card."""
        ids = self.conversation_ids
        present = set(session.scalars(select(Conversation.id).where(
            among(Conversation.id, ids), Conversation.incident_id == self.incident_id)))
        return present - whole_carded(session, ids)

    def _cards(self, session: Session, chosen: Sequence[int]) -> dict[int, PreparedCard]:
        """The chosen conversations' cards: as prepared, unless their messages changed since (or none was)."""
        spoken = _spoken(session, chosen)
        suggester: Suggester | None = None  # made only when a card must be worked out here: it reads every decision
        tag_ids: dict[str, int] | None = None
        cards: dict[int, PreparedCard] = {}
        for cid in chosen:
            card = self._prepared.get(cid)
            messages = spoken.get(cid, [])
            if card is None or card.made_from != spoken_digest(messages):
                suggester = suggester or session_suggester(session)
                tag_ids = tag_ids if tag_ids is not None else _tag_ids(session)
                # kept: a redo needs not work it out again
                card = self._prepared[cid] = prepare_card(messages, suggester, tag_ids)
            cards[cid] = card
        return cards

    def _write_quotes(self, session: Session, cards: Mapping[int, PreparedCard]) -> None:
        """Inserts the cards' quotes: with the ids a redo keeps, and new ids (read back) for the rest."""
        def row(cid: int) -> dict:
            return {"conversation_id": cid, "message_id": None, "start": 0, "end": 0, "text": cards[cid].text}
        again = [{"id": self.quote_ids[cid], **row(cid)} for cid in cards if cid in self.quote_ids]
        new = [cid for cid in cards if cid not in self.quote_ids]
        if again:
            session.execute(insert(Quote), again)
        if new:  # one card per conversation, so the conversation says which id is whose: no ordered RETURNING,
            # which both drivers give only a statement per row
            made = session.execute(insert(Quote).returning(Quote.conversation_id, Quote.id), [row(cid) for cid in new])
            self.quote_ids.update((conversation_id, quote_id) for conversation_id, quote_id in made)

    def _write_suggestions(self, session: Session, cards: Mapping[int, PreparedCard]) -> None:
        """The cards' suggested chips: ~4,000 rows for 500 cards, COPY on a team workspace (as Suggest Tags writes
        them), which took a third of the write as one statement per row."""
        tags = set(session.scalars(select(Tag.id)))  # not one deleted since the card was worked out
        now = db_time(datetime.now(UTC))
        rows = [(tag_id, self.quote_ids[cid], TagSource.SUGGESTED.value, note, now)
                for cid, card in cards.items() for tag_id, note in card.suggested.items() if tag_id in tags]
        if rows:
            cursor = session_cursor(session)
            try:
                insert_rows(cursor, "tag_assignments", ("tag_id", "quote_id", "source", "phrase", "created_at"), rows)
            finally:
                cursor.close()

    def revert(self, session: Session) -> None:
        assert self._made, "undo before do"
        refuse_undo_if_reached_since(self.name, self._footprint,
                                     measure_reach(session, Reach(quotes=self._made), undoing=True))
        session.execute(delete(Quote).where(among(Quote.id, self._made)))


def quote_whole_conversations(incident_id: int, conversation_ids: list[int]) -> QuoteWholeConversations:
    """One undo step that puts each conversation on the board as a whole-conversation card, worked out as it is
    written: headless use (tests, scripts). The app prepares them on a worker first (prepare_whole_cards)."""
    return QuoteWholeConversations(incident_id, conversation_ids)
