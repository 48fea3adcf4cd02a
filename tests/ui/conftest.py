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


@pytest.fixture
def teammate(team_demo_url, monkeypatch):
    """Another client of the same team workspace, whose edits are attributed to Ana."""
    from postmortem_desktop.storage.workspace import open_workspace

    monkeypatch.setenv("POSTMORTEM_USER", "Ana")
    other = open_workspace(team_demo_url)
    monkeypatch.delenv("POSTMORTEM_USER")
    yield other
    other.close()
