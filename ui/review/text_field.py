"""A multi-line field that reports a finished edit (on leaving it), so each edit is one undoable command."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPlainTextEdit


class CommitTextEdit(QPlainTextEdit):
    #: the text after the person left the field, only when it changed
    text_committed = Signal(str)

    def __init__(self, accessible_name: str, placeholder: str = "", parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self._committed = ""

    def set_committed_text(self, text: str) -> None:
        """Shows stored text, unless the person is in the middle of changing this field."""
        if self.hasFocus() and self.toPlainText() != self._committed:
            self._committed = text
            return
        self._committed = text
        if self.toPlainText() != text:
            self.setPlainText(text)

    def commit(self) -> None:
        text = self.toPlainText()
        if text != self._committed:
            self._committed = text
            self.text_committed.emit(text)

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001
        self.commit()
        super().focusOutEvent(event)
