"""Table model of the incident list: title, status, both durations, severity."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from postmortem_desktop.domain.timing import format_duration

if TYPE_CHECKING:  # the list is drawn before the storage layer (SQLAlchemy) is imported
    from postmortem_desktop.services.incidents import IncidentSummary

from .row_table_model import RowTableModel

STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "closed": "Closed ✓", "followed_up": "Followed up ✓"}


def _duration(minutes: int | None) -> str:
    return format_duration(timedelta(minutes=minutes) if minutes is not None else None)


class IncidentTableModel(RowTableModel):
    COL_TITLE, COL_STATUS, COL_TECHNICAL, COL_CUSTOMER, COL_SEVERITY = range(5)
    HEADERS = ("Incident", "Status", "Logs", "Customers", "Severity")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._shared_titles: set[str] = set()

    def set_rows(self, rows) -> None:  # noqa: ANN001 - any iterable of IncidentSummary
        rows = list(rows)
        # titles more than one incident has (a published copy beside its original): shown with their ids
        self._shared_titles = {title for title, count in Counter(row.title for row in rows).items() if count > 1}
        super().set_rows(rows)

    def row_of(self, incident_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == incident_id), -1)

    def ids(self) -> list[int]:
        return [r.id for r in self._rows]

    def replace_row(self, summary: IncidentSummary) -> None:
        """One incident's row read again, in place (the selection and the order stay)."""
        row = self.row_of(summary.id)
        self._rows[row] = summary
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def summary(self, row: int) -> IncidentSummary:
        return self._rows[row]

    def cell(self, row: IncidentSummary, col: int, role: int):  # noqa: ANN201
        if role == self.ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.title} (incident #{row.id})\nLogs: {_duration(row.technical_minutes)} · "
                    f"Customers: {_duration(row.customer_minutes)}")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_TECHNICAL, self.COL_CUSTOMER):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: IncidentSummary, col: int) -> str:
        if col == self.COL_TITLE:
            # the id first: the list elides a long title at its end, where an id after it was cut off
            return f"#{row.id} · {row.title}" if row.title in self._shared_titles else row.title
        if col == self.COL_STATUS:
            return STATUS_LABELS.get(row.status, row.status)
        if col == self.COL_TECHNICAL:
            return _duration(row.technical_minutes)
        if col == self.COL_CUSTOMER:
            return _duration(row.customer_minutes)
        if row.customer_severity and row.customer_severity != row.technical_severity:
            return f"{row.technical_severity} → {row.customer_severity}"
        return row.technical_severity
