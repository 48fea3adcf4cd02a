"""The conversation reader opens readable in every session: a window closed before the reader was ever opened
remembered it as a sliver (about 80 px), and each later session opened it so, breaking words mid-word."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from ui.main_window import READER_AT_LEAST, MainWindow


def _window(qtbot, settings_path, workspace) -> MainWindow:
    """A session: the window as the app opens it, with the settings the last one left."""
    window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.open_path(workspace)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    return window


def _reader_opened(qtbot, window, open_it) -> int:
    """The reader's width once open_it has opened it and the window laid it out."""
    open_it()
    reader = window.docks["reader"]
    qtbot.waitUntil(reader.isVisible)
    qtbot.wait(100)
    return reader.width()


def _a_card_clicked(window):
    return lambda: window.hub.conversation_requested.emit(1, -1)


def test_the_reader_opens_readable_after_a_session_that_never_opened_it(qtbot, demo_copy, tmp_path):
    settings = tmp_path / "settings.ini"
    _window(qtbot, settings, demo_copy).close()
    window = _window(qtbot, settings, demo_copy)
    assert _reader_opened(qtbot, window, _a_card_clicked(window)) >= READER_AT_LEAST
    window.close()


def test_the_reader_opened_from_the_view_menu_is_readable_too(qtbot, demo_copy, tmp_path):
    """Found in a user's trial: View › Conversation opened it about 85 px wide, after a session that never had."""
    settings = tmp_path / "settings.ini"
    _window(qtbot, settings, demo_copy).close()
    window = _window(qtbot, settings, demo_copy)
    assert _reader_opened(qtbot, window, window.docks["reader"].toggleViewAction().trigger) >= READER_AT_LEAST
    window.close()


def test_a_reader_widened_by_the_person_comes_back_at_their_width(qtbot, demo_copy, tmp_path):
    settings = tmp_path / "settings.ini"
    window = _window(qtbot, settings, demo_copy)
    _reader_opened(qtbot, window, _a_card_clicked(window))
    reader = window.docks["reader"]
    window.resizeDocks([reader], [450], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    chosen = reader.width()
    window.close()
    again = _window(qtbot, settings, demo_copy)
    assert abs(_reader_opened(qtbot, again, _a_card_clicked(again)) - chosen) <= 10
    again.close()
