"""UI test fixtures: a main window on a copy of the demo workspace; a teammate, a network cable and the
conflict dialog's answer for the team workspace's screens."""
import pytest
from PySide6.QtCore import QSettings

from tests.network_cable import NetworkCable
from ui.conflict_dialog import ConflictDialog
from ui.unsaved_words_dialog import UnsavedWordsDialog


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window_on(qtbot, settings, target):
    """The main window with target open and shown; closed afterwards (a fixture's body)."""
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(target)
    window.show()
    yield window
    window.close()


@pytest.fixture
def main_window(qtbot, demo_copy, settings):
    yield from _window_on(qtbot, settings, demo_copy)


@pytest.fixture
def team_window(qtbot, team_demo_url, settings):
    """The main window on a copy of the team demo workspace."""
    yield from _window_on(qtbot, settings, team_demo_url)


@pytest.fixture
def teammate(team_demo_url, monkeypatch):
    """Another client of the same team workspace, whose edits are attributed to Ana."""
    from postmortem_desktop.storage.workspace import open_workspace

    monkeypatch.setenv("POSTMORTEM_USER", "Ana")
    other = open_workspace(team_demo_url)
    monkeypatch.delenv("POSTMORTEM_USER")
    yield other
    other.close()


@pytest.fixture
def cable(team_server):
    cable = NetworkCable(team_server.port)
    with open(team_server.pgpassfile, encoding="utf-8") as pgpass:
        password = pgpass.readline().rstrip("\n").rsplit(":", 1)[1]
    with open(team_server.pgpassfile, "a", encoding="utf-8") as pgpass:  # the same login through the relay
        pgpass.write(f"127.0.0.1:{cable.port}:*:postmortem:{password}\n")
    yield cable
    cable.unplug()


@pytest.fixture
def answer_with(monkeypatch):
    """Clicks Keep mine or Take theirs in the conflict dialog when it opens; remembers what it showed."""
    shown: list[ConflictDialog] = []

    def choose(button: str):
        def exec_(dialog: ConflictDialog) -> int:
            shown.append(dialog)
            getattr(dialog, button).click()
            return 0
        monkeypatch.setattr(ConflictDialog, "exec", exec_)
        return shown
    return choose


@pytest.fixture
def leaving(monkeypatch):
    """Clicks one of the unsaved-words dialog's buttons ("save", "leave", "cancel") when it opens; remembers each
    shown. A list of buttons answers the dialogs in turn (the last one answers any further)."""
    shown: list[UnsavedWordsDialog] = []

    def choose(*buttons: str):
        def exec_(dialog: UnsavedWordsDialog) -> int:
            button = buttons[min(len(shown), len(buttons) - 1)]
            shown.append(dialog)
            getattr(dialog, f"{button}_button").click()
            return 0
        monkeypatch.setattr(UnsavedWordsDialog, "exec", exec_)
        return shown
    return choose


@pytest.fixture
def facilitators_window(qtbot, settings, team_demo_url, team_server, cable, teammate):
    """A main window on the billing incident of a team workspace reached through the unpluggable relay (`cable`),
    its change feed listening, whose facilitator mode may be started; its unsaved words are dropped and the
    mode and theme put back at the end."""
    from tests.helpers import billing_id
    from ui.main_window import MainWindow
    from ui.theme import theme_manager

    def leave_quietly(window) -> None:  # a test that stayed leaves words behind; qtbot closes the window first
        for holder in window._word_holders():
            holder.forget_unsaved_words()
        window.facilitator.stop()

    window = MainWindow(settings)
    qtbot.addWidget(window, before_close_func=leave_quietly)
    assert window.open_path(team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))
    window.show()
    window.select_incident(billing_id(teammate))
    assert window.session._teammates.feed.listening.wait(10)
    before = theme_manager().snapshot()
    yield window
    leave_quietly(window)
    theme_manager().restore(before)
    window.hub.close_session()
