"""Who edited this incident: a team workspace's record of each edit (and undo), newest first."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from postmortem_desktop.services.review_answers import EditEntry

from ..models.row_table_model import RowTableModel
from ..time_display import display_zone


class EditTableModel(RowTableModel):
    COL_AT, COL_USER, COL_WHAT = range(3)
    HEADERS = ("When", "Who", "Edit")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone_name = "UTC"

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        header = super().headerData(section, orientation, role)
        if header == self.HEADERS[self.COL_AT] and orientation == Qt.Orientation.Horizontal:
            return f"{header} ({self.zone_name})"  # the times are in the incident's zone, as the timeline says
        return header

    def cell(self, row: EditEntry, col: int, role: int) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == self.COL_AT:
            return row.at.astimezone(display_zone(self.zone_name)).strftime("%Y-%m-%d %H:%M:%S")
        if col == self.COL_USER:
            return row.user
        return f"Undo {row.what}" if row.undone else row.what


class EditsWidget(QWidget):
    """The edits of the selected incident with who made them; on a file, why there are none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.model = EditTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Edits of this incident, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(EditTableModel.COL_WHAT, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def show_edits(self, edits: list[EditEntry], *, team: bool, zone_name: str) -> None:
        self.model.zone_name = zone_name
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, EditTableModel.COL_AT, EditTableModel.COL_AT)
        self.model.set_rows(reversed(edits))
        self.table.resizeColumnToContents(EditTableModel.COL_AT)
        self.table.resizeColumnToContents(EditTableModel.COL_USER)
        self.note.setText(
            f"Every edit of this incident in the team workspace, with who made it ({len(edits)} so far)." if team else
            "A workspace file is one person's: it keeps no record of who edited. A team workspace does.")
        self.table.setVisible(team)
