"""One board cell: a list view of cards that takes drops and keys, and the column's header."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListView, QWidget

from .card_model import QUOTE_ID_ROLE, decode_cards


class CardListView(QListView):
    """Cards of one column in one lane. Emits intent; the board turns it into commands."""

    #: cards dropped here: (quote ids, from tag id or None, to tag id or None, copy: Ctrl held)
    cards_dropped = Signal(object, object, object, bool)
    #: a board key was pressed on the selected cards: the Qt key code
    card_key_pressed = Signal(int)
    BOARD_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Delete, Qt.Key.Key_Backspace,
                  *(getattr(Qt.Key, f"Key_{n}") for n in range(1, 10))}

    def __init__(self, tag_id: int | None, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.tag_id = tag_id
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.verticalScrollBar().setObjectName("card_scroll_bar")  # slim and flat: the themes' QSS
        self._drop_highlight = False

    def selected_quote_ids(self) -> list[int]:
        rows = sorted(self.selectionModel().selectedRows(), key=lambda i: i.row()) if self.selectionModel() else []
        return [i.data(QUOTE_ID_ROLE) for i in rows]

    # ---- drops ---------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: ANN001
        if decode_cards(event.mimeData()) is None:
            event.ignore()
            return
        self._set_drop_highlight(True)
        self._accept(event)

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001
        if decode_cards(event.mimeData()) is None:
            event.ignore()
            return
        self._accept(event)

    def dragLeaveEvent(self, event) -> None:  # noqa: ANN001
        self._set_drop_highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: ANN001
        self._set_drop_highlight(False)
        decoded = decode_cards(event.mimeData())
        if decoded is None:
            event.ignore()
            return
        quote_ids, from_tag_id = decoded
        copy = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        # Copy back to the source: the board re-buckets the cards; Qt must not remove any rows.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.cards_dropped.emit(quote_ids, from_tag_id, self.tag_id, copy)

    @staticmethod
    def _accept(event) -> None:  # noqa: ANN001
        copy = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        event.setDropAction(Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction)
        event.accept()

    def _set_drop_highlight(self, on: bool) -> None:
        if on != self._drop_highlight:
            self._drop_highlight = on
            self.viewport().update()

    def paintEvent(self, event) -> None:  # noqa: ANN001
        super().paintEvent(event)
        if self._drop_highlight:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(self.palette().highlight().color()))
            painter.drawRect(self.viewport().rect().adjusted(1, 1, -2, -2))
            painter.drawRect(self.viewport().rect().adjusted(2, 2, -3, -3))

    def changeEvent(self, event) -> None:  # noqa: ANN001
        # uniform item sizes are measured once: a theme or font change must measure the cards again
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    # ---- keys ----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in self.BOARD_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.card_key_pressed.emit(event.key())
            event.accept()
            return
        super().keyPressEvent(event)


class ColumnHeaderWidget(QWidget):
    """A column's name, colour swatch and count; right-click for the column menu."""

    menu_requested = Signal(object, QPoint)  # tag id or None, global position

    def __init__(self, tag_id: int | None, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.tag_id = tag_id
        self.setObjectName("board_column_header")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.swatch = QLabel(self)
        self.swatch.setFixedSize(18, 18)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.count = QLabel(self)
        self.count.setFont(font)
        self.count.setObjectName("board_column_count")
        layout.addWidget(self.swatch)
        layout.addWidget(self.title, 1)
        layout.addWidget(self.count)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_self_context_menu)

    def set_column(self, title: str, color: QColor, count: int, pre_existing: int, number: int | None) -> None:
        key = f"{number}  " if number is not None else ""
        self.title.setText(f"{key}{title}")
        self.swatch.setStyleSheet(f"background: {color.name()}; border-radius: 4px;")
        extra = f" +{pre_existing} old" if pre_existing else ""
        self.count.setText(f"{count}{extra}")
        # a filter changes the counts, not the columns: the header keeps the widest it has been (since the
        # board's cards were loaded), so a shorter count does not narrow the column and move every column
        # beside it, which would lay out and paint every card on the board again at each search
        self.setMinimumWidth(max(self.minimumWidth(), self.sizeHint().width()))
        self.setToolTip(f"{count} incident card(s)" + (f", {pre_existing} pre-existing" if pre_existing else "")
                        + ("\nPress the number key to tag the selected card" if number else ""))

    def forget_width(self) -> None:
        """Fits the header to its text again (new cards, or a new font); see set_column."""
        self.setMinimumWidth(0)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the projector's larger type, or back
            self.forget_width()
        super().changeEvent(event)

    def _on_self_context_menu(self, pos: QPoint) -> None:
        self.menu_requested.emit(self.tag_id, self.mapToGlobal(pos))
