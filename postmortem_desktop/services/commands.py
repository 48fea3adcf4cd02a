"""Undoable edits without Qt: each command does and undoes one change as one transaction."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator
from typing import Any, TypeVar

from sqlalchemy import select

from ..domain.errors import MissingIncident, RuleError  # noqa: F401 - re-exported for callers
from ..storage.workspace import Workspace


class Command(ABC):
    """One user edit. The UI pushes it on the workspace's undo stack; the CLI just calls do()."""

    #: What the Edit menu shows after "Undo"/"Redo".
    name: str = "Edit"
    #: Which parts of the screen must refresh: "incidents", "timeline", "board", "review", "actions".
    affects: frozenset[str] = frozenset({"incidents"})
    incident_id: int | None = None
    #: Edits with the same key in quick succession (typing in one field) may become one undo step.
    merge_key: object = None

    @abstractmethod
    def do(self, workspace: Workspace) -> None: ...

    @abstractmethod
    def undo(self, workspace: Workspace) -> None: ...

    #: True for edits too big to undo or redo while the window waits (an import of 100k rows): the app
    #: runs their undo_steps/redo_steps on a worker, with progress and Cancel.
    long_running: bool = False

    def absorb(self, later: Command) -> bool:
        """Takes over a later edit of the same thing (already done), so that one undo reverts both."""
        return False

    def undo_steps(self, workspace: Workspace) -> Generator[tuple[int, int | None], None, None]:
        """undo() as progress steps (done, total); closing the generator early (Cancel) changes nothing."""
        self.undo(workspace)
        yield from ()

    def redo_steps(self, workspace: Workspace) -> Generator[tuple[int, int | None], None, None]:
        """do() again as progress steps; closing the generator early (Cancel) changes nothing."""
        self.do(workspace)
        yield from ()


C = TypeVar("C", bound="Command")
CLOSED_STATUSES = ("closed", "followed_up")


def guards_closed_record(cls: type[C]) -> type[C]:
    """Class decorator: the command refuses to change the close-out record of a closed incident.

    A closed incident was closed because its record was complete; editing it afterwards would
    break that silently, so the person reopens it first (which is recorded).
    """
    original = cls.do

    def do(self: Command, workspace: Workspace) -> None:
        with workspace.reading() as session:
            status = session.scalar(_status_query(self))
        if status in CLOSED_STATUSES:
            raise RuleError("This incident is closed, so its close-out record is fixed. Reopen it "
                            "(Close-out strip › Reopen) to change it; the reopening is recorded.")
        original(self, workspace)

    cls.do = do  # type: ignore[method-assign]  # wrapped once, at class creation
    return cls


def _status_query(command: Command):  # noqa: ANN202 - a select of one incident's status
    """The status of the incident a command edits, found from what the command names."""
    from ..storage.schema import Conversation, Incident, Quote

    if command.incident_id is not None:
        return select(Incident.status).where(Incident.id == command.incident_id)
    conversation_id = getattr(command, "conversation_id", None)
    if conversation_id is None:
        quote_ids = list(getattr(command, "quote_ids", ()) or ())
        conversation_id = select(Quote.conversation_id).where(Quote.id.in_(quote_ids)).limit(1).scalar_subquery()
    return (select(Incident.status).join(Conversation, Conversation.incident_id == Incident.id)
            .where(Conversation.id == conversation_id))


class UpdateFields(Command):
    """Sets columns of one row, remembering their old values for undo."""

    def __init__(self, model: type, row_id: int, changes: dict[str, Any], *, name: str,
                 affects: frozenset[str], incident_id: int | None = None):
        self.model = model
        self.row_id = row_id
        self.changes = dict(changes)
        self.name = name
        self.affects = affects
        self.incident_id = incident_id
        self._old: dict[str, Any] | None = None
        self.merge_key = (model.__name__, row_id, frozenset(self.changes))

    def absorb(self, later: Command) -> bool:
        if not isinstance(later, UpdateFields) or later.merge_key != self.merge_key:
            return False
        self.changes = dict(later.changes)  # the old values stay this command's own
        return True

    def do(self, workspace: Workspace) -> None:
        workspace.require_writable()
        with workspace.transaction() as session:
            row = session.get(self.model, self.row_id)
            if row is None:
                raise RuleError(f"{self.model.__name__} {self.row_id} no longer exists.")
            if self._old is None:  # a redo after absorbing keeps the very first old values
                self._old = {key: getattr(row, key) for key in self.changes}
            self.before_set(row, self.changes)
            for key, value in self.changes.items():
                setattr(row, key, value)

    def undo(self, workspace: Workspace) -> None:
        assert self._old is not None, "undo before do"
        with workspace.transaction() as session:
            row = session.get(self.model, self.row_id)
            for key, value in self._old.items():
                setattr(row, key, value)

    def before_set(self, row: Any, changes: dict[str, Any]) -> None:
        """Hook for rules that need the row as it is (raise RuleError to refuse)."""


class CommandGroup(Command):
    """Several edits as one undo step; if one is refused, those already done are undone first."""

    def __init__(self, name: str, commands: list[Command], *, incident_id: int | None = None):
        self.name = name
        self.commands = list(commands)
        self.incident_id = incident_id
        self.affects = frozenset().union(*(c.affects for c in self.commands)) if self.commands else frozenset()

    def do(self, workspace: Workspace) -> None:
        done: list[Command] = []
        try:
            for command in self.commands:
                command.do(workspace)
                done.append(command)
        except BaseException:
            for command in reversed(done):
                command.undo(workspace)
            raise

    def undo(self, workspace: Workspace) -> None:
        # all or nothing, like do(): if one undo fails, the ones already undone are done again, so the
        # record is as it was and the undo stack (which did not move) still tells the truth
        undone: list[Command] = []
        try:
            for command in reversed(self.commands):
                command.undo(workspace)
                undone.append(command)
        except BaseException:
            for command in reversed(undone):
                command.do(workspace)
            raise
