"""Table model of the incident list: title, status, both durations, severity."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from postmortem_desktop.domain.timing import format_duration
from postmortem_desktop.services.incidents import IncidentSummary

STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "closed": "Closed ✓", "followed_up": "Followed up ✓"}


def _duration(minutes: int | None) -> str:
    return format_duration(timedelta(minutes=minutes) if minutes is not None else None)


class IncidentTableModel(QAbstractTableModel):
    COL_TITLE, COL_STATUS, COL_TECHNICAL, COL_CUSTOMER, COL_SEVERITY = range(5)
    HEADERS = ("Incident", "Status", "Logs", "Customers", "Severity")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self._rows: list[IncidentSummary] = []

    def set_rows(self, rows: list[IncidentSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of(self, incident_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == incident_id), -1)

    def summary(self, row: int) -> IncidentSummary:
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == self.ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.title}\nLogs: {_duration(row.technical_minutes)} · "
                    f"Customers: {_duration(row.customer_minutes)}")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_TECHNICAL, self.COL_CUSTOMER):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: IncidentSummary, col: int) -> str:
        if col == self.COL_TITLE:
            return row.title
        if col == self.COL_STATUS:
            return STATUS_LABELS.get(row.status, row.status)
        if col == self.COL_TECHNICAL:
            return _duration(row.technical_minutes)
        if col == self.COL_CUSTOMER:
            return _duration(row.customer_minutes)
        if row.customer_severity and row.customer_severity != row.technical_severity:
            return f"{row.technical_severity} → {row.customer_severity}"
        return row.technical_severity
