"""What the incident list shows when a workspace has no incident yet: say so, and offer to start one."""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ..hub import ScreenHub


class EmptyIncidentList(QWidget):
    """Shown in place of nothing: visible only while the model has no rows and a workspace is open."""

    def __init__(self, hub: ScreenHub, model: QAbstractItemModel, new_incident: QAction,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.hub = hub
        self.model = model
        self.new_incident = new_incident
        self.label = QLabel("No incidents in this workspace yet.", self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("New incident…", self)
        self.button.setToolTip("Incident › New Incident (Ctrl+N)")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.button.clicked.connect(new_incident.trigger)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.update_visibility)
        new_incident.changed.connect(self.update_visibility)
        hub.session_changed.connect(self.update_visibility)
        self.update_visibility()

    def update_visibility(self, *_args) -> None:  # noqa: ANN002
        self.setVisible(self.hub.session is not None and self.model.rowCount() == 0)
        self.button.setEnabled(self.new_incident.isEnabled())  # off in a read-only workspace
