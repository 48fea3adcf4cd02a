"""“Changed by someone else”: both versions of a field or an item side by side: Keep mine, Take theirs or Decide
later.

Shown when the core refuses an edit made from a version someone else changed since (EditConflict), naming who
when the incident's history says. The review's text fields show the same choice in a bar under the field
(ui/review/text_field.py); a whole item has no one field to put a bar under, so the choice is this dialog.
Decide later is the default (Enter) and what Esc does: nothing is written and nobody's words are dropped; the
caller keeps the person's words where they were, so the next save asks again.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:  # annotations only: the timeline imports this before the storage layer is loaded
    from postmortem_desktop.services.commands import Command, EditConflict

    from .hub import ScreenHub


class Choice(Enum):
    KEEP_MINE = "keep mine"  # save the person's version over theirs
    TAKE_THEIRS = "take theirs"  # show theirs; the person's version is dropped
    LATER = "decide later"  # nothing written, nothing dropped: the words stay, the next save asks again


class ConflictDialog(QMessageBox):
    """Their version beside the person's own; `choice()` says which one the person chose."""

    def __init__(self, parent: QWidget | None, what: str, yours: str, theirs: str, by: str = "",
                 can_wait: bool = True):
        """can_wait: the person's version has a place to stay while they decide (a field, a dialog opened again);
        without one (a dragged mark goes back) there is no Decide later, and Take theirs is the default."""
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setIcon(QMessageBox.Icon.Warning)
        who = by or "someone else"
        self.setWindowTitle(f"Changed by {who}")
        self.setText(f"{what} was changed by {who} after you read it, so your change was not saved yet.")
        self.setInformativeText(f"Yours: {yours}\nTheirs: {theirs}")
        self.keep_button = self.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
        self.keep_button.setToolTip("Save your version in place of theirs")
        self.take_button = self.addButton("Take theirs", QMessageBox.ButtonRole.DestructiveRole)
        self.take_button.setToolTip("Show their version; yours is dropped")
        self.later_button = self.addButton("Decide later", QMessageBox.ButtonRole.RejectRole)
        self.later_button.setToolTip("Save nothing and drop nothing: your version stays where you typed it, "
                                     "and saving it again asks again")
        self.later_button.setVisible(can_wait)
        # Enter and Esc drop nobody's words: a person typing who presses Enter once too often loses nothing.
        # Without a place to wait, nothing typed is lost by taking theirs: a move is made again by dragging.
        quiet = self.later_button if can_wait else self.take_button
        self.setDefaultButton(quiet)
        self.setEscapeButton(quiet)

    def choice(self) -> Choice:
        clicked = self.clickedButton()
        if clicked is self.keep_button:
            return Choice.KEEP_MINE
        return Choice.TAKE_THEIRS if clicked is self.take_button else Choice.LATER

    def keeps_mine(self) -> bool:
        return self.choice() is Choice.KEEP_MINE


def ask_which(parent: QWidget | None, what: str, yours: str, theirs: str, by: str = "",
              can_wait: bool = True) -> Choice:
    """Asks which version to keep, or (can_wait) to decide later."""
    dialog = ConflictDialog(parent, what, yours, theirs, by, can_wait)
    dialog.exec()
    return dialog.choice()


def ask_keep_mine(parent: QWidget | None, what: str, yours: str, theirs: str, by: str = "") -> bool:
    """Asks which version to keep; True: save the person's own over theirs (False: Take theirs or Decide later)."""
    return ask_which(parent, what, yours, theirs, by) is Choice.KEEP_MINE


def run_or_offer_both(hub: ScreenHub, parent: QWidget, edit: Command, what: str, yours: str,
                      theirs_text: Callable[[Any], str], made_from_theirs: Callable[[Any], Command],
                      show_theirs: Callable[[], None], on_later: Callable[[], None] | None = None, *,
                      on_unreachable: Callable[[str], None] | None = None, can_wait: bool = True) -> bool:
    """Runs an edit made from what a screen showed. When a teammate changed that since (EditConflict), both
    versions are offered, naming who: Keep mine runs the same edit made from theirs (made_from_theirs(
    conflict.theirs)), offered again if that too was beaten; Take theirs calls show_theirs; Decide later calls
    on_later (if given) and nothing else: the screen keeps the person's words and what they were made from (a
    closed dialog opens again with them), so their next save asks again. True when the edit was saved.

    on_unreachable: as hub.run's, for a field that keeps its words and saves them again by itself.
    can_wait: False where the person's version has nowhere to wait (a drag): no Decide later (ConflictDialog)."""
    kept: list[bool] = []

    def conflicted(conflict: EditConflict) -> None:
        choice = ask_which(parent, what, yours, theirs_text(conflict.theirs), conflict.by, can_wait)
        if choice is Choice.KEEP_MINE:
            kept.append(run_or_offer_both(hub, parent, made_from_theirs(conflict.theirs), what, yours, theirs_text,
                                          made_from_theirs, show_theirs, on_later, on_unreachable=on_unreachable,
                                          can_wait=can_wait))
        elif choice is Choice.TAKE_THEIRS:
            show_theirs()
        elif on_later is not None:
            on_later()

    return hub.run(edit, on_conflict=conflicted, on_unreachable=on_unreachable) or any(kept)
