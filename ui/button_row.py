"""A row of buttons that stacks them when it is too narrow for their whole text (a narrow dock)."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QBoxLayout, QWidget

_ACROSS, _DOWN = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom


class ButtonRow(QWidget):
    """Side by side when they fit at their full width, one under another when not: squeezed into the
    reader beside the timeline at 1280x720 they read "Make Quote (Q" and "Whole Conversatio"."""

    def __init__(self, buttons: Sequence[QAbstractButton], parent: QWidget | None = None):
        super().__init__(parent)
        self.buttons = list(buttons)
        self.box = QBoxLayout(_ACROSS, self)
        self.box.setContentsMargins(6, 0, 6, 0)
        for button in self.buttons:
            button.setMinimumWidth(30)  # may stack in a narrow dock rather than widen the window
            self.box.addWidget(button)
        self.box.addStretch(1)

    def width_across(self) -> int:
        margins = self.box.contentsMargins()
        spacing = max(self.box.spacing(), 0) * (len(self.buttons) - 1)
        return sum(b.sizeHint().width() for b in self.buttons) + spacing + margins.left() + margins.right()

    def resizeEvent(self, event: QResizeEvent) -> None:
        direction = _ACROSS if event.size().width() >= self.width_across() else _DOWN
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)
