"""The board's item models: one list of quote cards, and a per-column proxy that picks its rows."""
from __future__ import annotations

import json
from collections.abc import Iterable

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
)

from postmortem_desktop.services.quotes import BoardCard

from .suggestion_text import suggestion_line

CARD_MIME_TYPE = "application/x-postmortem-quote-cards"
CARD_ROLE = Qt.ItemDataRole.UserRole + 1
QUOTE_ID_ROLE = Qt.ItemDataRole.UserRole + 2


def encode_cards(quote_ids: Iterable[int], from_tag_id: int | None) -> QMimeData:
    """Drag payload: which quotes, and from which column (None: Unsorted)."""
    mime = QMimeData()
    payload = {"quote_ids": list(quote_ids), "from_tag_id": from_tag_id}
    mime.setData(CARD_MIME_TYPE, QByteArray(json.dumps(payload).encode()))
    return mime


def decode_cards(mime: QMimeData) -> tuple[list[int], int | None] | None:
    if not mime.hasFormat(CARD_MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(mime.data(CARD_MIME_TYPE).data()).decode())
        return [int(q) for q in payload["quote_ids"]], payload.get("from_tag_id")
    except (ValueError, KeyError, TypeError):
        return None


class BoardCardModel(QAbstractListModel):
    """Every card of the incident, in time order; the column proxies show subsets of its rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cards: list[BoardCard] = []
        self._row_of: dict[int, int] = {}

    @property
    def cards(self) -> list[BoardCard]:
        return self._cards

    def set_cards(self, cards: list[BoardCard]) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self._row_of = {c.quote_id: row for row, c in enumerate(self._cards)}
        self.endResetModel()

    def replace_cards(self, cards: Iterable[BoardCard]) -> bool:
        """Updates cards in place; False when one is unknown (the caller reloads everything)."""
        changed = []
        for card in cards:
            row = self._row_of.get(card.quote_id)
            if row is None:
                return False
            self._cards[row] = card
            changed.append(row)
        for row in changed:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)
        return True

    def row_of(self, quote_id: int) -> int:
        return self._row_of.get(quote_id, -1)

    def card(self, row: int) -> BoardCard:
        return self._cards[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.text
        if role == Qt.ItemDataRole.ToolTipRole:
            who = f"{card.customer} ({card.organization})" if card.organization != card.customer else card.customer
            lines = [card.text, "", f"{who} · {card.segment} · {card.channel}"]
            if card.suggestions:
                lines += ["", "Suggested:"] + [f"  {suggestion_line(s)}" for s in card.suggestions]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            tags = ", ".join(t.name for t in card.tags) or "no tags"
            return f"{card.text}. {card.customer}. Tags: {tags}"
        if role == CARD_ROLE:
            return card
        if role == QUOTE_ID_ROLE:
            return card.quote_id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled


class CardColumnProxyModel(QStringListModel):
    """One column (or one lane's cell of a column): the source rows the board bucketed into it.

    The board computes every column's rows in one pass and hands them over with set_rows, which is
    much cheaper at 5,000 cards than a filter callback per row per column.

    Its row count is Qt's own: a QListView lays itself out by asking for every row's index, and each
    index asks the row count. As a Python method that was a call into Python per row, three per row in
    all: laying out a 3,362-card column took 11.6 ms, against 0.5 ms with the count kept by Qt (a string
    list of empty strings, one per row; the cards come from the board's model through data()). It maps
    to the board's model itself (mapToSource, mapFromSource) rather than being a QAbstractProxyModel,
    whose index() is Python too.
    """

    def __init__(self, tag_id: int | None, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.tag_id = tag_id
        self._source: QAbstractItemModel | None = None
        self._rows: list[int] = []
        self._position: dict[int, int] = {}

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # the board's BoardCardModel
        self.beginResetModel()
        self._source = model
        model.modelAboutToBeReset.connect(self._on_source_about_to_reset)
        model.modelReset.connect(self._on_source_reset)
        model.dataChanged.connect(self._on_source_data_changed)
        self._forget_rows()
        self.endResetModel()

    def sourceModel(self) -> QAbstractItemModel | None:
        return self._source

    def source_rows(self) -> list[int]:
        return list(self._rows)

    def set_rows(self, rows: list[int]) -> bool:
        """Shows these source rows; selection and scroll survive because indexes are remapped.

        False when they are the rows shown already (nothing changed)."""
        if rows == self._rows:
            return False
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self._rows[i.row()] if 0 <= i.row() < len(self._rows) else -1 for i in persistent]
        self._rows = list(rows)
        self._position = {source: row for row, source in enumerate(self._rows)}
        # rows are added or dropped at the end, inside this layout change: a kept index never shifts. When
        # growing, the rows exist before the indexes move onto them; when shrinking, the indexes move first.
        if len(rows) > self.rowCount():
            self._resize(len(rows))
        remapped = [self.index(self._position[s], 0) if s in self._position else QModelIndex() for s in sources]
        self.changePersistentIndexList(persistent, remapped)
        if len(rows) < self.rowCount():
            self._resize(len(rows))
        self.layoutChanged.emit()
        return True

    def _resize(self, count: int) -> None:
        """The row count Qt keeps, changed quietly: the caller's layout change tells the views."""
        self.blockSignals(True)
        try:
            now = self.rowCount()
            if count > now:
                QStringListModel.insertRows(self, now, count - now)
            else:
                QStringListModel.removeRows(self, count, now - count)
        finally:
            self.blockSignals(False)

    def _forget_rows(self) -> None:
        self._rows, self._position = [], {}
        self._resize(0)

    def _on_source_about_to_reset(self) -> None:
        self.beginResetModel()

    def _on_source_reset(self) -> None:
        self._forget_rows()
        self.endResetModel()

    def _on_source_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles=()) -> None:  # noqa: ANN001
        mine = [self._position[r] for r in range(top.row(), bottom.row() + 1) if r in self._position]
        for row in mine:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    # ---- mapping to the board's model ---------------------------------------------------------------
    def mapToSource(self, proxy_index: QModelIndex | QPersistentModelIndex) -> QModelIndex:
        if self._source is None or not proxy_index.isValid() or not 0 <= proxy_index.row() < len(self._rows):
            return QModelIndex()
        return self._source.index(self._rows[proxy_index.row()], 0)

    def mapFromSource(self, source_index: QModelIndex | QPersistentModelIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = self._position.get(source_index.row())
        return QModelIndex() if row is None else self.index(row, 0)

    # ---- the list model ------------------------------------------------------------------------------
    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        source = self.mapToSource(index)
        return None if self._source is None or not source.isValid() else self._source.data(source, role)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    # ---- drag -------------------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [CARD_MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:  # noqa: ANN001
        ids = [self.data(i, QUOTE_ID_ROLE) for i in indexes if i.isValid()]
        return encode_cards(dict.fromkeys(ids), self.tag_id)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def removeRows(self, row: int, count: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return False  # a finished move drag must not delete cards: the board re-buckets them instead
