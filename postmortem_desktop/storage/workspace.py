"""Opening, creating and checking workspace files; the engine and one-transaction sessions."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from . import migrations
from .file_lock import WorkspaceLock

SQLITE_HEADER = b"SQLite format 3\x00"


class WorkspaceError(Exception):
    """A workspace could not be opened or written; the message is for the user."""


class NotAWorkspaceError(WorkspaceError):
    pass


class DamagedWorkspaceError(WorkspaceError):
    pass


class NewerWorkspaceError(WorkspaceError):
    pass


class ReadOnlyWorkspaceError(WorkspaceError):
    pass


def _inspect(path: Path) -> tuple[int, int]:
    """(application_id, user_version) of a file, refusing anything that is not a sound workspace.

    Reads through a read-only connection so a refused file is left exactly as it was.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {path}: {exc.strerror}.") from exc
    if header != SQLITE_HEADER:
        raise NotAWorkspaceError(
            f"{path.name} is not a workspace (it is not a SQLite database). "
            "Choose a .pmw workspace file, or use File › New Workspace to start one."
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != migrations.APPLICATION_ID:
                raise NotAWorkspaceError(
                    f"{path.name} is a SQLite database, but not a postmortem workspace. "
                    "It was left untouched. Open a workspace file or create a new one."
                )
            result = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DamagedWorkspaceError(
            f"{path.name} is damaged and cannot be opened ({exc}). It was left untouched; "
            "restore it from a backup (a .bak file beside it, if a migration made one)."
        ) from exc
    if result != [("ok",)]:
        first = "; ".join(row[0] for row in result[:3])
        raise DamagedWorkspaceError(
            f"{path.name} is damaged: the integrity check failed ({first}). It was left untouched; "
            "restore it from a backup."
        )
    if version > migrations.SCHEMA_VERSION:
        raise NewerWorkspaceError(
            f"{path.name} was written by a newer version of this app (format {version}; this version "
            f"reads up to {migrations.SCHEMA_VERSION}). It was left untouched: update the app to open it."
        )
    return app_id, version


def _make_engine(path: Path, read_only: bool) -> Engine:
    url = f"sqlite:///file:{path}?mode=ro&uri=true" if read_only else f"sqlite:///{path}"
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy, not the driver, decide when transactions begin (pysqlite's own
        # implicit BEGIN is skipped for some statements, which breaks all-or-nothing imports).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed edit survives a power cut too, not only a killed process.
            cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql("BEGIN")

    return engine


class Workspace:
    """One open workspace file: its engine, its lock, and whether we may write."""

    def __init__(self, path: Path, engine: Engine, lock: WorkspaceLock, read_only: bool):
        self.path = path
        self.engine = engine
        self.read_only = read_only
        self._lock = lock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if "readonly" in str(exc).replace("-", "").lower():
                raise ReadOnlyWorkspaceError(self.read_only_reason) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only (works on read-only workspaces)."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def require_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyWorkspaceError(self.read_only_reason)

    @property
    def read_only_reason(self) -> str:
        return (
            f"{self.path.name} is open read-only because another window or process is editing it. "
            "Close it there, then open it again here to make changes."
        )

    def close(self) -> None:
        self.engine.dispose()
        self._lock.release()


def create_workspace(path: Path | str) -> Workspace:
    """A new, empty workspace at path (refuses to overwrite an existing file)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise WorkspaceError(f"{path.name} already exists; choose another name or open it instead.")
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = WorkspaceLock(path)
    if not lock.acquire():
        raise WorkspaceError(f"{path.name} is being created by another process.")
    try:
        engine = _make_engine(path, read_only=False)
        with engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
            conn.commit()
        migrations.upgrade(engine.connect, 0)
    except BaseException:
        lock.release()
        raise
    ws = Workspace(path, engine, lock, read_only=False)
    from .seeding import seed_new_workspace  # keeps schema creation independent of default data

    seed_new_workspace(ws)
    return ws


def open_workspace(path: Path | str) -> Workspace:
    """Opens an existing workspace; read-only when another process holds it.

    Refuses (leaving the file untouched) a file that is not a workspace, a damaged one, or one
    written by a newer version. An older one is backed up, then upgraded step by step.
    """
    path = Path(path)
    if not path.exists():
        raise WorkspaceError(f"{path} does not exist. Check the name, or create a new workspace.")
    _app_id, version = _inspect(path)
    lock = WorkspaceLock(path)
    writable = lock.acquire()
    try:
        if version < migrations.SCHEMA_VERSION:
            if not writable:
                raise WorkspaceError(
                    f"{path.name} needs an upgrade, but another process has it open. Close it there first."
                )
            migrations.backup_file(path, version)
            upgrade_engine = _make_engine(path, read_only=False)
            migrations.upgrade(upgrade_engine.connect, version)
            upgrade_engine.dispose()
        engine = _make_engine(path, read_only=not writable)
    except BaseException:
        lock.release()
        raise
    return Workspace(path, engine, lock, read_only=not writable)
