"""Full-text search over conversations: kept in step by triggers, filled in bulk by imports.

This is the one search API for both engines; a team workspace's search is PostgreSQL's own
(storage/team_search.py), chosen here by the connection's dialect.

Triggers index every message and subject as it is written (storage/migrations.py). A bulk import
switches them off inside its own transaction (begin_bulk: a flag, and the insert triggers set aside
altogether), inserts its rows, indexes them by id range in a few statements (index_range) — about
3x faster than per-row triggers at 100k rows. The switch is a row in the workspace and the set-aside
is DDL in the same transaction, so both commit or roll back with the import and no other writer ever
sees them.
"""
from __future__ import annotations

import re
import sqlite3

from sqlalchemy import Connection

from . import bulk, search_page, team_search
from .bulk import put_back, set_aside
from .word_separators import separators_pattern

_SEARCH_TABLES = ("message_search", "conversation_search")
# FTS5's own defaults, put back by end_bulk.
_DEFAULT_AUTOMERGE, _DEFAULT_HASHSIZE = 4, 1 << 20
# While a bulk import indexes in pieces: a 32 MB term buffer, and no merging of the segments
# each piece leaves. Measured at 100k messages indexed in 5 pieces: 0.45 s instead of 1.1 s
# with the defaults (10 pieces, as imports now use, cost the same). The extra segments get
# merged by later writes, as FTS5 always does; search over 100k messages stays under 10 ms.
_BULK_AUTOMERGE, _BULK_HASHSIZE = 0, 32 << 20


def _indexed_by_server(cursor: bulk.BulkCursor) -> bool:
    """A team workspace's bulk cursor (storage/team_bulk.py): its GIN indexes are over the text itself,
    so the server indexes every row as it is written, COPY included, and bulk mode has nothing to do."""
    return bulk.on_team(cursor)


# The insert triggers that a bulk sets aside (see _set_aside_insert_triggers).
_INSERT_TRIGGERS = ("messages_search_insert", "conversations_search_insert")


def begin_bulk(cursor: bulk.BulkCursor) -> None:
    """From here to end_bulk (inside one transaction), inserts are not indexed by the triggers."""
    if _indexed_by_server(cursor) or not isinstance(cursor, sqlite3.Cursor):
        return
    cursor.execute("UPDATE search_state SET bulk = 1")
    _configure(cursor, _BULK_AUTOMERGE, _BULK_HASHSIZE)
    _set_aside_insert_triggers(cursor)


def _set_aside_insert_triggers(cursor: sqlite3.Cursor) -> None:
    # With the flag set the insert triggers do nothing, but SQLite still runs their WHEN subquery
    # for every row: a quarter of the insert time (measured: 100k messages 0.29 s -> 0.21 s, 100k
    # tickets' conversations 0.53 s -> 0.41 s). So the bulk drops them, inside its transaction,
    # and end_bulk makes them again from their own SQL (storage/bulk.set_aside).
    set_aside(cursor, _INSERT_TRIGGERS)


def _configure(cursor: bulk.BulkCursor, automerge: int, hashsize: int) -> None:
    # FTS5 keeps these in its config table, so they commit or roll back with the import too.
    for table in _SEARCH_TABLES:
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', ?)", (automerge,))
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', ?)", (hashsize,))


def index_range(cursor: bulk.BulkCursor, first_message_id: int, last_message_id: int, first_conversation_id: int,
                last_conversation_id: int) -> None:
    """Indexes rows a bulk insert just wrote, by their (ascending, contiguous) id ranges."""
    if _indexed_by_server(cursor):
        return
    cursor.execute("INSERT INTO message_search(rowid, text) SELECT id, text FROM messages "
                   "WHERE id BETWEEN ? AND ?", (first_message_id, last_message_id))
    cursor.execute("INSERT INTO conversation_search(rowid, subject) SELECT id, subject FROM conversations "
                   "WHERE id BETWEEN ? AND ?", (first_conversation_id, last_conversation_id))


def end_bulk(cursor: bulk.BulkCursor) -> None:
    """Triggers index again. If the transaction rolls back instead, the flag and the triggers go back with it."""
    if _indexed_by_server(cursor) or not isinstance(cursor, sqlite3.Cursor):
        return
    put_back(cursor, _INSERT_TRIGGERS)
    cursor.execute("UPDATE search_state SET bulk = 0")
    _configure(cursor, _DEFAULT_AUTOMERGE, _DEFAULT_HASHSIZE)


# split where both engines' indexes split the text (word_separators.py), so a word asked for is one they hold;
# every character of query syntax (quotes, *, :, &, parentheses…) is a separator too
_SEPARATORS = re.compile(separators_pattern())


def search_words(query: str) -> list[str]:
    """The user's words as the search sees them: split where the indexes split text (so never query syntax)."""
    return [word for word in _SEPARATORS.split(query) if word]


def match_expression(query: str) -> str:
    """The user's words as an FTS5 query: every word must appear, each as a prefix."""
    return " ".join(f'"{t}"*' for t in search_words(query))


def is_team(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def match_parameter(conn: Connection, query: str) -> str:
    """The words as the :m parameter of matching_ids' SQL on this engine ("" when there are none)."""
    words = search_words(query)
    if not words:
        return ""
    return team_search.tsquery(words) if is_team(conn) else match_expression(query)


def matching_ids(conn: Connection) -> tuple[str, str]:
    """SQL for the ids of messages, and of conversations by subject, that match :m on this engine."""
    if is_team(conn):
        return team_search.MATCHING_MESSAGE_IDS, team_search.MATCHING_CONVERSATION_IDS
    return ("SELECT rowid FROM message_search WHERE message_search MATCH :m",
            "SELECT rowid FROM conversation_search WHERE conversation_search MATCH :m")


def search_conversation_ids(conn: Connection, incident_id: int, query: str, limit: int = 200,
                            offset: int = 0) -> list[int]:
    """Ids of the incident's conversations whose messages or subject match, newest message first.

    Newest first rather than by relevance: ranking every match of a common word over 100k
    conversations costs ~130 ms, while walking the index backwards stops after one page (~3 ms).
    """
    match = match_expression(query)
    if not match:
        return []
    wanted = offset + limit
    if is_team(conn):
        return team_search.search_conversation_ids(conn, incident_id, search_words(query), wanted)[offset:wanted]
    statements = (
        "SELECT m.conversation_id FROM message_search s JOIN messages m ON m.id = s.rowid "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE message_search MATCH :m AND c.incident_id = :i ORDER BY s.rowid DESC",
        "SELECT c.id FROM conversation_search s JOIN conversations c ON c.id = s.rowid "
        "WHERE conversation_search MATCH :m AND c.incident_id = :i ORDER BY s.rowid DESC",
    )
    return search_page.first_ids(conn, statements, {"m": match, "i": incident_id}, wanted)[offset:wanted]
