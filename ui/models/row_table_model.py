"""A table model over a list of plain rows: the part every table model here had written again."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt


class RowTableModel(QAbstractTableModel):
    """Subclasses set HEADERS (with COL_* constants) and implement `cell(row, column, role)`."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows) -> None:  # noqa: ANN001 - any iterable of row values
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_rows(self, rows, key: Callable[[Any], Hashable]) -> None:  # noqa: ANN001 - as set_rows
        """Shows rows in place of the rows shown, row by row (rows removed, moved, inserted, changed; rows are told
        apart by key), never by a reset: an editor open on a row that stays is kept, words and all, where a reset
        would close it. Slower than set_rows for many changes; for when an editor is open."""
        new = list(rows)
        wanted = {key(row) for row in new}
        for i in reversed(range(len(self._rows))):
            if key(self._rows[i]) not in wanted:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
        for i, row in enumerate(new):
            k = key(row)
            at = next((j for j in range(i, len(self._rows)) if key(self._rows[j]) == k), None)
            if at is None:
                self.beginInsertRows(QModelIndex(), i, i)
                self._rows.insert(i, row)
                self.endInsertRows()
                continue
            if at != i:
                self.beginMoveRows(QModelIndex(), at, at, QModelIndex(), i)
                self._rows.insert(i, self._rows.pop(at))
                self.endMoveRows()
            if self._rows[i] != row:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))

    @property
    def rows(self) -> list[Any]:
        return self._rows

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def cell(self, row: Any, column: int, role: int) -> Any:
        """A row's value for a column and role; every subclass says (Qt's metaclass rules out abc here)."""
        raise NotImplementedError(f"{type(self).__name__} must implement cell()")
