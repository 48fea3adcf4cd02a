"""Words typed in a review answer while a teammate closes the incident: the save is refused once, and said once; the
words stay in the field, listed as not saved with the refusal as the reason, and are not sent again every pause
(nor by a click elsewhere) to be refused again."""
from __future__ import annotations

from postmortem_desktop.services.closeout import CloseIncident, ReopenIncident
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import ReviewService
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.review.text_field import SAVE_AFTER_MS
from ui.undo import WorkspaceSession

MINE = " BEN: and the status page said resolved too early"


def _two_factor(workspace) -> int:
    return next(s.id for s in IncidentService(workspace).list_incidents() if s.title.startswith("Two-factor"))


def _stored_wording(workspace, iid: int) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(iid) if a.key == "wording")


def test_a_save_refused_as_the_incident_closed_is_said_once_and_the_words_stay(qtbot, team_demo_url, teammate,
                                                                              monkeypatch):
    from ui.review.review_screen import ReviewScreen

    shown: list[str] = []
    monkeypatch.setattr("ui.errors.show_refusal", lambda _parent, title, exc: shown.append(f"{title}: {exc}"))
    iid = _two_factor(teammate)
    ReopenIncident(iid, "Ana: one more look").do(teammate)
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(team_demo_url))
    try:
        hub.set_session(session, "UTC")
        hub.set_incident(iid)
        screen = ReviewScreen(hub)
        qtbot.addWidget(screen)
        screen.show()
        assert session._teammates.feed.listening.wait(10)
        field = screen.answers.blocks["wording"].answer
        assert not field.isReadOnly()
        field.setFocus()
        typed = field.toPlainText() + MINE
        field.setPlainText(typed)  # waits for the pause to be saved
        CloseIncident(iid).do(teammate)
        qtbot.waitUntil(lambda: field.isReadOnly(), timeout=3000)  # heard: the record is locked
        qtbot.waitUntil(lambda: bool(shown), timeout=3000)  # the pause's save, refused
        qtbot.wait(3 * SAVE_AFTER_MS)  # pauses go by: nothing is sent again
        screen.answers.blocks["confusing"].answer.setFocus()  # nor by leaving the field
        qtbot.wait(SAVE_AFTER_MS)
        assert len(shown) == 1 and "closed" in shown[0]
        assert field.toPlainText() == typed and MINE not in _stored_wording(teammate, iid)
        (words,) = screen.unsaved_words()
        assert words.text == typed and "closed" in words.why

        ReopenIncident(iid, "Ana: Ben's words belong in it").do(teammate)
        qtbot.waitUntil(lambda: not field.isReadOnly(), timeout=3000)
        screen.save_words_now(retry=True)  # Try Saving Now, once the record can take them
        assert _stored_wording(teammate, iid) == typed and screen.unsaved_words() == []
        assert len(shown) == 1
    finally:
        session.close()
