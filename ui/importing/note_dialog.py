"""Typing a call note or an internal agent message straight into the incident."""
from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit

from postmortem_desktop.domain.vocabulary import Role

from ..incidents.properties_form import OptionalDateTimeEdit
from ..time_display import to_qdatetime

TITLES = {"call": "New Call Note", "internal": "New Internal Agent Message"}


class NoteDialog(QDialog):
    def __init__(self, channel: str, zone_name: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle(TITLES.get(channel, "New Note"))
        self.author = QLineEdit(self)
        self.author.setPlaceholderText("who wrote it, e.g. Priya (support)")
        self.role = QComboBox(self)
        for role in Role:
            self.role.addItem(role.value, role.value)
        self.role.setCurrentIndex(self.role.findData("internal" if channel == "internal" else "agent"))
        self.at = OptionalDateTimeEdit("Time", self)
        self.at.set_value(to_qdatetime(datetime.now(UTC).replace(second=0, microsecond=0), zone_name))
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText("What the customer said, in their words where you can…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Author", self.author)
        form.addRow("&Role", self.role)
        form.addRow("&Time", self.at)
        form.addRow("&Text", self.text)
        form.addRow(buttons)
        self.resize(560, 380)

    def _on_buttons_accepted(self) -> None:
        if self.text.toPlainText().strip():
            self.accept()
        else:
            self.text.setFocus()

    def values(self) -> tuple[str, str, datetime | None, str]:
        return self.author.text().strip(), self.text.toPlainText().strip(), self.at.value(), self.role.currentData()
