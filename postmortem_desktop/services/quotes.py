"""Quotes: making and deleting quote cards, reading a conversation, and the board's card queries."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Table, delete, insert, select, text, update
from sqlalchemy.orm import Session

from ..analysis.suggester import LOW_CONFIDENCE, Suggester
from ..analysis.tagger import Tagger
from ..domain.changes import DataChange
from ..domain.quote_span import lines_with
from ..domain.suggestion_note import SuggestionNote
from ..domain.vocabulary import Role, TagSource
from ..gc_pause import collector_paused
from ..storage import search_index, team_search
from ..storage.edit_history import last_card_editor
from ..storage.fast_read import read_cursor
from ..storage.id_sets import among
from ..storage.schema import (
    ActionItemLink,
    Base,
    CardEdit,
    Conversation,
    Customer,
    Message,
    Quote,
    ReviewAnswerQuote,
    Tag,
    TagAssignment,
)
from ..storage.undo_reach import Footprint, Reach
from ..storage.workspace import Workspace
from .commands import (
    Edit,
    EditConflict,
    RuleError,
    measure_reach,
    refuse_if_parents_gone,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
    refuse_undo_if_reached_since,
)
from .suggestions import conversation_suggestions, session_suggester, stored_note, suggest_for_role
from .tagging import CardTags, applied_tags, changed_cards, named_columns

WHOLE_CONVERSATION_CHARS = 2000


# ---- plain data -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CardTag:
    tag_id: int
    name: str
    source: str  # manual, accepted or suggested
    phrase: str = ""  # a suggestion's evidence: the matched phrase or the words that weighed most
    reason: str = ""  # a suggestion's why, in a sentence
    confidence: float | None = None  # a suggestion's confidence, None when not known

    @classmethod
    def from_row(cls, tag_id: int, name: str, source: str, stored: str | None) -> CardTag:
        note = SuggestionNote.decode(stored)
        return cls(tag_id, name, source, note.phrase, note.reason, note.confidence)

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE

    def percent(self) -> str:
        return SuggestionNote(self.phrase, self.reason, self.confidence).percent()


@dataclass(frozen=True)
class BoardCard:
    """One quote card as the board shows it."""

    quote_id: int
    conversation_id: int
    message_id: int | None
    text: str
    customer: str  # the person's name, or the organization when no name is known
    organization: str
    segment: str
    channel: str
    at: datetime | None
    customer_task: str
    symptom: str
    pre_existing: bool
    external_id: str
    role: str
    tags: tuple[CardTag, ...] = ()
    suggestions: tuple[CardTag, ...] = ()
    #: the applied tags' ids, kept alongside so the board can bucket 5,000 cards without rebuilding them
    tag_ids: tuple[int, ...] = ()

    def shown_suggestions(self, hide_low_confidence: bool) -> tuple[CardTag, ...]:
        return shown_suggestions(self.suggestions, hide_low_confidence)

    #: the card's own text in lower case, as the board's search reads it: made with the card, not in a search
    folded_text: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded_text", self.text.lower())  # frozen: set once, here (replace() too)

    def has_words(self, words: Sequence[str]) -> bool:
        """Each of the lower-case words is somewhere in the card's own text, inside a longer word too."""
        return holds_words(words)(self.folded_text)

    @property
    def shown_text(self) -> str:
        """What the card face shows: a whole conversation shows the lines its tags' phrases are in."""
        if self.message_id is not None:
            return self.text
        return lines_with(self.text, (t.phrase for t in (*self.tags, *self.suggestions) if t.phrase))


def holds_words(words: Sequence[str]) -> Callable[[str], bool]:
    """The check that a lower-case text holds each of the lower-case words, inside a longer word too. The
    longest word is tried first, the likeliest to be missing: over 5,000 cards at each keystroke, most are
    passed over after one look."""
    first, *rest = sorted(words, key=len, reverse=True) or [""]
    if not rest:
        return lambda text: first in text
    return lambda text: first in text and all(word in text for word in rest)


def shown_suggestions(suggestions: Iterable[CardTag], hide_low_confidence: bool) -> tuple[CardTag, ...]:
    """The suggestions a person sees: all, or only the confident ones while low confidence is hidden."""
    return tuple(s for s in suggestions if not (hide_low_confidence and s.low_confidence))


@dataclass(frozen=True)
class BoardFilter:
    text: str = ""
    tag_id: int | None = None  # None: any; UNSORTED: cards without tags
    channel: str = ""
    segment: str = ""
    scope: str = "all"  # "all", "incident" (not pre-existing) or "pre_existing"


UNSORTED = -1


@dataclass(frozen=True)
class MessageView:
    id: int
    position: int
    at: datetime | None
    author: str
    role: str
    text: str
    suggestions: tuple[CardTag, ...] = ()  # pending suggested tags on this message


@dataclass(frozen=True)
class QuoteSpan:
    id: int
    message_id: int | None
    start: int
    end: int


@dataclass(frozen=True)
class ConversationView:
    id: int
    incident_id: int
    external_id: str
    channel: str
    subject: str
    customer: str
    segment: str
    customer_task: str
    symptom: str
    pre_existing: bool
    messages: tuple[MessageView, ...] = ()
    quotes: tuple[QuoteSpan, ...] = field(default_factory=tuple)


# ---- reading ------------------------------------------------------------------------------------

def _customer_label(name: str | None, organization: str | None) -> str:
    name, organization = name or "", organization or ""
    if name and organization:
        return f"{name} ({organization})"
    return name or organization


def _decided_on_cards(session: Session, conversation_id: int) -> set[tuple[int, int | None]]:
    """(tag, message) of each decision (tagged, accepted, dismissed) on the conversation's cards: the card's message,
    or None for a whole-conversation card. A message's suggestion of such a tag is not shown: the suggestions stay
    stored (they say the incident was given Suggest Tags, incident_uses_suggestions), only the reader leaves it out."""
    rows = session.execute(text(
        "SELECT ta.tag_id, q.message_id FROM tag_assignments ta JOIN quotes q ON q.id = ta.quote_id "
        "WHERE q.conversation_id = :c AND ta.source <> :s"), {"c": conversation_id, "s": TagSource.SUGGESTED.value})
    return {(tag_id, message_id) for tag_id, message_id in rows}


def read_conversation(workspace: Workspace, conversation_id: int) -> ConversationView:
    with workspace.reading() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            raise RuleError("That conversation is no longer in the workspace.")
        customer = session.get(Customer, conv.customer_id) if conv.customer_id else None
        messages = session.scalars(select(Message).where(Message.conversation_id == conversation_id)
                                   .order_by(Message.position, Message.id)).all()
        quotes = session.scalars(select(Quote).where(Quote.conversation_id == conversation_id)
                                 .order_by(Quote.id)).all()
        pending: dict[int, list[CardTag]] = {}
        on_cards = _decided_on_cards(session, conversation_id)
        for message_id, tag_id, name, phrase in session.execute(text(
                "SELECT ta.message_id, ta.tag_id, t.name, ta.phrase FROM messages m "
                "JOIN tag_assignments ta ON ta.message_id = m.id JOIN tags t ON t.id = ta.tag_id "
                "WHERE m.conversation_id = :c AND ta.source = :s ORDER BY t.position, t.id"),
                {"c": conversation_id, "s": TagSource.SUGGESTED.value}):
            if (tag_id, message_id) in on_cards or (tag_id, None) in on_cards:
                continue  # its card has the tag, or the person said no there: the card's own words were the evidence
            pending.setdefault(message_id, []).append(CardTag.from_row(tag_id, name, TagSource.SUGGESTED.value,
                                                                       phrase))
        return ConversationView(
            id=conv.id, incident_id=conv.incident_id, external_id=conv.external_id or "", channel=conv.channel,
            subject=conv.subject, customer=_customer_label(customer.name if customer else None,
                                                           customer.organization if customer else None),
            segment=customer.segment if customer else "", customer_task=conv.customer_task,
            symptom=conv.symptom, pre_existing=conv.pre_existing,
            messages=tuple(MessageView(m.id, m.position, m.at, m.author, m.role, m.text,
                                       tuple(pending.get(m.id, ()))) for m in messages),
            quotes=tuple(QuoteSpan(q.id, q.message_id, q.start, q.end) for q in quotes),
        )


# One query for the cards and their tags: the incident's conversations are read once, not once for the cards
# and again for their tags (a full pass over 100k conversations each on PostgreSQL). A card with two tags
# comes as two rows; a card without tags as one row whose tag columns are NULL.
# CROSS JOIN keeps SQLite reading the (few) quotes first rather than every conversation of the incident;
# its condition is in WHERE because PostgreSQL (a team workspace) allows no ON after CROSS JOIN.
_CARD_SQL = (
    "SELECT q.id, q.conversation_id, q.message_id, q.text, m.at, c.first_at, m.role, c.channel, "
    "c.customer_task, c.symptom, c.pre_existing, c.external_id, cu.name, cu.organization, cu.segment, "
    "ta.tag_id, t.name, ta.source, ta.phrase, t.position "
    "FROM quotes q CROSS JOIN conversations c "
    "LEFT JOIN messages m ON m.id = q.message_id LEFT JOIN customers cu ON cu.id = c.customer_id "
    "LEFT JOIN tag_assignments ta ON ta.quote_id = q.id AND ta.source <> 'dismissed' "
    "LEFT JOIN tags t ON t.id = ta.tag_id "
    "WHERE c.id = q.conversation_id AND c.incident_id = ?")


def board_cards(workspace: Workspace, incident_id: int, quote_ids: Iterable[int] | None = None) -> list[BoardCard]:
    """The incident's quote cards in time order, with their tags and pending suggestions.

    quote_ids limits the result to those cards (the board refreshes just the ones an edit touched).
    """
    ids = list(quote_ids) if quote_ids is not None else None
    if ids is not None and not ids:
        return []
    if ids is not None:  # the cards an edit touched (a few, or every selected one)
        return _cards_of(workspace, incident_id, ids)
    # the whole board: 5,000 long-lived cards and no cycles (gc_pause.py); frozen afterwards, the board's
    # later full collections no longer walk them in the middle of a filter step or a drag
    with collector_paused():
        return _cards_of(workspace, incident_id, None)


def _cards_of(workspace: Workspace, incident_id: int, ids: list[int] | None) -> list[BoardCard]:
    # the driver's own cursor: 5,000 cards' rows without the ORM's per-row work (or a compiled statement
    # per count of ids)
    with workspace.reading() as session, read_cursor(session) as cursor:
        if ids is None:
            rows = cursor.execute(_CARD_SQL, (incident_id,)).fetchall()
        else:
            rows = cursor.execute(f"{_CARD_SQL} AND {cursor.among('q.id')}",
                                  (incident_id, cursor.ids_param(ids))).fetchall()
    first: dict[int, Sequence] = {}  # each card's first row: the card's own columns
    tags: dict[int, list[tuple[int, int, CardTag]]] = {}  # quote id -> (position, tag id, tag)
    # most cards share a few tags (a manual tag, or a suggestion's phrase): each is made once and shared
    made: dict[tuple, CardTag] = {}
    for row in rows:
        first.setdefault(row[0], row)
        if row[15] is not None:
            key = (row[15], row[16], row[17], row[18])
            tag = made.get(key) or made.setdefault(key, CardTag.from_row(*key))
            tags.setdefault(row[0], []).append((row[19], row[15], tag))
    cards = [_board_card(r, [tag for *_, tag in sorted(tags.get(quote_id, ()), key=_tag_order)])
             for quote_id, r in first.items()]
    cards.sort(key=lambda c: (c.at is None, c.at or datetime.min, c.quote_id))
    return cards


def _tag_order(entry: tuple[int, int, CardTag]) -> tuple[int, int]:
    return entry[0], entry[1]  # the columns' order: position, then id


def _board_card(r: Sequence, card_tags: list[CardTag]) -> BoardCard:
    applied = tuple(t for t in card_tags if t.source != TagSource.SUGGESTED.value)
    return BoardCard(
        quote_id=r[0], conversation_id=r[1], message_id=r[2], text=r[3], at=_stored_time(r[4] or r[5]),
        role=r[6] or "", channel=r[7] or "", customer_task=r[8] or "", symptom=r[9] or "",
        pre_existing=bool(r[10]), external_id=r[11] or "", customer=r[12] or r[13] or "", organization=r[13] or "",
        segment=r[14] or "", tags=applied,
        suggestions=tuple(t for t in card_tags if t.source == TagSource.SUGGESTED.value),
        tag_ids=tuple(t.tag_id for t in applied),
    )


def _stored_time(value: str | datetime | None) -> datetime | None:
    # Parsed here rather than by the column type: 5,000 cards load noticeably faster this way.
    if isinstance(value, datetime):  # a team workspace's driver gives datetimes, SQLite gives text
        return value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def conversation_matched_quote_ids(workspace: Workspace, incident_id: int, query: str) -> set[int]:
    """The incident's cards whose conversation matches the words: a message's text or the subject (full-text index).

    The board's search keeps these and the cards whose own text has the words (filter_cards): that half
    needs no database, the board holds every card's text (a LIKE over 5,000 quotes was a fifth of this).
    """
    if not search_index.search_words(query):
        return set()
    params: dict[str, object] = {"i": incident_id}
    with workspace.reading() as session:
        conn = session.connection()
        params["m"] = search_index.match_parameter(conn, query)
        if search_index.is_team(conn):  # its own plan: see team_search.QUOTED_MATCHES
            return set(session.scalars(text(team_search.QUOTED_MATCHES), params))
        matching_messages, matching_conversations = search_index.matching_ids(conn)
        # The matching ids are gathered once (uncorrelated IN), then each card checks its own
        # conversation's few messages, so a common word over 100k conversations stays cheap.
        sql = text(
            "SELECT q.id FROM quotes q CROSS JOIN conversations c "
            "WHERE c.id = q.conversation_id AND c.incident_id = :i AND ("
            " EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = q.conversation_id AND m.id IN "
            f"  ({matching_messages}))"
            f" OR q.conversation_id IN ({matching_conversations}))")
        return set(session.scalars(sql, params))


def filter_cards(cards: Iterable[BoardCard], board_filter: BoardFilter,
                 conversation_matches: set[int] | None = None) -> list[BoardCard]:
    """The cards a filter keeps.

    With words to search for, a card is kept when its conversation matches them (conversation_matches:
    conversation_matched_quote_ids' answer) or its own text has them all; words that are only
    punctuation match nothing.
    """
    f = board_filter
    words = [w.lower() for w in search_index.search_words(f.text)] if f.text else None
    if words is not None and not words:
        return []
    matches = conversation_matches or set()
    holds = holds_words(words or [])
    kept = []
    for card in cards:
        if words is not None and card.quote_id not in matches and not holds(card.folded_text):
            continue
        if f.channel and card.channel != f.channel:
            continue
        if f.segment and card.segment != f.segment:
            continue
        if f.scope == "incident" and card.pre_existing or f.scope == "pre_existing" and not card.pre_existing:
            continue
        if f.tag_id == UNSORTED and card.tags or f.tag_id not in (None, UNSORTED) and f.tag_id not in card.tag_ids:
            continue
        kept.append(card)
    return kept


# ---- edits --------------------------------------------------------------------------------------

def _trimmed_span(body: str, start: int, end: int) -> tuple[int, int]:
    if not 0 <= start < end <= len(body):
        raise RuleError("Select some text inside one message to make a quote.")
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if start == end:
        raise RuleError("Select some words, not only spaces, to make a quote.")
    return start, end


def _conversation_of(session: Session, incident_id: int, conversation_id: int) -> Conversation:
    conv = session.get(Conversation, conversation_id)
    if conv is None or conv.incident_id != incident_id:
        raise RuleError("That conversation is no longer in this incident.")
    return conv


def whole_carded(session: Session, conversation_ids: Sequence[int]) -> set[int]:
    """Those of the conversations that are on the board as a whole-conversation card (one each at most)."""
    return set(session.scalars(select(Quote.conversation_id).where(
        among(Quote.conversation_id, conversation_ids), Quote.message_id.is_(None))))


def whole_conversation_card(messages: Sequence[tuple[str, str]],
                            tagger: Tagger | Suggester) -> tuple[str, dict[str, str]]:
    """A whole-conversation card's text and suggested tags (tag -> stored note), from the conversation's messages
    as (role, text) in their order: the customer's words (everyone's when the customer said nothing), and what
    the tagger suggests on each message, as Suggest Tags does for such a card."""
    voiced = [body for role, body in messages if role == Role.CUSTOMER.value] or [body for _, body in messages]
    text_ = "\n".join(body.strip() for body in voiced)[:WHOLE_CONVERSATION_CHARS]
    return text_, conversation_suggestions(suggest_for_role(tagger, body, role) for role, body in messages)


class CreateQuote(Edit):
    """Makes a quote card from a message span, or from a whole conversation (message_id None).

    The new card gets the tagger's suggestions at once, as ghost badges. Its undo deletes the card, so it is
    refused when another edit since tagged it, linked it to an answer or an action item, or took it away
    (the rule: storage/undo_reach.py).
    """

    changes = DataChange.QUOTE | DataChange.TAG

    def __init__(self, incident_id: int, conversation_id: int, message_id: int | None = None, start: int = 0,
                 end: int = 0):
        super().__init__(incident_id)
        self.conversation_id, self.message_id = conversation_id, message_id
        self.start, self.end = start, end
        self.name = "Make Quote" if message_id is not None else "Quote Whole Conversation"
        self.quote_id: int | None = None
        self._made: Footprint | None = None  # the card with its tags and links, as this edit left it

    def apply(self, session: Session, suggester: Suggester | None = None) -> None:
        """suggester: the workspace's, when the caller made it already in this transaction (it reads every
        example a person decided: once per card would be once too often for many cards)."""
        conv = _conversation_of(session, self.incident_id, self.conversation_id)
        messages = session.scalars(select(Message).where(Message.conversation_id == conv.id)
                                   .order_by(Message.position, Message.id)).all()
        quote, suggested = self._build(session, messages, suggester or session_suggester(session))
        if self.quote_id is not None:  # redo keeps the id so later commands still match
            quote.id = self.quote_id
        session.add(quote)
        session.flush()
        self.quote_id = quote.id
        tag_ids = {name: tid for tid, name in session.execute(select(Tag.id, Tag.name))}
        rows = [{"tag_id": tag_ids[tag], "quote_id": quote.id, "source": TagSource.SUGGESTED.value,
                 "phrase": phrase} for tag, phrase in suggested.items() if tag in tag_ids]
        if rows:
            session.execute(insert(TagAssignment), rows)
        self._made = measure_reach(session, Reach(quotes=(quote.id,)))

    def _build(self, session, messages: Sequence[Message], tagger) -> tuple[Quote, dict[str, str]]:  # noqa: ANN001
        if self.message_id is None:
            if whole_carded(session, [self.conversation_id]):
                raise RuleError("This whole conversation is already a card on the board.")
            body, suggested = whole_conversation_card([(m.role, m.text) for m in messages], tagger)
            return Quote(conversation_id=self.conversation_id, message_id=None, start=0, end=0, text=body), suggested
        message = next((m for m in messages if m.id == self.message_id), None)
        if message is None:
            raise RuleError("That message is not part of this conversation.")
        start, end = _trimmed_span(message.text, self.start, self.end)
        if session.scalar(select(Quote.id).where(Quote.message_id == message.id, Quote.start == start,
                                                 Quote.end == end)):
            raise RuleError("That text is already a quote.")
        body = message.text[start:end]
        suggested = {s.tag: stored_note(s) for s in suggest_for_role(tagger, body, message.role)}
        return Quote(conversation_id=self.conversation_id, message_id=message.id, start=start, end=end,
                     text=body), suggested

    def revert(self, session: Session) -> None:
        assert self.quote_id is not None, "undo before do"
        refuse_undo_if_reached_since(self.name, self._made,
                                     measure_reach(session, Reach(quotes=(self.quote_id,)), undoing=True))
        session.execute(delete(Quote).where(Quote.id == self.quote_id))


class DeleteQuote(Edit):
    """Removes quote cards with their tags and links; undo puts every row back with its id.

    Made from what the board showed (`made_from`), it is refused with EditConflict when someone else changed
    the cards' columns since: deleting would throw away their tagging unseen.
    """

    refused_when_closed = True

    changes = DataChange.QUOTE | DataChange.TAG | DataChange.ACTION_ITEM | DataChange.REVIEW  # links go too
    # its undo puts back the cards' histories too (CardEdit): it changes no card's columns, so it records none
    _DEPENDENTS = (TagAssignment, CardEdit, ActionItemLink, ReviewAnswerQuote)

    def __init__(self, incident_id: int, quote_ids: Iterable[int]):
        super().__init__(incident_id)
        self.quote_ids = tuple(dict.fromkeys(quote_ids))
        if not self.quote_ids:
            raise RuleError("Select a card to delete.")
        self.name = "Delete Quote" if len(self.quote_ids) == 1 else f"Delete {len(self.quote_ids)} Quotes"
        self._changed_since_shown: tuple[int, ...] = ()
        self._rows: dict[str, list[dict]] = {}
        self.based_on: dict[int, frozenset[int]] | None = None  # the cards' columns as shown; None: unchecked
        self._undone_to: dict[int, frozenset[int]] | None = None  # the cards' columns as the last undo left them

    def made_from(self, shown: CardTags) -> DeleteQuote:
        """Says which columns the cards showed when the person chose to delete them (checked when it runs)."""
        self.based_on = {quote_id: frozenset(shown.get(quote_id, ())) for quote_id in self.quote_ids}
        return self

    def apply(self, session: Session) -> None:
        quotes = Quote.__table__
        first_time = not self._rows
        # locked until commit on a team workspace, as a tag edit locks them: the check below stays true
        self._rows = {"quotes": [dict(r._mapping) for r in session.execute(
            quotes.select().where(among(quotes.c.id, self.quote_ids)).order_by(quotes.c.id).with_for_update())]}
        if not self._rows["quotes"]:
            raise RuleError("That card was already deleted.")
        owners = set(session.scalars(select(Conversation.incident_id).where(
            among(Conversation.id, {row["conversation_id"] for row in self._rows["quotes"]}))))
        if owners != {self.incident_id}:  # the closed-record rule was checked for this incident only
            raise RuleError("Those cards belong to another incident.")
        if first_time and self.based_on is not None:
            stored = applied_tags(session, self.quote_ids)
            if stored != self.based_on:
                self._rows = {}
                self._changed_since_shown = changed_cards(self.based_on, stored)
                raise EditConflict(self.name, based_on=named_columns(session, self.based_on), yours=None,
                                   theirs=named_columns(session, stored))
        if self._undone_to is not None:  # a redo: the cards as its undo put them back, or someone's since
            refuse_redo_if_changed_since(self.name, self._undone_to, applied_tags(session, self.quote_ids))
        for model in self._DEPENDENTS:
            table = _table(model)
            self._rows[table.name] = [dict(r._mapping) for r in session.execute(
                table.select().where(among(table.c.quote_id, self.quote_ids)))]
        session.execute(delete(Quote).where(among(Quote.id, self.quote_ids)))

    def changed_by(self, session: Session, user: str) -> str:
        return last_card_editor(session, self._changed_since_shown, user)

    def revert(self, session: Session) -> None:
        for model in (Quote, *self._DEPENDENTS):  # a conversation, column, action item or answer deleted since
            refuse_if_parents_gone(session, self.name, _table(model), self._rows.get(_table(model).name, []),
                                   put_back=("quotes",))
        for model in (Quote, *self._DEPENDENTS):
            rows = self._rows.get(_table(model).name)
            if rows:
                session.execute(insert(_table(model)), rows)
        self._undone_to = applied_tags(session, self.quote_ids)


def _table(model: type[Base]) -> Table:
    """The model's Table: the declarative base types `__table__` only as a FromClause."""
    table = model.__table__
    assert isinstance(table, Table)  # every class in storage.schema maps one Table
    return table


class CorrectAuthorRole(Edit):
    """Sets the role of every message by one author in a conversation (an importer guessed wrong).

    Made from the roles the reader showed (`shown`: by message id), it is refused (EditConflict) when a teammate
    corrected that author since; None: no check. Its undo and redo are refused (ChangedSince) when a teammate
    changed those messages' roles since, rather than overwriting their correction."""

    refused_when_closed = True
    conflicts_with_names = "Mark % as %"  # any author's correction: the history does not say whose

    changes = DataChange.CONVERSATION

    def __init__(self, incident_id: int, conversation_id: int, author: str, role: str, *,
                 shown: dict[int, str] | None = None):
        if role not in {r.value for r in Role}:
            raise RuleError(f"A role is one of: {', '.join(r.value for r in Role)}.")
        super().__init__(incident_id)
        self.conversation_id, self.author, self.role = conversation_id, author, role
        self.shown = dict(shown) if shown is not None else None
        self.name = f"Mark {author or 'author'} as {role}"
        self._old: dict[int, str] = {}
        self._undone = False  # undone at least once: a later apply is a redo

    def apply(self, session: Session) -> None:
        _conversation_of(session, self.incident_id, self.conversation_id)
        stored = self._roles(session, Message.author == self.author)
        if not stored:
            raise RuleError(f"No message in this conversation is by {self.author}.")
        if self._undone:  # a redo: over the roles its undo put back, or a teammate's correction since
            refuse_redo_if_changed_since(self.name, self._old, stored)
        elif self.shown is not None:
            theirs = {message_id: stored.get(message_id) for message_id in self.shown}
            if theirs != self.shown:
                raise EditConflict(self.name, based_on=self.shown, yours=self.role, theirs=theirs)
        self._old = stored
        session.execute(update(Message).where(among(Message.id, self._old)).values(role=self.role))

    def revert(self, session: Session) -> None:
        stored = self._roles(session, among(Message.id, self._old))
        # a teammate's correction since would be overwritten; messages gone since (with their conversation) are not
        refuse_undo_if_changed_since(self.name, dict.fromkeys(stored, self.role), stored)
        self._undone = True
        for message_id, role in self._old.items():
            session.execute(update(Message).where(Message.id == message_id).values(role=role))

    def _roles(self, session: Session, which: ColumnElement[bool]) -> dict[int, str]:
        """The stored roles of this conversation's messages `which` picks, by id; locked until commit on a team
        workspace, so a teammate's correction waits for this edit rather than slipping in after the check."""
        return dict(session.execute(select(Message.id, Message.role).where(
            Message.conversation_id == self.conversation_id, which).with_for_update()).all())


__all__ = [
    "BoardCard", "shown_suggestions", "BoardFilter", "CardTag", "ConversationView",
    "CorrectAuthorRole", "CreateQuote", "DeleteQuote", "MessageView", "QuoteSpan", "UNSORTED", "board_cards",
    "conversation_matched_quote_ids", "filter_cards", "read_conversation",
]


def uncarded_conversations_with_suggestions(workspace: Workspace, incident_id: int, limit: int = 500) -> list[int]:
    """Conversations whose messages have suggested tags but which have no card on the board yet.

    After an import, this is the quickest way from 'the tagger saw something' to cards to sort.
    """
    sql = text(
        "SELECT DISTINCT m.conversation_id FROM tag_assignments t JOIN messages m ON m.id = t.message_id "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.incident_id = :i AND t.source = 'suggested' "
        "AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.conversation_id = m.conversation_id) "
        "ORDER BY m.conversation_id LIMIT :l")
    with workspace.reading() as session:
        return list(session.scalars(sql, {"i": incident_id, "l": limit}))
