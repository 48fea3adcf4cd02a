"""The conversation reader opens readable in every session: a window closed before the reader was ever opened
remembered it as a sliver (about 80 px), and each later session opened it so, breaking words mid-word."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from ui.main_window import READER_AT_LEAST, MainWindow


def _session(qtbot, settings_path, workspace, *, read: bool) -> int:
    window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.open_path(workspace)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    width = 0
    if read:
        window.hub.conversation_requested.emit(1, -1)
        reader = window.docks["reader"]
        qtbot.waitUntil(reader.isVisible)
        qtbot.wait(100)  # laid out
        width = reader.width()
    window.close()
    return width


def test_the_reader_opens_readable_after_a_session_that_never_opened_it(qtbot, demo_copy, tmp_path):
    settings = tmp_path / "settings.ini"
    _session(qtbot, settings, demo_copy, read=False)
    assert _session(qtbot, settings, demo_copy, read=True) >= READER_AT_LEAST


def test_a_reader_widened_by_the_person_comes_back_at_their_width(qtbot, demo_copy, tmp_path):
    settings = tmp_path / "settings.ini"
    window = MainWindow(QSettings(str(settings), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.open_path(demo_copy)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.hub.conversation_requested.emit(1, -1)
    reader = window.docks["reader"]
    qtbot.waitUntil(reader.isVisible)
    window.resizeDocks([reader], [450], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    chosen = reader.width()
    window.close()
    assert abs(_session(qtbot, settings, demo_copy, read=True) - chosen) <= 10


def test_the_reader_opened_from_the_view_menu_is_readable_too(qtbot, demo_copy, tmp_path):
    """Found in a user's trial: View › Conversation opened it about 85 px wide, after a session that never had."""
    settings = tmp_path / "settings.ini"
    _session(qtbot, settings, demo_copy, read=False)
    window = MainWindow(QSettings(str(settings), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.open_path(demo_copy)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    reader = window.docks["reader"]
    reader.toggleViewAction().trigger()
    qtbot.waitUntil(reader.isVisible)
    qtbot.wait(100)
    assert reader.width() >= READER_AT_LEAST
    window.close()
