"""The review screen of a team workspace's billing incident, as the team UI tests open it."""
from __future__ import annotations

from collections.abc import Iterator

from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


def review_screen(qtbot, url) -> Iterator:
    """Yields the screen of url (a team workspace's address, or a file), a team workspace's once its change feed
    listens; closes the session afterwards. A fixture's body, or `for screen in review_screen(...)` in a test."""
    from ui.review.review_screen import ReviewScreen

    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(url))
    hub.set_session(session, "UTC")
    hub.set_incident(billing_id(session.workspace))
    screen = ReviewScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    assert session._teammates is None or session._teammates.feed.listening.wait(10)
    try:
        yield screen
    finally:
        session.close()
