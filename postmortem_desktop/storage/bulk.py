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
