"""First sizes for windows and dialogs that never exceed the screen they open on."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget


def fit_to_screen(widget: QWidget, width: int, height: int) -> QSize:
    """The wanted size, shrunk to the screen's free area (a 1280x720 projector leaves ~690 px)."""
    screen = widget.screen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width()), min(height, free.height() - 30))
