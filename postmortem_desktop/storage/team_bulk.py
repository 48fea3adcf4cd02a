"""Bulk writes (imports and their undo) on a team workspace: COPY, ids reserved up front, one transaction.

The import code (services/ticket_store.py, import_undo.py, conversations.py) is written once, in the
SQLite driver's terms: `?` placeholders, rows read back with times as stored text. TeamCursor gives a
psycopg cursor that shape, so the same statements run on PostgreSQL, and adds what only the server
has: COPY ... FROM STDIN for the new rows (copy_rows), and ids taken from the tables' sequences.

Ids: the planner numbers new rows itself (it may run in a helper process, without a connection), so
the first id of each table is taken with nextval while the import holds the bulk tables in SHARE ROW
EXCLUSIVE mode (others may read, none may write them until it ends), and settle_ids moves each
sequence past the last id used before the commit. Another client's insert takes its id from the
sequence only once it has its table lock, that is after the import ends, so the two never collide.
A failed, cancelled or killed import leaves only a gap in the numbers: sequences are not transactional.

Search needs nothing here: the GIN indexes are over the words of the text itself
(migrations.team_words), so PostgreSQL indexes COPY'd rows as it writes them.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import psycopg
from psycopg import sql
from psycopg.adapt import Buffer, Loader
from sqlalchemy.exc import DBAPIError

from .bulk import LOCK_BULK_TABLES
from .fast_read import psycopg_placeholders
from .team_connection_state import as_sqlalchemy_error
from .workspace_kind import WorkspaceKind

if TYPE_CHECKING:
    from .handle import Workspace

# While a bulk transaction holds the bulk tables, its connection carries this name and its user's on the server
# (pg_stat_activity.application_name, which every role may read), so another client's edit that must wait for it
# can say whose import it waits for (bulk_writer).
BULK_WRITER_PREFIX = "postmortem import by "
_NAME_BYTES = 63  # what the server keeps of application_name, in printable ASCII only (it mangles the rest)


def bulk_writer_name(user: str) -> str:
    """The application_name a bulk transaction of user's carries: the name %-quoted into ASCII, or none when it
    does not fit (bulk_writer then names the database role)."""
    quoted = quote(user, safe=" ()'-.,_@")
    return BULK_WRITER_PREFIX + (quoted if len(BULK_WRITER_PREFIX) + len(quoted) <= _NAME_BYTES else "")


_STORED_TIME_LENGTH = 26  # storage/bulk.db_time's form: "YYYY-MM-DD HH:MM:SS.ffffff"


class StoredTimeLoader(Loader):
    """A timestamp read back as the text storage/bulk.db_time writes, as SQLite's rows have it.

    The planner compares stored times as text (review window, unchanged tickets); PostgreSQL's text
    form drops a zero fraction ("10:00:00" rather than "10:00:00.000000"), so it is padded here.
    """

    def load(self, data: Buffer) -> str:
        text = bytes(data).decode("ascii")
        if len(text) == 19:  # no fraction at all
            return text + ".000000"
        return text.ljust(_STORED_TIME_LENGTH, "0")


@lru_cache(maxsize=256)
def server_statement(statement: str) -> str:
    """A statement in the SQLite driver's terms, in psycopg's: %s placeholders, ON CONFLICT DO NOTHING."""
    text = psycopg_placeholders(statement)
    ignore = re.match(r"\s*INSERT OR IGNORE INTO", text, flags=re.IGNORECASE)
    if ignore:
        text = "INSERT INTO" + text[ignore.end():] + " ON CONFLICT DO NOTHING"
    return text


class TeamCursor:
    """A psycopg cursor in one import's transaction, used as the SQLite import code uses sqlite3's."""

    def __init__(self, connection: psycopg.Connection, user: str) -> None:
        self.connection = connection
        self.user = user  # whose import this is: bulk_writer names them to a teammate who waits for it
        self._cursor = connection.cursor()
        self._cursor.adapters.register_loader("timestamp", StoredTimeLoader)
        self._numbered: list[str] = []  # tables whose next id was taken: settle_ids moves their sequences
        self._locked = False

    @contextlib.contextmanager
    def _said_as_sqlalchemy(self) -> Iterator[None]:
        """SQLAlchemy never sees this cursor: its errors are wrapped as SQLAlchemy would wrap them, saying whether
        the connection is gone, so a lost server is told from a refused statement (team_connection_state.py)."""
        try:
            yield
        except psycopg.Error as exc:
            raise as_sqlalchemy_error(exc, self.connection) from exc

    def execute(self, statement: str, params: Sequence[Any] = ()) -> TeamCursor:
        with self._said_as_sqlalchemy():
            self._cursor.execute(server_statement(statement), tuple(params))
        return self

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:  # psycopg refuses an executemany of nothing less kindly than sqlite3 does nothing
            with self._said_as_sqlalchemy():
                self._cursor.executemany(server_statement(statement), rows)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    @property
    def description(self) -> list[tuple[str]]:
        return [(column.name,) for column in self._cursor.description or ()]

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                  constants: tuple = ()) -> None:
        """COPY rows into table's columns; `constants` are appended to every row (defaults the ORM, not
        the server, would fill in)."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
        with self._said_as_sqlalchemy(), self._cursor.copy(statement) as copy:
            write = copy.write_row
            if constants:
                for row in rows:
                    write((*row, *constants))
            else:
                for row in rows:
                    write(row)

    def next_id(self, table: str) -> int:
        """The first id this transaction may give table's new rows (all from it up are its own)."""
        self.lock()
        if table not in self._numbered:
            self._numbered.append(table)
        row = self._cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", (table,)).fetchone()
        if row is None:  # nextval always returns one row
            raise RuntimeError(f"no id sequence for {table}")
        return int(row[0])

    def lock(self) -> None:
        """The bulk tables locked for this transaction (bulk.LOCK_BULK_TABLES), once, until it ends."""
        if not self._locked:
            # named for this transaction only (set_config's is_local): the pooled connection is itself again after
            self._cursor.execute("SELECT set_config('application_name', %s, true)", (bulk_writer_name(self.user),))
            self._cursor.execute(LOCK_BULK_TABLES)
            self._locked = True

    def settle_ids(self) -> None:
        """Each numbered table's sequence past the highest id now in it, before the commit."""
        for table in self._numbered:
            self._cursor.execute(sql.SQL(
                "SELECT setval(s, GREATEST((SELECT max(id) FROM {}), pg_sequence_last_value(s))) "
                "FROM (SELECT CAST(pg_get_serial_sequence(%s, 'id') AS regclass) AS s) AS sequence"
            ).format(sql.Identifier(table)), (table,))
        self._numbered.clear()

    def close(self) -> None:
        self._cursor.close()


class TeamTransaction:
    """One bulk import's (or undo's) transaction on a pooled connection of its own."""

    def __init__(self, cursor: TeamCursor) -> None:
        self.cursor = cursor
        self.committed = False

    def commit(self) -> None:
        self.cursor.settle_ids()
        self.cursor.connection.commit()
        self.committed = True


_BULK_WRITER = (
    "SELECT a.application_name, a.usename FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'relation' AND l.relation = CAST('conversations' AS regclass) "
    "AND l.mode = 'ShareRowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid() LIMIT 1")


def bulk_writer(workspace: Workspace) -> str | None:
    """Who, on another client, is writing an import (or its undo) into the team workspace right now, holding its
    conversations, messages and customers until it commits: their name, or "a teammate" when the server does not
    say; None when no one is, for a file (whose one writer is this app), or when the server cannot be asked."""
    if workspace.kind is not WorkspaceKind.TEAM:
        return None
    try:
        with workspace.engine.connect() as conn:
            holder = conn.exec_driver_sql(_BULK_WRITER).first()
    except DBAPIError:
        return None  # the edit that asked finds out itself, and says so in its own words
    if holder is None:
        return None
    name, role = holder
    if not name.startswith(BULK_WRITER_PREFIX):
        return "a teammate"  # not one of ours that says (another program's, or an older version's)
    return unquote(name.removeprefix(BULK_WRITER_PREFIX)).strip() or role or "a teammate"


@contextlib.contextmanager
def bulk_transaction(workspace: Workspace) -> Iterator[TeamTransaction]:
    """Rolled back unless commit() was called: on an error, on Cancel (GeneratorExit), on a dry run.

    If the client dies instead, the server ends the transaction when the connection drops, and the
    import's locks with it: nothing of it is ever visible.
    """
    raw = workspace.engine.raw_connection()
    connection = raw.driver_connection
    if not isinstance(connection, psycopg.Connection):
        raw.close()
        raise TypeError("a team workspace's bulk transaction needs its psycopg connection")
    transaction = TeamTransaction(TeamCursor(connection, workspace.user))
    try:
        yield transaction
    except BaseException as exc:
        _roll_back(connection)
        workspace.raise_diagnosed(as_sqlalchemy_error(exc, connection))
        raise
    else:
        if not transaction.committed:
            _roll_back(connection)
    finally:
        with contextlib.suppress(psycopg.Error):
            transaction.cursor.close()
        raw.close()


def _roll_back(connection: psycopg.Connection) -> None:
    # a connection the server dropped has nothing left to roll back, and the pool replaces it
    with contextlib.suppress(psycopg.Error):
        connection.rollback()
