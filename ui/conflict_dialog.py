"""“Changed by someone else”: both versions of a card or an action item side by side, Keep mine or Take theirs.

Shown when the core refuses an edit made from a version someone else changed since (EditConflict). The
review's text fields show the same choice in a bar under the field (ui/review/text_field.py); a whole item
has no one field to put a bar under, so the choice is this dialog. Take theirs is the default: nothing more is
written unless the person asks to save theirs over the other.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:  # annotations only: the timeline imports this before the storage layer is loaded
    from postmortem_desktop.services.commands import Command, EditConflict

    from .hub import ScreenHub


class ConflictDialog(QMessageBox):
    """Their version beside the person's own; `keeps_mine()` says which one the person chose."""

    def __init__(self, parent: QWidget | None, what: str, yours: str, theirs: str):
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Changed by someone else")
        self.setText(f"{what} was changed by someone else after you read it, so your change was not saved.")
        self.setInformativeText(f"Yours: {yours}\nTheirs: {theirs}")
        self.keep_button = self.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
        self.keep_button.setToolTip("Save your version in place of theirs")
        self.take_button = self.addButton("Take theirs", QMessageBox.ButtonRole.RejectRole)
        self.take_button.setToolTip("Show their version; yours is dropped")
        self.setDefaultButton(self.take_button)
        self.setEscapeButton(self.take_button)

    def keeps_mine(self) -> bool:
        return self.clickedButton() is self.keep_button


def ask_keep_mine(parent: QWidget | None, what: str, yours: str, theirs: str) -> bool:
    """Asks which version to keep; True: save the person's own over theirs."""
    dialog = ConflictDialog(parent, what, yours, theirs)
    dialog.exec()
    return dialog.keeps_mine()


def run_or_offer_both(hub: ScreenHub, parent: QWidget, edit: Command, what: str, yours: str,
                      theirs_text: Callable[[Any], str], made_from_theirs: Callable[[Any], Command],
                      show_theirs: Callable[[], None], *,
                      on_unreachable: Callable[[str], None] | None = None) -> bool:
    """Runs an edit made from what a screen showed. When a teammate changed that since (EditConflict), both
    versions are offered: Keep mine runs the same edit made from theirs (made_from_theirs(conflict.theirs)),
    offered again if that too was beaten; Take theirs calls show_theirs. True when the edit was saved.

    on_unreachable: as hub.run's, for a field that keeps its words and saves them again by itself."""
    kept: list[bool] = []

    def conflicted(conflict: EditConflict) -> None:
        if ask_keep_mine(parent, what, yours, theirs_text(conflict.theirs)):
            kept.append(run_or_offer_both(hub, parent, made_from_theirs(conflict.theirs), what, yours, theirs_text,
                                          made_from_theirs, show_theirs, on_unreachable=on_unreachable))
        else:
            show_theirs()

    return hub.run(edit, on_conflict=conflicted, on_unreachable=on_unreachable) or any(kept)
