"""Team workspaces: one PostgreSQL database several people share, opened from a postgresql:// URL.

The same mapped classes and services as a file (storage/schema.py, migrations.py); what only a file
needs (its lock, hard-link and journal checks, WAL, the backup before an upgrade) does not apply.
What the server decides is said in words here: a role that may only read gets a read-only
workspace with the grants it lacks (storage/team_grants.py), a lost server a message that nothing of the
change was saved, or, for a read, that nothing was changed.
Connecting is libpq's: PGPASSWORD, ~/.pgpass, service files and TLS options in the URL all work.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from . import edit_history, migrations, team_feed, team_grants, value_check
from .bulk import db_time
from .errors import (
    AccessRefusedError,
    AlteredWorkspaceError,
    ChangeMayBeSavedError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    NoWorkspaceYetError,
    ReadOnlyWorkspaceError,
    ServerUnavailableError,
    WorkspaceBusyError,
    WorkspaceError,
)
from .handle import READ_ONLY_ON_REQUEST, UPGRADE_HOW, EditMade, Workspace
from .schema import Base
from .team_connect_errors import connection_refusal, host_not_found
from .team_connection_state import DEAD_SERVER_NOTICED, connection_gone, unresolved_host
from .team_silence import CommitOutcomeUnknown, watch_silence
from .workspace_kind import WorkspaceKind, shown_address, team_url

# The pool's own report when a connection the server dropped is handed back ("Exception during reset or
# similar", with a traceback) is not this app's message: the person is told what failed by the statement's
# own error (errors.py). With no handler anywhere Python printed it on stderr, before the command line's
# clear one; with this one it reaches only handlers a script puts on the root logger.
logging.getLogger("sqlalchemy.pool").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from .team_bulk import TeamCursor

_CONNECT_TIMEOUT_S = 10
_CREATION_LOCK = migrations.APPLICATION_ID + 1  # a session-level advisory lock, apart from the ladder's
#: the name a person's edits are attributed to, when not their database role's (a shared role, say)


class TeamBacking:
    """A team workspace's server: its errors in words; nothing to lock or check on disk."""

    kind = WorkspaceKind.TEAM
    file: Path | None = None

    def __init__(self, name: str, user: str, role: str):
        self.name = name
        self.user = user
        #: the database role logged in as (user may be a display name instead), for the grants a message names
        self.role = role

    def record_edit(self, session: Session, edit: EditMade, client: str) -> None:
        edit_history.write(session, edit, self.user)
        team_feed.announce(session, edit.incident_id, edit.changes, client, self.user)

    def diagnose(self, exc: BaseException, *, reading: bool = False) -> WorkspaceError | None:
        return diagnose(exc, self.name, reading=reading, role=self.role)

    def check_still_writable(self) -> None:
        return None  # the server decides on every write, and diagnose says why it refused

    def check_may_move_ids(self, engine: Engine) -> None:
        try:
            with engine.connect() as conn:
                reason = team_grants.cannot_move_ids_reason(conn, self.name)
        except DBAPIError as exc:
            diagnosed = self.diagnose(exc, reading=True)
            if diagnosed is not None:
                raise diagnosed from exc
            raise
        if reason:
            raise ReadOnlyWorkspaceError(reason)

    def close(self, engine: Engine, read_only: bool) -> None:
        engine.dispose()


def record_bulk_edit(cursor: TeamCursor, edit: EditMade, client: str, user: str) -> None:
    """What TeamBacking.record_edit does for an edit's Session, for an import's own transaction (a raw cursor):
    the edit joins the incident's history under the user, and the other clients hear of it on commit."""
    if edit.incident_id > 0:
        cursor.execute('INSERT INTO incident_edits (incident_id, at, "user", what, undone) VALUES (?, ?, ?, ?, ?)',
                       (edit.incident_id, db_time(datetime.now(UTC)), user, edit.what, edit.undone))
    team_feed.announce_bulk(cursor, edit.incident_id, edit.changes, client, user)


def diagnose(exc: BaseException, name: str, *, reading: bool, role: str) -> WorkspaceError | None:
    """What a PostgreSQL error means for the person; None for errors that are not the server's, and for a
    statement refused while the connection is fine (libpq's limit of parameters, say): an unexpected error.

    reading: the error came from a read, which changes nothing: it never speaks of a change not saved.
    role: the database role logged in as (current_user), whose grants a refusal names."""
    error = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(error, pg_errors.InsufficientPrivilege) and reading:
        return team_grants.refusal_to_read(name, role, detail=_first_line(error))
    if isinstance(error, (pg_errors.InsufficientPrivilege, pg_errors.ReadOnlySqlTransaction)):
        ask = (team_grants.refusal_to_write_detail(role) if role and isinstance(error, pg_errors.InsufficientPrivilege)
               else "Ask the workspace's owner for write rights")
        return ReadOnlyWorkspaceError(
            f"{name} did not accept the change ({_first_line(error)}): your database role may not change this "
            f"team workspace, or that part of it. Nothing was saved. {ask}.")
    if isinstance(error, pg_errors.ProgramLimitExceeded):  # SQLSTATE 54: the connection is fine
        return WorkspaceError(
            f"{name} refused a value too large for it ({_first_line(error)}), so nothing of the change was "
            "saved. An id, email or name is far longer than any real one: check the file's column mapping, "
            "or shorten that value, then try again.")
    if isinstance(error, (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)):  # SQLSTATE 40: fine
        return WorkspaceBusyError(
            f"A teammate's change to the same things in {name} ran at the same moment as this one, and the server "
            "stopped this one so the two could not mix: nothing of it was saved. Look at what they changed, "
            "then do it again.")
    if isinstance(error, CommitOutcomeUnknown):  # the server has the commit, and may carry it out if it comes back
        return ChangeMayBeSavedError(
            f"The connection to {name} was lost while the change was being saved: the server may still have saved "
            f"it. Once it answers again, look at it before making the change again. ({_first_line(error)})")
    if isinstance(error, psycopg.OperationalError) and connection_gone(exc):
        known = connection_refusal(_first_line(error), name, more=str(error)) or \
            host_not_found(_first_line(error), name, changing=not reading)
        if known is not None:
            return known
        if reading:
            return ServerUnavailableError(
                f"Could not read from {name}: the team server is not answering ({_first_line(error)}). Nothing "
                "was changed. Check the network and that the server is running, then try again.")
        return ServerUnavailableError(
            f"The connection to {name} failed or was lost ({_first_line(error)}). Nothing of the last change "
            "was saved. Check the network and that the server is running; once it answers again, make the change "
            "again.")
    return None


@dataclass(frozen=True)
class TeamProbe:
    """What a test connection found: the database role it logged in as, whom edits would be by (the display name,
    else the role), and why it would open read-only ("": writable)."""

    name: str
    user: str
    read_only_reason: str
    needs_upgrade: bool
    role: str = ""
    standby: bool = False  # read-only because the server accepts no changes
    gap: team_grants.WriteGap | None = None  # read-only because the role lacks these grants


def probe_team_workspace(address: str, *, password: str | None = None) -> TeamProbe:
    """Connects once and checks the workspace there, changing nothing (no upgrade); raises what open would."""
    name = shown_address(address)
    # not a read-only session: that would hide whether the role and server may write; it only reads and
    # its transaction is rolled back when the connection closes
    engine = _make_engine(_with_password(team_url(address), password), read_only=False)
    role = ""  # known once connected: the grants a refusal names are this role's
    try:
        with engine.connect() as conn:
            role = _role(conn)
            version = _format_version(conn, name)
            if version == migrations.SCHEMA_VERSION:
                _check_tables(conn, name)
                _check_words(conn, name)
            standby = _is_standby(conn)
            gap = None if standby else team_grants.write_gap(conn, _table_names())
            reason = _standby_reason(name) if standby else team_grants.gap_reason(gap, name) if gap else ""
            probe = TeamProbe(name, _user(conn), reason, version < migrations.SCHEMA_VERSION, role, standby, gap)
    except BaseException as exc:
        _raise_diagnosed(exc, name, role)
        raise
    finally:
        engine.dispose()
    return probe


def open_team_workspace(address: str, *, read_only: bool = False, password: str | None = None) -> Workspace:
    """Opens the team workspace at address; read-only when asked or when the role may not write.

    password, when given, is used instead of one in the address or libpq's sources; it stays in memory."""
    name = shown_address(address)
    url = _with_password(team_url(address), password)
    engine = _make_engine(url, read_only=read_only)
    role = ""  # known once connected: the grants a refusal names are this role's
    try:
        with engine.connect() as conn:
            role = _role(conn)
            version = _format_version(conn, name)
            if version == migrations.SCHEMA_VERSION:
                _check_tables(conn, name)
                _check_words(conn, name)
            reason = READ_ONLY_ON_REQUEST.format(name=name) if read_only else _cannot_write_reason(conn, name)
            user = _user(conn)
        if version < migrations.SCHEMA_VERSION:
            if reason:
                how = f" {UPGRADE_HOW}" if read_only else ""
                raise ReadOnlyWorkspaceError(f"{name} needs an upgrade to this version's format, but it cannot be "
                                             f"written now: {reason} It was left untouched.{how}")
            _upgrade(engine, version, name)
        if reason and not read_only:  # read-only from the first statement, whatever a bug might try
            engine.dispose()
            engine = _make_engine(url, read_only=True)
    except BaseException as exc:
        engine.dispose()
        _raise_diagnosed(exc, name, role)
        raise
    return Workspace(engine, TeamBacking(name, user, role), read_only=bool(reason), read_only_reason=reason)


def create_team_workspace(address: str, *, fill: Callable[[Workspace], None] | None = None,
                          password: str | None = None) -> Workspace:
    """A new team workspace in an existing, empty database (made by its owner with CREATE DATABASE)."""
    name = shown_address(address)
    engine = _make_engine(_with_password(team_url(address), password), read_only=False)
    role = ""
    try:
        # one creator at a time: a second one waits here, then finds the workspace made and says so
        with engine.connect() as guard, _creating_alone(guard):
            role = _role(guard)
            _check_empty(guard, name)
            guard.commit()
            workspace = _build(engine, name, fill)
    except BaseException as exc:
        engine.dispose()
        _raise_diagnosed(exc, name, role)
        raise
    return workspace


@contextmanager
def _creating_alone(conn: Connection) -> Iterator[None]:
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _CREATION_LOCK})
    try:
        yield
    finally:
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _CREATION_LOCK})


def _build(engine: Engine, name: str, fill: Callable[[Workspace], None] | None) -> Workspace:
    try:
        migrations.upgrade(engine.connect, 0)
    except DBAPIError as exc:
        if isinstance(exc.orig, pg_errors.InsufficientPrivilege):
            raise WorkspaceError(f"Your database role may not create tables in {name}. A team workspace is "
                                 "created by a role that may (the database's owner, say).") from exc
        raise
    with engine.connect() as conn:
        user, role = _user(conn), _role(conn)
    workspace = Workspace(engine, TeamBacking(name, user, role), read_only=False)
    from .seeding import seed_new_workspace  # keeps schema creation independent of default data

    try:
        seed_new_workspace(workspace)
        if fill is not None:
            fill(workspace)
    except BaseException:
        _remove_workspace(engine)  # nothing half-made stays behind
        raise
    return workspace


def _upgrade(engine: Engine, version: int, name: str) -> None:
    """Upgrades the format; a role that may change the rows but not add tables (a teammate's, as the README grants
    it) is told who can, rather than that it may not read (this is the one write while opening)."""
    try:
        migrations.upgrade(engine.connect, version)
    except DBAPIError as exc:
        if not isinstance(exc.orig, pg_errors.InsufficientPrivilege):
            raise
        raise AccessRefusedError(
            f"{name} needs an upgrade to this version's format, which adds tables, and your database role may not "
            f"add them ({_first_line(exc.orig)}). Ask the workspace's owner to open it once with this version (that "
            "upgrades it), then open it again.") from exc


def _with_password(url: URL, password: str | None) -> URL:
    # kept on the engine's URL (in memory only) so the change feed's own connection logs in the same way
    return url.set(password=password) if password else url


def _make_engine(url: URL, *, read_only: bool) -> Engine:
    # the watch for a gone server, unless the address sets its own (connect_args would override the address's)
    watch = {key: value for key, value in DEAD_SERVER_NOTICED.items() if key not in url.query}
    connect_args: dict[str, object] = {"connect_timeout": _CONNECT_TIMEOUT_S, "application_name": "postmortem",
                                       **watch}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    # pre_ping: a connection the server dropped while idle is replaced instead of failing the next edit
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    watch_silence(engine)  # a server that is up but does not answer: its waits are cut (team_silence.py)
    return engine


def _user(conn: Connection) -> str:
    """Whom this client's edits are attributed to: the configured display name, else the database role."""
    return edit_history.display_name() or str(conn.scalar(text("SELECT current_user")))


def _role(conn: Connection) -> str:
    return str(conn.scalar(text("SELECT current_user")))


def _format_version(conn: Connection, name: str) -> int:
    if conn.scalar(text("SELECT to_regclass('workspace_format')")) is None:
        # a role that may not use the schema finds no table in it: it is told so (and the grant to ask for),
        # not that the database holds no workspace
        team_grants.refuse_unless_readable(conn, name, [])
        others = _other_tables(conn)
        if others:  # `postmortem new` would refuse it too (_check_empty): not offered
            raise NotAWorkspaceError(f"{name} holds no workspace but other tables ({', '.join(others)}). A team "
                                     "workspace needs a database of its own: create an empty one (CREATE DATABASE), "
                                     "then `postmortem new` with its address, or check the database name.")
        raise NoWorkspaceYetError(f"{name} holds no workspace. Create one there with `postmortem new {name}`, "
                                 "or check the database name.")
    # a role granted nothing is told so, with the grants to ask for, before a read fails on "permission denied"
    team_grants.refuse_unless_readable(conn, name, ["workspace_format", *_table_names()])
    rows = conn.execute(text("SELECT application_id, version FROM workspace_format")).all()
    if len(rows) != 1 or rows[0][0] != migrations.APPLICATION_ID:
        raise NotAWorkspaceError(f"{name} is not a workspace of this app (its format table is not ours).")
    version = int(rows[0][1])
    if version > migrations.SCHEMA_VERSION:
        raise NewerWorkspaceError(f"{name} was written by a newer version of this app (format {version}; this "
                                  f"version reads up to {migrations.SCHEMA_VERSION}). Update the app to open it.")
    return version


def _check_tables(conn: Connection, name: str) -> None:
    """Refuses a workspace missing tables this version writes (dropped by hand, say) before any screen trips."""
    tables = _table_names()
    missing = conn.scalars(text("SELECT t FROM unnest(CAST(:tables AS text[])) AS t WHERE to_regclass(t) IS NULL "
                                "ORDER BY t"), {"tables": tables}).all()
    if missing:
        raise AlteredWorkspaceError(f"{name} is missing tables this app writes ({', '.join(missing)}), so it was not "
                                    "opened. Restore it from the server's backup.")


def _check_words(conn: Connection, name: str) -> None:
    """Refuses a workspace holding a word outside the vocabulary (written on the server by hand, say)."""
    stray = value_check.first_stray_word(conn)
    if stray is not None:
        raise AlteredWorkspaceError(
            f"{name} holds a value this app never writes: {stray.sentence()}. It was changed outside this app, and "
            "reading it would fail part-way or spread it, so it was not opened. Ask the workspace's owner to "
            "correct that value on the server, or restore it from the server's backup.")


def _table_names() -> list[str]:
    return [table.name for table in Base.metadata.sorted_tables]


def _cannot_write_reason(conn: Connection, name: str) -> str:
    if _is_standby(conn):
        return _standby_reason(name)
    return team_grants.cannot_write_reason(conn, name, _table_names())


def _is_standby(conn: Connection) -> bool:
    return conn.scalar(text("SHOW transaction_read_only")) == "on"


def _standby_reason(name: str) -> str:
    return (f"{name} is open read-only because the server accepts no changes (a read-only standby). "
            "Open the primary server's address to make changes.")


def _check_empty(conn: Connection, name: str) -> None:
    if conn.scalar(text("SELECT to_regclass('workspace_format')")) is not None:
        raise WorkspaceError(f"{name} already holds a workspace; open it instead.")
    others = _other_tables(conn)
    if others:
        raise WorkspaceError(f"{name} already holds other tables ({', '.join(others)}). A team workspace needs a "
                             "database of its own: create an empty one (CREATE DATABASE) and use that.")


def _other_tables(conn: Connection) -> list[str]:
    """The first few tables of the database's schema, by name (for a message)."""
    return list(conn.scalars(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "ORDER BY table_name LIMIT 3")).all())


def _remove_workspace(engine: Engine) -> None:
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS workspace_format")
        # the search's words (migrations._to_v8); unaccent stays: it may have been there before, and harms nothing
        conn.exec_driver_sql(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {migrations.TEAM_WORDS}")


def _raise_diagnosed(exc: BaseException, name: str, role: str) -> None:
    """Raises what a failed open, test or creation means; these change nothing, so none speaks of a lost change.

    role: current_user, "" when the connection failed before it was known (a refusal then names no role)."""
    if not isinstance(exc, DBAPIError):
        return
    diagnosed = diagnose(exc, name, reading=True, role=role)
    # the general "not answering" one is meant for a screen's read; a host name not found says what to check itself
    if type(diagnosed) is ServerUnavailableError and unresolved_host(_first_line(exc.orig or exc)) is None:
        raise ServerUnavailableError(
            f"Could not reach {name} ({_first_line(exc.orig or exc)}). Nothing was changed. Check the network "
            "and that the server is running, and the host and port, then try again.") from exc
    if diagnosed is not None:
        raise diagnosed from exc


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
