"""An open workspace of either kind: its engine, one-transaction sessions, and whether we may write.

What differs between a file and a team workspace (what an error means, what makes writing stop,
what closing involves) is its Backing: storage/workspace.py has the file's, storage/team_workspace.py
the team's. Services see only this class.
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..domain.changes import DataChange
from .errors import ReadOnlyWorkspaceError, WorkspaceError
from .workspace_kind import WorkspaceKind

READ_ONLY_ON_REQUEST = "{name} is open for reading only."
#: what to do about a workspace of an older format that was opened for reading only (a read command, or
#: File › Open Read-Only): only a writable open upgrades it, after backing a file up
UPGRADE_HOW = ("To upgrade it, open it once for writing: in the app (File › Open…, or File › Open Team "
               "Workspace…) or with a command that changes it, such as `postmortem import`; a file is backed up "
               "first. Then run this again.")


#: the key of a session's `info` that holds whom its workspace attributes edits to (Workspace.user)
_USER = "user"


def user_of(session: Session) -> str:
    """Whom the edits made in this session are attributed to: its team workspace's user, "" for a file's."""
    return str(session.info.get(_USER, ""))


@dataclass(frozen=True)
class EditMade:
    """One edit (or undo) as the workspace records it: which incident (-1: the whole workspace), what kind
    of data it changed, its name; the cards whose columns and the columns (tags) it changed, so a conflict over
    one of them can name who changed it last (storage/edit_history.py)."""

    incident_id: int
    changes: DataChange
    what: str
    undone: bool = False
    cards: tuple[int, ...] = ()  # quote ids
    columns: tuple[int, ...] = ()  # tag ids


class Backing(Protocol):
    """What one kind of workspace adds to the engine."""

    kind: WorkspaceKind
    name: str  # for messages and titles: a file's name, a team workspace's address without password
    file: Path | None  # the workspace file, for a file workspace
    user: str  # whom this client's edits are attributed to ("" for a file: one person's own)

    def diagnose(self, exc: BaseException, *, reading: bool = False) -> WorkspaceError | None:
        """The WorkspaceError that says what a database error means here, None for other errors; reading: it
        came from a read, which changed nothing (a lost server then speaks of no change lost)."""

    def check_still_writable(self) -> None:
        """Raises a WorkspaceError when writing must stop although the workspace opened writable."""

    def check_may_move_ids(self, engine: Engine) -> None:
        """Raises a WorkspaceError when an import or a publish may not number its new rows in a block (a team
        workspace's role without UPDATE on the id sequences), though edits may."""

    def close(self, engine: Engine, read_only: bool) -> None:
        """Releases what the workspace holds, the engine included."""

    def record_edit(self, session: Session, edit: EditMade, client: str) -> None:
        """In the edit's transaction: attributes it in the incident's history and tells the other clients
        on commit (a team workspace); a file, one person's with one writer, does neither."""


class Workspace:
    """One open workspace: its engine, its backing, and whether (and why not) we may write."""

    def __init__(self, engine: Engine, backing: Backing, read_only: bool, read_only_reason: str = ""):
        self.engine = engine
        self.backing = backing
        self.read_only = read_only
        self.read_only_reason = read_only_reason or READ_ONLY_ON_REQUEST.format(name=backing.name)
        # every session knows whose edits it makes, so an edit can say who decided in its own transaction
        self._sessions = sessionmaker(engine, expire_on_commit=False, info={_USER: backing.user})
        #: this open workspace among the clients of a team workspace: it ignores its own change notices
        self.client_id = uuid.uuid4().hex

    @property
    def user(self) -> str:
        """Whom this client's edits are attributed to: a team workspace's display name or role, "" for a file."""
        return self.backing.user

    def record_edit(self, session: Session, incident_id: int, changes: DataChange, what: str, *,
                    undone: bool = False, cards: tuple[int, ...] = (), columns: tuple[int, ...] = ()) -> None:
        """Called inside an edit's (or its undo's) transaction: on a team workspace it is attributed to this
        client's user in the incident's history (the workspace's, for an edit of no one incident), and in the
        history of the cards and columns it changed; the other clients hear of it on commit."""
        self.backing.record_edit(session, EditMade(incident_id, changes, what, undone, cards, columns), self.client_id)


    @property
    def kind(self) -> WorkspaceKind:
        return self.backing.kind

    @property
    def name(self) -> str:
        return self.backing.name

    @property
    def files(self) -> tuple[Path, ...]:
        """The files this workspace is (none for a team workspace): an output must never replace one."""
        return (self.backing.file,) if self.backing.file is not None else ()

    @property
    def path(self) -> Path:
        """The workspace file. Only file workspaces have one; code for both kinds uses name and files."""
        if self.backing.file is None:
            raise WorkspaceError(f"{self.name} is a team workspace on a server, not a file.")
        return self.backing.file

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException as exc:
            # a rollback on a connection the server ended fails too: exc says why, not the rollback
            with contextlib.suppress(Exception):
                session.rollback()
            self.raise_diagnosed(exc)
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only (works on read-only workspaces)."""
        session = self._sessions()
        try:
            yield session
        except Exception as exc:  # also a raw driver cursor's (storage/fast_read.py), which SQLAlchemy never wraps
            self.raise_diagnosed(exc, reading=True)
            raise
        finally:
            session.rollback()
            session.close()

    def raise_diagnosed(self, exc: BaseException, *, reading: bool = False) -> None:
        """Raises the WorkspaceError that says what a database error means here; returns for other errors."""
        diagnosed = self.backing.diagnose(exc, reading=reading)
        if isinstance(diagnosed, ReadOnlyWorkspaceError) and self.read_only:
            diagnosed = ReadOnlyWorkspaceError(self.read_only_reason)
        if diagnosed is not None:
            raise diagnosed from exc

    def require_writable(self, *, moving_ids: bool = False) -> None:
        """Raises unless the workspace may be changed; moving_ids: by an import or a publish, which number their
        new rows in a block (checked before anything is read or written)."""
        if self.read_only:
            raise ReadOnlyWorkspaceError(self.read_only_reason)
        self.backing.check_still_writable()
        if moving_ids:
            self.backing.check_may_move_ids(self.engine)

    def close(self) -> None:
        self.backing.close(self.engine, self.read_only)
