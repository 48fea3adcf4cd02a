"""Other clients' edits of a team workspace, brought onto the UI thread as ordinary change signals.

The core's ChangeFeed (storage/team_feed.py) hears notices on a thread of its own; this bridge
re-emits each one on the GUI thread (a queued signal), where the session turns it into the same
`workspace_changed(changes, incident_id, initiator)` a local edit gives, with a `Teammate` as the
initiator. Screens re-read as they do after any edit; a field with unsaved words keeps them
(ui/review/text_field.py) and learns who changed the stored text.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from postmortem_desktop.storage.team_feed import ChangeFeed, ChangeNotice
from postmortem_desktop.storage.workspace import Workspace, WorkspaceKind


@dataclass(frozen=True)
class Teammate:
    """The initiator of a change made in another client of the team workspace ("" after a reconnection)."""

    user: str


class TeamFeedBridge(QObject):
    """Starts the feed of a team workspace and calls on_notice on the GUI thread for each notice, and on_lost
    (with the server's words) when the server stopped answering."""

    #: emitted on the feed's thread; Qt delivers them on this object's (the GUI) thread
    _heard = Signal(object)
    _lost = Signal(str)

    def __init__(self, workspace: Workspace, on_notice: Callable[[ChangeNotice], None],
                 parent: QObject | None = None, on_lost: Callable[[str], None] | None = None):
        super().__init__(parent)
        self._heard.connect(on_notice)
        if on_lost is not None:
            self._lost.connect(on_lost)
        self.feed = ChangeFeed(workspace.engine.url, workspace.client_id, self._heard.emit, self._lost.emit)
        self.feed.start()

    def stop(self) -> None:
        self.feed.stop()


def listen_to_teammates(workspace: Workspace, on_notice: Callable[[ChangeNotice], None],
                        parent: QObject | None = None,
                        on_lost: Callable[[str], None] | None = None) -> TeamFeedBridge | None:
    """The feed for a team workspace; None for a file, which has one writer and nothing to hear."""
    if workspace.kind is not WorkspaceKind.TEAM:
        return None
    return TeamFeedBridge(workspace, on_notice, parent, on_lost)
