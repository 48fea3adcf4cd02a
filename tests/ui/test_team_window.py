"""The main window on a team workspace: a teammate's edit elsewhere refreshes the incident list, and leaves
the person on the incident they are working on."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.incidents import CreateIncident, UpdateIncident
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id


@pytest.fixture
def teammate(team_demo_url, monkeypatch):
    monkeypatch.setenv("POSTMORTEM_USER", "Ana")
    other = open_workspace(team_demo_url)
    monkeypatch.delenv("POSTMORTEM_USER")
    yield other
    other.close()


@pytest.fixture
def window(qtbot, team_demo_url, settings, teammate):
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url)
    session = window.session
    assert session is not None and session._teammates is not None and session._teammates.feed.listening.wait(10)
    yield window
    window.hub.close_session()


def _titles(window) -> list[str]:
    return [window.incident_model.summary(row).title for row in range(window.incident_model.rowCount())]


def test_a_teammates_new_incident_and_its_edit_do_not_move_the_selection(qtbot, window, teammate):
    """On a file, an undo that changes another incident brings that incident forward; a teammate's change
    must not: the person would be pulled off the incident they are reviewing by someone else's work."""
    billing = billing_id(teammate)
    window.select_incident(billing)
    created = CreateIncident(title="Login page slow (Ana's)")
    created.do(teammate)
    qtbot.waitUntil(lambda: "Login page slow (Ana's)" in _titles(window), timeout=1000)
    assert window.incident_id == billing
    assert created.incident_id is not None
    UpdateIncident(created.incident_id, title="Login page slow (renamed by Ana)").do(teammate)
    qtbot.waitUntil(lambda: "Login page slow (renamed by Ana)" in _titles(window), timeout=1000)
    assert window.incident_id == billing  # still on the incident the person was working on
