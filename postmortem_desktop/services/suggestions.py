"""Suggested tags: runs the tagger over an incident's messages and quotes and stores ghost badges."""
from __future__ import annotations

import json
import threading
from collections.abc import Generator, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, text

from ..analysis.phrase_patterns import validate_patterns
from ..analysis.tagger import Tagger, TagSuggestion
from ..domain.vocabulary import Role, TagSource
from ..storage.schema import Message, Quote, Tag, TagAssignment
from ..storage.workspace import Workspace
from .commands import Command, RuleError
from .settings import SetSetting, get_setting

EXTRA_PATTERNS_KEY = "tag_patterns_extra"
#: tags about how agents worded things: suggested on agents' messages only
AGENT_ONLY_TAGS = frozenset({"calming-wording", "worsening-wording"})
PROGRESS_EVERY = 500

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
    return tagger_for_extras(get_setting(workspace, EXTRA_PATTERNS_KEY, ""))


class SetPatternExtras(SetSetting):
    """Stores a workspace's own phrase patterns (same shape as resources/tag_patterns.json)."""

    def __init__(self, extras: dict):
        try:
            validate_patterns(extras)
        except ValueError as exc:
            raise RuleError(f"These patterns cannot be used: {exc}") from exc
        super().__init__(EXTRA_PATTERNS_KEY, json.dumps(extras, ensure_ascii=False), "Change Tag Patterns")
        self.affects = frozenset({"board"})


def suggest_for_role(tagger: Tagger, text_: str, role: str | None) -> list[TagSuggestion]:
    """The tagger's suggestions, without agent-wording tags on anything but an agent's words.

    role None means unknown (command-line input without a role): nothing is filtered.
    """
    found = tagger.suggest(text_)
    if role is None or role == Role.AGENT.value:
        return found
    return [s for s in found if s.tag not in AGENT_ONLY_TAGS]


@dataclass(frozen=True)
class FoundSuggestion:
    """One suggestion to store: on a quote (quote_id) or on a message (message_id)."""

    tag_id: int
    phrase: str
    quote_id: int | None = None
    message_id: int | None = None


def conversation_suggestions(by_message: Iterable[list[TagSuggestion]]) -> dict[str, str]:
    """tag -> phrase for a whole conversation: the first phrase of each tag, message by message."""
    result: dict[str, str] = {}
    for suggestions in by_message:
        for s in suggestions:
            result.setdefault(s.tag, s.phrase)
    return result


def compute_suggestions(workspace: Workspace, incident_id: int,
                        tagger: Tagger | None = None) -> Generator[tuple[int, int], None, StoreSuggestions]:
    """Reads the incident's messages and quotes, runs the tagger, yields (done, total).

    Returns the StoreSuggestions command to run (undoable); nothing is written here, so Cancel
    leaves the workspace untouched.
    """
    tagger = tagger or workspace_tagger(workspace)
    with workspace.reading() as session:
        tag_ids = {name: tid for tid, name in session.execute(select(Tag.id, Tag.name))}
        messages = session.execute(text(
            "SELECT m.id, m.conversation_id, m.role, m.text FROM conversations c "
            "JOIN messages m ON m.conversation_id = c.id WHERE c.incident_id = :i "
            "ORDER BY m.conversation_id, m.position"), {"i": incident_id}).all()
        quotes = session.execute(text(
            "SELECT q.id, q.conversation_id, q.message_id, q.text, m.role FROM quotes q "
            "CROSS JOIN conversations c ON c.id = q.conversation_id "
            "LEFT JOIN messages m ON m.id = q.message_id WHERE c.incident_id = :i"), {"i": incident_id}).all()
    total = len(messages) + len(quotes)
    found: list[FoundSuggestion] = []
    per_conversation: dict[int, list[list[TagSuggestion]]] = {}
    for done, (message_id, conversation_id, role, body) in enumerate(messages):
        suggestions = suggest_for_role(tagger, body or "", role)
        per_conversation.setdefault(conversation_id, []).append(suggestions)
        found.extend(FoundSuggestion(tag_ids[s.tag], s.phrase, message_id=message_id)
                     for s in suggestions if s.tag in tag_ids)
        if done % PROGRESS_EVERY == 0:
            yield done, total
    for done, (quote_id, conversation_id, message_id, body, role) in enumerate(quotes, start=len(messages)):
        if message_id is None:  # a whole-conversation card: what its messages suggested
            pairs = list(conversation_suggestions(per_conversation.get(conversation_id, [])).items())
        else:
            pairs = [(s.tag, s.phrase) for s in suggest_for_role(tagger, body or "", role)]
        found.extend(FoundSuggestion(tag_ids[tag], phrase, quote_id=quote_id) for tag, phrase in pairs
                     if tag in tag_ids)
        if done % PROGRESS_EVERY == 0:
            yield done, total
    yield total, total
    return StoreSuggestions(incident_id, found)


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


class StoreSuggestions(Command):
    """Replaces an incident's pending suggestions; never touches tags a person set or dismissed."""
    incident_id: int  # always given here (the base allows None)

    affects = frozenset({"board"})
    name = "Suggest Tags"

    def __init__(self, incident_id: int, found: list[FoundSuggestion]):
        self.incident_id = incident_id
        self.found = found
        self._old: list[dict] = []
        self.stored = 0

    def _incident_rows(self, session):  # noqa: ANN001, ANN202 - a where clause
        table = TagAssignment.__table__
        quotes = text("SELECT q.id FROM quotes q JOIN conversations c ON c.id = q.conversation_id "
                      "WHERE c.incident_id = :i").bindparams(i=self.incident_id)
        messages = text("SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                        "WHERE c.incident_id = :i").bindparams(i=self.incident_id)
        return table.c.quote_id.in_(quotes.columns(table.c.quote_id)) | table.c.message_id.in_(
            messages.columns(table.c.message_id))

    def _still_there(self, session):  # noqa: ANN001, ANN202
        """Suggestions were found on a snapshot while the board stayed editable: skip deleted targets."""
        quote_ids = {f.quote_id for f in self.found if f.quote_id is not None}
        message_ids = {f.message_id for f in self.found if f.message_id is not None}
        tag_ids = {f.tag_id for f in self.found}
        live_quotes = set(session.scalars(select(Quote.id).where(Quote.id.in_(quote_ids)))) if quote_ids else set()
        live_messages = set(session.scalars(select(Message.id).where(Message.id.in_(message_ids)))) \
            if message_ids else set()
        live_tags = set(session.scalars(select(Tag.id).where(Tag.id.in_(tag_ids)))) if tag_ids else set()
        return lambda f: f.tag_id in live_tags and (
            f.quote_id in live_quotes if f.quote_id is not None else f.message_id in live_messages)

    def do(self, workspace: Workspace) -> None:
        workspace.require_writable()
        with workspace.transaction() as session:
            table = TagAssignment.__table__
            where = self._incident_rows(session)
            existing = [dict(r._mapping) for r in session.execute(table.select().where(where))]
            self._old = [r for r in existing if r["source"] == TagSource.SUGGESTED.value]
            decided = {(r["tag_id"], r["quote_id"], r["message_id"]) for r in existing
                       if r["source"] != TagSource.SUGGESTED.value}
            session.execute(delete(TagAssignment).where(where, TagAssignment.source == TagSource.SUGGESTED.value))
            alive = self._still_there(session)
            rows, seen = [], set()
            for f in self.found:
                key = (f.tag_id, f.quote_id, f.message_id)
                if key in decided or key in seen or not alive(f):
                    continue
                seen.add(key)
                rows.append({"tag_id": f.tag_id, "quote_id": f.quote_id, "message_id": f.message_id,
                             "source": TagSource.SUGGESTED.value, "phrase": f.phrase})
            if rows:
                session.execute(insert(TagAssignment), rows)
            self.stored = len(rows)

    def undo(self, workspace: Workspace) -> None:
        with workspace.transaction() as session:
            session.execute(delete(TagAssignment).where(
                self._incident_rows(session), TagAssignment.source == TagSource.SUGGESTED.value))
            if self._old:
                session.execute(insert(TagAssignment), self._old)


def pattern_extras(workspace: Workspace) -> dict:
    raw = get_setting(workspace, EXTRA_PATTERNS_KEY, "")
    return json.loads(raw) if raw.strip() else {}


__all__ = [
    "EXTRA_PATTERNS_KEY", "AGENT_ONLY_TAGS", "FoundSuggestion", "SetPatternExtras", "StoreSuggestions",
    "compute_suggestions", "conversation_suggestions", "pattern_extras", "run_suggestions",
    "suggest_for_role", "tagger_for_extras", "workspace_tagger",
]
