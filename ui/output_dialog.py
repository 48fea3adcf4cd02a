"""Where to save an export: the save dialog, then the core's output check; a refused target asks again."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from postmortem_desktop.reporting.output_file import OutputError, OutputKind, add_missing_suffix, check_output

from . import file_dialogs
from .file_dialogs import default_folder

AskPath = Callable[[str, str, str], str]  # (title, suggested path, filter) -> chosen path, "" if cancelled


def ask_output_path(parent: QWidget, title: str, suggested: str, kind: OutputKind,
                    inputs: Iterable[Path | str] = (), ask: AskPath | None = None) -> Path | None:
    """The file the person chose, already checked (see output_file.check_output); None if they cancelled.

    A suggested bare file name is offered in default_folder(inputs): the workspace's folder.

    The check runs right after the dialog so a refused target (the open workspace, a file of another
    kind, a read-only folder…) is explained before any export starts, and the person can choose again.
    """
    inputs = tuple(inputs)
    if not Path(suggested).is_absolute():
        suggested = str(default_folder(inputs) / suggested)
    ask = ask or (lambda t, s, f: file_dialogs.ask_save_file_name(parent, t, s, f)[0])
    while True:
        name = ask(title, suggested, kind.dialog_filter)
        if not name:
            return None
        target = add_missing_suffix(name, kind)
        try:
            check_output(target, kind, inputs=inputs)
        except OutputError as exc:
            QMessageBox.warning(parent, "Choose Another File", str(exc))
            suggested = target  # the dialog reopens where the person was
            continue
        return Path(target)


def show_output_failure(parent: QWidget, exc: BaseException) -> None:
    """A write that failed after the check (a full disk, a folder that went read-only meanwhile)."""
    QMessageBox.warning(parent, "Export Failed", f"{exc}")
