"""What the incident list shows when it has nothing to list: say why, and offer the way on.

A workspace with no incident yet offers to start one; a window left with no workspace (the one asked for
was refused) offers to open one."""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ..hub import ScreenHub


class EmptyIncidentList(QWidget):
    """Shown in place of nothing: while an open workspace has no incident, or once nothing could be opened."""

    def __init__(self, hub: ScreenHub, model: QAbstractItemModel, new_incident: QAction, open_workspace: QAction,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.hub = hub
        self.model = model
        self.new_incident = new_incident
        self.open_workspace = open_workspace
        #: no workspace is open and none is on its way (start-up's went to a refusal): say so
        self.nothing_open = False
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton(self)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.button.clicked.connect(self._on_button_clicked)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.update_visibility)
        new_incident.changed.connect(self.update_visibility)
        hub.session_changed.connect(self._on_hub_session_changed)
        self.update_visibility()

    def show_nothing_open(self) -> None:
        self.nothing_open = True
        self.update_visibility()

    def update_visibility(self, *_args) -> None:  # noqa: ANN002
        if self.hub.session is None:
            self.label.setText("No workspace is open. Open one, or drop a .pmw workspace file here.")
            self.button.setText("Open workspace…")
            self.button.setToolTip("File › Open Workspace (Ctrl+O)")
            self.button.setEnabled(True)
            self.setVisible(self.nothing_open)
            return
        self.label.setText("No incidents in this workspace yet.")
        self.button.setText("New incident…")
        self.button.setToolTip("Incident › New Incident (Ctrl+N)")
        self.button.setEnabled(self.new_incident.isEnabled())  # off in a read-only workspace
        self.setVisible(self.model.rowCount() == 0)

    def _on_hub_session_changed(self) -> None:
        self.nothing_open = False
        self.update_visibility()

    def _on_button_clicked(self) -> None:
        (self.open_workspace if self.hub.session is None else self.new_incident).trigger()
