"""Undoable edits without Qt: each command does and undoes one change as one transaction."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from sqlalchemy import FromClause
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import (  # noqa: F401 - re-exported for callers
    ChangedSince,
    EditConflict,
    MissingIncident,
    RuleError,
)
from ..storage.bulk import BulkCursor, session_cursor
from ..storage.closeout_query import share_closeout
from ..storage.edit_history import editors_since, last_editor
from ..storage.errors import ServerUnavailableError
from ..storage.parent_rows import gone_parents
from ..storage.undo_reach import Footprint, Reach, changed_since, footprint, lock_reach
from ..storage.workspace import Workspace


class Command(ABC):
    """One user edit. The UI pushes it on the workspace's undo stack; the CLI just calls do().

    Almost every edit is an `Edit` (below), which owns writability, the transaction and the
    closed-record rule. Only edits that cannot be one ORM transaction implement do/undo themselves:
    an import's undo (bulk SQL, long-running) and a group of edits.
    """

    #: What the Edit menu shows after "Undo"/"Redo".
    name: str = "Edit"
    #: What kind of data it changes; each screen decides whether that is data it shows.
    changes: DataChange = DataChange.INCIDENT
    #: The incident the edit belongs to; WORKSPACE_WIDE (-1) for the workspace's own settings and tags.
    incident_id: int = -1
    #: Edits with the same key in quick succession (typing in one field) may become one undo step.
    merge_key: object = None
    #: True for edits that number their new rows in a block, as imports do (storage/team_bulk.py): a team
    #: workspace's role then needs more than for an edit, and is refused before anything is written
    moves_ids: bool = False
    #: set when the edit found nothing to change (a learning pass with nothing new to store): it is then not
    #: recorded (no entry in the incident's history, no teammate told to read the incident again, no screen either)
    wrote_nothing: bool = False

    @abstractmethod
    def do(self, workspace: Workspace) -> None: ...

    @abstractmethod
    def undo(self, workspace: Workspace) -> None: ...

    #: True for edits too big to undo or redo while the window waits (an import of 100k rows): the app
    #: runs their undo_steps/redo_steps on a worker, with progress and Cancel.
    long_running: bool = False

    def absorb(self, later: Command) -> bool:
        """Takes over a later edit of the same thing (already done), so that one undo reverts both.

        Only when the later edit started from what this one left: on a team workspace a teammate may have changed
        the thing in between, and one undo of both would put back this edit's old value over the teammate's change
        without a word, where two undos put back theirs first."""
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
#: The incident_id of an edit that belongs to the whole workspace (tags, settings, the agenda).
WORKSPACE_WIDE = -1


class Edit(Command):
    """An edit made in one transaction. The base owns the rules every edit shares: the workspace must be
    writable, the change is one transaction (all or nothing), and an edit of a closed incident's record
    is refused when the class says `refused_when_closed`. Subclasses only say what the change is
    (apply) and how to take it back (revert); both get the transaction's session.
    """

    #: True for edits of the close-out record: refused once the incident is closed. A closed incident
    #: was closed because its record was complete; editing it afterwards would break that silently, so
    #: the person reopens it first (which is recorded).
    refused_when_closed: bool = False
    #: the names in the incident's history of the edits a conflict of this one can lose to, as a LIKE pattern;
    #: "": the edits named as this one (the same field)
    conflicts_with_names = ""
    #: the cards (quote ids) whose columns this edit changes, and the columns (tag ids) it changes: recorded with
    #: it on a team workspace, so a conflict over one of them names who changed it last (changed_by)
    cards: tuple[int, ...] = ()
    columns: tuple[int, ...] = ()
    def __init__(self, incident_id: int):
        self.incident_id = incident_id  # WORKSPACE_WIDE for edits of no one incident

    @abstractmethod
    def apply(self, session: Session) -> None:
        """Makes the change (raise RuleError to refuse: nothing is written)."""

    @abstractmethod
    def revert(self, session: Session) -> None:
        """Takes the change back."""

    def do(self, workspace: Workspace) -> None:
        workspace.require_writable(moving_ids=self.moves_ids)
        try:
            with workspace.transaction() as session:
                if self.refused_when_closed:
                    _refuse_if_closed(session, self.incident_id)
                self.apply(session)
                # a team workspace attributes the edit to its user and tells the other clients on commit
                if not self.wrote_nothing:
                    workspace.record_edit(session, self.incident_id, self.changes, self.name, cards=self.cards,
                                          columns=self.columns)
        except ChangedSince as refused:  # a redo over a teammate's change: rolled back; say whose
            raise self._naming(workspace, refused) from None
        except EditConflict as conflict:  # made from a version a teammate changed since: say whose
            raise self._naming_conflict(workspace, conflict) from None

    def undo(self, workspace: Workspace) -> None:
        workspace.require_writable()
        try:
            with workspace.transaction() as session:
                if self.refused_when_closed:  # undoing an edit of the record would change a closed record too
                    _refuse_if_closed(session, self.incident_id)
                self.revert(session)
                workspace.record_edit(session, self.incident_id, self.changes, self.name, undone=True,
                                      cards=self.cards, columns=self.columns)
        except ChangedSince as refused:
            raise self._naming(workspace, refused) from None

    def _naming(self, workspace: Workspace, refused: ChangedSince) -> ChangedSince:
        """The refusal with who changed the thing since this client's edit (undo) or its undo (redo)."""
        with workspace.reading() as session:
            return refused.naming(self.changed_since_by(session, workspace.user, undone=not refused.undoing))

    def changed_since_by(self, session: Session, user: str, *, undone: bool) -> tuple[str, ...]:
        """Who else changed what this edit changed since `user`'s latest record of it (or of its undo, when undone):
        from the incident's history, by the edit's name."""
        return editors_since(session, self.incident_id, user, self.name, undone=undone)

    def _naming_conflict(self, workspace: Workspace, conflict: EditConflict) -> EditConflict:
        """The conflict with who made the change it lost to, when the history says."""
        if conflict.by or not workspace.user:  # a file keeps no history
            return conflict
        try:
            with workspace.reading() as session:
                return conflict.naming(self.changed_by(session, workspace.user))
        except ServerUnavailableError:  # gone since the refusal: the conflict itself still stands
            return conflict

    def changed_by(self, session: Session, user: str) -> str:
        """Who made the change a conflict of this edit lost to, named only when the history says so unambiguously
        ("" otherwise): by default the incident's history of the edits named as this one (conflicts_with_names)."""
        return last_editor(session, self.incident_id, user, self.name, like=self.conflicts_with_names)


def _refuse_if_closed(session: Session, incident_id: int) -> None:
    from ..storage.closeout_query import hold_closeout

    # held until this edit commits, so a close on another client waits for it and re-checks the checklist
    if hold_closeout(session, incident_id) in CLOSED_STATUSES:
        raise RuleError("This incident is closed, so its close-out record is fixed. Reopen it "
                        "(Close-out strip › Reopen) to change it; the reopening is recorded.")


class UpdateFields(Edit):
    """Sets columns of one row, remembering their old values for undo."""

    #: what a person is told when the row was deleted (by someone else) before this edit ran
    gone: str = ""

    def __init__(self, model: type, row_id: int, changes: dict[str, Any], *, name: str,
                 kind: DataChange, incident_id: int, based_on: dict[str, Any] | None = None):
        super().__init__(incident_id)
        self.model = model
        self.row_id = row_id
        self.values = dict(changes)
        self.name = name
        self.changes = kind
        # the values this edit was made from, as its editor read them: refused (EditConflict) when the
        # stored ones differ by then, so a teammate's edit is never overwritten silently; None: no check
        self.based_on = dict(based_on) if based_on is not None else None
        self._old: dict[str, Any] | None = None
        self.merge_key = (model.__name__, row_id, frozenset(self.values))

    def absorb(self, later: Command) -> bool:
        if not isinstance(later, UpdateFields) or later.merge_key != self.merge_key:
            return False
        if later._old != self.values:  # someone changed the row in between: see Command.absorb
            return False
        self.values = dict(later.values)  # the old values stay this command's own
        return True

    def apply(self, session: Session) -> None:
        # locked until commit on a team workspace, so two clients cannot both pass the check below
        row = session.get(self.model, self.row_id, with_for_update=True)
        if row is None:
            raise RuleError(self.gone or f"{self.model.__name__} {self.row_id} no longer exists.")
        if self.based_on is not None and self._old is None:
            stored = {key: getattr(row, key) for key in self.based_on}
            if stored != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=dict(self.values), theirs=stored)
        if self._old is None:
            self._old = {key: getattr(row, key) for key in self.values}
        else:  # a redo (after absorbing too, it keeps the very first old values): over what its undo left
            refuse_redo_if_changed_since(self.name, self._old, {key: getattr(row, key) for key in self._old})
        self.before_set(row, self.values)
        for key, value in self.values.items():
            setattr(row, key, value)

    def revert(self, session: Session) -> None:
        assert self._old is not None, "undo before do"
        row = session.get(self.model, self.row_id, with_for_update=True)
        if row is None:
            raise RuleError(f"{self.name} cannot be undone: what it changed no longer exists.")
        refuse_undo_if_changed_since(self.name, self.values, {key: getattr(row, key) for key in self.values})
        for key, value in self._old.items():
            setattr(row, key, value)

    def before_set(self, row: Any, changes: dict[str, Any]) -> None:
        """Hook for rules that need the row as it is (raise RuleError to refuse)."""


def refuse_undo_if_changed_since(name: str, made: object, stored: object) -> None:
    """An undo puts back what was there before this edit, so it is refused (nothing changes) when the
    edit's own result is no longer what is stored: someone changed it since, and undoing would
    silently overwrite their change on a team workspace."""
    if made != stored:
        raise ChangedSince(name, undoing=True)


def measure_reach(session: Session, reach: Reach, *, undoing: bool = False) -> Footprint:
    """What rests on the rows an undo would delete (storage/undo_reach.py), in the session's transaction.

    An edit that adds rows measures it as it leaves them; its undo measures it again (`undoing`: on a team
    workspace, holding off edits that would add to it until the undo commits) and refuses on a difference.
    """
    session.flush()
    cursor = session_cursor(session)
    try:
        if undoing:
            lock_reach(cursor)
        return footprint(cursor, reach)
    finally:
        cursor.close()


def refuse_undo_while_closed(name: str, cur: BulkCursor, incident_id: int) -> None:
    """An undo that deletes conversations (an import's, a paste's) is refused while the incident is closed: its
    close-out record may rest on them (the customer impact window), and a closed record stays complete. Taken
    first in the undo's transaction, before lock_reach: a close committing at the same moment is ordered with it."""
    if share_closeout(cur, incident_id) in CLOSED_STATUSES:
        raise RuleError(f"“{name}” cannot be undone: the incident is closed, and its close-out record rests on the "
                        "conversations it added (the customer impact window). Nothing was undone: reopen the "
                        "incident first (Close-out strip › Reopen) if they should go.")


def refuse_undo_if_reached_since(name: str, made: Footprint | None, stored: Footprint) -> None:
    """An undo that deletes what its edit added is refused (nothing changes) when another edit made or changed
    something resting on it since: a card from its conversation, a contact flag on its customer, an author's
    role… (the rule: storage/undo_reach.py). None: nothing was measured, nothing to keep."""
    depends = changed_since(made, stored) if made is not None else ""
    if depends:
        raise ChangedSince(name, undoing=True, depends=depends)


def refuse_if_parents_gone(session: Session, name: str, table: FromClause, rows: list[dict[str, Any]], *,
                           put_back: tuple[str, ...] = (), undoing: bool = True) -> None:
    """Rows an undo (or redo) writes again name other rows by their foreign keys; when someone deleted one of those
    since, it is refused in words (ChangedSince), never by the database's foreign-key error, and nothing is written.

    The rows named are held FOR KEY SHARE until commit on a team workspace, so a delete committing at the same moment
    waits for this edit rather than slipping in between the check and the insert. put_back: the tables this same
    edit writes again first (a deleted card's own row under its tags), which need no check."""
    for key, _gone in gone_parents(session, table, rows, written_too=put_back):
        what = _DELETED.get(key.column.table.name, "something")
        raise ChangedSince(name, undoing=undoing,
                           advice=f"It refers to {what} deleted since, so it cannot be put back as it was.")

#: what a person calls the rows an edit's rows refer to, in a refusal of refuse_if_parents_gone
_DELETED = {"quotes": "a card", "tags": "a column", "action_items": "an action item", "review_answers": "an answer",
            "conversations": "a conversation", "messages": "a message", "incidents": "the incident",
            "customers": "a customer"}


def refuse_redo_if_changed_since(name: str, left: object, stored: object) -> None:
    """A redo makes the edit again over what its undo left, so it is refused (nothing changes) when that is no
    longer what is stored: someone changed it after the undo, and redoing would silently overwrite it."""
    if left != stored:
        raise ChangedSince(name, undoing=False)


class CommandGroup(Command):
    """Several edits as one undo step; if one is refused, those already done are undone first."""

    def __init__(self, name: str, commands: list[Command], *, incident_id: int | None = None):
        self.name = name
        self.commands = list(commands)
        owners = {command.incident_id for command in self.commands}
        self.incident_id = incident_id if incident_id is not None else \
            (owners.pop() if len(owners) == 1 else WORKSPACE_WIDE)
        self.changes = DataChange.NONE
        for command in self.commands:
            self.changes |= command.changes
        self.moves_ids = any(command.moves_ids for command in self.commands)

    def do(self, workspace: Workspace) -> None:
        if self.moves_ids:  # refused before the first part is done, rather than it undone after
            workspace.require_writable(moving_ids=True)
        _all_or_nothing(self.commands, lambda c: c.do(workspace), lambda c: c.undo(workspace))

    def undo(self, workspace: Workspace) -> None:
        # all or nothing, like do(): if one undo fails, the ones already undone are done again, so the
        # record is as it was and the undo stack (which did not move) still tells the truth
        _all_or_nothing(self.commands[::-1], lambda c: c.undo(workspace), lambda c: c.do(workspace))


def _all_or_nothing(commands: list[Command], step: Callable[[Command], None],
                    take_back: Callable[[Command], None]) -> None:
    """Steps through commands; when one fails, takes back those already stepped, last first."""
    stepped: list[Command] = []
    try:
        for command in commands:
            step(command)
            stepped.append(command)
    except BaseException:
        for command in reversed(stepped):
            take_back(command)
        raise
