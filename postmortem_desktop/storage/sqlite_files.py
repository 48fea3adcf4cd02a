"""Connecting to a workspace file by its path, never through a URL parser, and saying in words what
went wrong when SQLite refuses.

A name such as `Incident #42.pmw`, `q?.pmw` or `50%25.pmw` went through SQLAlchemy's URL parsing
and SQLite's URI parsing, which read `#`, `?` and `%xx` as syntax: opening created a stray file
`Incident ` and `50%25.pmw` wrote `50%.pmw`. Here a writable connection gets the plain absolute path
(SQLite only parses names that start with `file:`) and a read-only one a URI built by pathlib, which
percent-encodes every such character.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from . import file_holders
from .errors import (
    DamagedWorkspaceError,
    DiskFullError,
    ReadOnlyWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
)

# Below this much free space an I/O error is most likely a full disk.
_NEARLY_FULL_BYTES = 1 << 20


def connect(path: Path, *, read_only: bool, writable_place: bool = True) -> sqlite3.Connection:
    """A DB-API connection to the workspace file at path (absolute), built without URL parsing.

    A read-only connection to a file whose -wal journal exists (someone has it open in WAL mode) is
    SQLite's `mode=ro`: such a connection never checkpoints the journal or deletes it when it closes.
    An ordinary one does both when it finds no other user's locks, and the writer's locks can be gone
    without the writer knowing: POSIX drops all of a process's locks on a file when it closes any
    descriptor of it, which Qt does whenever it sniffs the file's type (file dialogs showing its
    folder). The writer then went on committing into a journal that no longer had a name, and its
    edits were lost when it stopped (tests/core/test_dropped_locks.py).

    Otherwise a read-only connection in a place this user can write is an ordinary one with
    `query_only` set: `mode=ro` would create the -wal and -shm files of a WAL database that nobody has
    open and could not remove them again, so a read command would leave files behind. Where nothing
    can be written (a read-only folder), `mode=ro` it is, and `immutable=1` when no -wal file exists:
    SQLite could not create the -shm file it otherwise needs, and nobody can change the file there.
    """
    if not path.is_absolute():
        raise ValueError(f"workspace paths are resolved before connecting: {path}")
    journal_in_use = Path(f"{path}-wal").exists()
    if writable_place and not (read_only and journal_in_use):
        conn = sqlite3.connect(os.fspath(path), check_same_thread=False)
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        return conn
    query = "?mode=ro" if journal_in_use else "?mode=ro&immutable=1"
    return sqlite3.connect(path.as_uri() + query, uri=True, check_same_thread=False)


def sqlite_error_of(exc: BaseException) -> sqlite3.Error | None:
    """The sqlite3 error behind exc (itself, or what SQLAlchemy wrapped), if any."""
    seen = exc
    for _ in range(4):
        if isinstance(seen, sqlite3.Error):
            return seen
        inner = getattr(seen, "orig", None) or seen.__cause__
        if inner is None:
            return None
        seen = inner
    return None


def diagnose(exc: BaseException, path: Path, *, opening: bool = False) -> WorkspaceError | None:
    """The WorkspaceError that says in words what SQLite's error means for the file at path.

    opening: the error came while the file was being opened, before any change was asked for.

    None when exc is not an error SQLite raised about the file (then it is a bug, reported as such).
    """
    error = sqlite_error_of(exc)
    if error is None:
        return None
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary code; extended codes add high bits
    name = path.name
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return WorkspaceBusyError(
            f"{name} is being written by {file_holders.describe(path)}, so nothing was changed here. "
            "Wait for it to finish (or close it there), then try again."
        )
    if code == sqlite3.SQLITE_READONLY:
        return ReadOnlyWorkspaceError(
            f"{name} cannot be written here (the file or its folder is read-only), so nothing was changed. "
            "Copy it to a folder you can write to, then open the copy."
        )
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and disk_nearly_full(path)):
        what = ("so it could not be opened (SQLite needs a little room beside it); nothing was changed"
                if opening else "so the last change was not saved; everything saved before it is intact")
        return DiskFullError(f"The disk holding {name} is full, {what}. Free some space, then try again.")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DamagedWorkspaceError(
            f"{name} is damaged ({error}). Nothing more was written to it; restore it from a backup "
            "(a .bak file beside it, if an upgrade made one)."
        )
    if code == sqlite3.SQLITE_IOERR:
        return WorkspaceError(
            f"{name} could not be read or written (a disk or network error: {error}). Nothing was changed; "
            "check the disk or connection, then try again."
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        return WorkspaceError(
            f"{name} could not be opened ({error}). Check that its folder exists and that you may read it."
        )
    return None


def disk_nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False
