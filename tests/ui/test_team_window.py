"""The main window on a team workspace: a teammate's edit elsewhere refreshes the incident list, and leaves
the person on the incident they are working on."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.incidents import CreateIncident, DeleteIncident, UpdateIncident
from postmortem_desktop.services.review_answers import ReviewService
from tests.helpers import billing_id


@pytest.fixture
def window(qtbot, team_demo_url, settings, teammate):
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url)
    window.show()  # screens refresh when shown
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


def test_words_typed_in_an_incident_a_teammate_deletes_never_land_in_the_next_one(qtbot, window, teammate):
    """The window moves to another incident when a teammate deletes the one shown; what was being typed
    belongs to neither, so it must not appear in the next incident's field as "mine" against its answer
    (Keep mine would write it there). It goes to the clipboard, with a note saying so."""
    from PySide6.QtWidgets import QApplication

    from ui.review.review_screen import ReviewScreen

    billing = billing_id(teammate)
    created = CreateIncident(title="Scratch incident")
    created.do(teammate)
    qtbot.waitUntil(lambda: "Scratch incident" in _titles(window), timeout=1000)
    assert created.incident_id is not None
    window.select_incident(created.incident_id)
    review = window.show_screen("review")
    assert isinstance(review, ReviewScreen)
    field = review.answers.blocks["wording"].answer
    field.setFocus()
    field.setPlainText("Typed for the scratch incident")  # not saved yet: the pause runs
    DeleteIncident(created.incident_id, "Scratch incident").do(teammate)
    qtbot.waitUntil(lambda: "Scratch incident" not in _titles(window), timeout=1000)
    window.select_incident(billing)  # where the window goes when its incident is gone
    stored = next(a.answer for a in ReviewService(teammate).answers(billing) if a.key == "wording")
    qtbot.waitUntil(lambda: field.toPlainText() == stored, timeout=1000)
    assert not field.conflict_bar.isVisibleTo(review)
    assert QApplication.clipboard().text() == "Typed for the scratch incident"
    notice = getattr(review, "unsaved_notice", None)
    assert notice is not None and "not saved" in notice.text() and "clipboard" in notice.text()
    qtbot.wait(1000)  # past the save pause: nothing of it reached the billing incident
    assert next(a.answer for a in ReviewService(teammate).answers(billing) if a.key == "wording") == stored
