"""Writing mapped ticket rows into an incident: new ones in large batches, updates at the end.

New conversations (with their customers and messages) are inserted table by table in batches of
up to CHUNK_ROWS, then indexed for search by id range. Re-imported conversations (and a ticket id
seen twice in one file) are updated at the end, after their old state is remembered for undo.
Measured at 100k rows and kept for that reason: batches of 5,000 interleave the tables' b-tree
pages in the cache and were 1.5x slower; inserting on a second thread was slower still (GIL).
"""
from __future__ import annotations

from typing import Generator

from ..importers.records import SkippedRow, TicketRow
from ..storage import search_index
from ..storage.bulk import db_time, next_id

CHUNK_ROWS = 200_000  # bounds memory on huge files; a 100k dump goes in one batch
PROGRESS_EVERY = 2000

INSERT_CUSTOMERS = "INSERT INTO customers (id, name, email, organization, segment, phone) VALUES (?, ?, ?, ?, ?, '')"
INSERT_CONVERSATIONS = (
    "INSERT INTO conversations (id, incident_id, external_id, channel, customer_id, subject, status, vendor_tags, "
    "first_at, last_at, customer_task, symptom, pre_existing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 0)")
INSERT_MESSAGES = "INSERT INTO messages (id, conversation_id, position, at, author, role, text) VALUES (?, ?, ?, ?, ?, ?, ?)"
UPDATE_CONVERSATION = ("UPDATE conversations SET external_id=?, channel=?, customer_id=?, subject=?, status=?, "
                       "vendor_tags=?, first_at=?, last_at=? WHERE id=?")


class Customers:
    """Finds or creates customers by email (or by name when there is no email)."""

    def __init__(self, cur):
        self.by_key: dict[str, int] = {}
        for cid, email, name in cur.execute("SELECT id, email, name FROM customers"):
            self.by_key.setdefault(self._key(email, name), cid)
        self.next = next_id(cur, "customers")
        self.new_rows: list[tuple] = []
        self.created_ids: list[int] = []

    @staticmethod
    def _key(email: str, name: str) -> str:
        return ("e:" + email.strip().lower()) if email and email.strip() else ("n:" + (name or "").strip().lower())

    def id_for(self, row: TicketRow) -> int | None:
        if not (row.requester_email or row.requester_name):
            return None
        key = self._key(row.requester_email, row.requester_name)
        cid = self.by_key.get(key)
        if cid is None:
            cid = self.by_key[key] = self.next
            self.next += 1
            # segment stays empty: a dump's organization is a company, not a plan or customer type
            self.new_rows.append((cid, row.requester_name, row.requester_email, row.organization, ""))
            self.created_ids.append(cid)
        return cid

    def take_new(self) -> list[tuple]:
        rows, self.new_rows = self.new_rows, []
        return rows


def messages_of(row: TicketRow) -> list[tuple]:
    """(at, author, role, text) for the ticket's description and then its comments."""
    messages = []
    if row.body:
        messages.append((row.created_at, row.requester_name or row.requester_email, "customer", row.body))
    for c in row.comments:
        messages.append((c.at or row.created_at, c.author, c.role, c.text))
    return messages


def conversation_values(row: TicketRow, customer_id: int | None, channel: str) -> tuple[tuple, list[tuple]]:
    """The conversation's column values (as stored) and its messages."""
    messages = messages_of(row)
    times = [m[0] for m in messages if m[0] is not None] or [t for t in (row.created_at, row.updated_at) if t]
    first, last = (min(times), max(times)) if times else (None, None)
    first_text = db_time(first)
    last_text = first_text if last is first else db_time(last)
    values = (row.external_id, channel, customer_id, row.subject, row.status, " ".join(row.tags), first_text, last_text)
    return values, messages


class ChunkedInserts:
    """Collects new conversations and hands them to the background writer a chunk at a time."""

    def __init__(self, cur, incident_id: int, customers: Customers):
        self.incident_id = incident_id
        self.customers = customers
        self.first_conversation_id = self.next_conversation_id = next_id(cur, "conversations")
        self.first_message_id = self.next_message_id = next_id(cur, "messages")
        self._conversations: list[tuple] = []
        self._messages: list[tuple] = []
        self._chunk_first = (self.next_conversation_id, self.next_message_id)
        self._cur = cur

    def add(self, values: tuple, messages: list[tuple]) -> int:
        cid = self.next_conversation_id
        self.next_conversation_id += 1
        self._conversations.append((cid, self.incident_id, *values))
        mid = self.next_message_id
        for position, (at, author, role, text) in enumerate(messages):
            self._messages.append((mid, cid, position, db_time(at), author or "", role, text))
            mid += 1
        self.next_message_id = mid
        if len(self._conversations) >= CHUNK_ROWS:
            self.flush()
        return cid

    def flush(self) -> None:
        if not self._conversations and not self.customers.new_rows:
            return
        cur = self._cur
        first_conv, first_msg = self._chunk_first
        cur.executemany(INSERT_CUSTOMERS, self.customers.take_new())  # first: conversations refer to them
        cur.executemany(INSERT_CONVERSATIONS, self._conversations)
        cur.executemany(INSERT_MESSAGES, self._messages)
        search_index.index_range(cur, first_msg, self.next_message_id - 1, first_conv, self.next_conversation_id - 1)
        self._conversations, self._messages = [], []
        self._chunk_first = (self.next_conversation_id, self.next_message_id)

    @property
    def created_ids(self) -> list[int]:
        return list(range(self.first_conversation_id, self.next_conversation_id))


def store_rows(cur, incident_id: int, rows, in_window, summary, channel_of,  # noqa: ANN001
               total_rows: int | None) -> Generator[tuple[int, int | None], None, None]:
    """Stores every row (new ones as it goes, updates at the end); yields (rows read, total)."""
    existing = dict(cur.execute("SELECT external_id, id FROM conversations WHERE incident_id = ? "
                                "AND external_id IS NOT NULL", (incident_id,)))
    customers = Customers(cur)
    search_index.begin_bulk(cur)
    inserts = ChunkedInserts(cur, incident_id, customers)
    new_ids: dict[str, int] = {}
    updates: dict[int, tuple] = {}
    for row in rows:
        summary.rows_read += 1
        if isinstance(row, SkippedRow):
            summary.skipped.append(row)
        elif not in_window(row.created_at):
            summary.outside_window += 1
        else:
            values = conversation_values(row, customers.id_for(row), channel_of(row.channel))
            known = existing.get(row.external_id) or new_ids.get(row.external_id)
            if known is None:
                new_ids[row.external_id] = inserts.add(*values)
                summary.imported += 1
            else:
                if row.external_id in existing and known not in updates:
                    summary.updated += 1
                updates[known] = values  # a later row with the same ticket id wins
        if summary.rows_read % PROGRESS_EVERY == 0:
            yield summary.rows_read, total_rows
    inserts.flush()
    cur.executemany(INSERT_CUSTOMERS, customers.take_new())  # customers only of updated conversations
    summary.undo.created_conversation_ids = inserts.created_ids
    summary.undo.created_customer_ids = customers.created_ids
    summary.undo.first_message_id = inserts.first_message_id
    apply_updates(cur, updates, set(existing.values()), inserts.next_message_id, summary.undo)
    search_index.end_bulk(cur)
    yield summary.rows_read, total_rows


def apply_updates(cur, updates: dict[int, tuple], existing_ids: set[int], first_message_id: int, undo) -> None:  # noqa: ANN001
    """Rewrites re-imported conversations: old state remembered, quoted messages kept, new text indexed."""
    if not updates:
        return
    remember_for_undo(cur, [cid for cid in updates if cid in existing_ids], undo)
    kept = delete_unquoted_messages(cur, list(updates))
    cur.executemany(UPDATE_CONVERSATION, [(*values, cid) for cid, (values, _m) in updates.items()])
    rows, mid = [], first_message_id
    for cid, (_values, messages) in updates.items():
        for position, (at, author, role, text) in enumerate(messages):
            if text in kept.get(cid, ()):
                continue  # the quoted copy stays, so quotes keep pointing at it
            rows.append((mid, cid, position, db_time(at), author or "", role, text))
            mid += 1
    cur.executemany(INSERT_MESSAGES, rows)
    if rows:
        search_index.index_range(cur, first_message_id, mid - 1, 0, -1)


def remember_for_undo(cur, updated: list[int], undo) -> None:  # noqa: ANN001
    for start in range(0, len(updated), 500):
        chunk = updated[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        cur.execute(f"SELECT * FROM conversations WHERE id IN ({marks})", chunk)
        names = [d[0] for d in cur.description]
        undo.old_conversations.extend(dict(zip(names, row)) for row in cur.fetchall())
        undo.old_messages.extend(cur.execute(
            f"SELECT id, conversation_id, position, at, author, role, text FROM messages "
            f"WHERE conversation_id IN ({marks})", chunk).fetchall())
        undo.old_message_tags.extend(cur.execute(
            f"SELECT t.id, t.tag_id, t.quote_id, t.message_id, t.source, t.phrase, t.created_at "
            f"FROM tag_assignments t JOIN messages m ON m.id = t.message_id "
            f"WHERE m.conversation_id IN ({marks})", chunk).fetchall())


def delete_unquoted_messages(cur, conversation_ids: list[int]) -> dict[int, set[str]]:
    """Deletes the old messages of updated conversations, except those a quote points at."""
    kept: dict[int, set[str]] = {}
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS import_updated (id INTEGER PRIMARY KEY)")
    cur.execute("DELETE FROM import_updated")
    cur.executemany("INSERT INTO import_updated (id) VALUES (?)", [(cid,) for cid in conversation_ids])
    cur.execute("DELETE FROM messages WHERE conversation_id IN (SELECT id FROM import_updated) AND id NOT IN "
                "(SELECT message_id FROM quotes WHERE message_id IS NOT NULL)")
    for cid, text in cur.execute("SELECT conversation_id, text FROM messages "
                                 "WHERE conversation_id IN (SELECT id FROM import_updated)"):
        kept.setdefault(cid, set()).add(text)
    return kept
