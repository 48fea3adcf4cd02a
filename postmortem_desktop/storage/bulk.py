"""Fast raw-SQL helpers for bulk writes (imports): ids assigned up front, executemany, one transaction."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session

from .errors import NotOnTeamYetError


def require_file_engine(dialect_name: str, what: str) -> None:
    """Refuses, in words, SQLite-only raw SQL on a team workspace (its PostgreSQL form comes later)."""
    if dialect_name != "sqlite":
        raise NotOnTeamYetError(f"{what} works on workspace files only in this version, not yet on a team "
                                "workspace. Nothing was changed.")


def driver_connection(session: Session, what: str = "This step") -> DBAPIConnection:
    """The SQLite driver connection under the session, for the bulk reads and writes that skip the ORM."""
    connection = session.connection()
    require_file_engine(connection.dialect.name, what)
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:  # only once the connection is closed, which a live session's never is
        raise RuntimeError("the session has no database connection")
    return dbapi


def db_time(value: datetime | None) -> str | None:
    """The text form SQLAlchemy's DateTime uses on SQLite, so bulk rows read back like ORM rows."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is C code without locale work: ~4x faster than strftime over 300k values;
    # [:26] drops the "+00:00" that an aware value carries.
    return value.isoformat(" ", "microseconds")[:26]


def next_id(cursor: sqlite3.Cursor, table: str) -> int:
    return (cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1


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
