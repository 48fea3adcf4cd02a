"""Checks a file before it is used as a workspace, through a read-only connection, changing nothing.

Every file a person opens is untrusted (a workspace from a colleague, a download, a renamed file):
it must be a regular file, a SQLite database carrying this app's id, pass SQLite's integrity check,
carry a format number this app knows, hold exactly the schema this app writes for that format, and
only values this app writes (value_check).
"""
from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from . import file_lock, migrations, schema_check, sqlite_files, value_check
from .errors import (
    AlteredWorkspaceError,
    DamagedWorkspaceError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    WorkspaceError,
)

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FilePlace:
    """Where a workspace file is, and what may be done there."""

    path: Path  # absolute, links resolved: SQLite names the -wal and -shm files after it
    links: int  # hard links: other names of the same file
    writable: bool  # the file and its folder can be written by this user


def locate(given: Path | str) -> FilePlace:
    """The real file behind a name the person gave, refusing what is not a regular file."""
    text = os.fspath(given)
    if not text.strip():
        raise WorkspaceError("No workspace file was given. Name a .pmw workspace file.")
    path = Path(os.path.realpath(Path(text).expanduser()))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise WorkspaceError(f"{text} does not exist. Check the name, or create a new workspace.") from None
    except OSError as exc:
        raise WorkspaceError(f"Cannot open {text}: {exc.strerror}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise NotAWorkspaceError(f"{text} is a folder, not a workspace. Choose a .pmw workspace file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise NotAWorkspaceError(
            f"{text} is not a regular file (it is a pipe, socket or device), so it cannot be a workspace. "
            "Choose a .pmw workspace file."
        )
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    return FilePlace(path=path, links=info.st_nlink, writable=writable)


def inspect(place: FilePlace) -> int:
    """The file's format number (user_version), after refusing anything that is not a sound workspace."""
    name = place.path.name
    header = file_lock.read_start(place.path, len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAWorkspaceError(
            f"{name} is not a workspace (it is not a SQLite database). "
            "Choose a .pmw workspace file, or use File › New Workspace to start one."
        )
    if not place.writable and Path(f"{place.path}-wal").exists() and not Path(f"{place.path}-shm").exists():
        # SQLite needs the -shm index to read a journal, and cannot make one in a read-only place
        raise WorkspaceError(
            f"{name} was copied in the middle of an edit (its journal {name}-wal is beside it) into a place "
            "you cannot write to, so its last edits cannot be read here. Copy both files to a folder you can "
            "write to, and open it there."
        )
    try:
        conn = sqlite_files.connect(place.path, read_only=True, writable_place=place.writable)
        try:
            return _check(conn, name)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise (sqlite_files.diagnose(exc, place.path, opening=True) or DamagedWorkspaceError(
            f"{name} is damaged and cannot be opened ({exc}). It was left untouched; "
            "restore it from a backup (a .bak file beside it, if an upgrade made one)."
        )) from exc


def _check(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("PRAGMA trusted_schema = OFF")
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != migrations.APPLICATION_ID:
        raise NotAWorkspaceError(
            f"{name} is a SQLite database, but not a postmortem workspace. "
            "It was left untouched. Open a workspace file or create a new one."
        )
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        first = "; ".join(row[0] for row in result[:3])
        raise DamagedWorkspaceError(
            f"{name} is damaged: the integrity check failed ({first}). It was left untouched; "
            "restore it from a backup."
        )
    if version > migrations.SCHEMA_VERSION:
        raise NewerWorkspaceError(
            f"{name} was written by a newer version of this app (format {version}; this version "
            f"reads up to {migrations.SCHEMA_VERSION}). It was left untouched: update the app to open it."
        )
    if version < 0:
        raise AlteredWorkspaceError(
            f"{name} carries a format number ({version}) that no version of this app writes: it was altered "
            "or damaged. It was left untouched; restore it from a backup."
        )
    differences = schema_check.shape_of(conn).differences(schema_check.expected_shape(version))
    if differences:
        shown = "; ".join(differences[:3]) + (f"; and {len(differences) - 3} more" if len(differences) > 3 else "")
        raise AlteredWorkspaceError(
            f"{name} is not laid out the way this app writes format {version} ({shown}). It may have been "
            "altered by another program, and opening it could run code it carries, so it was left untouched. "
            "Ask whoever sent it for the original, or restore it from a backup."
        )
    stray = value_check.first_stray_value(conn)
    if stray is not None:
        raise AlteredWorkspaceError(
            f"{name} holds a value this app never writes: {stray.sentence()}. It may have been altered by "
            "another program, and reading it would fail part-way, so it was left untouched. Ask whoever sent "
            "it for the original, or restore it from a backup."
        )
    return version


def check_search_index(conn: sqlite3.Connection, name: str) -> None:
    """The full-text indexes agree with their messages (FTS5's own integrity check).

    FTS5 runs it only through a write statement, so it needs a writable connection; it runs inside a
    transaction that is rolled back, so nothing is written. SQLite's integrity check does not look
    inside these indexes, and a damaged one failed only later, mid-import.
    """
    conn.execute("BEGIN")
    try:
        for table in ("message_search", "conversation_search"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_CORRUPT:
            raise  # busy, full, I/O: not a verdict on the index (the caller says what it means)
        raise DamagedWorkspaceError(
            f"{name} is damaged: its search index does not match its messages ({exc}). It was left untouched; "
            "restore it from a backup."
        ) from exc
    finally:
        conn.execute("ROLLBACK")
