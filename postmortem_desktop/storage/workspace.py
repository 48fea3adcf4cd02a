"""Opening and creating workspaces: files here, team workspaces through storage/team_workspace.py.

One workspace file has one writer. The right to write is a lock on the file itself (file_lock), the
file is reached by its real path so SQLite's -wal and -shm files are the same for every name of it,
and a file with other hard links is never written (each name would get a journal of its own). Every
file is inspected before use (inspection); what SQLite refuses later is said in words (sqlite_files).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from . import edit_history, file_holders, migrations, sqlite_files, team_workspace
from .errors import (  # noqa: F401 - the error classes are part of this module's interface
    AlteredWorkspaceError,
    DamagedWorkspaceError,
    DiskFullError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    ReadOnlyWorkspaceError,
    ServerUnavailableError,
    WorkspaceBusyError,
    WorkspaceError,
    WorkspaceMovedError,
)
from .file_lock import WorkspaceLock, held_in_this_process
from .handle import READ_ONLY_ON_REQUEST, UPGRADE_HOW, EditMade, Workspace
from .inspection import SQLITE_HEADER, FilePlace, check_search_index, inspect, locate  # noqa: F401
from .workspace_kind import WorkspaceKind, kind_of


def _make_engine(place: FilePlace, read_only: bool) -> Engine:
    engine = create_engine(
        "sqlite://", poolclass=QueuePool,
        creator=lambda: sqlite_files.connect(place.path, read_only=read_only, writable_place=place.writable),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (pysqlite's own
        # implicit BEGIN is skipped for some statements, which breaks all-or-nothing imports).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        if read_only:
            cur.execute("PRAGMA trusted_schema = OFF")
        else:
            # trusted_schema stays ON for writers: our own triggers keep the FTS5 search index in step,
            # and SQLite refuses FTS5 inside triggers otherwise. That is safe only because inspection
            # proved every trigger and view in the file is one this app wrote (schema_check).
            cur.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed edit survives a power cut too, not only a killed process.
            cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


class FileBacking:
    """A workspace file: its lock, SQLite's errors in words, and the journal emptied on close."""

    kind = WorkspaceKind.FILE
    user = ""  # one person's file: nobody else's edits to tell apart

    def __init__(self, path: Path, lock: WorkspaceLock):
        self.file: Path | None = path
        self.name = path.name
        self._path = path
        self._lock = lock

    def diagnose(self, exc: BaseException, *, reading: bool = False) -> WorkspaceError | None:
        if not isinstance(exc, (DBAPIError, sqlite3.Error)):
            return None
        return sqlite_files.diagnose(exc, self._path)

    def check_may_move_ids(self, engine: Engine) -> None:
        return None  # a file's ids are its own: nothing to grant

    def check_still_writable(self) -> None:
        if not self._lock.still_named():
            # Renamed or replaced while open: SQLite's journal keeps the old name, so writing on would
            # put edits where no name of the file finds them (or share a journal with a new file).
            raise WorkspaceMovedError(
                f"{self.name} was renamed, moved or replaced while it was open, so nothing more can be "
                "saved to it here. Everything saved so far is kept in the file; close it and open it under "
                "its new name."
            )

    def close(self, engine: Engine, read_only: bool) -> None:
        if not read_only:
            _checkpoint(engine)
        engine.dispose()  # SQLite's connections first: the lock's descriptor must close last
        self._lock.release()

    def record_edit(self, session: Session, edit: EditMade, client: str) -> None:
        # one writer: every screen that shows the file hears of the edit in this process. A file keeps no history,
        # except of a team incident saved into it for a meeting, which is brought back with it (edit_history.py)
        if edit.incident_id > 0 and edit_history.keeps_history(session, edit.incident_id):
            edit_history.write(session, edit, edit_history.meeting_signer())


def _checkpoint(engine: Engine) -> None:
    """Copies every committed edit from the journal into the file itself before closing.

    SQLite does this on close too, but not for a file renamed while open: its journal is named
    after the old name, so edits would stay there, found by no name of the file.
    """
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except DBAPIError:
        pass  # busy or full: SQLite's own close tries again, and nothing committed is lost by trying


def _file_workspace(path: Path, engine: Engine, lock: WorkspaceLock, read_only: bool,
                    read_only_reason: str = "") -> Workspace:
    return Workspace(engine, FileBacking(path, lock), read_only=read_only, read_only_reason=read_only_reason)


def open_workspace(target: Path | str, *, read_only: bool = False, password: str | None = None) -> Workspace:
    """Opens an existing workspace, a file or a team workspace's postgresql:// URL (workspace_kind).

    Read-only when asked, or when it may not be written here. Refuses (leaving it untouched) what is
    not a workspace, a damaged or altered one, or one written by a newer version. An older one is
    upgraded step by step, a file after a backup of it. password is a team workspace's (a file has none).
    """
    if kind_of(target) is WorkspaceKind.TEAM:
        return team_workspace.open_team_workspace(os.fspath(target), read_only=read_only, password=password)
    return _open_file(Path(target), read_only=read_only)


def _open_file(path: Path, *, read_only: bool) -> Workspace:
    place = locate(path)
    strangers = file_holders.foreign_journal_users(place.path)
    if strangers:
        raise WorkspaceBusyError(
            f"{place.path.name}-wal, the journal SQLite keeps beside {place.path.name}, is in use by process "
            f"{strangers[0]} for another file of that name (one renamed or replaced while it was open). Opening "
            "this file now would mix the two files' edits: close it there first, then open this one."
        )
    version = inspect(place)
    lock = WorkspaceLock(place.path)
    reason = READ_ONLY_ON_REQUEST.format(name=place.path.name) if read_only else _cannot_write_reason(place)
    writable = lock.acquire(write=not reason)
    if not writable and not reason:
        reason = _held_reason(place.path)
    try:
        if version < migrations.SCHEMA_VERSION:
            if not writable:
                how = f" {UPGRADE_HOW}" if read_only else ""
                raise ReadOnlyWorkspaceError(
                    f"{place.path.name} needs an upgrade to this version's format, but it cannot be written now: "
                    f"{reason} It was left untouched.{how}"
                )
            migrations.backup_file(place.path, version)
            upgrade_engine = _make_engine(place, read_only=False)
            migrations.upgrade(upgrade_engine.connect, version)
            upgrade_engine.dispose()
        engine = _make_engine(place, read_only=not writable)
        if writable:
            _check_search_index(engine, place.path)
    except (DBAPIError, sqlite3.Error) as exc:
        lock.release()
        raise (sqlite_files.diagnose(exc, place.path, opening=True) or exc) from exc
    except BaseException:
        lock.release()
        raise
    return _file_workspace(place.path, engine, lock, read_only=not writable, read_only_reason=reason)


def _check_search_index(engine: Engine, path: Path) -> None:
    raw = engine.raw_connection()
    try:
        # a workspace is SQLite: the pool's DBAPI connection is a sqlite3.Connection
        check_search_index(raw.dbapi_connection, path.name)  # type: ignore[arg-type]
    finally:
        raw.close()


def _cannot_write_reason(place: FilePlace) -> str:
    name = place.path.name
    if place.links > 1:
        return (f"{name} is open read-only because it has other names (hard links). SQLite keeps a journal per "
                "name, and writing through two names loses changes. Copy it to a new file (or remove the other "
                "names), then open that.")
    if not place.writable:
        return (f"{name} is open read-only because the file or its folder is read-only. "
                "Copy it to a folder you can write to, then open the copy to make changes.")
    return ""


def _held_reason(path: Path) -> str:
    if held_in_this_process(path):
        return (f"{path.name} is open read-only because another window of this app is editing it. "
                "Close it there, then open it again here to make changes.")
    return (f"{path.name} is open read-only because {file_holders.describe(path)} is editing it. "
            "Close it there, then open it again here to make changes.")


def create_workspace(target: Path | str, *, fill: Callable[[Workspace], None] | None = None,
                     password: str | None = None) -> Workspace:
    """A new workspace: a file, or a team workspace in an empty PostgreSQL database (a URL).

    fill, when given, adds content before the workspace is complete, so a process killed while writing
    a demo leaves no half-made workspace. Refuses to overwrite an existing file or workspace.
    """
    if kind_of(target) is WorkspaceKind.TEAM:
        return team_workspace.create_team_workspace(os.fspath(target), fill=fill, password=password)
    return _create_file(target, fill)


def _create_file(path: Path | str, fill: Callable[[Workspace], None] | None) -> Workspace:
    with creating_file(path) as new:
        if fill is not None:
            fill(new.workspace)
    return open_workspace(new.path)


@dataclass(frozen=True)
class NewFile:
    workspace: Workspace  # open for writing under a temporary name
    path: Path  # the name it gets when complete


@contextmanager
def creating_file(path: Path | str) -> Iterator[NewFile]:
    """A new workspace file to fill, built under a temporary name and given its name only when the block
    completes; an error or a Cancel in the block leaves nothing, and an existing file is never replaced."""
    target = _new_file_target(path)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.creating")
    try:
        with _building(temp) as workspace:
            yield NewFile(workspace, target)
        _publish(temp, target)
    except OSError as exc:  # a read-only or full place: said in words, and nothing is left behind
        raise WorkspaceError(f"Cannot write {target.name} in {target.parent}: {exc.strerror}. "
                             "Choose a folder you can write to, with free space.") from exc
    except (DBAPIError, sqlite3.Error) as exc:
        diagnosed = sqlite_files.diagnose(exc, target)
        raise (_no_room_for(target) if isinstance(diagnosed, DiskFullError) else diagnosed or exc) from exc
    except DiskFullError as exc:  # said by the new file's own transaction, in the words for an existing file
        raise _no_room_for(target) from exc
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm"), Path(f"{temp}-journal")):
            with contextlib.suppress(OSError):  # never made (a read-only place says EROFS, not ENOENT)
                leftover.unlink(missing_ok=True)


def _no_room_for(target: Path) -> DiskFullError:
    # not "the last change was not saved": nothing of the new file was ever there, and nothing is left
    return DiskFullError(f"The disk holding {target.parent} is full, so {target.name} was not made (nothing of it "
                         "is left there). Free some space or choose another place, then try again.")


def check_new_file(path: Path | str) -> Path:
    """Where a new workspace file at path would go; raises WorkspaceError saying why it cannot (a file is
    there already: a new file never replaces one, which may hold other incidents or be open elsewhere).

    The app asks this right after its save dialog, so the person chooses again before any work starts."""
    return _new_file_target(path)


def _new_file_target(path: Path | str) -> Path:
    text = os.fspath(path)
    if not text.strip():
        raise WorkspaceError("No file name was given for the new workspace.")
    given = Path(text).expanduser()
    if given.is_dir():
        raise WorkspaceError(f"{given} is a folder; give a file name for the new workspace, e.g. incidents.pmw.")
    if given.exists() and given.stat().st_size > 0:
        raise WorkspaceError(f"{given.name} already exists; choose another name or open it instead.")
    try:
        given.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"Cannot create the folder {given.parent}: {exc.strerror}. Choose another place.") from exc
    target = Path(os.path.realpath(given.parent)) / given.name
    for journal in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        if journal.exists():
            # SQLite would read another file's left-over journal into the new workspace
            raise WorkspaceError(
                f"{journal.name} is left over from an earlier file called {given.name} (it may hold that file's "
                "last edits). Move it away, or choose another name for the new workspace."
            )
    return target


@contextmanager
def _building(temp: Path) -> Iterator[Workspace]:
    temp.touch(exist_ok=False)
    place = FilePlace(path=temp, links=1, writable=True)
    lock = WorkspaceLock(temp)
    lock.acquire()
    engine = _make_engine(place, read_only=False)
    workspace = _file_workspace(temp, engine, lock, read_only=False)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
            conn.commit()
        migrations.upgrade(engine.connect, 0)
        from .seeding import seed_new_workspace  # keeps schema creation independent of default data

        seed_new_workspace(workspace)
        yield workspace
        with engine.connect() as conn:  # everything into the main file before it is renamed
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        workspace.close()
    wal = Path(f"{temp}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise WorkspaceError(f"The new workspace could not be completed ({wal.name} was left behind).")


def _publish(temp: Path, target: Path) -> None:
    """Gives the finished file its name without ever replacing a file someone else made meanwhile."""
    try:
        os.link(temp, target)  # fails when the name exists: no check-then-replace race
        return
    except FileExistsError:
        if target.stat().st_size > 0:
            raise WorkspaceError(f"{target.name} already exists; choose another name or open it instead.") from None
    except OSError:
        pass  # a file system without hard links: fall back to a rename
    os.replace(temp, target)
