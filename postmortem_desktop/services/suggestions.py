"""Suggested tags: runs the suggester over an incident's messages and quotes and stores ghost badges.

The suggester combines the phrase patterns (shipped plus the workspace's own), the shipped tag model
and the workspace's own decisions: every tag a person set or accepted, and every suggestion they
dismissed, in any incident of the workspace.
"""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select, text
from sqlalchemy.orm import Session

from ..analysis.example_memory import Example, ExampleMemory
from ..analysis.phrase_patterns import validate_patterns
from ..analysis.suggester import AGENT_ONLY_TAGS, Suggester, Suggestion
from ..analysis.tag_model import TagModel
from ..analysis.tagger import Tagger, TagSuggestion
from ..domain.changes import DataChange
from ..domain.suggestion_note import SuggestionNote
from ..domain.vocabulary import Role, TagSource
from ..storage import incident_settings
from ..storage.bulk import BulkCursor, db_time, insert_rows, session_cursor
from ..storage.id_sets import among
from ..storage.incident_locks import SUGGESTIONS, hold_for_incident
from ..storage.incident_settings import SUGGESTIONS_PREFIX, setting_key
from ..storage.schema import Message, Quote, Tag, TagAssignment, WorkspaceSetting
from ..storage.workspace import Workspace
from .commands import ChangedSince, Edit, RuleError
from .settings import SetSetting, get_setting
from .suggestion_store import OF_INCIDENT as _OF_INCIDENT
from .suggestion_store import ROW_COLUMNS as _ROW_COLUMNS
from .suggestion_store import SOURCE as _SOURCE
from .suggestion_store import STORED_COLUMNS as _STORED_COLUMNS
from .suggestion_store import (
    Difference,
    Stored,
    bump_stored,
    compared,
    incident_rows,
    key_of,
    store,
    stored_mark,
    take_back,
    work_out,
)

EXTRA_PATTERNS_KEY = "tag_patterns_extra"
#: what a learning pass (StoreSuggestions(learning=True)) is called in the incident's history
LEARNING_NAME = "Update Suggested Tags from Decisions"
PROGRESS_EVERY = 500
_DECIDED = (TagSource.MANUAL.value, TagSource.ACCEPTED.value, TagSource.DISMISSED.value)

_cache_lock = threading.Lock()
_tagger_cache: dict[str, Tagger] = {}


def tagger_for_extras(extras_json: str) -> Tagger:
    """The shipped patterns plus a workspace's extras; built once per distinct extras text."""
    with _cache_lock:
        tagger = _tagger_cache.get(extras_json)
        if tagger is None:
            extra = json.loads(extras_json) if extras_json.strip() else None
            tagger = Tagger.from_patterns(extra=extra)
            _tagger_cache[extras_json] = tagger
        return tagger


def workspace_tagger(workspace: Workspace) -> Tagger:
    """The phrase patterns alone: shipped plus the workspace's own."""
    return tagger_for_extras(get_setting(workspace, EXTRA_PATTERNS_KEY, ""))


_model: TagModel | None = None


def shipped_model() -> TagModel:
    """The tag model in resources/, read once per process."""
    global _model
    with _cache_lock:
        if _model is None:
            _model = TagModel.load()
        return _model


def workspace_examples(workspace: Workspace) -> list[Example]:
    """Every decision a person made in this workspace, across its incidents, oldest first."""
    with workspace.reading() as session:
        return _examples(session)


def _examples(session: Session) -> list[Example]:
    rows = session.execute(text(
        "SELECT t.name, ta.source, COALESCE(q.text, m.text) FROM tag_assignments ta "
        "JOIN tags t ON t.id = ta.tag_id LEFT JOIN quotes q ON q.id = ta.quote_id "
        "LEFT JOIN messages m ON m.id = ta.message_id "
        f"WHERE ta.source IN ({', '.join(repr(s) for s in _DECIDED)}) ORDER BY ta.id")).all()
    return [Example(body, name, source != TagSource.DISMISSED.value) for name, source, body in rows if body]


def workspace_suggester(workspace: Workspace, with_examples: bool = True) -> Suggester:
    """Patterns, the shipped model and (unless told not to) what this workspace's people decided."""
    memory = ExampleMemory(workspace_examples(workspace)) if with_examples else ExampleMemory()
    return Suggester(workspace_tagger(workspace), shipped_model(), memory)


def session_suggester(session: Session) -> Suggester:
    """workspace_suggester, read inside an edit's own transaction (a new card's suggestions)."""
    row = session.get(WorkspaceSetting, EXTRA_PATTERNS_KEY)
    return Suggester(tagger_for_extras(row.value if row is not None else ""), shipped_model(),
                     ExampleMemory(_examples(session)))


def stored_note(suggestion: Suggestion | TagSuggestion) -> str:
    """What a suggestion row keeps in its phrase column: the evidence, the reason and the confidence."""
    if isinstance(suggestion, Suggestion):
        return SuggestionNote(suggestion.phrase, suggestion.reason, suggestion.confidence).encode()
    return SuggestionNote(suggestion.phrase).encode()


class SetPatternExtras(SetSetting):
    """Stores a workspace's own phrase patterns (same shape as resources/tag_patterns.json)."""

    def __init__(self, extras: dict):
        try:
            validate_patterns(extras)
        except ValueError as exc:
            raise RuleError(f"These patterns cannot be used: {exc}") from exc
        super().__init__(EXTRA_PATTERNS_KEY, json.dumps(extras, ensure_ascii=False), "Change Tag Patterns")
        self.changes = DataChange.SETTING | DataChange.TAG


def suggest_for_role(tagger: Tagger | Suggester, text_: str, role: str | None) -> list:
    """The suggestions, without agent-wording tags on anything but an agent's words.

    role None means unknown (command-line input without a role): nothing is filtered.
    """
    if isinstance(tagger, Suggester):
        return tagger.suggest(text_, role)
    found = tagger.suggest(text_)
    if role is None or role == Role.AGENT.value:
        return found
    return [s for s in found if s.tag not in AGENT_ONLY_TAGS]


@dataclass(frozen=True)
class Targets:
    """The quotes and messages suggestions were worked out over: each quote by id with what it was (conversation,
    message, text), since a file gives a deleted card's id to the next card made; messages by id."""

    quotes: Mapping[int, tuple]
    messages: frozenset[int]


@dataclass(frozen=True)
class FoundSuggestion:
    """One suggestion to store: on a quote (quote_id) or on a message (message_id)."""

    tag_id: int
    phrase: str  # as stored: see stored_note
    quote_id: int | None = None
    message_id: int | None = None


def conversation_suggestions(by_message: Iterable[list]) -> dict[str, str]:
    """tag -> stored note for a whole conversation: each tag's most confident suggestion, first one on ties."""
    best: dict[str, Suggestion | TagSuggestion] = {}
    for suggestions in by_message:
        for s in suggestions:
            if s.tag not in best or getattr(s, "confidence", 1.0) > getattr(best[s.tag], "confidence", 1.0):
                best[s.tag] = s
    return {tag: stored_note(s) for tag, s in best.items()}


def incident_uses_suggestions(workspace: Workspace, incident_id: int) -> bool:
    """Whether a person asked for the incident's suggested tags (Suggest Tags), and that was not undone.

    Learning from a decision only refreshes suggestions a person asked for: an incident never given Suggest Tags
    does not sprout chips because a card was dragged, and one whose Suggest Tags was undone stays without them. It
    is said by a setting of the incident's own (`_asked`), not read from the suggestions there are: a Suggest Tags
    that found nothing on the messages then learns from the decisions made after it, as one that found some does.
    """
    with workspace.reading() as session:
        return _asked(session, incident_id)


def _asked_key(incident_id: int) -> str:
    return setting_key(SUGGESTIONS_PREFIX, incident_id, "asked")


def _asked(session: Session, incident_id: int) -> bool:
    """The incident's setting: "1" asked (Suggest Tags wrote it; its undo puts back what was there before). None:
    never asked here, or asked before the setting existed: asked if it has suggestions on messages, which only
    Suggest Tags makes."""
    asked = incident_settings.value(session, _asked_key(incident_id))
    if asked is not None:
        return asked == "1"
    return _suggests_on_messages(session_cursor(session), incident_id)


def _run_key(incident_id: int) -> str:
    return setting_key(SUGGESTIONS_PREFIX, incident_id, "run")


def _set_asked(session: Session, incident_id: int, value: str | None) -> str | None:
    """Writes the incident's "asked" setting (None: none); returns what it was."""
    return incident_settings.put(session, _asked_key(incident_id), value)


def _stored_run(session: Session, incident_id: int) -> str | None:
    """Which Suggest Tags the incident's suggestions are now from (its token), None when none says."""
    return incident_settings.value(session, _run_key(incident_id))


def _suggests_on_messages(cursor: BulkCursor, incident_id: int) -> bool:
    return cursor.execute(
        "SELECT 1 FROM tag_assignments ta JOIN messages m ON m.id = ta.message_id "
        "JOIN conversations c ON c.id = m.conversation_id WHERE c.incident_id = ? AND ta.source = ? LIMIT 1",
        (incident_id, TagSource.SUGGESTED.value)).fetchone() is not None


def compute_suggestions(workspace: Workspace, incident_id: int, tagger: Tagger | Suggester | None = None, *,
                        learning: bool = False) -> Generator[tuple[int, int], None, StoreSuggestions]:
    """Reads the incident's messages and quotes, runs the suggester, yields (done, total).

    Returns the StoreSuggestions command to run (undoable); nothing is written here, so Cancel
    leaves the workspace untouched. A bare Tagger (phrase patterns only) is accepted for tests.
    learning: worked out again after a decision, not asked for (see StoreSuggestions).
    """
    tagger = tagger or workspace_suggester(workspace)
    with workspace.reading() as session:
        # a learning pass: the counter of the incident's stores before anything else (a store after it makes
        # this pass stale, whatever it read after), then the suggestions it works out its difference against
        base = stored_mark(session, incident_id) if learning else None
        tag_ids = {name: tid for tid, name in session.execute(select(Tag.id, Tag.name))}
        messages = session.execute(text(
            "SELECT m.id, m.conversation_id, m.role, m.text FROM conversations c "
            "JOIN messages m ON m.conversation_id = c.id WHERE c.incident_id = :i "
            "ORDER BY m.conversation_id, m.position"), {"i": incident_id}).all()
        quotes = session.execute(text(
            "SELECT q.id, q.conversation_id, q.message_id, q.text, m.role FROM quotes q "
            "CROSS JOIN conversations c LEFT JOIN messages m ON m.id = q.message_id "
            "WHERE c.id = q.conversation_id AND c.incident_id = :i"), {"i": incident_id}).all()
        rows = incident_rows(session_cursor(session), incident_id) if learning else []
    total = len(messages) + len(quotes)
    found: list[FoundSuggestion] = []
    per_conversation: dict[int, list[list[TagSuggestion]]] = {}
    for done, (message_id, conversation_id, role, body) in enumerate(messages):
        suggestions = suggest_for_role(tagger, body or "", role)
        per_conversation.setdefault(conversation_id, []).append(suggestions)
        found.extend(FoundSuggestion(tag_ids[s.tag], stored_note(s), message_id=message_id)
                     for s in suggestions if s.tag in tag_ids)
        if done % PROGRESS_EVERY == 0:
            yield done, total
    for done, (quote_id, conversation_id, message_id, body, role) in enumerate(quotes, start=len(messages)):
        if message_id is None:  # a whole-conversation card: what its messages suggested
            pairs = list(conversation_suggestions(per_conversation.get(conversation_id, [])).items())
        else:
            pairs = [(s.tag, stored_note(s)) for s in suggest_for_role(tagger, body or "", role)]
        found.extend(FoundSuggestion(tag_ids[tag], phrase, quote_id=quote_id) for tag, phrase in pairs
                     if tag in tag_ids)
        if done % PROGRESS_EVERY == 0:
            yield done, total
    yield total, total
    read = Targets({q[0]: (q[1], q[2], q[3]) for q in quotes}, frozenset(m[0] for m in messages))
    # a learning pass carries the difference, worked out here: its store on the window's thread writes only that
    difference = work_out(base, rows, (((f.tag_id, f.quote_id, f.message_id), f.phrase) for f in found),
                          read.quotes, read.messages) if learning else None
    return StoreSuggestions(incident_id, found, learning=learning, read=read, difference=difference)


def run_suggestions(workspace: Workspace, incident_id: int, tagger: Tagger | None = None) -> StoreSuggestions:
    """Headless helper: computes and stores the suggestions at once (CLI, tests)."""
    generator = compute_suggestions(workspace, incident_id, tagger)
    while True:
        try:
            next(generator)
        except StopIteration as stop:
            command = stop.value
            break
    command.do(workspace)
    return command


class StoreSuggestions(Edit):
    """Replaces an incident's pending suggestions; never touches tags a person set or dismissed."""
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.TAG
    name = "Suggest Tags"

    def __init__(self, incident_id: int, found: list[FoundSuggestion], *, learning: bool = False,
                 read: Targets | None = None, difference: Difference | None = None):
        """learning: the suggestions worked out again after a decision (the board's learning pass), which stores
        nothing when the incident no longer has any (its Suggest Tags was undone while the pass ran).
        read: the quotes and messages the suggestions were worked out over (None: all the incident's). A pending
        suggestion on one made after that read (a card dragged out meanwhile, here or by a teammate) is left
        as it is: nothing was worked out for it, so nothing here says it is no longer wanted.
        difference: a learning pass's, worked out on the worker against the suggestions as it read them
        (suggestion_store.py): its store writes only that, and nothing when the incident's suggestions were stored
        again since (stale, afterwards). None: worked out in the store's own transaction, from all the rows."""
        self.incident_id = incident_id
        self.found = found
        self.learning = learning
        self.read = read
        self.difference = difference
        self.stale = False  # a learning pass's difference was against suggestions stored again since: none stored
        self._learned = Stored()  # what a learning pass wrote (its revert takes that back)
        self._judged: set[int] = set()  # the read quotes still as they were read, when stored (apply)
        if learning:  # in a team's incident history after each decision: not a Suggest Tags anyone asked for
            self.name = LEARNING_NAME
        self._old: list[tuple] = []  # the pending suggestions replaced, as _ROW_COLUMNS (what an undo writes back)
        self._old_asked: str | None = None  # the incident's "asked" setting before (what an undo writes back)
        # which Suggest Tags the incident's suggestions are from: this one's token once it is stored, so its undo
        # (and a redo) can tell whether a teammate's Suggest Tags replaced them since (_refuse_over_another)
        self._run = "" if learning else uuid.uuid4().hex
        self._old_run: str | None = None  # the token before (what an undo writes back)
        self._undone = False
        self.stored = 0

    def _still_there(self, session):  # noqa: ANN001, ANN202
        """Suggestions were found on a snapshot while the board stayed editable: skip deleted targets."""
        quote_ids = {f.quote_id for f in self.found if f.quote_id is not None}
        message_ids = {f.message_id for f in self.found if f.message_id is not None}
        tag_ids = {f.tag_id for f in self.found}
        if self.read is not None:  # still there and still the card it was when read (not a new one given its id)
            live_quotes = quote_ids & self._judged
        else:
            live_quotes = set(session.scalars(select(Quote.id).where(among(Quote.id, quote_ids)))) if quote_ids \
                else set()
        live_messages = set(session.scalars(select(Message.id).where(among(Message.id, message_ids)))) \
            if message_ids else set()
        live_tags = set(session.scalars(select(Tag.id).where(among(Tag.id, tag_ids)))) if tag_ids else set()
        return lambda f: f.tag_id in live_tags and (
            f.quote_id in live_quotes if f.quote_id is not None else f.message_id in live_messages)

    def apply(self, session: Session) -> None:
        hold_for_incident(session, SUGGESTIONS, self.incident_id)  # a teammate's learning pass: after it, not beside
        if self.learning:
            if not _asked(session, self.incident_id):
                self.stored, self.wrote_nothing = 0, True
                return  # Suggest Tags was undone (here or by a teammate) while this pass ran: it stays undone
            # after every decision: only the difference worked out on the worker is written here (suggestion_store)
            self._store_learned(session)
            # most decisions change no other suggestion: such a pass (or a stale one) is no edit in the history
            self.wrote_nothing = not (self._learned.old or self._learned.added)
            return
        cursor = session_cursor(session)
        if self._undone:  # a redo: over what its undo left, not over a teammate's Suggest Tags since
            self._refuse_over_another(session, self._old_run, undoing=False)
        # a person asked: the decisions made from now on are learned from
        self._old_asked = _set_asked(session, self.incident_id, "1")
        self._old_run = incident_settings.put(session, _run_key(self.incident_id), self._run)
        bump_stored(session, self.incident_id)  # a learning pass worked out before this is against old rows
        self._judged = self._still_as_read(session)
        # the driver's rows, times as stored: read once, when a person asks (a learning pass reads them on its worker)
        existing = incident_rows(cursor, self.incident_id)
        self._old = [row for row in existing if row[_SOURCE] == TagSource.SUGGESTED.value]
        decided = {key_of(row) for row in existing if row[_SOURCE] != TagSource.SUGGESTED.value}
        wanted = self._wanted(session, decided)
        # only what changed is written: a Suggest Tags again over an 80k-message incident's 170k rows comes out
        # nearly all as they were
        placed, gone, reworded = compared([row for row in self._old if self._was_read(row)], wanted)
        # each write touches a row only while it is still a suggestion: a teammate may have accepted, dismissed or
        # tagged it since it was read here (the decision keeps the row), and a decision is never undone by a pass
        if gone:
            session.execute(delete(TagAssignment).where(among(TagAssignment.id, gone),
                                                        TagAssignment.source == TagSource.SUGGESTED.value))
        if reworded:
            cursor.executemany("UPDATE tag_assignments SET phrase = ? WHERE id = ? AND source = ?",
                               [(phrase, row_id, TagSource.SUGGESTED.value) for phrase, row_id in reworded])
        now = db_time(datetime.now(UTC))
        rows = [(*key, TagSource.SUGGESTED.value, phrase, now) for key, phrase in wanted.items() if key not in placed]
        # 170k suggestions of an 80k-message incident: through the ORM a team workspace took 9 s (a statement
        # per row), COPY takes a fraction of that; a file's executemany skips the ORM's per-row work too
        insert_rows(cursor, "tag_assignments", _STORED_COLUMNS, rows)
        self.stored = len(wanted)

    def _store_learned(self, session: Session) -> None:
        """A learning pass: writes its difference, worked out on the worker (compute_suggestions)."""
        if self.difference is None or self.read is None:
            raise ValueError("a learning pass is made by compute_suggestions(learning=True), with its difference")
        self._learned = store(session, self.incident_id, self.difference, self.read.quotes)
        self.stale, self.stored = self._learned.stale, self._learned.count

    def _still_as_read(self, session: Session) -> set[int]:
        """The read quotes that are still the cards they were when read (same conversation, message and text)."""
        if self.read is None or not self.read.quotes:
            return set()
        rows = session.execute(select(Quote.id, Quote.conversation_id, Quote.message_id, Quote.text).where(
            among(Quote.id, self.read.quotes)))
        return {row[0] for row in rows if self.read.quotes.get(row[0]) == (row[1], row[2], row[3])}

    def _was_read(self, row: Sequence) -> bool:
        """Whether the row's quote or message was among those the suggestions were worked out over."""
        if self.read is None:
            return True
        quote_id, message_id = row[2], row[3]
        return quote_id in self._judged if quote_id is not None else message_id in self.read.messages

    def _wanted(self, session: Session, decided: set[tuple]) -> dict[tuple, str]:
        """(tag, quote, message) -> phrase of each suggestion to store: the first found of each, none on what a
        person decided or on what was deleted meanwhile."""
        alive = self._still_there(session)
        wanted: dict[tuple, str] = {}
        for f in self.found:
            key = (f.tag_id, f.quote_id, f.message_id)
            if key not in decided and key not in wanted and alive(f):
                wanted[key] = f.phrase
        return wanted

    def _refuse_over_another(self, session: Session, expected: str | None, *, undoing: bool) -> None:
        """Refuses (nothing written) when another Suggest Tags stored the incident's suggestions since this one did
        (undoing) or since its undo (a redo): undoing would take theirs away too, and stop the incident learning
        from the decisions made since, which they asked for; redoing would put this one's older ones over theirs.
        A learning pass stores no token: it never counts."""
        if _stored_run(session, self.incident_id) != expected:
            raise ChangedSince(self.name, undoing=undoing, advice=(
                "Their suggestions stand: dismiss any that do not fit." if undoing else
                "It stays as they left it, with their suggestions: run Suggest Tags again for new ones."))

    def revert(self, session: Session) -> None:
        hold_for_incident(session, SUGGESTIONS, self.incident_id)
        if self.learning:  # never on an undo stack today (session.refresh); taken back row by row if ever
            take_back(session, self._learned)
            if self._learned.old or self._learned.added:
                bump_stored(session, self.incident_id)
            return
        self._refuse_over_another(session, self._run, undoing=True)
        bump_stored(session, self.incident_id)  # a learning pass worked out before this is against old rows
        cursor = session_cursor(session)
        if self.read is None:
            cursor.execute(f"DELETE FROM tag_assignments WHERE source = ? AND ({_OF_INCIDENT})",
                           (TagSource.SUGGESTED.value, self.incident_id, self.incident_id))
        else:  # only on what it read: a card made since (a teammate's) keeps its own chips, as apply left them
            read = or_(among(TagAssignment.quote_id, self._judged),
                       among(TagAssignment.message_id, self.read.messages))
            session.execute(delete(TagAssignment).where(TagAssignment.source == TagSource.SUGGESTED.value, read))
        # what is left are decisions, and the chips of cards made since. A teammate's decision made since on a
        # suggestion this replaced or kept stays (the row, its id): that suggestion does not come back, nor does one
        # beside a card-and-tag decided meanwhile, nor one twice
        left = cursor.execute(f"SELECT id, tag_id, quote_id, message_id FROM tag_assignments WHERE {_OF_INCIDENT}",
                              (self.incident_id, self.incident_id)).fetchall()
        taken, present = {row[0] for row in left}, {key_of(row) for row in left}
        insert_rows(cursor, "tag_assignments", _ROW_COLUMNS,
                    [row for row in self._old if row[0] not in taken and key_of(row) not in present])
        _set_asked(session, self.incident_id, self._old_asked)
        incident_settings.put(session, _run_key(self.incident_id), self._old_run)
        self._undone = True


def pattern_extras(workspace: Workspace) -> dict:
    raw = get_setting(workspace, EXTRA_PATTERNS_KEY, "")
    return json.loads(raw) if raw.strip() else {}


__all__ = [
    "EXTRA_PATTERNS_KEY", "AGENT_ONLY_TAGS", "FoundSuggestion", "SetPatternExtras", "StoreSuggestions", "Targets",
    "compute_suggestions", "conversation_suggestions", "pattern_extras", "run_suggestions", "shipped_model",
    "stored_note", "suggest_for_role", "tagger_for_extras", "workspace_examples", "workspace_suggester",
    "workspace_tagger",
]
