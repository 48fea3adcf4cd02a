"""The Properties screen: the incident's headline figures and its properties form."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.incidents import IncidentService, UpdateIncident

from ..deferred_refresh import DeferredRefresh
from ..hub import ScreenHub
from .properties_form import IncidentPropertiesWidget


class PropertiesScreen(DeferredRefresh, QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.form = IncidentPropertiesWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        self.form.incident_edited.connect(self._on_form_incident_edited)
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)

    def refresh(self) -> None:
        incident_id = self.hub.incident_id
        if self.hub.session is None or incident_id < 0:
            self.form.show_incident(None, "", self.hub.zone_name)
            return
        service = IncidentService(self.hub.workspace)
        self.form.show_incident(service.get(incident_id), service.impact(incident_id).headline, self.hub.zone_name)
        self.form.setEnabled(not self.hub.workspace.read_only)

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.request_refresh()

    def _on_hub_workspace_changed(self, changes: DataChange, _incident_id: int, _initiator: object) -> None:
        if changes & (DataChange.INCIDENT | DataChange.CONVERSATION | DataChange.SYSTEM_EVENT | DataChange.SETTING):
            self.request_refresh()

    def _on_form_incident_edited(self, incident_id: int, changes: dict) -> None:
        (key,) = changes
        if key in self.form.times:
            # a refused time is explained beside the form and stays typed, to be corrected
            self.hub.run(UpdateIncident(incident_id, **changes),
                         on_refusal=lambda message: self.form.show_problem(key, message))
        elif not self.hub.run(UpdateIncident(incident_id, **changes)):
            self.refresh()  # put the refused value back
