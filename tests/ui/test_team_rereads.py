"""A teammate's change is re-read once per notice, and only by what shows it; a re-read that cannot reach the
team server keeps what is shown and says so in the status bar, without a dialog nobody asked for.

On a large incident the incident list's windows and the contact and severity suggestions scan every message
(seconds at 100k conversations), so re-reading them for an answer typed elsewhere made every teammate's change
take seconds to show."""
from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import event

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.importers.records import ParsedMessage
from postmortem_desktop.services.conversations import AddConversation, NewConversation
from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.incidents import CreateIncident, IncidentService, UpdateIncident
from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from postmortem_desktop.storage.team_feed import ChangeNotice
from tests.helpers import billing_id
from ui import errors
from ui.main_window import SERVER_AWAY_NOTE


def _open(qtbot, settings, url):
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(url)
    window.show()
    session = window.session
    assert session is not None and session._teammates is not None and session._teammates.feed.listening.wait(10)
    return window


@pytest.fixture
def window(qtbot, team_demo_url, settings, teammate):
    window = _open(qtbot, settings, team_demo_url)
    window.select_incident(billing_id(teammate))
    window.show_screen("review")
    yield window
    window.hub.close_session()


class Reads:
    """Counts this window's reads: the incident list, the suggestions' phrase queries, the review's answers."""

    def __init__(self, monkeypatch, window):
        self.lists = self.phrase_queries = self.answers = 0
        list_incidents, answers = IncidentService.list_incidents, ReviewService.answers

        def counted_list(service):
            self.lists += 1
            return list_incidents(service)

        def counted_answers(service, incident_id):
            self.answers += 1
            return answers(service, incident_id)

        monkeypatch.setattr(IncidentService, "list_incidents", counted_list)
        monkeypatch.setattr(ReviewService, "answers", counted_answers)

        def before(_conn, _cursor, statement, *_args):
            if "STRPOS(" in statement.upper():  # how a team workspace looks for phrases (storage/phrase_match.py)
                self.phrase_queries += 1
        event.listen(window.session.workspace.engine, "before_cursor_execute", before)


def _answer_field(window):
    return window.screen_widgets["review"].answers.blocks["wording"].answer


def test_a_teammates_answer_shows_without_reading_the_list_or_the_suggestions_again(qtbot, window, teammate,
                                                                                    monkeypatch):
    billing = billing_id(teammate)
    reads = Reads(monkeypatch, window)
    SetReviewAnswer(billing, "wording", "Ana's words").do(teammate)
    qtbot.waitUntil(lambda: _answer_field(window).toPlainText() == "Ana's words", timeout=3000)
    qtbot.wait(200)  # anything else this notice sets off
    assert reads.answers == 1
    assert reads.lists == 0  # an answer is not in the incident list
    assert reads.phrase_queries == 0  # nor in what customers wrote, which the suggestions are read from


def test_a_burst_of_a_teammates_saves_is_read_once(qtbot, window, teammate, monkeypatch):
    billing = billing_id(teammate)
    reads = Reads(monkeypatch, window)
    for n in range(4):  # the teammate's typing saved four times while this window was busy
        SetReviewAnswer(billing, "wording", f"Ana's words, take {n}").do(teammate)
    time.sleep(0.5)  # the GUI thread is busy: every notice is heard before it looks
    qtbot.waitUntil(lambda: _answer_field(window).toPlainText() == "Ana's words, take 3", timeout=3000)
    qtbot.wait(200)
    assert reads.answers == 1


def test_another_incidents_change_rereads_only_its_row(qtbot, window, teammate, monkeypatch):
    created = CreateIncident(title="Login errors")
    created.do(teammate)
    assert created.incident_id is not None
    qtbot.waitUntil(lambda: window.incident_model.row_of(created.incident_id) >= 0, timeout=3000)
    reads = Reads(monkeypatch, window)
    UpdateIncident(created.incident_id, title="Login errors (renamed by Ana)").do(teammate)
    row = window.incident_model.row_of(created.incident_id)
    qtbot.waitUntil(lambda: window.incident_model.summary(row).title == "Login errors (renamed by Ana)",
                    timeout=3000)
    qtbot.wait(200)
    assert reads.lists == 0  # its row alone, not every incident's windows
    assert reads.answers == 0 and reads.phrase_queries == 0  # the review shows the billing incident
    assert window.incident_id == billing_id(teammate)


def test_a_teammates_severity_decision_shows_without_reading_what_customers_wrote(qtbot, window, teammate,
                                                                                 monkeypatch):
    """A decision changes the incident (its customer severity shows in the list), not customers' words."""
    billing = billing_id(teammate)
    state = SeverityService(teammate).severity(billing)
    other = next(level for level in ("SEV1", "SEV2", "SEV3", "SEV4") if level != state.suggestion.suggested)
    reads = Reads(monkeypatch, window)
    DecideSeverity(billing, state.suggestion, other, "Ana: every agency's renewal failed", shown=state).do(teammate)
    severity = window.screen_widgets["review"].severity
    qtbot.waitUntil(lambda: severity.level.currentText() == other, timeout=3000)
    listed = window.incident_model
    qtbot.waitUntil(lambda: listed.summary(listed.row_of(billing)).customer_severity == other, timeout=3000)
    qtbot.wait(200)
    assert reads.phrase_queries == 0 and reads.lists == 0


def test_a_teammates_new_conversation_brings_its_customer_into_the_contact_suggestions(qtbot, window, teammate,
                                                                                      monkeypatch):
    """What the suggestions are read from changed, so they are read again (once)."""
    billing = billing_id(teammate)
    reads = Reads(monkeypatch, window)
    at = datetime(2026, 11, 18, 12, tzinfo=UTC)
    AddConversation(billing, NewConversation("chat", [ParsedMessage("Pia Payroll", "You charged me twice", at,
                                                                    "customer")], customer_name="Pia Payroll",
                                             customer_email="pia@example.com")).do(teammate)
    contacts = window.screen_widgets["review"].contacts
    qtbot.waitUntil(lambda: any(s.name == "Pia Payroll" for s in contacts.suggestions.rows), timeout=3000)
    assert next(s.reason for s in contacts.suggestions.rows if s.name == "Pia Payroll") == "lost money"
    qtbot.wait(200)
    assert reads.phrase_queries == 2  # one pass for the contacts' reasons, one for the severity's money count


@pytest.fixture
def away_window(qtbot, team_demo_url, team_server, cable, settings, teammate):
    window = _open(qtbot, settings, team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))
    window.select_incident(billing_id(teammate))
    window.show_screen("review")
    yield window
    window.hub.close_session()


def test_a_reread_that_cannot_reach_the_server_keeps_what_is_shown_and_says_so_quietly(
        qtbot, away_window, teammate, cable, monkeypatch):
    window = away_window
    monkeypatch.setattr(sys, "excepthook", errors._excepthook)  # the app's own, as ui/app.py installs it
    dialogs: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, *_a, **_k: dialogs.append(title))
    monkeypatch.setattr(QMessageBox, "open", lambda box: dialogs.append(box.windowTitle()))
    titles = [window.incident_model.summary(r).title for r in range(window.incident_model.rowCount())]
    answer = _answer_field(window).toPlainText()
    feed = window.session._teammates.feed
    cable.unplug()
    # a teammate's change heard just as the server went away: the screens' re-reads cannot reach it
    window.session._teammates._heard.emit(ChangeNotice(billing_id(teammate), DataChange.INCIDENT | DataChange.REVIEW,
                                                       "another client", "Ana", time.time()))
    qtbot.waitUntil(lambda: window.server_note.isVisible(), timeout=5000)
    assert window.server_note.text() == SERVER_AWAY_NOTE
    said = window.server_note.toolTip()  # the server's own words, for details
    assert "Connection refused" in said and "last change" not in said  # a re-read changed nothing
    assert not dialogs
    assert [window.incident_model.summary(r).title for r in range(window.incident_model.rowCount())] == titles
    assert _answer_field(window).toPlainText() == answer
    assert window.incident_id == billing_id(teammate)
    cable.plug()
    qtbot.waitUntil(lambda: feed.reconnects >= 1, timeout=10000)
    qtbot.waitUntil(lambda: not window.server_note.isVisible(), timeout=3000)
    assert not dialogs
