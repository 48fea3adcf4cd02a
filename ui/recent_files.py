"""Recently opened workspaces and the last one, remembered in QSettings."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


def recent_workspaces(settings: QSettings) -> list[str]:
    value = settings.value("recent_workspaces", [])
    if isinstance(value, str):  # QSettings reads a one-item list back as its item
        value = [value]
    return [p for p in value if p] if isinstance(value, list) else []


def remember_workspace(settings: QSettings, path: Path) -> None:
    text = str(Path(path).resolve())
    items = [p for p in recent_workspaces(settings) if p != text]
    settings.setValue("recent_workspaces", [text, *items][:MAX_RECENT])
    settings.setValue("last_workspace", text)


def last_workspace(settings: QSettings) -> Path | None:
    value = settings.value("last_workspace", "")
    return Path(value) if isinstance(value, str) and value and Path(value).exists() else None
