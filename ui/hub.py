"""The UI's one owner of shared state (the open workspace session, the selected incident, the display
zone) and the one way to run an edit (`run`).

Screens never reach into each other or into the main window; they read `hub.session` and
`hub.incident_id`, listen to the hub's signals, and ask for navigation through it. The main window
sets this state and reads it back from here; it keeps no copy.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # the window is drawn before the storage layer (SQLAlchemy) is imported
    from postmortem_desktop.services.commands import Command, EditConflict

    from .undo import WorkspaceSession


class ScreenHub(QObject):
    #: a workspace was opened (the old session, if any, is already closed)
    session_changed = Signal()
    #: the selected incident changed (-1: none)
    incident_changed = Signal(int)
    #: after any edit, undo or redo: (DataChange kinds, incident id or -1, initiator): the screen that made the
    #: edit, an UndoStep (ui/undo.py), a Teammate (ui/team_feed.py), or None for an edit run without naming one;
    #: each screen decides from the kinds whether it shows such data
    workspace_changed = Signal(object, int, object)
    #: someone wants a conversation shown in the reader (conversation id, message id or -1)
    conversation_requested = Signal(int, int)
    #: someone wants a screen brought forward: (screen key, payload such as a field name)
    navigation_requested = Signal(str, object)
    #: someone wants a file of system events chosen and imported into the selected incident
    event_import_requested = Signal()
    #: conversations or system events were imported into an incident (its id): the timeline refits
    records_imported = Signal(int)
    #: the board's selected quote cards changed (list of quote ids), e.g. for "add action from card"
    quotes_selected = Signal(object)
    #: the "hide low-confidence suggestions" switch changed (its new state)
    low_confidence_hidden = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.session: WorkspaceSession | None = None
        self.incident_id = -1
        self.zone_name = "UTC"
        self.selected_quote_ids: list[int] = []
        #: suggestions below LOW_CONFIDENCE are hidden on the board and in the reader while True
        self.hide_low_confidence = True

    def set_hide_low_confidence(self, hidden: bool) -> None:
        if hidden != self.hide_low_confidence:
            self.hide_low_confidence = hidden
            self.low_confidence_hidden.emit(hidden)

    @property
    def open_session(self) -> WorkspaceSession:
        """The session, for code that only runs while a workspace is open (every screen action)."""
        if self.session is None:
            raise RuntimeError("no workspace is open")
        return self.session

    def set_session(self, session: WorkspaceSession, zone_name: str) -> None:
        """Takes over a newly opened session; the window closed the one before (close_session)."""
        self.session = session
        self.zone_name = zone_name
        self.incident_id = -1
        session.workspace_changed.connect(self.workspace_changed)
        self.session_changed.emit()

    def close_session(self) -> None:
        """Closes the open session, if any (another workspace opens, the window closes); no signal."""
        if self.session is not None:
            self.session.close()
            self.session = None

    def set_incident(self, incident_id: int) -> None:
        if incident_id != self.incident_id:
            self.incident_id = incident_id
            self.incident_changed.emit(incident_id)

    def shows(self, incident_id: int) -> bool:
        """Whether a change to incident_id (-1: workspace-wide, such as tags and settings) can touch what the
        screens show of the selected incident; another incident's change never does."""
        return incident_id < 0 or incident_id == self.incident_id

    @property
    def workspace(self):  # noqa: ANN201
        return self.session.workspace if self.session else None

    def run(self, command: Command, *, quiet_when_busy: bool = False, initiator: object = None,
            on_refusal: Callable[[str], None] | None = None,
            on_conflict: Callable[[EditConflict], None] | None = None,
            on_unreachable: Callable[[str], None] | None = None) -> bool:
        """Runs an edit through the undo stack: the one way, for the screens and the main window alike.

        A refusal is explained over the main window (the hub's parent) and nothing changes; the
        answer says whether the edit was done.

        quiet_when_busy: a save made by a timer (text typed before an import started) is not
        refused with a dialog while the import writes; the caller simply tries again later.
        on_refusal: a screen that explains a broken rule beside the field (keeping what was typed)
        gets the message instead of a dialog.
        on_conflict: a field that shows a teammate's newer text beside the person's own (EditConflict:
        the edit was based on text changed since) gets the conflict instead of a dialog.
        on_unreachable: a field that keeps its unsaved words and saves them again by itself gets the
        message when the team server cannot be reached, instead of a dialog. A modal dialog here would
        run the event loop while the save is half-settled, and a re-read arriving then (the change
        feed's, on reconnecting) would replace the words with the stored text. Without it, the one
        window-modal box of ui/server_away.py says so (opened without a nested event loop, never stacked).
        """
        from postmortem_desktop.services.commands import EditConflict, RuleError
        from postmortem_desktop.storage.errors import ServerUnavailableError, server_is_away
        from postmortem_desktop.storage.workspace import WorkspaceError

        from .errors import show_refusal
        from .undo import BusyError

        window = self.parent()
        parent = window if isinstance(window, QWidget) else None
        try:
            self.open_session.run(command, initiator)
        except BusyError as exc:
            if not quiet_when_busy:
                show_refusal(parent, "Please wait", exc)
            return False
        except EditConflict as exc:
            _tell(on_conflict, exc, exc, parent, "Changed by someone else")
            return False
        except RuleError as exc:
            _tell(on_refusal, str(exc), exc, parent, "Not possible")
            return False
        except ServerUnavailableError as exc:
            if on_unreachable is None and server_is_away(exc):  # the server away, not a password
                from . import server_away

                server_away.tell(parent, str(exc))  # the one box: another failure meanwhile adds none
            else:
                _tell(on_unreachable, str(exc), exc, parent, "Not possible")
            return False
        except WorkspaceError as exc:
            show_refusal(parent, "Not possible", exc)
            return False
        return True


def _tell(handler: Callable[[Any], None] | None, argument: object, exc: Exception, parent: QWidget | None,
          title: str) -> None:
    """A screen that handles this refusal itself gets argument; otherwise a dialog over the main window
    explains exc."""
    from .errors import show_refusal

    if handler is not None:
        handler(argument)
    else:
        show_refusal(parent, title, exc)
