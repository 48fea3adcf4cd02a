"""The incident properties form: title, service, severity, technical window, status page, review window."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.vocabulary import SEVERITIES
from postmortem_desktop.services.incidents import IncidentDetails

from ..time_display import from_qdatetime, to_qdatetime


class OptionalDateTimeEdit(QWidget):
    """A date-time that may be unset: a checkbox says whether it is known."""

    value_changed = Signal()

    def __init__(self, label: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.known = QCheckBox(self)
        self.known.setToolTip(f"{label} is known")
        self.edit = QDateTimeEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setAccessibleName(label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.known)
        layout.addWidget(self.edit, 1)
        self.known.toggled.connect(self._on_known_toggled)
        self.edit.editingFinished.connect(self.value_changed)

    def _on_known_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(checked)
        self.value_changed.emit()

    def set_value(self, value: QDateTime) -> None:
        self.blockSignals(True)
        self.known.setChecked(value.isValid())
        self.edit.setEnabled(value.isValid())
        if value.isValid():
            self.edit.setTimeZone(value.timeZone())
            self.edit.setDateTime(value)
        self.blockSignals(False)

    def value(self) -> datetime | None:
        return from_qdatetime(self.edit.dateTime()) if self.known.isChecked() else None


class IncidentPropertiesWidget(QWidget):
    """Shows one incident's properties; each finished edit is emitted as intent, not saved here."""

    #: (incident id, {field: new value}) — the main window turns it into an undoable command
    incident_edited = Signal(int, dict)

    TIME_FIELDS = (
        ("technical_start", "First failure"), ("technical_end", "Recovery"),
        ("status_page_resolved", "Status page said resolved"),
        ("review_start", "Review window from"), ("review_end", "Review window to"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._incident_id = -1
        self._details: IncidentDetails | None = None
        self._zone = "UTC"
        self.headline = QLabel(self)
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.title = QLineEdit(self)
        self.service = QLineEdit(self)
        self.severity = QComboBox(self)
        self.severity.addItems(SEVERITIES)
        self.times = {key: OptionalDateTimeEdit(label, self) for key, label in self.TIME_FIELDS}
        self.zone_note = QLabel(self)
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Service", self.service)
        form.addRow("Technical se&verity", self.severity)
        for key, label in self.TIME_FIELDS:
            form.addRow(label, self.times[key])
        form.addRow("", self.zone_note)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.headline.setFont(font)
        body = QWidget(self)
        body.setLayout(form)
        body.setMaximumWidth(720)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addSpacing(8)
        layout.addWidget(body)
        layout.addStretch(1)
        self.title.editingFinished.connect(lambda: self._emit("title", self.title.text().strip()))
        self.service.editingFinished.connect(lambda: self._emit("service", self.service.text().strip()))
        self.severity.activated.connect(lambda _i: self._emit("technical_severity", self.severity.currentText()))
        for key, editor in self.times.items():
            editor.value_changed.connect(lambda key=key, editor=editor: self._emit(key, editor.value()))
        self.setEnabled(False)

    def show_incident(self, details: IncidentDetails | None, headline: str, zone_name: str) -> None:
        self._details = details
        self._zone = zone_name
        self.setEnabled(details is not None)
        if details is None:
            self._incident_id = -1
            self.headline.setText("No incident selected. Use Incident › New Incident (Ctrl+N) to start one.")
            return
        self._incident_id = details.id
        self.headline.setText(headline)
        for widget in (self.title, self.service, self.severity):
            widget.blockSignals(True)
        self.title.setText(details.title)
        self.service.setText(details.service)
        self.severity.setCurrentText(details.technical_severity)
        for widget in (self.title, self.service, self.severity):
            widget.blockSignals(False)
        for key, editor in self.times.items():
            editor.set_value(to_qdatetime(getattr(details, key), zone_name))
        self.zone_note.setText(f"Times are shown in {zone_name}.")

    def _emit(self, key: str, value) -> None:  # noqa: ANN001
        if self._details is None or getattr(self._details, key) == value:
            return
        if key == "title" and not value:
            self.title.setText(self._details.title)
            return
        self.incident_edited.emit(self._incident_id, {key: value})
