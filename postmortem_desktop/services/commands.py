"""Undoable edits without Qt: each command does and undoes one change as one transaction."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from ..storage.workspace import Workspace


class RuleError(Exception):
    """An edit the product's rules refuse (closing too early, a window that ends before it starts)."""


class Command(ABC):
    """One user edit. The UI pushes it on the workspace's undo stack; the CLI just calls do()."""

    #: What the Edit menu shows after "Undo"/"Redo".
    name: str = "Edit"
    #: Which parts of the screen must refresh: "incidents", "timeline", "board", "review", "actions".
    affects: frozenset[str] = frozenset({"incidents"})
    incident_id: int | None = None

    @abstractmethod
    def do(self, workspace: Workspace) -> None: ...

    @abstractmethod
    def undo(self, workspace: Workspace) -> None: ...


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

    def do(self, workspace: Workspace) -> None:
        workspace.require_writable()
        with workspace.transaction() as session:
            row = session.get(self.model, self.row_id)
            if row is None:
                raise RuleError(f"{self.model.__name__} {self.row_id} no longer exists.")
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
