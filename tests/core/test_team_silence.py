"""A team server that is up but does not answer (its process paused or hung) no longer freezes an edit for as long
as that lasts: the wait is asked after on a fresh connection and, with no answer, ends as a lost server, which the
app already handles (the edit kept and said, the workspace reconnecting by itself). A server that answers, however
busy (a teammate's transaction holding the row), is waited for as before. (postmortem_desktop/storage/team_silence.py)

Before, libpq's keepalives did not help here: the server's OS answers them, so the edit waited until the server did.
"""
from __future__ import annotations

import threading
import time

import pytest

from postmortem_desktop.services.incidents import CreateIncident, IncidentService, UpdateIncident
from postmortem_desktop.storage import team_silence
from postmortem_desktop.storage.errors import ServerUnavailableError
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.network_cable import NetworkCable, through


@pytest.fixture
def quick_watch(monkeypatch):
    """The watch's patience and the server's time to answer, shortened for the test."""
    monkeypatch.setattr(team_silence, "PATIENCE_S", 1.0)
    monkeypatch.setattr(team_silence, "PROBE_TIMEOUT_S", 2)


@pytest.fixture
def cabled(team_server, team_database, quick_watch):
    """A workspace opened through a relay that can make the server stop answering, with one incident."""
    create_workspace(team_database).close()
    cable = NetworkCable(team_server.port)
    ws = open_workspace(through(cable, team_server, team_database))
    made = CreateIncident(title="Checkout outage")
    made.do(ws)
    yield ws, cable, made.incident_id
    cable.answer()
    cable.unplug()
    ws.close()


def _retitle(ws, incident_id: int, title: str) -> UpdateIncident:
    return UpdateIncident(incident_id, title=title)


def _in_a_thread(work) -> tuple[threading.Thread, dict]:
    """Runs work as the window would, reporting what it raised."""
    outcome: dict = {}

    def run() -> None:
        try:
            work()
        except Exception as exc:
            outcome["raised"] = exc
        outcome["ended"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_an_edit_on_a_server_that_stops_answering_ends_as_a_lost_server_and_the_workspace_comes_back(cabled):
    ws, cable, incident_id = cabled
    cable.hang()
    began = time.monotonic()
    thread, outcome = _in_a_thread(lambda: _retitle(ws, incident_id, "Typed while it hung").do(ws))
    thread.join(20)
    try:
        assert not thread.is_alive(), "the edit still waits on a server that does not answer"
        assert isinstance(outcome.get("raised"), ServerUnavailableError)
        assert "Nothing of the last change was saved" in str(outcome["raised"])
        # the watch's patience and the fresh connection's time; then the pool's own try at a new connection,
        # which gives up after the workspace's connect timeout (10 s)
        assert outcome["ended"] - began < 1.0 + 2 + 10 + 2
    finally:
        cable.answer()
        thread.join(30)
    _retitle(ws, incident_id, "Typed once it answered").do(ws)  # reconnected by itself
    assert [i.title for i in IncidentService(ws).list_incidents()] == ["Typed once it answered"]


def test_a_busy_server_that_answers_is_waited_for_however_long_it_takes(cabled, team_database):
    """A teammate's transaction holds the incident for longer than the watch's patience: the edit waits for it, as
    an edit waits for a teammate's import, and is saved once it ends."""
    ws, _cable, incident_id = cabled
    teammate = open_workspace(team_database)
    try:
        with teammate.transaction() as session:  # the teammate's edit of the same incident, not yet committed
            session.connection().exec_driver_sql("SELECT id FROM incidents WHERE id = %(i)s FOR UPDATE",
                                                 {"i": incident_id})
            thread, outcome = _in_a_thread(lambda: _retitle(ws, incident_id, "Saved after theirs").do(ws))
            thread.join(3 * team_silence.PATIENCE_S)
            assert thread.is_alive()  # still waiting: the server answered the watch every time it asked
        thread.join(15)
        assert not thread.is_alive() and "raised" not in outcome
        assert [i.title for i in IncidentService(ws).list_incidents()] == ["Saved after theirs"]
    finally:
        teammate.close()
