"""Writing an import's planned rows into the workspace: inserts by chunk, then updates and search.

The planner (services/ticket_plan.py) decides ids and rows; this module only writes them,
inside the transaction that ticket_import opened. New rows go in with executemany as chunks
arrive. Search is indexed by id range: every 10,000 messages while a helper process is still
reading (SearchCatchUp), or once at the end (store_rows), with FTS5's merging paused meanwhile
(storage/search_index.py). Re-imported conversations are rewritten last, after their old state
is remembered for undo.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING

from ..domain.customers import customer_key
from ..importers.records import SkippedRow, TicketRow
from ..storage import search_index
from ..storage.bulk import BulkCursor, lock_bulk_tables, next_id, on_team, put_back, set_aside
from .ticket_plan import (
    CHUNK_ROWS,
    DuplicateTicket,
    PlanChunk,
    PlanResult,
    PlanState,
    TicketPlanner,
    merge_ticket,
)

if TYPE_CHECKING:  # ticket_import imports this module
    from .ticket_import import ImportUndoData

PROGRESS_EVERY = 2000

INSERT_CUSTOMERS = "INSERT INTO customers (id, name, email, organization, segment, phone) VALUES (?, ?, ?, ?, ?, '')"
INSERT_CONVERSATIONS = (
    "INSERT INTO conversations (id, incident_id, external_id, channel, customer_id, subject, status, vendor_tags, "
    "first_at, last_at, customer_task, symptom, pre_existing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 0)")
INSERT_MESSAGES = ("INSERT INTO messages (id, conversation_id, position, at, author, role, text) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)")
# an upsert both engines read the same way (SQLite >= 3.24 and PostgreSQL): a kept message's id may change
INSERT_MESSAGE_IDS = ("INSERT INTO message_external_ids (message_id, external_id) VALUES (?, ?) "
                      "ON CONFLICT (message_id) DO UPDATE SET external_id = excluded.external_id")
UPDATE_CONVERSATION = ("UPDATE conversations SET external_id=?, channel=?, customer_id=?, subject=?, status=?, "
                       "vendor_tags=?, first_at=?, last_at=? WHERE id=?")


def load_plan_state(cur: BulkCursor, incident_id: int, window: tuple, include_outside_window: bool) -> PlanState:
    """The snapshot the planner starts from, read inside the import's transaction."""
    # first the lock, then the reads: a second import into the incident running at the same time waits
    # here and plans from what the first one wrote, instead of planning the same tickets again
    lock_bulk_tables(cur, incident_id)
    existing = dict(cur.execute("SELECT external_id, id FROM conversations WHERE incident_id = ? "
                                "AND external_id IS NOT NULL", (incident_id,)))
    customers: dict[str, int] = {}
    for cid, email, name in cur.execute("SELECT id, email, name FROM customers"):
        customers.setdefault(customer_key(email, name), cid)
    return PlanState(incident_id=incident_id, window=tuple(window), include_outside_window=include_outside_window,
                     existing=existing, customers=customers, next_customer_id=next_id(cur, "customers"),
                     next_conversation_id=next_id(cur, "conversations"), next_message_id=next_id(cur, "messages"),
                     thread_ids=stored_thread_ids(cur, incident_id))


def stored_thread_ids(cur: BulkCursor, incident_id: int) -> dict[str, int]:
    """The incident's stored message ids (their own ids in their files), each with its conversation.

    A reply-chain dump's reply to one of them joins that conversation (ticket_plan). A message's own
    id is where its thread is read from; thread_message_ids adds only the ids of messages imported
    before messages kept one (schema.ThreadMessageId), so an import writes each id once.
    """
    return dict(cur.execute(
        "SELECT t.external_id, t.conversation_id FROM thread_message_ids t "
        "JOIN conversations c ON c.id = t.conversation_id WHERE c.incident_id = ? "
        "UNION ALL SELECT e.external_id, m.conversation_id FROM conversations c "
        "JOIN messages m ON m.conversation_id = c.id JOIN message_external_ids e ON e.message_id = m.id "
        "WHERE c.incident_id = ?", (incident_id, incident_id)))


# The conversations' secondary indexes. New tickets come in id order but at random times and
# customers, so each insert lands somewhere else in these two b-trees; built once after the rows,
# they cost 0.09 s instead of 0.2 s per 100k tickets.
SORTED_LATER = ("ix_conversations_incident_first", "ix_conversations_customer_id")
# ... when the import's rows are most of the table: building an index reads every row of it, so
# into a workspace that holds many conversations already, inserting into the indexes is cheaper.
SORT_LATER_UP_TO = 20_000  # conversations stored before the import


def begin(cur: BulkCursor) -> None:
    """Before the first chunk: the search triggers stand aside until finish indexes the rows, and
    so do the conversations' secondary indexes, into a workspace file that holds few conversations yet
    (a team workspace's indexes are shared with other clients, so they stay)."""
    search_index.begin_bulk(cur)
    if not isinstance(cur, sqlite3.Cursor):
        return
    if cur.execute("SELECT coalesce(max(id), 0) FROM conversations").fetchone()[0] <= SORT_LATER_UP_TO:
        set_aside(cur, SORTED_LATER)


# The same rows by COPY on a team workspace (storage/team_bulk.py), each with the INSERTs' constants
CUSTOMER_COLUMNS = ("id", "name", "email", "organization", "segment", "phone")
CONVERSATION_COLUMNS = ("id", "incident_id", "external_id", "channel", "customer_id", "subject", "status",
                        "vendor_tags", "first_at", "last_at", "customer_task", "symptom", "pre_existing")
MESSAGE_COLUMNS = ("id", "conversation_id", "position", "at", "author", "role", "text")


def write_chunk(cur: BulkCursor, chunk: PlanChunk) -> None:
    if on_team(cur):
        cur.copy_rows("customers", CUSTOMER_COLUMNS, chunk.customers, constants=("",))
        cur.copy_rows("conversations", CONVERSATION_COLUMNS, chunk.conversations, constants=("", "", False))
        cur.copy_rows("messages", MESSAGE_COLUMNS, chunk.messages)
        cur.executemany(INSERT_MESSAGE_IDS, chunk.message_ids)
        return
    cur.executemany(INSERT_CUSTOMERS, chunk.customers)  # first: conversations refer to them
    cur.executemany(INSERT_CONVERSATIONS, chunk.conversations)
    cur.executemany(INSERT_MESSAGES, chunk.messages)
    if chunk.message_ids:
        cur.executemany(INSERT_MESSAGE_IDS, chunk.message_ids)


class SearchCatchUp:
    """Indexes written chunks for search as the import goes, INDEX_BATCH messages at a time.

    Done at the end, indexing is half a second the person waits for after the last row is read;
    done in pieces while the helper process is still reading, most of it overlaps. With FTS5's
    merging paused (search_index.begin_bulk) pieces cost no more than one big pass.
    """

    INDEX_BATCH = 10_000

    def __init__(self, state: PlanState) -> None:
        # (first message id, first conversation id) not indexed yet: this import's first ids,
        # taken from the plan's snapshot rather than from a chunk, which may hold no messages
        self.indexed = (state.next_message_id, state.next_conversation_id)
        self._written = self.indexed  # the same, just past the last rows written

    def written(self, chunk: PlanChunk) -> None:
        next_message = chunk.messages[-1][0] + 1 if chunk.messages else self._written[0]
        next_conversation = chunk.conversations[-1][0] + 1 if chunk.conversations else self._written[1]
        self._written = (next_message, next_conversation)

    def index_if_worth_it(self, cur) -> None:  # noqa: ANN001
        if self._written[0] - self.indexed[0] < self.INDEX_BATCH:
            return
        search_index.index_range(cur, self.indexed[0], self._written[0] - 1, self.indexed[1], self._written[1] - 1)
        self.indexed = self._written


def finish(cur: sqlite3.Cursor, result: PlanResult, summary, indexed: tuple[int, int] | None = None) -> None:  # noqa: ANN001
    """After the last chunk: counts and undo data into the summary, updates written, search indexed.

    ``indexed``: (message id, conversation id) from which new rows still need indexing, when
    some were indexed already (SearchCatchUp); None means all of this import's rows.
    """
    summary.rows_read, summary.imported, summary.updated = result.rows_read, result.imported, result.updated
    summary.outside_window = result.outside_window
    summary.skipped = list(result.skipped)
    undo = summary.undo
    undo.created_conversation_ids = list(range(result.first_conversation_id, result.next_conversation_id))
    undo.created_customer_ids = list(result.created_customer_ids)
    undo.first_message_id = result.first_message_id
    if isinstance(cur, sqlite3.Cursor):
        put_back(cur, SORTED_LATER)  # before the updates below read and write conversations
    first_message, first_conversation = indexed or (result.first_message_id, result.first_conversation_id)
    search_index.index_range(cur, first_message, result.next_message_id - 1,
                             first_conversation, result.next_conversation_id - 1)
    merge_repeated_tickets(cur, result)
    keep_stored_messages(cur, result)
    summary.duplicates = sorted(result.duplicates, key=lambda duplicate: duplicate.row)
    same = unchanged_ids(cur, result.updates, result.first_conversation_id)
    summary.unchanged, summary.updated = len(same), result.updated - len(same)
    changed = {cid: update for cid, update in result.updates.items() if cid not in same}
    apply_updates(cur, changed, result.first_conversation_id, result.next_message_id, undo, result.message_ids)
    search_index.end_bulk(cur)
    summary.conversations, summary.messages = _file_counts(cur, result)


def _file_counts(cur: sqlite3.Cursor, result: PlanResult) -> tuple[int, int]:
    """The conversations the file's rows went into (new, updated or unchanged) and their messages, as stored."""
    first, end = result.first_conversation_id, result.next_conversation_id
    older = [cid for cid in result.updates if not first <= cid < end]
    messages = cur.execute("SELECT COUNT(*) FROM messages WHERE conversation_id >= ? AND conversation_id < ?",
                           (first, end)).fetchone()[0]
    for start in range(0, len(older), 500):
        chunk = older[start:start + 500]
        messages += cur.execute(f"SELECT COUNT(*) FROM messages WHERE conversation_id IN "
                                f"({', '.join('?' * len(chunk))})", chunk).fetchone()[0]
    return end - first + len(older), messages


def merge_repeated_tickets(cur: sqlite3.Cursor, result: PlanResult) -> None:
    """Rows that repeated a ticket this import created, merged into the conversation its first row made.

    That first row may have gone out in an earlier chunk, so it is read back; the merged
    conversation is then rewritten with the updates.
    """
    for cid, rows in result.merges.items():
        ticket = stored_ticket(cur, cid)
        for row, first_row, ticket_id, values, messages in rows:
            ticket, added = merge_ticket(ticket, (values, messages))
            result.duplicates.append(DuplicateTicket(row, first_row, ticket_id, added))
        result.updates[cid] = ticket
    result.merges.clear()


def keep_stored_messages(cur: sqlite3.Cursor, result: PlanResult) -> None:
    """A later message-level export of stored conversations adds its messages to theirs.

    Such a file holds the messages of a period, not each conversation's whole history: what is
    stored and not in the file stays (a ticket dump's row, by contrast, is the whole ticket). A
    stored message whose own id the file has again is the file's version now: a message edited at
    its source replaces its old text rather than joining it.
    """
    for cid in sorted(result.partial):
        if cid in result.updates:
            in_file = set(result.message_ids.get(cid, {}).values())
            result.updates[cid], _added = merge_ticket(stored_ticket(cur, cid, superseded=in_file),
                                                       result.updates[cid])
    result.partial.clear()


def stored_ticket(cur: sqlite3.Cursor, cid: int, superseded: set[str] | None = None) -> tuple[tuple, list[tuple]]:
    """A conversation's values and messages as the planner shapes them (ticket_plan.conversation_values),
    without the messages whose own ids are in superseded."""
    values = cur.execute("SELECT external_id, channel, customer_id, subject, status, vendor_tags, first_at, last_at "
                         "FROM conversations WHERE id = ?", (cid,)).fetchone()
    messages = cur.execute("SELECT m.at, m.author, m.role, m.text, e.external_id FROM messages m "
                           "LEFT JOIN message_external_ids e ON e.message_id = m.id WHERE m.conversation_id = ? "
                           "ORDER BY m.position, m.id", (cid,)).fetchall()
    return tuple(values), [tuple(message[:4]) for message in messages
                           if not (superseded and message[4] in superseded)]


def store_rows(cur: sqlite3.Cursor, state: PlanState, rows: Iterable[TicketRow | SkippedRow], summary,  # noqa: ANN001
               total_rows: int | None) -> Generator[tuple[int, int | None], None, None]:
    """Plans and writes every row in this process; yields (rows read, total) as it goes."""
    planner = TicketPlanner(state)
    begin(cur)
    read = 0
    for row in rows:
        planner.add(row)
        read += 1
        if planner.pending >= CHUNK_ROWS:
            write_chunk(cur, planner.take_chunk())
        if read % PROGRESS_EVERY == 0:
            yield read, total_rows
    write_chunk(cur, planner.take_chunk())
    finish(cur, planner.result, summary)
    yield read, total_rows


def apply_updates(cur: sqlite3.Cursor, updates: dict[int, tuple], first_new_id: int, first_message_id: int,
                  undo: ImportUndoData, message_ids: dict[int, dict[tuple, str]] | None = None) -> None:
    """Rewrites re-imported conversations: old state remembered, kept messages kept, new text indexed.

    A message the conversation already has exactly as the file has it stays as it is (its id,
    tags and suggestions with it), and so does a quoted one: a grown message-level dump adds only
    its new messages.
    """
    if not updates:
        return
    # only conversations from before this import have an old state to give back
    remember_for_undo(cur, [cid for cid in updates if cid < first_new_id], undo)
    kept = keep_or_delete_messages(cur, updates)
    cur.executemany(UPDATE_CONVERSATION, [(*values, cid) for cid, (values, _m) in updates.items()])
    rows, moves, own_ids, mid = [], [], [], first_message_id
    for cid, (_values, messages) in updates.items():
        same, quoted = kept.get(cid, ({}, set()))
        ids_in_file = (message_ids or {}).get(cid, {})
        for position, (at, author, role, text) in enumerate(messages):
            ids = same.get((at, author or "", role, text))
            if ids:
                moves.append((position, ids.pop()))
                continue
            if text in quoted:
                continue  # the quoted copy stays, so quotes keep pointing at it
            rows.append((mid, cid, position, at, author or "", role, text))
            if (at, author or "", role, text) in ids_in_file:
                own_ids.append((mid, ids_in_file[(at, author or "", role, text)]))
            mid += 1
    cur.executemany("UPDATE messages SET position = ? WHERE id = ?", moves)
    cur.executemany(INSERT_MESSAGES, rows)
    cur.executemany(INSERT_MESSAGE_IDS, own_ids)
    if rows:
        search_index.index_range(cur, first_message_id, mid - 1, 0, -1)


def unchanged_ids(cur: sqlite3.Cursor, updates: dict[int, tuple], first_new_id: int) -> set[int]:
    """The tickets, already in the incident before this import, that the file has exactly as stored.

    Re-importing the same dump then rewrites nothing: quotes, tags and suggestions on those
    messages stay as they are, and the summary says "unchanged" rather than "updated".
    """
    existing = [cid for cid in updates if cid < first_new_id]
    same: set[int] = set()
    for start in range(0, len(existing), 500):
        chunk = existing[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        stored: dict[int, list] = {cid: [values, []] for cid, *values in cur.execute(
            "SELECT id, external_id, channel, customer_id, subject, status, vendor_tags, first_at, last_at "
            f"FROM conversations WHERE id IN ({marks})", chunk)}
        for cid, position, at, author, role, text in cur.execute(
                f"SELECT conversation_id, position, at, author, role, text FROM messages "
                f"WHERE conversation_id IN ({marks}) ORDER BY conversation_id, position, id", chunk):
            stored[cid][1].append((position, at, author, role, text))
        for cid in chunk:
            values, messages = updates[cid]
            planned = [(position, at, author or "", role, text) for position, (at, author, role, text)
                       in enumerate(messages)]
            if cid in stored and stored[cid] == [list(values), planned]:
                same.add(cid)
    return same


def remember_for_undo(cur: sqlite3.Cursor, updated: list[int], undo) -> None:  # noqa: ANN001
    for start in range(0, len(updated), 500):
        chunk = updated[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        cur.execute(f"SELECT * FROM conversations WHERE id IN ({marks})", chunk)
        names = [d[0] for d in cur.description]
        undo.old_conversations.extend(dict(zip(names, row, strict=True)) for row in cur.fetchall())
        undo.old_messages.extend(cur.execute(
            f"SELECT id, conversation_id, position, at, author, role, text FROM messages "
            f"WHERE conversation_id IN ({marks})", chunk).fetchall())
        undo.old_message_tags.extend(cur.execute(
            f"SELECT t.id, t.tag_id, t.quote_id, t.message_id, t.source, t.phrase, t.created_at "
            f"FROM tag_assignments t JOIN messages m ON m.id = t.message_id "
            f"WHERE m.conversation_id IN ({marks})", chunk).fetchall())
        undo.old_message_ids.extend(cur.execute(
            f"SELECT i.message_id, i.external_id FROM message_external_ids i JOIN messages m ON m.id = i.message_id "
            f"WHERE m.conversation_id IN ({marks})", chunk).fetchall())


def keep_or_delete_messages(cur: sqlite3.Cursor, updates: dict[int, tuple]
                            ) -> dict[int, tuple[dict[tuple, list[int]], set[str]]]:
    """Deletes the old messages of updated conversations, except those the file has again or a quote points at.

    Returns, per conversation, the kept messages' ids by (time, author, role, text) and the
    texts of the quoted ones.
    """
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS import_updated (id INTEGER PRIMARY KEY)")
    cur.execute("DELETE FROM import_updated")
    cur.executemany("INSERT INTO import_updated (id) VALUES (?)", [(cid,) for cid in updates])
    planned = {cid: {(at, author or "", role, text) for at, author, role, text in messages}
               for cid, (_values, messages) in updates.items()}
    kept: dict[int, tuple[dict[tuple, list[int]], set[str]]] = {}
    doomed = []
    for mid, cid, at, author, role, text, quoted in cur.execute(
            "SELECT id, conversation_id, at, author, role, text, "
            "id IN (SELECT message_id FROM quotes WHERE message_id IS NOT NULL) "
            "FROM messages WHERE conversation_id IN (SELECT id FROM import_updated) ORDER BY position DESC, id DESC"
            ).fetchall():
        same, quoted_texts = kept.setdefault(cid, ({}, set()))
        key = (at, author or "", role, text)
        if key in planned[cid]:
            same.setdefault(key, []).append(mid)  # popped from the end: the earliest copy first
        elif quoted:
            quoted_texts.add(text)
        else:
            doomed.append((mid,))
    # Foreign keys are off during an import (ticket_import), so what ON DELETE CASCADE would do
    # for these messages is done here: their tag assignments (suggested or dismissed) go too.
    cur.executemany("DELETE FROM tag_assignments WHERE message_id = ?", doomed)
    cur.executemany("DELETE FROM message_external_ids WHERE message_id = ?", doomed)
    cur.executemany("DELETE FROM messages WHERE id = ?", doomed)
    return kept
