"""Where a file dialog opens: the open workspace's folder, where its imports and exports usually sit."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from postmortem_desktop.storage.workspace import Workspace


def default_folder(inputs: Iterable[Path | str]) -> Path:
    """Beside the workspace a file comes from or goes with (the first input), else home."""
    first = next(iter(inputs), None)
    return Path(first).resolve().parent if first else Path.home()


def start_folder(workspace: Workspace | None) -> str:
    """The workspace file's folder; home for a team workspace (no file) or when none is open."""
    return str(default_folder(workspace.files if workspace is not None else ()))


def choose_file_to_open(parent: QWidget, title: str, workspace: Workspace | None, file_filter: str) -> Path | None:
    """The file the person picked in an open dialog starting at start_folder(workspace); None if cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, title, start_folder(workspace), file_filter)
    return Path(name) if name else None


def ask_new_workspace_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
    """Where a new workspace file goes (".pmw" added when missing); None if the person cancelled.

    A new workspace file never replaces an existing one (storage/workspace.check_new_file): that file may
    hold other incidents, or be open in another window. So Qt's own "Do you want to replace it?" is turned
    off, since a Yes there could only be refused; a name already taken is said at once and the dialog
    opens again, before any work starts."""
    from postmortem_desktop.storage.workspace import WorkspaceError, check_new_file

    while True:
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if not name:
            return None
        target = Path(name if name.endswith(".pmw") else f"{name}.pmw")
        try:
            check_new_file(target)
        except WorkspaceError as exc:
            QMessageBox.warning(parent, "Choose Another Name", str(exc))
            suggested = str(target)  # the dialog reopens where the person was
            continue
        return target
