"""UI test fixtures: a main window on a copy of the demo workspace."""
import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def main_window(qtbot, demo_copy, settings):
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(demo_copy)
    window.show()
    yield window
    window.close()
