"""The shared state every screen listens to: the open workspace session and the selected incident.

Screens never reach into each other or into the main window; they read `hub.session` and
`hub.incident_id`, listen to the hub's signals, and ask for navigation through it.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .undo import WorkspaceSession


class ScreenHub(QObject):
    #: a workspace was opened (the old session, if any, is already closed)
    session_changed = Signal()
    #: the selected incident changed (-1: none)
    incident_changed = Signal(int)
    #: after any edit, undo or redo: (DataChange kinds, incident id or -1, initiator or None);
    #: each screen decides from the kinds whether it shows such data
    workspace_changed = Signal(object, int, object)
    #: someone wants a conversation shown in the reader (conversation id, message id or -1)
    conversation_requested = Signal(int, int)
    #: someone wants a screen brought forward: (screen key, payload such as a field name)
    navigation_requested = Signal(str, object)
    #: someone wants a file of system events chosen and imported into the selected incident
    event_import_requested = Signal()
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
        self.session = session
        self.zone_name = zone_name
        self.incident_id = -1
        session.workspace_changed.connect(self.workspace_changed)
        self.session_changed.emit()

    def set_incident(self, incident_id: int) -> None:
        if incident_id != self.incident_id:
            self.incident_id = incident_id
            self.incident_changed.emit(incident_id)

    @property
    def workspace(self):  # noqa: ANN201
        return self.session.workspace if self.session else None

    def run(self, command, *, quiet_when_busy: bool = False, initiator: object = None) -> bool:  # noqa: ANN001
        """Runs an edit through the undo stack; refusals are explained by the caller's window.

        quiet_when_busy: a save made by a timer (text typed before an import started) is not
        refused with a dialog while the import writes; the caller simply tries again later.
        """
        from postmortem_desktop.services.commands import RuleError
        from postmortem_desktop.storage.workspace import WorkspaceError

        from .errors import show_refusal
        from .undo import BusyError

        try:
            self.open_session.run(command, initiator)
        except BusyError as exc:
            if not quiet_when_busy:
                show_refusal(None, "Please wait", exc)
            return False
        except (RuleError, WorkspaceError) as exc:
            show_refusal(None, "Not possible", exc)
            return False
        return True
