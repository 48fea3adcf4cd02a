"""Both versions of a field in conflict, whole and side by side, with where they differ marked.

The bar under the field shows only an excerpt around the first difference; a long answer changed in
several places is read here before the person keeps theirs or takes the other.
"""
from __future__ import annotations

from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from postmortem_desktop.domain.text_difference import difference


class CompareDialog(QDialog):
    """Yours and theirs; accepted with `chose_mine` True (Keep mine) or False (Take theirs), or closed."""

    def __init__(self, parent: QWidget | None, field_name: str, mine: str, theirs: str, by: str):
        super().__init__(parent)
        self.setObjectName("compare_dialog")
        self.setWindowTitle(f"Compare: {field_name}")
        self.chose_mine = False
        diff = difference(mine, theirs)
        self.mine_view = self._view(mine, diff.start, diff.mine_end, f"Yours (not saved): {field_name}")
        self.theirs_view = self._view(theirs, diff.start, diff.theirs_end, f"Theirs ({by or 'someone else'})")
        buttons = QDialogButtonBox(self)
        keep = QPushButton("Keep mine", self)
        keep.setToolTip("Save your text in place of theirs")
        take = QPushButton("Take theirs", self)
        take.setToolTip("Show their text in the field; yours is dropped")
        buttons.addButton(keep, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(take, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (keep, take):
            button.setAutoDefault(False)
        close.setDefault(True)  # Enter decides nothing: the field and its bar stay as they are
        keep.clicked.connect(lambda: self._choose(True))
        take.clicked.connect(lambda: self._choose(False))
        buttons.rejected.connect(self.reject)
        self.keep_button, self.take_button = keep, take
        layout = QGridLayout(self)
        layout.addWidget(QLabel("<b>Yours</b> — kept in the field, not saved yet", self), 0, 0)
        layout.addWidget(QLabel(f"<b>Theirs</b> — stored now, by {by or 'someone else'}", self), 0, 1)
        layout.addWidget(self.mine_view, 1, 0)
        layout.addWidget(self.theirs_view, 1, 1)
        note = QLabel("The first place they differ is marked in both.", self)
        note.setWordWrap(True)
        layout.addWidget(note, 2, 0, 1, 2)
        layout.addWidget(buttons, 3, 0, 1, 2)
        self.resize(900, 420)

    def _view(self, text: str, start: int, end: int, name: str) -> QPlainTextEdit:
        view = QPlainTextEdit(text, self)
        view.setReadOnly(True)
        view.setAccessibleName(name)
        cursor = QTextCursor(view.document())
        cursor.setPosition(start)
        cursor.setPosition(max(end, start + (1 if start < len(text) else 0)), QTextCursor.MoveMode.KeepAnchor)
        marked = QTextEdit.ExtraSelection()
        marked.cursor = cursor
        mark = QTextCharFormat()
        mark.setFontUnderline(True)
        mark.setFontWeight(700)
        marked.format = mark
        view.setExtraSelections([marked])
        at = QTextCursor(view.document())
        at.setPosition(start)
        view.setTextCursor(at)
        view.ensureCursorVisible()  # a change at the end of a long text is in view, not below the fold
        return view

    def _choose(self, mine: bool) -> None:
        self.chose_mine = mine
        self.accept()
