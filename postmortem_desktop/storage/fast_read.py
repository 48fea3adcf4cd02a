"""Raw reads for what must stay fast over 100k rows (the timeline), on either engine.

The ORM's per-row work costs too much there, so these run on the driver's own cursor. The SQL is
written once, with SQLite's `?` placeholders; on a team workspace they become psycopg's `%s`, and the
one function the engines spell differently (seconds since the epoch) comes from here.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the first look (services/first_look.py) reads through ReadCursor before SQLAlchemy loads
    from sqlalchemy.orm import Session


class ReadCursor:
    """A driver cursor that takes `?` placeholders on both engines."""

    def __init__(self, cursor: Any, qmark: bool):
        self._cursor = cursor
        self._qmark = qmark
        #: psycopg's cursor (a team workspace), whose engine spells some functions differently
        self.postgres = not qmark

    def epoch_seconds(self, column: str) -> str:
        """SQL for a stored UTC time column as seconds since 1970 (a float), in this engine's spelling."""
        return epoch_seconds_sql(self.postgres, column)

    def among(self, column: str) -> str:
        """SQL for `column IN (ids)`, the ids bound as one `?` (ids_param): a statement binding one parameter per id
        fails on a big incident (storage/id_sets.py says why)."""
        return among_sql(self.postgres, column)

    def ids_param(self, ids: Iterable[int]) -> Any:
        """The one parameter `among` binds."""
        return ids_param(self.postgres, ids)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> ReadCursor:
        self._cursor.execute(sql if self._qmark else psycopg_placeholders(sql), tuple(params))
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


def among_sql(postgres: bool, column: str) -> str:
    """`column IN (ids)` with the ids as one parameter: an array on PostgreSQL, a JSON array on SQLite."""
    return f"{column} = ANY(CAST(? AS bigint[]))" if postgres else f"{column} IN (SELECT value FROM json_each(?))"


def ids_param(postgres: bool, ids: Iterable[int]) -> Any:
    """The one parameter among_sql binds: the ids, each once."""
    unique = sorted({int(i) for i in ids})
    return unique if postgres else json.dumps(unique)


def psycopg_placeholders(sql: str) -> str:
    """SQL written with SQLite's `?` placeholders, in psycopg's `%s`."""
    # psycopg reads % as its own syntax, so a literal one is doubled before ? becomes %s
    return sql.replace("%", "%%").replace("?", "%s")


@contextmanager
def read_cursor(session: Session) -> Iterator[ReadCursor]:
    """A cursor on the session's own connection (so inside its transaction), closed afterwards."""
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:  # only once the connection is closed, which a live session's never is
        raise RuntimeError("the session has no database connection")
    qmark = connection.dialect.paramstyle == "qmark"
    # psycopg: results in binary, so 100k rows' numbers and times are not parsed from text (~1.5x faster)
    cursor = dbapi.cursor() if qmark else dbapi.cursor(binary=True)
    try:
        yield ReadCursor(cursor, qmark=qmark)
    except Exception as exc:
        if qmark:
            raise
        from .team_connection_state import as_sqlalchemy_error  # psycopg: only once a team workspace is open

        # SQLAlchemy never saw this cursor: wrapped as it would wrap it, the error says whether the server is gone
        wrapped = as_sqlalchemy_error(exc, dbapi)
        if wrapped is exc:
            raise
        raise wrapped from exc
    finally:
        cursor.close()


@contextmanager
def file_read_cursor(path: Path) -> Iterator[ReadCursor]:
    """A cursor on a read-only sqlite3 connection to a workspace file, without SQLAlchemy or the file's lock.

    For a first look only: it neither writes nor creates the file (sqlite3.Error when it is no SQLite
    file; SQLite may leave the empty -wal and -shm files of a WAL reader beside it, which the open then
    uses), trusts none of the file's own SQL, and is closed before the workspace is opened for real.
    """
    if not path.is_file():
        raise sqlite3.OperationalError(f"{path} is no workspace file")
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA query_only = ON")
        with closing(connection.cursor()) as cursor:
            yield ReadCursor(cursor, qmark=True)


def epoch_seconds(session: Session, column: str) -> str:
    """SQL for a stored UTC time column as seconds since 1970 (a float), in this engine's spelling."""
    return epoch_seconds_sql(session.connection().dialect.name == "postgresql", column)


def epoch_seconds_sql(postgres: bool, column: str) -> str:
    if postgres:  # date_part is double precision; extract() is numeric since PostgreSQL 14, slower by half
        return f"date_part('epoch', {column})"
    return f"(julianday({column}) - 2440587.5) * 86400.0"
