"""Raw reads for what must stay fast over 100k rows (the timeline), on either engine.

The ORM's per-row work costs too much there, so these run on the driver's own cursor. The SQL is
written once, with SQLite's `?` placeholders; on a team workspace they become psycopg's `%s`, and the
one function the engines spell differently (seconds since the epoch) comes from here.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session


class ReadCursor:
    """A driver cursor that takes `?` placeholders on both engines."""

    def __init__(self, cursor: Any, qmark: bool):
        self._cursor = cursor
        self._qmark = qmark

    def execute(self, sql: str, params: Sequence[Any] = ()) -> ReadCursor:
        # psycopg reads % as its own syntax, so a literal one is doubled before ? becomes %s
        self._cursor.execute(sql if self._qmark else sql.replace("%", "%%").replace("?", "%s"), tuple(params))
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


@contextmanager
def read_cursor(session: Session) -> Iterator[ReadCursor]:
    """A cursor on the session's own connection (so inside its transaction), closed afterwards."""
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:  # only once the connection is closed, which a live session's never is
        raise RuntimeError("the session has no database connection")
    cursor = dbapi.cursor()
    try:
        yield ReadCursor(cursor, qmark=connection.dialect.paramstyle == "qmark")
    finally:
        cursor.close()


def epoch_seconds(session: Session, column: str) -> str:
    """SQL for a stored UTC time column as seconds since 1970 (a float), in this engine's spelling."""
    if session.connection().dialect.name == "postgresql":
        return f"extract(epoch from {column})::float8"
    return f"(julianday({column}) - 2440587.5) * 86400.0"
