"""Fast raw-SQL helpers for bulk writes (imports): ids assigned up front, many rows a statement, one transaction.

The statements are written once, in the SQLite driver's terms; on a team workspace the cursor is a
storage/team_bulk.TeamCursor, which runs them on PostgreSQL and writes new rows with COPY.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .team_bulk import TeamCursor

# Neither psycopg nor SQLAlchemy is imported here: the import helper process (services/ticket_plan.py
# uses db_time) would spend ~0.2 s on each before reading a byte, and a file workspace never needs psycopg.

#: a cursor of either engine's import code
BulkCursor: TypeAlias = "sqlite3.Cursor | TeamCursor"

#: On a team workspace, every table an import or its undo numbers or rewrites, locked together in one
#: statement (one order, so two writers cannot deadlock) for the rest of the transaction: others may read,
#: none may write them meanwhile. thread_message_ids goes with them: an import reads it to plan (with
#: message_external_ids, which only a writer of messages writes). Taken
#: before an import reads what it plans from, and by a publish before it picks free ids (incident_copy).
LOCK_BULK_TABLES = ("LOCK TABLE customers, conversations, messages, thread_message_ids "
                    "IN SHARE ROW EXCLUSIVE MODE")


def on_team(cursor: BulkCursor) -> TypeGuard[TeamCursor]:
    """Whether the cursor is a team workspace's (storage/team_bulk.TeamCursor) rather than SQLite's."""
    return not isinstance(cursor, sqlite3.Cursor)


def session_cursor(session: Session) -> BulkCursor:
    """A raw cursor in the session's own transaction, for bulk writes that skip the ORM."""
    dbapi = session.connection().connection.dbapi_connection
    if dbapi is None:  # only once the connection is closed, which a live session's never is
        raise RuntimeError("the session has no database connection")
    if isinstance(dbapi, sqlite3.Connection):
        return dbapi.cursor()
    from .handle import user_of
    from .team_bulk import TeamCursor

    # not SQLite: the team workspace's psycopg connection
    return TeamCursor(dbapi, user_of(session))  # type: ignore[arg-type]


def db_time(value: datetime | None) -> str | None:
    """The text form SQLAlchemy's DateTime uses on SQLite, so bulk rows read back like ORM rows."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is C code without locale work: ~4x faster than strftime over 300k values;
    # [:26] drops the "+00:00" that an aware value carries.
    return value.isoformat(" ", "microseconds")[:26]


def lock_bulk_tables(cursor: BulkCursor, incident_id: int) -> None:
    """On a team workspace, LOCK_BULK_TABLES now, after the incident's own row (FOR KEY SHARE, which the import's
    first row would take anyway); a file's import already holds its only writer's lock.

    Every writer of a team workspace takes the incident's row before these tables: an edit of its close-out record
    (FOR UPDATE), an undo of an import or a paste (FOR SHARE), a bring back (FOR UPDATE, incident_copy.put). Were
    one to take the tables first and then wait for the row, it would deadlock with another holding the row and
    waiting for the tables."""
    if on_team(cursor):
        cursor.execute("SELECT id FROM incidents WHERE id = ? FOR KEY SHARE", (incident_id,))
        cursor.lock()


def next_id(cursor: BulkCursor, table: str) -> int:
    """The first id of table's new rows in this transaction (a team workspace's: reserved, see team_bulk)."""
    if on_team(cursor):
        return cursor.next_id(table)
    return (cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1


def settle_ids(cursor: BulkCursor) -> None:
    """Before the commit: a team workspace's sequences moved past the ids its new rows took."""
    if on_team(cursor):
        cursor.settle_ids()


def insert_rows(cursor: BulkCursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """New rows into table's columns: executemany on a file, COPY on a team workspace."""
    if on_team(cursor):
        cursor.copy_rows(table, columns, rows)
        return
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def set_aside(cursor: sqlite3.Cursor, names: tuple[str, ...]) -> None:
    """Drops these indexes or triggers for a bulk write, inside its transaction; put_back makes them again.

    Their own SQL is kept meanwhile in a temporary table (this connection's only), so they come
    back word for word, and the workspace's schema check accepts it as before. A rollback (Cancel,
    an error) brings them back by itself, and no reader ever sees them gone.
    """
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_set_aside (name TEXT PRIMARY KEY, type TEXT, sql TEXT)")
    marks = ", ".join("?" * len(names))
    found = cursor.execute(f"SELECT name, type, sql FROM main.sqlite_master WHERE name IN ({marks}) "
                           "AND type IN ('index', 'trigger') AND sql IS NOT NULL", names).fetchall()
    cursor.executemany("INSERT OR REPLACE INTO bulk_set_aside (name, type, sql) VALUES (?, ?, ?)", found)
    for name, kind, _sql in found:
        cursor.execute(f'DROP {kind.upper()} main."{name}"')


def put_back(cursor: sqlite3.Cursor, names: tuple[str, ...]) -> None:
    """Makes again what set_aside dropped, of these names (an index is built once over all its rows)."""
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_set_aside (name TEXT PRIMARY KEY, type TEXT, sql TEXT)")
    marks = ", ".join("?" * len(names))
    for (sql,) in cursor.execute(f"SELECT sql FROM bulk_set_aside WHERE name IN ({marks})", names).fetchall():
        cursor.execute(sql)
    cursor.execute(f"DELETE FROM bulk_set_aside WHERE name IN ({marks})", names)
