"""“Not saved yet”: asked before quitting, opening another workspace or showing another incident while
fields hold words the team server has not stored (ui/leaving.py). Cancel is the default: staying loses nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from .unsaved_words import UnsavedWords


class Leaving(Enum):
    """What the person is about to do; each value: (the question, the button that goes on anyway)."""

    QUIT = ("Quit anyway?", "&Quit Anyway")
    OPEN = ("Open another workspace anyway?", "&Open Anyway")
    SWITCH = ("Show another incident anyway?", "&Switch Anyway")

    @property
    def question(self) -> str:
        return self.value[0]

    @property
    def anyway(self) -> str:
        return self.value[1]


class Choice(Enum):
    STAY = "stay"
    SAVE_NOW = "save now"
    LEAVE = "leave, keeping a copy"


class UnsavedWordsDialog(QMessageBox):
    """Lists the fields whose words are not saved and why; offers Try Saving Now, <Go on> Anyway, Cancel."""

    def __init__(self, parent: QWidget | None, leaving: Leaving, words: Sequence[UnsavedWords],
                 titles: dict[int, str], copy_to: Path, *, tried_again: bool = False):
        super().__init__(parent)
        self.setObjectName("unsaved_words_dialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Not Saved Yet")
        count = f"{len(words)} field{'s' if len(words) != 1 else ''}"
        first = "Tried again: still not saved." if tried_again else "Some of what you typed is not saved yet."
        self.setText(f"{first} {leaving.question}")
        self.setInformativeText(self._explanation(leaving, words, titles, copy_to, count))
        self.setDetailedText("\n\n".join(f"{entry.field}:\n{entry.text}" for entry in words))
        self.save_button = self.addButton("&Try Saving Now", QMessageBox.ButtonRole.ActionRole)
        self.save_button.setToolTip("Send these words to the team server again; goes on once everything is saved")
        # a conflict is not saved by trying again: it waits for the person's Keep mine or Take theirs
        self.save_button.setVisible(any(entry.retryable for entry in words))
        self.leave_button = self.addButton(leaving.anyway, QMessageBox.ButtonRole.DestructiveRole)
        self.leave_button.setToolTip(f"Copies your words to the clipboard and to {copy_to}, then goes on")
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)
        self.setAccessibleDescription(f"{self.text()} {self.informativeText()}")

    @staticmethod
    def _explanation(leaving: Leaving, words: Sequence[UnsavedWords], titles: dict[int, str], copy_to: Path,
                     count: str) -> str:
        lines = [f"Not saved, in {count}:"]
        lines += [f"• {titles.get(entry.incident_id, 'An incident')} — {entry.field} ({entry.why})" for entry in words]
        lines.append("")
        if any(entry.retryable for entry in words):
            lines.append("Try Saving Now sends them again and goes on once everything is saved.")
        if not all(entry.retryable for entry in words):
            lines.append("Where a teammate changed the same field, choose under it: Keep mine or Take theirs "
                         "(Cancel takes you there).")
        lines.append(f"{leaving.anyway.replace('&', '')} puts your words on the clipboard and in this file:")
        lines.append(str(copy_to))
        return "\n".join(lines)

    def choice(self) -> Choice:
        clicked = self.clickedButton()
        if clicked is self.save_button:
            return Choice.SAVE_NOW
        if clicked is self.leave_button:
            return Choice.LEAVE
        return Choice.STAY
