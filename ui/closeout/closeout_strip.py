"""The always-visible close-out strip: how many items are done, links to what is missing, Close/Reopen.

Close and Reopen share one spot, so when a teammate closes or reopens the incident the button under the
person's pointer turns into the other. The strip then says who did it and when, and the new button takes
no click for a moment (`SETTLE_MS`): a click aimed at Close must not open "Why is it reopened?".
"""
from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from postmortem_desktop.services.closeout import (
    CLOSED_STATES,
    ChecklistState,
    CloseIncident,
    CloseoutService,
)

from ..hub import ScreenHub
from ..read_only import enable_when_writable
from ..team_feed import Teammate
from ..time_display import display_zone
from .fix_targets import fix_target
from .record_lock import ask_and_reopen

SHORT_NAMES = {
    "customer_damage": "customer damage", "most_broken_task": "most-broken task",
    "first_workaround": "first workaround", "trust_signals": "trust signals", "action_items": "action items",
    "customer_impact_window": "customer impact window", "contact_and_message": "contact list / message",
    "follow_up": "follow-up date",
}


class CloseoutStrip(QFrame):
    #: the strip shows a fresh checklist (for listeners and tests)
    checklist_refreshed = Signal(object)
    #: how long the button that took Close's (or Reopen's) place ignores clicks after a teammate's change
    SETTLE_MS = 1500

    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.state: ChecklistState | None = None
        self.setObjectName("closeout_strip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary = QLabel(self)
        self.summary.setObjectName("closeout_summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.summary.linkActivated.connect(self._on_summary_link_activated)
        self.checklist_button = QPushButton("Checklist…", self)
        self.close_button = QPushButton("Close incident…", self)
        self.reopen_button = QPushButton("Reopen…", self)
        #: "Ana closed this incident at 10:42": shown when the state changed under the person
        self.state_notice = QLabel(self)
        self.state_notice.setObjectName("state_notice")
        self.state_notice.setWordWrap(False)  # one short line; wrapped, the summary squeezed it to three
        self.state_notice.hide()
        self._shown_state: tuple[int, bool] | None = None  # (incident, closed) the buttons last showed
        self._changed_by: str | None = None  # the teammate whose change the next refresh brings
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(self._enable_close_and_reopen)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.state_notice)
        for button in (self.checklist_button, self.close_button, self.reopen_button):
            layout.addWidget(button)
        self.checklist_button.clicked.connect(self._on_checklist_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_clicked)
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.session_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        iid = self.hub.incident_id
        if self.hub.session is None or iid < 0:
            self.state = None
            self.summary.setText("Close-out: no incident selected")
            for button in (self.checklist_button, self.close_button, self.reopen_button):
                button.setEnabled(False)
            return
        self.state = CloseoutService(self.hub.workspace).checklist(iid)
        self.summary.setText(self._summary_html(self.state))
        closed = self.state.status in CLOSED_STATES
        self._note_change_under_the_person(iid, closed)
        self.checklist_button.setEnabled(True)
        self.close_button.setVisible(not closed)
        self.reopen_button.setVisible(closed)
        self._enable_close_and_reopen()
        self.checklist_refreshed.emit(self.state)

    def _enable_close_and_reopen(self) -> None:
        """Both take clicks on a writable workspace, except while the one just swapped in settles."""
        session = self.hub.session
        # off on a read-only workspace with the reason as their tooltip, as every control that cannot work there
        enable_when_writable((self.close_button, self.reopen_button), session.workspace if session else None,
                             also=session is not None and not self._settle.isActive())

    def _note_change_under_the_person(self, incident_id: int, closed: bool) -> None:
        """A teammate closed or reopened the incident on view: say so, and let the swapped button settle."""
        by, self._changed_by = self._changed_by, None
        before, self._shown_state = self._shown_state, (incident_id, closed)
        if before is None or before[0] != incident_id:
            self.state_notice.hide()  # another incident: what happened to the last one no longer applies
            return
        if before[1] == closed:
            return
        if by is None:  # the person's own close, reopen, undo or redo: they know
            self.state_notice.hide()
            return
        at = datetime.now(display_zone(self.hub.zone_name)).strftime("%H:%M")
        self.state_notice.setText(f"<b>{escape(by or 'Someone else')} {'closed' if closed else 'reopened'} "
                                  f"this incident at {at}.</b>")
        self.state_notice.show()
        self._settle.start()

    @staticmethod
    def _summary_html(state: ChecklistState) -> str:
        head = f"<b>Close-out: {state.done} of {len(state.items)} done</b>"
        if state.status in CLOSED_STATES:
            return head + (" — closed ✓" if state.status == "closed" else " — followed up ✓")
        if state.can_close:
            return head + " — ready to close"
        links = ", ".join(f'<a href="{item.key}">{escape(SHORT_NAMES.get(item.key, item.label))}</a>'
                          for item in state.missing)
        return f"{head} — missing: {links}"

    def _on_summary_link_activated(self, key: str) -> None:
        item = next((i for i in (self.state.items if self.state else ()) if i.key == key), None)
        if item is not None:
            self.hub.navigation_requested.emit(*fix_target(item))

    def _on_checklist_clicked(self) -> None:
        self.hub.navigation_requested.emit("review", "checklist")

    def _on_close_clicked(self) -> None:
        # The core refuses with the list of what is missing; hub.run shows that refusal.
        self.hub.run(CloseIncident(self.hub.incident_id))

    def _on_reopen_clicked(self) -> None:
        ask_and_reopen(self.hub, self)

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.refresh()

    def _on_hub_workspace_changed(self, _changes: object, incident_id: int, initiator: object) -> None:
        if not self.hub.shows(incident_id):
            return
        if isinstance(initiator, Teammate):
            self._changed_by = initiator.user
        self.refresh()  # any edit can complete or undo an item; the query is small
