"""Asks for the few facts a new incident starts with: title, service, severity and its technical window."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from postmortem_desktop.domain.errors import RuleError
from postmortem_desktop.domain.vocabulary import SEVERITIES
from postmortem_desktop.services.incidents import check_order

from .properties_form import OptionalDateTimeEdit, now_in_zone

# wide enough for a descriptive title ("Billing page payment submit timed out for EU customers")
MIN_WIDTH = 720


class NewIncidentDialog(QDialog):
    def __init__(self, zone_name: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("New Incident")
        self.setMinimumWidth(MIN_WIDTH)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("e.g. Billing page payment submit timed out")
        self.service = QLineEdit(self)
        self.severity = QComboBox(self)
        self.severity.addItems(SEVERITIES)
        self.severity.setCurrentText("SEV3")
        self.start = OptionalDateTimeEdit("First failure", self, zone_name)
        self.start.set_value(now_in_zone(zone_name))
        # Recovery is often not known yet when the incident is opened: unticked, and when ticked
        # it starts from the first failure rather than from a placeholder date.
        self.end = OptionalDateTimeEdit("Recovery", self, zone_name)
        self.end.starting_point = lambda: self.start.edit.dateTime() if self.start.value() else now_in_zone(zone_name)
        self.zone_note = QLabel(f"Times are in {zone_name} (the workspace's display zone).", self)
        self.zone_note.setObjectName("zone_note")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Title", self.title)
        form.addRow("&Service", self.service)
        form.addRow("Technical se&verity", self.severity)
        form.addRow("&First failure", self.start)
        form.addRow("&Recovery", self.end)
        form.addRow("", self.zone_note)
        #: why OK did nothing yet; what was typed stays
        self.problem = QLabel(self)
        self.problem.setObjectName("field_problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form.addRow(self.problem)
        form.addRow(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _on_buttons_accepted(self) -> None:
        problem = self._problem()
        if problem:
            self.problem.setText(f"⚠ {problem}")
            self.problem.show()
            return
        self.accept()

    def _problem(self) -> str:
        """What must change before the incident can be created ('' when nothing); the typed values stay."""
        if not self.title.text().strip():
            self.title.setFocus()
            return "An incident needs a title."
        try:
            check_order(self.values())  # the same rule the new incident is created under
        except RuleError as exc:
            self.end.edit.setFocus()
            return str(exc)
        return ""

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {"title": self.title.text().strip(), "service": self.service.text().strip(),
                                     "technical_severity": self.severity.currentText()}
        if self.start.value() is not None:
            values["technical_start"] = self.start.value()
        if self.end.value() is not None:
            values["technical_end"] = self.end.value()
        return values
