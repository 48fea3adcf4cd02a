"""List model of quotes linked to one review answer: the quote, who said it, its tags."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from postmortem_desktop.services.review_answers import QuoteRef


class QuoteListModel(QAbstractListModel):
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[QuoteRef] = []

    def set_rows(self, rows: list[QuoteRef] | tuple[QuoteRef, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        quote = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            who = f" — {quote.customer}" if quote.customer else ""
            tags = f"  [{', '.join(quote.tags)}]" if quote.tags else ""
            return f"“{quote.text}”{who}{tags}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return quote.text
        if role == self.ID_ROLE:
            return quote.id
        return None
