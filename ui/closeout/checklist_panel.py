"""Every close-out item, live: done or what is missing, each with a button to where it is fixed."""
from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from postmortem_desktop.services.closeout import CLOSED_STATES, ChecklistState

from ..hub import ScreenHub
from ..read_only import short_reason
from .fix_targets import fix_target


class ChecklistPanel(QWidget):
    #: a "Go fix" button was pressed: (screen key, field)
    fix_requested = Signal(str, str)

    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.summary = QLabel(self)
        self.summary.setObjectName("checklist_summary")
        self.summary.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel, QPushButton]] = {}
        self._targets: dict[str, tuple[str, str]] = {}
        self.fix_requested.connect(self._on_self_fix_requested)

    def _row(self, key: str, position: int) -> tuple[QLabel, QLabel, QLabel, QPushButton]:
        if key not in self.rows:
            icon, label, detail = QLabel(self), QLabel(self), QLabel(self)
            label.setWordWrap(True)  # in a narrow tab beside the reader, long item names wrap, not push 'Go fix' off
            detail.setWordWrap(True)
            button = QPushButton("Go fix", self)
            button.setAccessibleName(f"Go fix: {key.replace('_', ' ')}")
            button.clicked.connect(lambda _=False, k=key: self.fix_requested.emit(*self._targets[k]))
            for col, widget in enumerate((icon, label, detail, button)):
                self.grid.addWidget(widget, position, col)
            self.rows[key] = (icon, label, detail, button)
        return self.rows[key]

    def show_state(self, state: ChecklistState | None) -> None:
        if state is None:
            self.summary.setText("No incident selected.")
            for widgets in self.rows.values():
                for widget in widgets:
                    widget.hide()
            return
        closed = state.status in CLOSED_STATES
        self.summary.setText(f"<b>Close-out: {state.done} of {len(state.items)} done</b>"
                             + (self._closed_note() if closed else " — ready to close" if state.can_close else ""))
        style = self.style()
        for position, item in enumerate(state.items):
            icon, label, detail, button = self._row(item.key, position)
            kind = QStyle.StandardPixmap.SP_DialogApplyButton if item.ok else QStyle.StandardPixmap.SP_MessageBoxWarning
            icon.setPixmap(style.standardIcon(kind).pixmap(18, 18))
            label.setText(item.label)  # the icon beside it and "Done"/what is missing say the state
            detail.setText("Done" if item.ok else item.missing)
            button.setVisible(not item.ok and not closed)
            self._targets[item.key] = fix_target(item)
            for widget in (icon, label, detail):
                widget.show()

    def _closed_note(self) -> str:
        """Reopen is the way to change a closed record, except on a read-only workspace: there, why not."""
        reason = short_reason(self.hub.workspace)
        return f" — closed: the record is read-only ({html.escape(reason) if reason else 'Reopen to change it'})"

    def _on_self_fix_requested(self, screen: str, field: str) -> None:
        self.hub.navigation_requested.emit(screen, field)
