"""The incident's properties on a team workspace: a teammate's change the form has not shown yet is never
overwritten (Keep mine / Take theirs), and an edit the server did not get stays in its field, said to be
unsaved, and is saved by itself when the server is back.

The conflict tests stop the change feed, so the teammate's change reaches the form only through the refusal
(the edit's based_on). The server-away tests reach the server through a relay they unplug (network_cable)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from postmortem_desktop.services.incidents import IncidentService, UpdateIncident
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from ui.hub import ScreenHub
from ui.incidents.properties_screen import RETRY_AFTER_MS, PropertiesScreen
from ui.time_display import to_qdatetime
from ui.undo import WorkspaceSession


def _screen(qtbot, url: str, stop_feed: bool):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(url))
    hub.set_session(session, "UTC")
    hub.set_incident(billing_id(session.workspace))
    if stop_feed:
        session._teammates.stop()  # the teammate's notice never arrives: only based_on can catch the race
    else:
        assert session._teammates.feed.listening.wait(10)
    screen = PropertiesScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    return screen, session


@pytest.fixture
def properties(qtbot, team_demo_url):
    screen, session = _screen(qtbot, team_demo_url, stop_feed=True)
    yield screen
    session.close()


@pytest.fixture
def warnings_shown(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def warning(_parent, _title, text, *_args, **_kwargs):
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def _type_title(screen, title: str) -> None:
    screen.form.title.setText(title)
    screen.form.title.editingFinished.emit()


def _stored(workspace, screen):
    return IncidentService(workspace).get(screen.hub.incident_id)  # by id: the tests change its title


def test_a_title_a_teammate_changed_shows_both_and_keep_mine_saves_mine(qtbot, properties, teammate, answer_with):
    shown = answer_with("keep_button")
    UpdateIncident(billing_id(teammate), title="Ana's title").do(teammate)
    _type_title(properties, "My title")
    text = shown[0].informativeText()
    assert "Yours: My title" in text and "Theirs: Ana's title" in text
    assert "title" in shown[0].text().lower()
    assert _stored(teammate, properties).title == "My title"
    assert properties.form.title.text() == "My title"


def test_take_theirs_shows_the_teammates_time_and_saves_nothing(qtbot, properties, teammate, answer_with):
    shown = answer_with("take_button")
    stored = _stored(teammate, properties)
    theirs = stored.technical_end + timedelta(minutes=7)
    UpdateIncident(billing_id(teammate), technical_end=theirs).do(teammate)
    editor = properties.form.times["technical_end"]
    editor.edit.setDateTime(to_qdatetime(stored.technical_end + timedelta(minutes=30), "UTC"))
    editor.value_changed.emit()
    assert shown and theirs.strftime("%H:%M") in shown[0].informativeText()
    assert _stored(teammate, properties).technical_end == theirs
    assert editor.value() == theirs  # the form shows theirs now


def test_a_second_edit_of_the_same_field_is_based_on_the_first_not_a_conflict_with_it(qtbot, properties, teammate,
                                                                                     answer_with):
    shown = answer_with("take_button")
    _type_title(properties, "First try")
    _type_title(properties, "Second try")  # before any re-read of the incident
    assert not shown
    assert _stored(teammate, properties).title == "Second try"


@pytest.fixture
def away(qtbot, team_demo_url, team_server, cable):
    """The properties screen of a client that reaches the server through the cable, feed listening."""
    screen, session = _screen(qtbot, team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"),
                              stop_feed=False)
    yield screen
    session.close()


def test_a_title_typed_while_the_server_is_away_stays_and_is_saved_when_it_is_back(qtbot, away, cable, teammate,
                                                                                   warnings_shown):
    cable.unplug()
    _type_title(away, "Typed while the server is down")
    assert away.form.title.text() == "Typed while the server is down"
    assert away.form.problem.isVisibleTo(away) and "Not saved yet: Title" in away.form.problem.text()
    assert not warnings_shown  # said beside the form, not in a modal message
    away.refresh()  # a re-read (the server is away: it keeps what is shown)
    assert away.form.title.text() == "Typed while the server is down"
    cable.plug()
    qtbot.waitUntil(lambda: _stored(teammate, away).title == "Typed while the server is down",
                    timeout=RETRY_AFTER_MS * 2 + 10_000)
    qtbot.waitUntil(lambda: not away.form.problem.isVisibleTo(away), timeout=5000)
    assert away.form.title.text() == "Typed while the server is down" and not away.unsaved


def test_a_teammates_title_saved_while_the_server_was_away_is_a_conflict_not_overwritten(qtbot, away, cable,
                                                                                        teammate, answer_with,
                                                                                        warnings_shown):
    shown = answer_with("take_button")
    cable.unplug()
    _type_title(away, "Mine, typed while away")
    UpdateIncident(billing_id(teammate), title="Ana's, saved meanwhile").do(teammate)
    cable.plug()
    qtbot.waitUntil(lambda: bool(shown), timeout=RETRY_AFTER_MS * 2 + 10_000)
    assert "Theirs: Ana's, saved meanwhile" in shown[0].informativeText()
    assert _stored(teammate, away).title == "Ana's, saved meanwhile"
    qtbot.waitUntil(lambda: away.form.title.text() == "Ana's, saved meanwhile", timeout=5000)
    assert not away.unsaved


@pytest.fixture
def listening(qtbot, team_demo_url):
    """The properties screen of a client whose change feed listens: a teammate's change re-reads the form."""
    screen, session = _screen(qtbot, team_demo_url, stop_feed=False)
    yield screen
    session.close()


def _typing(qtbot, screen, words: str) -> str:
    screen.form.title.setFocus()
    screen.form.title.end(False)
    qtbot.keyClicks(screen.form.title, words)
    assert screen.form.title.isModified()
    return screen.form.title.text()


def test_a_teammates_change_of_another_property_keeps_the_title_being_typed(qtbot, listening, teammate):
    typed = _typing(qtbot, listening, " (renewals)")
    UpdateIncident(listening.hub.incident_id, service="Ana's service").do(teammate)
    qtbot.waitUntil(lambda: listening.form.service.text() == "Ana's service", timeout=5000)
    assert listening.form.title.text() == typed and listening.form.title.isModified()
    listening.form.title.editingFinished.emit()
    stored = _stored(teammate, listening)
    assert (stored.title, stored.service) == (typed, "Ana's service")


def test_a_teammates_title_arriving_while_typing_the_title_is_a_conflict_when_finished(qtbot, listening, teammate,
                                                                                     answer_with):
    shown = answer_with("keep_button")
    typed = _typing(qtbot, listening, " (mine)")
    UpdateIncident(listening.hub.incident_id, title="Ana's title").do(teammate)
    qtbot.waitUntil(lambda: listening.form.shown("title") == "Ana's title", timeout=5000)
    assert listening.form.title.text() == typed  # the re-read did not replace the words being typed
    listening.form.title.editingFinished.emit()
    assert shown and "Theirs: Ana's title" in shown[0].informativeText()
    assert _stored(teammate, listening).title == typed
