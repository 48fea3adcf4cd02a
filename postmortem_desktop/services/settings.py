"""Workspace settings (display time zone and the like): read and undoable writes."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..storage.schema import WorkspaceSetting
from ..storage.workspace import Workspace
from .commands import (
    WORKSPACE_WIDE,
    Edit,
    EditConflict,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
)


def get_setting(workspace: Workspace, key: str, default: str = "") -> str:
    with workspace.reading() as session:
        row = session.get(WorkspaceSetting, key)
        return row.value if row is not None else default


class SetSetting(Edit):
    """Sets one workspace setting (workspace-wide unless a subclass names its incident).

    Made from the value its editor read (`based_on`, "" for none stored), it is refused with EditConflict
    when the stored value differs by then, so a teammate's value is never overwritten silently; None: no check.
    """

    changes = DataChange.SETTING

    def __init__(self, key: str, value: str, name: str = "Change Setting", *, incident_id: int = WORKSPACE_WIDE,
                 based_on: str | None = None):
        super().__init__(incident_id)
        self.key, self.value, self.name = key, value, name
        self.based_on = based_on
        self._old: str | None = None
        self._undone = False  # undone at least once: a later apply is a redo

    def apply(self, session: Session) -> None:
        # locked until commit on a team workspace, so two clients cannot both pass the check below
        row = session.get(WorkspaceSetting, self.key, with_for_update=True)
        stored = row.value if row is not None else None
        if self._undone:  # a redo: over what its undo left, or a teammate's change since would be overwritten
            refuse_redo_if_changed_since(self.name, self._old, stored)
        elif self.based_on is not None:
            if row is None:  # nothing to lock yet: whoever inserts first wins, the other compares with theirs
                stored = self._insert_first(session)
            self.refuse_if_changed_since_read(stored)
        self._old = stored
        session.merge(WorkspaceSetting(key=self.key, value=self.value))

    def refuse_if_changed_since_read(self, stored: str | None) -> None:
        """Refused (EditConflict) when the value stored now (None: none) is not the one this edit was made from."""
        if (stored or "") != self.based_on:
            raise EditConflict(self.name, based_on=self.based_on, yours=self.value, theirs=stored or "")

    def _insert_first(self, session: Session) -> str | None:
        """Inserts the value where none is stored; when another client stored one first (and committed), that one,
        locked. None: this edit's insert is the first."""
        try:
            with session.begin_nested():
                session.add(WorkspaceSetting(key=self.key, value=self.value))
        except IntegrityError:
            row = session.get(WorkspaceSetting, self.key, with_for_update=True, populate_existing=True)
            return row.value if row is not None else None
        return None

    def revert(self, session: Session) -> None:
        row = session.get(WorkspaceSetting, self.key)
        refuse_undo_if_changed_since(self.name, self.value, row.value if row is not None else None)
        self._undone = True
        if self._old is None:
            session.delete(row)
        else:  # written as apply writes it
            session.merge(WorkspaceSetting(key=self.key, value=self._old))
