"""Table model of the import preview: the first rows exactly as they will be stored, or why not."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt

from postmortem_desktop.importers.records import SkippedRow, TicketRow

from ..models.row_table_model import RowTableModel
from ..time_display import display_zone


class ImportPreviewModel(RowTableModel):
    COL_ROW, COL_ID, COL_CREATED, COL_SUBJECT, COL_REQUESTER, COL_CHANNEL, COL_TAGS, COL_MESSAGES = range(8)
    HEADERS = ("Row", "Ticket id", "Created", "Subject", "Requester", "Channel", "Tags", "Messages / problem")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = display_zone("UTC")
        self._left_out: Callable[[TicketRow], bool] = lambda _row: False

    def set_rows(self, rows: list[TicketRow | SkippedRow], zone_name: str = "UTC",
                 left_out: Callable[[TicketRow], bool] | None = None) -> None:
        """left_out tells which rows the review window will keep out (shown, so the preview never lies)."""
        self._zone = display_zone(zone_name)
        self._left_out = left_out or (lambda _row: False)
        super().set_rows(rows)

    def left_out_count(self) -> int:
        return sum(1 for row in self.rows if isinstance(row, TicketRow) and self._left_out(row))

    def cell(self, row: TicketRow | SkippedRow, col: int, role: int):  # noqa: ANN201
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(row, SkippedRow):
            return f"Row {row.row} will be skipped: it {row.reason}"
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(row, TicketRow) and col == self.COL_SUBJECT:
            return row.body[:600]
        return None

    def _text(self, row: TicketRow | SkippedRow, col: int) -> str:
        if isinstance(row, SkippedRow):
            # the reason sits beside the row number, where it is seen without scrolling the wide table
            return {self.COL_ROW: str(row.row), self.COL_ID: f"⚠ skipped: {row.reason}"}.get(col, "")
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
        if self._left_out(row):
            return "left out: outside the review window"
        return str(len(row.comments) + (1 if row.body else 0))
