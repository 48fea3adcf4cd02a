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


#: the smallest main window that still shows the incident list, a screen and the close-out strip together
SMALLEST_WINDOW = QSize(1024, 640)


def usable_geometry(restored: QRect, free: QRect) -> QRect:
    """A remembered window rectangle made usable on the free area of the screen it came back on.

    At least SMALLEST_WINDOW (the whole free area when that is smaller), at most the free area, and moved
    wholly onto it: a geometry saved on a bigger screen, partly off-screen or shrunk to nothing comes back
    as a window a person can work in.
    """
    width = min(max(restored.width(), SMALLEST_WINDOW.width()), free.width())
    height = min(max(restored.height(), SMALLEST_WINDOW.height()), free.height())
    return QRect(moved_onto(QRect(restored.x(), restored.y(), width, height), free), QSize(width, height))


def moved_onto(rect: QRect, free: QRect) -> QPoint:
    """Where rect's top-left goes so that it lies wholly on the free area (its top-left edge when it is bigger)."""
    return QPoint(max(free.left(), min(rect.x(), free.left() + free.width() - rect.width())),
                  max(free.top(), min(rect.y(), free.top() + free.height() - rect.height())))


def first_window_geometry(free: QRect) -> QRect | None:
    """Where the main window opens the first time: 90% of the screen's free area, centred; None on a
    laptop- or projector-sized screen, where it opens maximised."""
    if free.width() < SMALL_SCREEN.width() or free.height() < SMALL_SCREEN.height():
        return None
    size = QSize(round(free.width() * FIRST_SHARE), round(free.height() * FIRST_SHARE))
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(free.center())
    return rect
