"""The app's file dialogs: where they open (the workspace's folder, where its imports and exports usually
sit), and that showing a folder never reads the files in it.

Every open and save dialog goes through ask_open_file_name / ask_save_file_name (tests replace these two).
They are Qt's own dialog with an icon provider that names a file's type from its name alone. Qt's
default provider, like the platform's native dialogs, reads each listed file to sniff its type, and
closing that read drops every lock SQLite holds on an open workspace in the folder (POSIX releases
all of a process's fcntl locks on a file when any descriptor of it closes). Another program could
then checkpoint and delete the workspace's journal while the app still wrote to it
(storage/sqlite_files.connect keeps our own readers from doing so; this keeps the locks in place for
everyone else's).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QFileDialog, QFileIconProvider, QMessageBox, QWidget

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
    name, _ = ask_open_file_name(parent, title, start_folder(workspace), file_filter)
    return Path(name) if name else None


class NameOnlyIconProvider(QFileIconProvider):
    """A file's icon and type from its name alone: the file is never opened to sniff its content."""

    def icon(self, what: QFileInfo | QFileIconProvider.IconType) -> QIcon:
        if isinstance(what, QFileInfo):
            kind = QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File
            return super().icon(kind)
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        return f"{info.suffix().upper()} File" if info.suffix() else "File"


def build_dialog(parent: QWidget | None, title: str, start: str, file_filter: str, *, save: bool,
                 confirm_overwrite: bool = True) -> QFileDialog:
    """Qt's own file dialog, showing files by name only (NameOnlyIconProvider, kept on the dialog)."""
    dialog = QFileDialog(parent, title, start, file_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # native dialogs sniff file types too
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    dialog.name_only_icons = NameOnlyIconProvider()  # type: ignore[attr-defined]  # the dialog does not own it
    dialog.setIconProvider(dialog.name_only_icons)  # type: ignore[attr-defined]
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return dialog


def _ask(parent: QWidget | None, title: str, start: str, file_filter: str, *, save: bool,
         confirm_overwrite: bool = True) -> tuple[str, str]:
    dialog = build_dialog(parent, title, start, file_filter, save=save, confirm_overwrite=confirm_overwrite)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return "", ""
        return dialog.selectedFiles()[0], dialog.selectedNameFilter()
    finally:
        dialog.deleteLater()


def ask_open_file_name(parent: QWidget | None, title: str, start: str, file_filter: str) -> tuple[str, str]:
    """(the existing file picked, its filter), or ("", "") when cancelled: QFileDialog.getOpenFileName's answer."""
    return _ask(parent, title, start, file_filter, save=False)


def ask_save_file_name(parent: QWidget | None, title: str, suggested: str, file_filter: str, *,
                       confirm_overwrite: bool = True) -> tuple[str, str]:
    """(the file name to write, its filter), or ("", "") when cancelled: QFileDialog.getSaveFileName's answer.
    Qt asks before an existing file is replaced, unless confirm_overwrite is off."""
    return _ask(parent, title, suggested, file_filter, save=True, confirm_overwrite=confirm_overwrite)


def ask_new_workspace_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
    """Where a new workspace file goes (".pmw" added when missing); None if the person cancelled.

    A new workspace file never replaces an existing one (storage/workspace.check_new_file): that file may
    hold other incidents, or be open in another window. So Qt's own "Do you want to replace it?" is turned
    off, since a Yes there could only be refused; a name already taken is said at once and the dialog
    opens again, before any work starts."""
    from postmortem_desktop.storage.workspace import WorkspaceError, check_new_file

    while True:
        name, _ = ask_save_file_name(parent, title, suggested, file_filter, confirm_overwrite=False)
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
