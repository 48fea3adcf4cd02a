"""A screen of a team workspace's incident (the review's, by default the billing incident), as the team UI tests
open it."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtWidgets import QWidget

from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


def review_screen(qtbot, url) -> Iterator:
    """Yields the review screen of url (a team workspace's address, or a file), a team workspace's once its change
    feed listens; closes the session afterwards. A fixture's body, or `for screen in review_screen(...)` in a test."""
    from ui.review.review_screen import ReviewScreen

    yield from screen_of(qtbot, url, ReviewScreen)


def screen_of(qtbot, url, make: Callable[[ScreenHub], QWidget], incident_of: Callable = billing_id,
              size: tuple[int, int] | None = None) -> Iterator:
    """Yields the screen make(hub) builds on url's incident_of(workspace) (the billing incident by default), shown,
    a team workspace's once its change feed listens; closes the session afterwards."""
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(url))
    hub.set_session(session, "UTC")
    hub.set_incident(incident_of(session.workspace))
    screen = make(hub)
    qtbot.addWidget(screen)
    if size is not None:
        screen.resize(*size)
    screen.show()
    assert session._teammates is None or session._teammates.feed.listening.wait(10)
    try:
        yield screen
    finally:
        session.close()
