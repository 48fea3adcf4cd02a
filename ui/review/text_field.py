"""A multi-line field that saves as you type: after a short pause, and on leaving it.

Consecutive saves of one field merge into one undo step (ui/undo.py), so typing stays undoable
as a whole while a crash loses at most the last pause's worth of text.

On a team workspace someone else may change the stored text while a person types here. Their
words are never replaced then: the field keeps them, stops saving, and its conflict bar says who
changed it, with "Keep mine" (save these words, based on the text now stored) or "Take theirs".
Each save says what it was based on (`saved_from`), so a change the feed has not brought yet is
refused by the core (EditConflict) and shown the same way (`show_conflict`).
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget

SAVE_AFTER_MS = 800


class ConflictBar(QFrame):
    """“Changed by X — keep yours / take theirs”, under a field whose stored text changed as it was typed in."""

    keep_mine = Signal()
    take_theirs = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conflict_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.keep_button = QPushButton("Keep mine", self)
        self.keep_button.setToolTip("Save your text in place of theirs")
        self.take_button = QPushButton("Take theirs", self)
        self.take_button.setToolTip("Show their text here; yours is dropped")
        self.keep_button.clicked.connect(self.keep_mine)
        self.take_button.clicked.connect(self.take_theirs)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.keep_button)
        layout.addWidget(self.take_button)
        self.hide()

    def show_theirs(self, theirs: str, by: str) -> None:
        who = by or "someone else"
        shown = theirs if len(theirs) <= 160 else theirs[:157] + "…"
        self.message.setText(f"Changed by {who} while you were typing. Theirs: “{shown or '(empty)'}” — "
                             "yours is kept here, not saved yet.")
        self.setAccessibleDescription(self.message.text())
        self.show()


class CommitTextEdit(QPlainTextEdit):
    #: the text after a pause in typing or on leaving the field, only when it changed
    text_committed = Signal(str)

    def __init__(self, accessible_name: str, placeholder: str = "", parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self._committed = ""  # the stored text as this field knows it (or its own save, just sent)
        self._previous = ""  # the stored text the last save was made from
        self._theirs: str | None = None  # someone else's stored text while in conflict
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SAVE_AFTER_MS)
        self._pause.timeout.connect(self.commit)
        self.textChanged.connect(self._on_text_changed)
        #: placed under the field by its owner; shown only in conflict
        self.conflict_bar = ConflictBar(parent)
        self.conflict_bar.keep_mine.connect(self.keep_mine)
        self.conflict_bar.take_theirs.connect(self.take_theirs)

    @property
    def saved_from(self) -> str:
        """The stored text the last save was made from: its `based_on`."""
        return self._previous

    @property
    def in_conflict(self) -> bool:
        return self._theirs is not None

    def _on_text_changed(self) -> None:
        if self.toPlainText() != self._committed and not self.in_conflict:
            self._pause.start()

    def set_committed_text(self, text: str, changed_by: str = "") -> None:
        """Shows stored text, unless the person has changes here not yet saved (typing, or a retry).

        When the stored text changed under unsaved words (another client's edit), the words stay and
        the conflict bar asks which to keep; changed_by names who changed it, when known.
        """
        unsaved = self.toPlainText() != self._committed
        if self.in_conflict:
            if text == self.toPlainText():  # they now say what I typed: nothing left to decide
                self._resolved(text)
            else:
                self.show_conflict(text, changed_by)
            return
        if unsaved:
            if text == self.toPlainText():  # stored as typed here (their words were the same): nothing to save
                self._pause.stop()
                self._committed = self._previous = text
            elif text != self._committed:  # changed under the unsaved words
                self.show_conflict(text, changed_by)
            return  # otherwise keep their words; they are saved after the pause
        self._committed = text
        if self.toPlainText() != text:
            self.setPlainText(text)

    def forget_unsaved(self) -> str:
        """Drops words not saved yet, as their incident is no longer shown; returns them ("" when none)."""
        dropped = self.toPlainText() if self.toPlainText() != self._committed or self.in_conflict else ""
        self._pause.stop()
        self._theirs = None
        self.conflict_bar.hide()
        self._committed = self._previous = self.toPlainText()
        return dropped

    def commit(self) -> None:
        self._pause.stop()
        text = self.toPlainText()
        if text != self._committed and not self.in_conflict:
            self._previous = self._committed
            self._committed = text
            self.text_committed.emit(text)

    def retry_later(self) -> None:
        """The save was not made (the workspace was busy): keep the text and try again after a pause."""
        self._committed = self._previous
        self._pause.start()

    def show_conflict(self, theirs: str, by: str = "") -> None:
        """The stored text is theirs, not what this field's words were typed over: nothing is saved until
        the person keeps theirs or takes the other."""
        self._pause.stop()
        self._committed = self._previous if self._committed == self.toPlainText() else self._committed
        self._theirs = theirs
        self.conflict_bar.show_theirs(theirs, by)

    def keep_mine(self) -> None:
        """Saves the words typed here, based on the text now stored (theirs)."""
        if self._theirs is None:
            return
        theirs, self._theirs = self._theirs, None
        self.conflict_bar.hide()
        self._committed = theirs
        self.commit()

    def take_theirs(self) -> None:
        if self._theirs is not None:
            self._resolved(self._theirs)

    def _resolved(self, text: str) -> None:
        self._theirs = None
        self.conflict_bar.hide()
        self._committed = self._previous = text
        if self.toPlainText() != text:
            self.setPlainText(text)

    def focusOutEvent(self, event) -> None:  # noqa: ANN001
        self.commit()
        super().focusOutEvent(event)
