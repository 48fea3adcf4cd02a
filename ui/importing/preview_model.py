"""Table model of the import preview: the first rows exactly as they will be stored, or why not."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from postmortem_desktop.importers.records import SkippedRow, TicketRow

from ..time_display import display_zone


class ImportPreviewModel(QAbstractTableModel):
    COL_ROW, COL_ID, COL_CREATED, COL_SUBJECT, COL_REQUESTER, COL_CHANNEL, COL_TAGS, COL_MESSAGES = range(8)
    HEADERS = ("Row", "Ticket id", "Created", "Subject", "Requester", "Channel", "Tags", "Messages / problem")

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self._rows: list[TicketRow | SkippedRow] = []
        self._zone = display_zone("UTC")

    def set_rows(self, rows: list[TicketRow | SkippedRow], zone_name: str) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._zone = display_zone(zone_name)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(row, TicketRow) and index.column() == self.COL_SUBJECT:
            return row.body[:600]
        return None

    def _text(self, row: TicketRow | SkippedRow, col: int) -> str:
        if isinstance(row, SkippedRow):
            return {self.COL_ROW: str(row.row), self.COL_MESSAGES: f"⚠ skipped: {row.reason}"}.get(col, "")
        if col == self.COL_ROW:
            return str(row.row_number)
        if col == self.COL_ID:
            return row.external_id
        if col == self.COL_CREATED:
            return row.created_at.astimezone(self._zone).strftime("%Y-%m-%d %H:%M") if row.created_at else "—"
        if col == self.COL_SUBJECT:
            return row.subject
        if col == self.COL_REQUESTER:
            return " ".join(p for p in (row.requester_name, f"<{row.requester_email}>" if row.requester_email else "")
                            if p)
        if col == self.COL_CHANNEL:
            return row.channel
        if col == self.COL_TAGS:
            return ", ".join(row.tags)
        return str(len(row.comments) + (1 if row.body else 0))
