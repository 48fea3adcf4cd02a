"""Table model of action items: area, description, owner, due date, status (overdue in words), links."""
from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QApplication, QStyle

from postmortem_desktop.services.actions import ActionItemView

from ..models.row_table_model import RowTableModel

STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done ✓"}


class ActionItemTableModel(RowTableModel):
    COL_AREA, COL_DESCRIPTION, COL_OWNER, COL_DUE, COL_STATUS, COL_LINKS = range(6)
    HEADERS = ("Area", "Description", "Owner", "Due", "Status", "Motivated by")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    SORT_ROLE = Qt.ItemDataRole.UserRole + 2
    OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 3

    def item(self, row: int) -> ActionItemView:
        return self._rows[row]

    def row_of(self, item_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == item_id), -1)

    def cell(self, item: ActionItemView, col: int, role: int):  # noqa: ANN201
        if role == self.ID_ROLE:
            return item.id
        if role == self.OVERDUE_ROLE:
            return item.overdue
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, col)
        if role == self.SORT_ROLE:
            return self._sort_key(item, col)
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_STATUS and item.overdue:
            # an icon and the word "Overdue": never colour alone
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_LINKS and item.links:
                return "\n".join(link.label for link in item.links)
            if col == self.COL_DESCRIPTION:
                return item.description
        if role == Qt.ItemDataRole.AccessibleTextRole and col == self.COL_STATUS:
            return self._display(item, col)
        return None

    def _display(self, item: ActionItemView, col: int) -> str:
        if col == self.COL_AREA:
            return item.area.capitalize()
        if col == self.COL_DESCRIPTION:
            return item.description
        if col == self.COL_OWNER:
            return item.owner or "— no owner —"
        if col == self.COL_DUE:
            return item.due_date.isoformat() if item.due_date else "— no date —"
        if col == self.COL_STATUS:
            status = STATUS_LABELS.get(item.status, item.status)
            return f"Overdue — {status.lower()}" if item.overdue else status
        return "; ".join(link.label for link in item.links)

    def _sort_key(self, item: ActionItemView, col: int):  # noqa: ANN202
        if col == self.COL_DUE:
            return item.due_date.isoformat() if item.due_date else "9999"
        if col == self.COL_STATUS:
            return f"{0 if item.overdue else 1}{item.status}"
        return self._display(item, col).lower()


class ActionItemFilterModel(QSortFilterProxyModel):
    """Filters by area, by text in any column, and to overdue items only."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.area = ""
        self.overdue_only = False
        self.setSortRole(ActionItemTableModel.SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def set_area(self, area: str) -> None:
        self.beginFilterChange()
        self.area = area
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_overdue_only(self, on: bool) -> None:
        self.beginFilterChange()
        self.overdue_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: ANN001
        model = self.sourceModel()
        if self.area and model.index(row, ActionItemTableModel.COL_AREA, parent).data().lower() != self.area:
            return False
        if self.overdue_only and not model.index(row, 0, parent).data(ActionItemTableModel.OVERDUE_ROLE):
            return False
        return super().filterAcceptsRow(row, parent)
