"""First sizes for windows and dialogs that never exceed the screen they open on."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QWidget


def fit_to_screen(widget: QWidget, width: int, height: int) -> QSize:
    """The wanted size, shrunk to the screen's free area (a 1280x720 projector leaves ~690 px)."""
    screen = widget.screen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width()), min(height, free.height() - 30))


#: below this free area a window at 90% wastes the little room there is: it opens maximised instead
SMALL_SCREEN = QSize(1600, 960)
FIRST_SHARE = 0.9


def first_window_geometry(free: QRect) -> QRect | None:
    """Where the main window opens the first time: 90% of the screen's free area, centred; None on a
    laptop- or projector-sized screen, where it opens maximised."""
    if free.width() < SMALL_SCREEN.width() or free.height() < SMALL_SCREEN.height():
        return None
    size = QSize(round(free.width() * FIRST_SHARE), round(free.height() * FIRST_SHARE))
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(free.center())
    return rect
