"""Workspace settings (display time zone and the like): read and undoable writes."""
from __future__ import annotations

from ..storage.schema import WorkspaceSetting
from ..storage.workspace import Workspace
from .commands import Command


def get_setting(workspace: Workspace, key: str, default: str = "") -> str:
    with workspace.reading() as session:
        row = session.get(WorkspaceSetting, key)
        return row.value if row is not None else default


class SetSetting(Command):
    affects = frozenset({"incidents", "timeline", "board", "review", "actions"})

    def __init__(self, key: str, value: str, name: str = "Change Setting"):
        self.key, self.value, self.name = key, value, name
        self._old: str | None = None

    def do(self, workspace: Workspace) -> None:
        workspace.require_writable()
        with workspace.transaction() as session:
            row = session.get(WorkspaceSetting, self.key)
            self._old = row.value if row is not None else None
            session.merge(WorkspaceSetting(key=self.key, value=self.value))

    def undo(self, workspace: Workspace) -> None:
        with workspace.transaction() as session:
            row = session.get(WorkspaceSetting, self.key)
            if self._old is None:
                if row is not None:
                    session.delete(row)
            else:
                session.merge(WorkspaceSetting(key=self.key, value=self._old))
