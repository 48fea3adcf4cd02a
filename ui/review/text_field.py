"""A multi-line field that saves as you type: after a short pause, and on leaving it.

Consecutive saves of one field merge into one undo step (ui/undo.py), so typing stays undoable
as a whole while a crash loses at most the last pause's worth of text.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit

SAVE_AFTER_MS = 800


class CommitTextEdit(QPlainTextEdit):
    #: the text after a pause in typing or on leaving the field, only when it changed
    text_committed = Signal(str)

    def __init__(self, accessible_name: str, placeholder: str = "", parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self._committed = ""
        self._previous = ""
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SAVE_AFTER_MS)
        self._pause.timeout.connect(self.commit)
        self.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self) -> None:
        if self.toPlainText() != self._committed:
            self._pause.start()

    def set_committed_text(self, text: str) -> None:
        """Shows stored text, unless the person has changes here not yet saved (typing, or a retry)."""
        unsaved = self.toPlainText() != self._committed
        self._committed = text
        if unsaved:
            if self.toPlainText() != text:
                self._pause.start()  # keep their words; they are saved after the pause
            return
        if self.toPlainText() != text:
            self.setPlainText(text)

    def commit(self) -> None:
        self._pause.stop()
        text = self.toPlainText()
        if text != self._committed:
            self._previous = self._committed
            self._committed = text
            self.text_committed.emit(text)

    def retry_later(self) -> None:
        """The save was not made (the workspace was busy): keep the text and try again after a pause."""
        self._committed = self._previous
        self._pause.start()

    def focusOutEvent(self, event) -> None:  # noqa: ANN001
        self.commit()
        super().focusOutEvent(event)
