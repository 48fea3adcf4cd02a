"""The always-visible close-out strip: how many items are done, links to what is missing, Close/Reopen."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from postmortem_desktop.services.closeout import (
    CLOSED_STATES,
    ChecklistState,
    CloseIncident,
    CloseoutService,
)

from ..hub import ScreenHub
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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.summary, 1)
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
        writable = not self.hub.workspace.read_only
        self.checklist_button.setEnabled(True)
        self.close_button.setVisible(not closed)
        self.close_button.setEnabled(writable)
        self.reopen_button.setVisible(closed)
        self.reopen_button.setEnabled(writable)
        self.checklist_refreshed.emit(self.state)

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

    def _on_hub_workspace_changed(self, _changes: object, _incident_id: int, _initiator: object) -> None:
        self.refresh()  # any edit can complete or undo an item; the query is small
