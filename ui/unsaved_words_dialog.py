"""“Not saved yet”: asked before quitting, opening another workspace or showing another incident while
fields hold words the team server has not stored (ui/leaving.py). Cancel is the default: staying loses nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from .unsaved_words import UnsavedWords

MOST_LISTED = 6  # fields named in the dialog; more would push its buttons off a 1280x720 screen in projector type


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
        first = "Tried again, and these are still not saved." if tried_again else \
            "Some of what you typed is not saved yet."
        self.setText(f"<b>{escape(first)} {escape(leaving.question)}</b>")
        #: where Go on anyway would copy the words to (the text says so)
        self.copy_to = copy_to
        self.setTextFormat(Qt.TextFormat.RichText)  # the list's incidents in bold; every name escaped
        self.setInformativeText(self._explanation(leaving, words, titles, copy_to, count))
        self.setDetailedText("\n\n".join(f"{titles.get(entry.incident_id, 'An incident')} — {entry.field}:\n"
                                         f"{entry.text}" for entry in words))
        self.save_button = self.addButton("&Try Saving Now", QMessageBox.ButtonRole.ActionRole)
        self.save_button.setToolTip("Send these words to the team server again; goes on once everything is saved")
        # a conflict is not saved by trying again: it waits for the person's Keep mine or Take theirs
        self.save_button.setVisible(any(entry.retryable for entry in words))
        self.leave_button = self.addButton(leaving.anyway, QMessageBox.ButtonRole.DestructiveRole)
        self.leave_button.setToolTip(f"Copies your words to the clipboard and to {copy_to}, then goes on")
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)
        self.setAccessibleDescription(f"{self.text()} " + "; ".join(f"{entry.field}: {entry.why}" for entry in words))
        self._widen()

    @staticmethod
    def _explanation(leaving: Leaving, words: Sequence[UnsavedWords], titles: dict[int, str], copy_to: Path,
                     count: str) -> str:
        """Rich text: the fields under their incident's title, each with why; then what each button does."""
        by_incident: dict[int, list[UnsavedWords]] = {}
        for entry in words[:MOST_LISTED]:
            by_incident.setdefault(entry.incident_id, []).append(entry)
        parts = [f"<p>Not saved, in {count}:</p>"]
        for incident_id, entries in by_incident.items():
            items = "".join(f"<li>{escape(entry.field)}<br><i>{escape(_capitalised(entry.why))}</i></li>"
                            for entry in entries)
            parts.append(f"<p><b>{escape(titles.get(incident_id, 'An incident'))}</b></p><ul>{items}</ul>")
        if len(words) > MOST_LISTED:
            parts.append(f"<p>…and {len(words) - MOST_LISTED} more: Show Details lists every one, with its words.</p>")
        if any(entry.retryable for entry in words):
            parts.append("<p><b>Try Saving Now</b> sends them again and goes on once everything is saved.</p>")
        if not all(entry.retryable for entry in words):
            parts.append("<p>Where a teammate changed the same field, choose under it: Keep mine or Take theirs; a "
                         "follow-up outcome is saved by Record outcome. <b>Cancel</b> takes you there.</p>")
        parts.append(f"<p><b>{leaving.anyway.replace('&', '')}</b> puts your words on the clipboard and in this "
                     f"file:<br>{_unbroken(str(copy_to))}</p>")
        return "".join(parts)

    def _widen(self) -> None:
        """Wide enough that a field's name and the file's path read on one or two lines, within the screen.

        QMessageBox sizes its labels for a short sentence (at most 420 px); the list would wrap every few words."""
        screen = self.screen()
        room = screen.availableGeometry().width() * 0.7 if screen is not None else 1000
        width = int(min(self.fontMetrics().averageCharWidth() * 80, room))
        for name in ("qt_msgbox_label", "qt_msgbox_informativelabel"):
            label = self.findChild(QLabel, name)
            if label is not None:
                label.setMinimumWidth(width)

    def choice(self) -> Choice:
        clicked = self.clickedButton()
        if clicked is self.save_button:
            return Choice.SAVE_NOW
        if clicked is self.leave_button:
            return Choice.LEAVE
        return Choice.STAY


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unbroken(path: str) -> str:
    """A path that does not wrap at the spaces of its folder's or file's name (it reads as one thing)."""
    return escape(path).replace(" ", "&nbsp;")
