"""Recently opened workspaces and the last one, remembered in QSettings.

A workspace file by its full path, a team workspace by its address without password (what
storage/workspace_kind.shown_address gives): no password is ever written here.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


def recent_workspaces(settings: QSettings) -> list[str]:
    value = settings.value("recent_workspaces", [])
    if isinstance(value, str):  # QSettings reads a one-item list back as its item
        value = [value]
    return [p for p in value if p] if isinstance(value, list) else []


def target_of(entry: str) -> Path | str:
    """A remembered entry as a workspace to open: a team workspace's address as it is, a file as a Path."""
    if "://" in entry:  # only an address can be a team workspace's: storage is imported for it alone
        from postmortem_desktop.storage.workspace_kind import WorkspaceKind, kind_of

        if kind_of(entry) is WorkspaceKind.TEAM:
            return entry
    return Path(entry)


def remember_workspace(settings: QSettings, target: Path | str) -> None:
    """target: a file's path, or a team workspace's address without password."""
    text = target if isinstance(target, str) else str(Path(target).resolve())
    items = [p for p in recent_workspaces(settings) if _same_place(p) != _same_place(text)]
    settings.setValue("recent_workspaces", [text, *items][:MAX_RECENT])
    settings.setValue("last_workspace", text)


def _same_place(entry: str) -> str:
    """What tells two entries apart (a team workspace's address as workspace_kind.address_key gives it)."""
    if "://" not in entry:
        return entry
    from postmortem_desktop.storage.workspace_kind import address_key

    return address_key(entry)


def last_workspace(settings: QSettings) -> Path | str | None:
    """The workspace opened last: a team workspace's address, or a file that still exists."""
    value = settings.value("last_workspace", "")
    if not isinstance(value, str) or not value:
        return None
    target = target_of(value)
    return target if isinstance(target, str) or target.exists() else None
