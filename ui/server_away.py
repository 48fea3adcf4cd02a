"""The team server not answering something the person asked for (a read, a switch, a screen shown): said in one
message at a time.

Every screen that reads when a person clicks would otherwise raise its own refusal, and modal boxes stack (the
reviewer got two over one click). One box is kept while open: a later failure only replaces its words. It is
opened window-modal with open(), not exec(), so no nested event loop runs while it is read.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

TITLE = "Team server not answering"

_shown: list[QMessageBox] = []  # the box on view, if any (at most one)


def tell(parent: QWidget | None, text: str, details: str = "") -> QMessageBox:
    """Shows text (details: the server's own words, behind Show Details) in the one box, opening it if needed."""
    box = shown()
    if box is None:
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, text, QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("server_away_box")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result, b=box: _shown.remove(b) if b in _shown else None)
        _shown.append(box)
        box.setDetailedText(details)
        box.open()
        return box
    box.setText(text)
    box.setDetailedText(details)
    return box


def shown() -> QMessageBox | None:
    """The box on view, if any (for tests and for closing it when the workspace closes).

    A box whose parent window was destroyed went with it without `finished`: it is forgotten here, or every
    later message would fail on it."""
    while _shown and not shiboken6.isValid(_shown[0]):
        _shown.pop(0)
    return _shown[0] if _shown else None
