"""Asks for the few facts a new incident starts with."""
from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit

from postmortem_desktop.domain.vocabulary import SEVERITIES

from ..time_display import to_qdatetime
from .properties_form import OptionalDateTimeEdit


class NewIncidentDialog(QDialog):
    def __init__(self, zone_name: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("New Incident")
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("e.g. Billing page payment submit timed out")
        self.service = QLineEdit(self)
        self.severity = QComboBox(self)
        self.severity.addItems(SEVERITIES)
        self.severity.setCurrentText("SEV3")
        self.start = OptionalDateTimeEdit("First failure", self)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        self.start.set_value(to_qdatetime(now, zone_name))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Title", self.title)
        form.addRow("&Service", self.service)
        form.addRow("Technical se&verity", self.severity)
        form.addRow("&First failure", self.start)
        form.addRow(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _on_buttons_accepted(self) -> None:
        if not self.title.text().strip():
            self.title.setFocus()
            self.title.setPlaceholderText("An incident needs a title")
            return
        self.accept()

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {"title": self.title.text().strip(), "service": self.service.text().strip(),
                  "technical_severity": self.severity.currentText()}
        if self.start.value() is not None:
            values["technical_start"] = self.start.value()
        return values
