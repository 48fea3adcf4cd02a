"""Add or edit one action item: area, description, owner, due date, status."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from postmortem_desktop.services.actions import AREAS, STATUSES, ActionItemView

from .action_item_table_model import STATUS_LABELS


class ActionItemDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, item: ActionItemView | None = None, area: str = "product",
                 today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit Action Item" if item else "New Action Item")
        self.area = QComboBox(self)
        for value in AREAS:
            self.area.addItem(value.capitalize(), value)
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("The fix, e.g. “saved reply for double-charge questions”")
        self.owner = QLineEdit(self)
        self.owner.setPlaceholderText("Who owns it")
        self.has_due = QCheckBox(self)
        self.has_due.setToolTip("The item has a due date")
        self.due = QDateEdit(self)
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.status = QComboBox(self)
        for value in STATUSES:
            self.status.addItem(STATUS_LABELS[value], value)
        due_row = QWidget(self)
        due_layout = QHBoxLayout(due_row)
        due_layout.setContentsMargins(0, 0, 0, 0)
        due_layout.addWidget(self.has_due)
        due_layout.addWidget(self.due, 1)
        form = QFormLayout(self)
        form.addRow("&Area:", self.area)
        form.addRow("&Description:", self.description)
        form.addRow("&Owner:", self.owner)
        form.addRow("D&ue date:", due_row)
        form.addRow("&Status:", self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.has_due.toggled.connect(self.due.setEnabled)
        self._fill(item, area, today or date.today())
        self.setMinimumWidth(560)
        self.description.setFocus()

    def _fill(self, item: ActionItemView | None, area: str, today: date) -> None:
        self.area.setCurrentIndex(max(0, self.area.findData(item.area if item else area)))
        due = item.due_date if item else None
        self.has_due.setChecked(due is not None or item is None)
        self.due.setEnabled(self.has_due.isChecked())
        start = due or today.fromordinal(today.toordinal() + 14)
        self.due.setDate(QDate(start.year, start.month, start.day))
        if item:
            self.description.setPlainText(item.description)
            self.owner.setText(item.owner)
            self.status.setCurrentIndex(max(0, self.status.findData(item.status)))

    def values(self) -> dict:
        d = self.due.date()
        return {"area": self.area.currentData(), "description": self.description.toPlainText().strip(),
                "owner": self.owner.text().strip(),
                "due_date": date(d.year(), d.month(), d.day()) if self.has_due.isChecked() else None,
                "status": self.status.currentData()}
