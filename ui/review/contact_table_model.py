"""Table models of the contact list and of the suggested contacts."""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from postmortem_desktop.services.contacts import ContactRow, ContactSuggestion

from ..models.row_table_model import RowTableModel


class ContactTableModel(RowTableModel):
    COL_NAME, COL_ORG, COL_REASON, COL_CONTACTED, COL_ON, COL_ADDED = range(6)
    # how a contact was added has a column of its own: a name is never changed to say it
    HEADERS = ("Customer", "Organization", "Why contact them", "Contacted", "On", "Added")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    #: intent: (customer id, {field: value}) — the screen turns it into an undoable command
    contact_edited = Signal(int, dict)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() == self.COL_CONTACTED:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.COL_REASON:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def cell(self, row: ContactRow, col: int, role: int):  # noqa: ANN201
        if role == self.ID_ROLE:
            return row.customer_id
        if role == Qt.ItemDataRole.CheckStateRole and col == self.COL_CONTACTED:
            return Qt.CheckState.Checked if row.contacted else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row, col, role)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name} <{row.email}> {row.phone}".strip()
        return None

    def _text(self, row: ContactRow, col: int, role) -> str:  # noqa: ANN001
        if col == self.COL_NAME:
            return row.name
        if col == self.COL_ORG:
            return row.organization
        if col == self.COL_REASON:
            return row.reason
        if col == self.COL_CONTACTED:
            return "Yes" if row.contacted else "No"
        if col == self.COL_ON:
            return row.contacted_on.isoformat() if row.contacted_on else ""
        return "from a suggestion" if row.suggested else "by hand"

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row = self._rows[index.row()]
        if index.column() == self.COL_CONTACTED and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            self.contact_edited.emit(row.customer_id, {"contacted": checked,
                                                       **({"contacted_on": date.today()} if checked else {})})
            return True
        if index.column() == self.COL_REASON and role == Qt.ItemDataRole.EditRole and str(value).strip():
            self.contact_edited.emit(row.customer_id, {"reason": str(value)})
            return True
        return False


class SuggestionTableModel(RowTableModel):
    HEADERS = ("Customer", "Organization", "Suggested because")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def suggestion(self, row: int) -> ContactSuggestion:
        return self._rows[row]

    def cell(self, s: ContactSuggestion, col: int, role: int):  # noqa: ANN201
        if role == self.ID_ROLE:
            return s.customer_id
        if role == Qt.ItemDataRole.DisplayRole:
            return (s.name, s.organization, s.reason)[col]
        return None
