"""A dock's title follows the theme's font: the reviewer switched View › Theme from projector to dark and the
"Incidents" title kept the projector's large letters (QDockWidget keeps the title font of the moment it was
made)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from ui.theme import DARK, LIGHT, PROJECTOR, theme_manager


@pytest.fixture
def themed(qapp):
    before = theme_manager(qapp).snapshot()
    yield theme_manager(qapp).apply
    theme_manager(qapp).restore(before)


def _title_ink(dock: QDockWidget) -> tuple[int, int]:
    """The width and height of the title's letters: what differs from the title bar's ground, left of its
    close button."""
    image = dock.grab().toImage()
    band = dock.widget().geometry().top()  # the title bar, above the dock's contents
    ground = image.pixel(1, 1)
    ink = [(x, y) for y in range(min(band, image.height())) for x in range(image.width() * 2 // 3)
           if image.pixel(x, y) != ground]
    assert ink, "no title drawn"
    xs, ys = [x for x, _ in ink], [y for _, y in ink]
    return max(xs) - min(xs), max(ys) - min(ys)


@pytest.mark.parametrize("then", [DARK, LIGHT])
def test_the_incidents_dock_title_takes_the_new_themes_font(qtbot, themed, settings, demo_copy, then):
    from ui.main_window import MainWindow

    themed(PROJECTOR)  # the app started in the projector theme: its docks are made under it
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(demo_copy)
    window.show()
    qtbot.waitExposed(window)
    themed(then)
    dock = window.findChild(QDockWidget, "incidents_dock")
    beside = QMainWindow()  # a dock made under the new theme: Qt draws its title right
    qtbot.addWidget(beside)
    beside.setCentralWidget(QLabel("screens"))
    fresh = QDockWidget("Incidents", beside)
    fresh.setWidget(QLabel("list"))
    fresh.setFeatures(dock.features())
    beside.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, fresh)
    beside.resize(window.size())
    beside.resizeDocks([fresh], [dock.width()], Qt.Orientation.Horizontal)
    beside.show()
    qtbot.waitExposed(beside)
    assert _title_ink(dock) == _title_ink(fresh)
    window.close()
