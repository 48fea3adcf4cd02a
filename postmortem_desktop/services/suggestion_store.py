"""A learning pass's store, in two halves: the difference worked out on the worker, written on the window's thread.

After each decision on the board the incident's suggestions are worked out again on a worker and stored on the
window's thread. Reading all the incident's tag_assignments there to compare them with what was found (170k rows
for an 80k-message incident) froze the window 0.3-0.4 s after every decision. So the worker reads those rows too,
in the read it works from, and works out the difference (`work_out`): the ids to delete, the rows to reword, the
rows to insert. The window's thread then writes only that (`store`), re-reading only the rows, cards, messages and
tags it touches. The write itself stays on the window's thread: on a file a worker's write and the window's edits
refused each other ("being written by another program"; commit 74b5364).

A difference is against the suggestions as the worker read them. Every store of the incident's suggestions (Suggest
Tags, its undo and redo, a learning pass that wrote something) bumps a counter setting of the incident ("stored",
travelling with it like "asked" and "run"); the worker reads it before anything else, and a pass finding another
value at its store is stale: it stores nothing, and says so (the board then runs a fresh pass). Decisions do not
bump it: what a decision made meanwhile changed is re-checked row by row at the store instead (a decision wins).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import ColumnElement, Row, Table, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from ..domain.vocabulary import TagSource
from ..storage import incident_settings
from ..storage.bulk import BulkCursor, db_time, insert_rows, session_cursor
from ..storage.id_sets import among
from ..storage.incident_settings import SUGGESTIONS_PREFIX, setting_key
from ..storage.schema import Message, Quote, Tag, TagAssignment

_STORED_COLUMNS = ("tag_id", "quote_id", "message_id", "source", "phrase", "created_at")
ROW_COLUMNS = ("id", *_STORED_COLUMNS)
SOURCE, PHRASE = ROW_COLUMNS.index("source"), ROW_COLUMNS.index("phrase")
STORED_COLUMNS = _STORED_COLUMNS
_SUGGESTED = TagSource.SUGGESTED.value
# a tag_assignments row of the incident: on one of its quotes or one of its messages (the incident's id twice)
OF_INCIDENT = ("quote_id IN (SELECT q.id FROM quotes q JOIN conversations c ON c.id = q.conversation_id "
               "WHERE c.incident_id = ?) OR message_id IN (SELECT m.id FROM messages m "
               "JOIN conversations c ON c.id = m.conversation_id WHERE c.incident_id = ?)")

Key = tuple  # (tag id, quote id or None, message id or None)
_TA = cast(Table, TagAssignment.__table__)


def _stored_key(incident_id: int) -> str:
    return setting_key(SUGGESTIONS_PREFIX, incident_id, "stored")


def stored_mark(session: Session, incident_id: int) -> str | None:
    """How many times the incident's suggestions were stored, as its setting says (None: never since it existed)."""
    return incident_settings.value(session, _stored_key(incident_id))


def bump_stored(session: Session, incident_id: int) -> None:
    """Says the incident's suggestions were stored once more: a difference worked out before is against old ones."""
    mark = stored_mark(session, incident_id)
    incident_settings.put(session, _stored_key(incident_id), str(int(mark) + 1 if mark and mark.isdigit() else 1))


def incident_rows(cursor: BulkCursor, incident_id: int) -> list[tuple]:
    """All the incident's tag_assignments rows, as ROW_COLUMNS (times as the driver stores them)."""
    return cursor.execute(f"SELECT {', '.join(ROW_COLUMNS)} FROM tag_assignments WHERE {OF_INCIDENT}",
                          (incident_id, incident_id)).fetchall()


def key_of(row: Sequence) -> Key:
    """(tag, quote, message) of a row read as ROW_COLUMNS (or as id, tag, quote, message)."""
    return row[1], row[2], row[3]


def compared(old: list[tuple], wanted: Mapping[Key, str]) -> tuple[set[Key], list[int], list[tuple[str, int]]]:
    """The card-and-tags an old row stays for, the ids of those to delete, and (new phrase, id) of those kept that
    say it differently now. A row stays for its card-and-tag's suggestion once: a second of the same goes."""
    placed: set[Key] = set()
    gone: list[int] = []
    reworded: list[tuple[str, int]] = []
    for row in old:
        key = key_of(row)
        if key in wanted and key not in placed:
            placed.add(key)
            if wanted[key] != row[PHRASE]:
                reworded.append((wanted[key], row[0]))
        else:
            gone.append(row[0])
    return placed, gone, reworded


@dataclass(frozen=True)
class Difference:
    """What a learning pass changes, worked out on the worker against the suggestions as it read them.

    base: the incident's "stored" counter as read (before the rows). gone and reworded carry each row's key as read,
    so a row given the same id since (a file reuses a deleted row's id) is not taken for it. wanted: how many
    suggestions the pass stands for (kept, reworded or added)."""

    base: str | None
    gone: tuple[tuple[int, Key], ...]
    reworded: tuple[tuple[str, int, Key], ...]
    added: tuple[tuple[Key, str], ...]
    wanted: int

    def __bool__(self) -> bool:
        return bool(self.gone or self.reworded or self.added)


def work_out(base: str | None, rows: Iterable[tuple], found: Iterable[tuple[Key, str]],
             was_read: Mapping[int, object], read_messages: frozenset[int]) -> Difference:
    """The difference between the incident's rows as read (ROW_COLUMNS) and the suggestions found ((key, phrase),
    the first of each key standing): none on a card-and-tag a person decided, none taken from a card or message the
    suggestions were not worked out over (was_read: the quote ids read; read_messages)."""
    rows = list(rows)
    decided = {key_of(row) for row in rows if row[SOURCE] != _SUGGESTED}
    wanted: dict[Key, str] = {}
    for key, phrase in found:
        if key not in decided and key not in wanted:
            wanted[key] = phrase

    def read_here(row: Sequence) -> bool:
        return row[2] in was_read if row[2] is not None else row[3] in read_messages

    old = [row for row in rows if row[SOURCE] == _SUGGESTED and read_here(row)]
    placed, gone, reworded = compared(old, wanted)
    keys = {row[0]: key_of(row) for row in old}
    return Difference(base, tuple((row_id, keys[row_id]) for row_id in gone),
                      tuple((phrase, row_id, keys[row_id]) for phrase, row_id in reworded),
                      tuple((key, phrase) for key, phrase in wanted.items() if key not in placed), len(wanted))


@dataclass
class Stored:
    """What store wrote, for its revert: the rows it deleted or reworded as they were (ROW_COLUMNS), the keys it
    added; stale: nothing written, the difference was against suggestions stored again since."""

    old: list[Row] = field(default_factory=list)
    added: list[Key] = field(default_factory=list)
    count: int = 0
    stale: bool = False


def store(session: Session, incident_id: int, difference: Difference, read_quotes: Mapping[int, tuple]) -> Stored:
    """Writes the difference, each row only where it still applies; reads only the rows, cards, messages and tags it
    touches. Call it holding the incident's suggestions lock, once the incident is known to still learn.

    A row deleted or reworded must still be the suggestion read (same key, still source 'suggested': a decision
    made since keeps its row) on a card still as read (read_quotes: id -> (conversation, message, text)). A row is
    added only where no row of its key is there now (a decision made meanwhile wins, and none is stored twice) and
    its card, message and tag are still there as read."""
    if stored_mark(session, incident_id) != difference.base:
        return Stored(stale=True)  # another store since the worker read: its difference is against old rows
    result = Stored(count=difference.wanted)
    if not difference:
        return result  # nothing changed: nor does the counter, so a teammate's pass on the same rows stays good
    keys = [key for _, key in difference.gone] + [key for _, _, key in difference.reworded] + \
        [key for key, _ in difference.added]
    as_read = _still_as_read(session, {key[1] for key in keys if key[1] is not None}, read_quotes)
    expected = {row_id: key for row_id, key in difference.gone} | \
        {row_id: key for _, row_id, key in difference.reworded}
    still = {row.id: row for row in _rows(session, among(_TA.c.id, expected))
             if row.source == _SUGGESTED and key_of(row) == expected[row.id]
             and (row.quote_id is None or row.quote_id in as_read)} if expected else {}
    gone = [row_id for row_id, _ in difference.gone if row_id in still]
    reworded = [(phrase, row_id) for phrase, row_id, _ in difference.reworded if row_id in still]
    result.old = [still[row_id] for row_id in gone] + [still[row_id] for _, row_id in reworded]
    if gone:
        session.execute(delete(_TA).where(among(_TA.c.id, gone), _TA.c.source == _SUGGESTED))
    if reworded:
        session.execute(update(_TA).where(_TA.c.id == bindparam("row_id"), _TA.c.source == _SUGGESTED)
                        .values(phrase=bindparam("new_phrase")),
                        [{"row_id": row_id, "new_phrase": phrase} for phrase, row_id in reworded])
    added = _addable(session, difference.added, as_read)
    now = db_time(datetime.now(UTC))
    insert_rows(session_cursor(session), "tag_assignments", STORED_COLUMNS,
                [(*key, _SUGGESTED, phrase, now) for key, phrase in added])
    result.added = [key for key, _ in added]
    result.count -= len(difference.added) - len(added)
    if gone or reworded or added:
        bump_stored(session, incident_id)
    return result


def _rows(session: Session, where: ColumnElement[bool]) -> list[Row]:
    return list(session.execute(select(*(_TA.c[name] for name in ROW_COLUMNS)).where(where)))


def _on_targets(quote_ids: set[int], message_ids: set[int]) -> ColumnElement[bool]:
    return or_(among(_TA.c.quote_id, quote_ids), among(_TA.c.message_id, message_ids))


def _still_as_read(session: Session, quote_ids: set[int], read_quotes: Mapping[int, tuple]) -> set[int]:
    """Those of the quotes that are still the cards they were when read (same conversation, message and text)."""
    quote_ids = {q for q in quote_ids if q in read_quotes}
    if not quote_ids:
        return set()
    rows = session.execute(select(Quote.id, Quote.conversation_id, Quote.message_id, Quote.text).where(
        among(Quote.id, quote_ids)))
    return {row[0] for row in rows if read_quotes[row[0]] == (row[1], row[2], row[3])}


def _addable(session: Session, added: Sequence[tuple[Key, str]], as_read: set[int]) -> list[tuple[Key, str]]:
    """The rows to add whose key has no row now and whose card (as read), message and tag are still there."""
    if not added:
        return []
    quote_ids = {key[1] for key, _ in added if key[1] is not None}
    message_ids = {key[2] for key, _ in added if key[2] is not None}
    present = {key_of(row) for row in _rows(session, _on_targets(quote_ids, message_ids))}
    live_messages = set(session.scalars(select(Message.id).where(among(Message.id, message_ids)))) \
        if message_ids else set()
    live_tags = set(session.scalars(select(Tag.id).where(among(Tag.id, {key[0] for key, _ in added}))))
    return [(key, phrase) for key, phrase in added if key not in present and key[0] in live_tags
            and (key[1] in as_read if key[1] is not None else key[2] in live_messages)]


def take_back(session: Session, stored: Stored) -> None:
    """Reverts a learning pass's store: the rows it added (while still suggestions) go, those it deleted come back
    (unless their id or key was taken since), the reworded ones say what they said before (while still
    suggestions). Only the rows it touched are read."""
    if stored.added:
        added = set(stored.added)
        mine = [row.id for row in _rows(session, and_(_TA.c.source == _SUGGESTED, _on_targets(
            {key[1] for key in added if key[1] is not None}, {key[2] for key in added if key[2] is not None})))
            if key_of(row) in added]
        if mine:
            session.execute(delete(_TA).where(among(_TA.c.id, mine)))
    if not stored.old:
        return
    now = {row.id: row for row in _rows(session, among(_TA.c.id, [row.id for row in stored.old]))}
    present = {key_of(row) for row in _rows(session, _on_targets(
        {row.quote_id for row in stored.old if row.quote_id is not None},
        {row.message_id for row in stored.old if row.message_id is not None}))}
    rewords = [{"row_id": row.id, "old_phrase": row.phrase} for row in stored.old
               if row.id in now and key_of(now[row.id]) == key_of(row)]
    if rewords:
        session.execute(update(_TA).where(_TA.c.id == bindparam("row_id"), _TA.c.source == _SUGGESTED)
                        .values(phrase=bindparam("old_phrase")), rewords)
    back = [dict(row._mapping) for row in stored.old if row.id not in now and key_of(row) not in present]
    if back:
        session.execute(insert(_TA), back)


__all__ = ["Difference", "OF_INCIDENT", "ROW_COLUMNS", "STORED_COLUMNS", "Stored", "bump_stored", "compared",
           "incident_rows", "key_of", "stored_mark", "store", "take_back", "work_out"]
