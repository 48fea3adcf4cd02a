"""Workspace settings (display time zone and the like): read and undoable writes."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..storage.schema import WorkspaceSetting
from ..storage.workspace import Workspace
from .commands import WORKSPACE_WIDE, Edit, refuse_redo_if_changed_since, refuse_undo_if_changed_since


def get_setting(workspace: Workspace, key: str, default: str = "") -> str:
    with workspace.reading() as session:
        row = session.get(WorkspaceSetting, key)
        return row.value if row is not None else default


class SetSetting(Edit):
    """Sets one workspace setting (workspace-wide unless a subclass names its incident)."""

    changes = DataChange.SETTING

    def __init__(self, key: str, value: str, name: str = "Change Setting", *, incident_id: int = WORKSPACE_WIDE):
        super().__init__(incident_id)
        self.key, self.value, self.name = key, value, name
        self._old: str | None = None
        self._undone = False  # undone at least once: a later apply is a redo

    def apply(self, session: Session) -> None:
        row = session.get(WorkspaceSetting, self.key)
        stored = row.value if row is not None else None
        if self._undone:  # a redo: over what its undo left, or a teammate's change since would be overwritten
            refuse_redo_if_changed_since(self.name, self._old, stored)
        self._old = stored
        session.merge(WorkspaceSetting(key=self.key, value=self.value))

    def revert(self, session: Session) -> None:
        row = session.get(WorkspaceSetting, self.key)
        refuse_undo_if_changed_since(self.name, self.value, row.value if row is not None else None)
        self._undone = True
        if self._old is None:
            session.delete(row)
        else:  # written as apply writes it
            session.merge(WorkspaceSetting(key=self.key, value=self._old))
