"""The board's grid: a header per column, and a row of card lists per swimlane."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QSizePolicy, QStyleOptionViewItem, QWidget

from postmortem_desktop.domain.harm_count import count_harm
from postmortem_desktop.services.quotes import BoardCard

from .card_delegate import BoardCardDelegate
from .card_model import CARD_ROLE, QUOTE_ID_ROLE, BoardCardModel, CardColumnProxyModel
from .column_view import CardListView, ColumnHeaderWidget

GROUPINGS = {"": "No swimlanes", "customer_task": "Customer task", "symptom": "Symptom",
             "segment": "Customer segment", "channel": "Channel"}
PRE_EXISTING_LANE = "\x00pre-existing"
OTHER_LANE = "\x00other"
MAX_LANES = 12
#: a column's narrowest, in average characters of the board's font: six or more of 10 columns fit a
#: 1920 px screen beside the incident list, and the width grows with the type (projector); a column
#: is never narrower than its header's title and count
COLUMN_CHARS = 26
LANE_CARDS = 3  # a lane shows this many cards before it scrolls
#: rows of lanes not shown now that are kept for when they come back (the scope filter's pre-existing lane)
KEPT_LANES = MAX_LANES + 2


@dataclass(frozen=True)
class Column:
    tag_id: int | None  # None: the Unsorted inbox
    title: str
    color: QColor
    number: int | None  # its number key


@dataclass(frozen=True)
class Lane:
    key: str
    title: str


@dataclass
class LaneRow:
    """One lane's widgets: its title (made when first needed) and a cell per column."""

    views: dict[int | None, CardListView]
    label: QLabel | None = None

    def title_label(self, parent: QWidget) -> QLabel:
        if self.label is None:
            label = self.label = QLabel(parent)
            label.setObjectName("board_lane_title")
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setContentsMargins(4, 10, 4, 2)
        return self.label

    def widgets(self) -> list[QWidget]:
        return [*self.views.values(), *([self.label] if self.label is not None else [])]


def lane_value(card: BoardCard, grouping: str) -> str:
    return (getattr(card, grouping, "") or "").strip() if grouping else ""


UNSORTED_ONLY: list[int | None] = [None]  # shared, never changed: the columns of a card without tags


def bucket_cards(cards: list[BoardCard], rows: list[int], column_ids: list[int | None], grouping: str,
                 set_apart: bool) -> tuple[list[Lane], dict[tuple[str, int | None], list[int]], dict]:
    """Lanes, the source rows of each (lane, column) cell, and each column's (incident, pre-existing)
    counts, in one pass over the cards.

    A card sits in each column of its tags (Unsorted when it has none); pre-existing cards go to a
    lane of their own when set_apart, so old confusion is not read as incident damage.
    """
    known = set(column_ids)
    if grouping:
        values = Counter(lane_value(c, grouping) for c in cards if not (set_apart and c.pre_existing))
        ranked = values.most_common(MAX_LANES)
        top = {v for v, _ in ranked}
        lanes = [Lane(v, _lane_title(grouping, v)) for v, _ in ranked]
        if len(values) > MAX_LANES:
            lanes.append(Lane(OTHER_LANE, f"Other {GROUPINGS[grouping].lower()}s"))
    else:
        top, lanes = {""}, [Lane("", "")]
    buckets: dict[tuple[str, int | None], list[int]] = {}
    # Each card's columns: a list made once per distinct set of tags (a few dozen on a 5,000-card board), and
    # no pair per card: objects kept alive through the pass were most of a filter step's garbage collections,
    # a full one (20-40 ms over a 100k workspace's objects) every dozen steps or so.
    columns_of: dict[tuple[int, ...], list[int | None]] = {}
    placed: list[list[int | None]] = []
    pre_existing: list[bool] = []
    for card, row in zip(cards, rows, strict=True):
        pre = card.pre_existing
        if set_apart and pre:
            lane = PRE_EXISTING_LANE
        else:
            value = lane_value(card, grouping) if grouping else ""
            lane = value if value in top else OTHER_LANE
        columns = columns_of.get(card.tag_ids)
        if columns is None:  # None: Unsorted
            columns = columns_of[card.tag_ids] = [t for t in card.tag_ids if t in known] or UNSORTED_ONLY
        for column in columns:
            cell = buckets.get((lane, column))
            if cell is None:
                cell = buckets[(lane, column)] = []
            cell.append(row)
        placed.append(columns)
        pre_existing.append(pre)
    if set_apart and any(key[0] == PRE_EXISTING_LANE for key in buckets):
        lanes.append(Lane(PRE_EXISTING_LANE, "Pre-existing — older confusion, not counted as incident damage"))
    # the columns' counts by the one rule the room, the PDF and the follow-up check count by too
    harm = count_harm(zip(placed, pre_existing, strict=True))
    counts = {key: (harm[key].incident, harm[key].pre_existing) if key in harm else (0, 0) for key in known}
    return lanes, buckets, counts


def _lane_title(grouping: str, value: str) -> str:
    return f"{GROUPINGS[grouping]}: {value or '(not set)'}"


class BoardGridWidget(QScrollArea):
    """Builds the views once per layout; a filter change only hands new rows to the proxies."""

    cards_dropped = Signal(object, object, object, bool)
    card_key_pressed = Signal(int)
    selection_changed = Signal(object)  # the view whose selection changed
    card_clicked = Signal(object)  # BoardCard
    column_menu_requested = Signal(object, QPoint)
    card_menu_requested = Signal(object, QPoint)  # the view, global position

    def __init__(self, model: BoardCardModel, delegate: BoardCardDelegate, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.model = model
        self.delegate = delegate
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.headers: dict[int | None, ColumnHeaderWidget] = {}
        #: the cells shown now, by (lane key, tag id)
        self.views: dict[tuple[str, int | None], CardListView] = {}
        #: every lane's row of cells that exists, shown or set aside, by lane key
        self._lane_rows: dict[str, LaneRow] = {}
        self._column_ids: tuple | None = None
        self._lane_keys: tuple | None = None
        self._cards_movable = True  # False on a read-only workspace: no card is dragged, no column takes a drop
        self._container = QWidget()
        self._grid = QGridLayout(self._container)
        #: the column asked for while the grid was hidden: scrolled to once it is shown at its real size
        self._pending_column: tuple[int | None] | None = None

    def show_column(self, tag_id: int | None, focus: bool = True) -> CardListView | None:
        """Scrolls the column of a tag (None: Unsorted) into view and focuses its first lane (unless not focus)."""
        header = self.headers.get(tag_id)
        if header is None:
            return None
        if self.isVisible():
            self._scroll_to_column(tag_id)
        else:  # a hidden grid measures its columns at a stale size (F7 from the room view opened it
            self._pending_column = (tag_id,)  # scrolled 72 px into Unsorted): scroll once it is shown
        view = next((v for (_lane, t), v in self.views.items() if t == tag_id), None)
        if view is not None and focus:
            view.setFocus()
        return view

    def _scroll_to_column(self, tag_id: int | None) -> None:
        header = self.headers.get(tag_id)
        if header is None:
            return
        self.verticalScrollBar().setValue(0)  # the column's first lane is at the top
        self.ensureWidgetVisible(header, 40, 0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending_column is not None:
            (tag_id,), self._pending_column = self._pending_column, None
            # after the show's layout pass, when the columns have their real positions
            QTimer.singleShot(0, self, lambda: self._scroll_to_column(tag_id))

    def reveal_card(self, quote_id: int, tag_id: object = ...) -> CardListView | None:
        """Scrolls the first cell holding the card into view, selects it there; None when it is not shown.

        tag_id (None: Unsorted) limits the search to that column, e.g. where a drop put the card."""
        for (_lane, column), view in self.views.items():
            if tag_id is not ... and column != tag_id:
                continue
            proxy = view.model()
            row = next((r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(QUOTE_ID_ROLE) == quote_id), -1)
            if row < 0:
                continue
            index = proxy.index(row, 0)
            self.ensureWidgetVisible(view, 40, 40)
            view.scrollTo(index)
            view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            view.setFocus()
            return view
        return None

    def column_width(self) -> int:
        return QFontMetrics(self.font()).averageCharWidth() * COLUMN_CHARS

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # larger type (projector): wider columns
            width = self.column_width()
            for row in self._lane_rows.values():  # a header asks for its whole title, so no column cuts it
                for view in row.views.values():
                    view.setMinimumWidth(width)

    def forget_column_widths(self) -> None:
        """New cards: each column fits its header's counts again (a filter only ever widens them)."""
        for header in self.headers.values():
            header.forget_width()

    def all_views(self) -> list[CardListView]:
        return list(self.views.values())

    def set_board(self, columns: list[Column], lanes: list[Lane], buckets: dict, counts: dict) -> None:
        column_ids = tuple(c.tag_id for c in columns)
        if column_ids != self._column_ids:
            self._rebuild(columns)
            self._column_ids = column_ids
        lane_keys = tuple(lane.key for lane in lanes)
        if lane_keys != self._lane_keys:
            self._arrange(columns, lanes)
            self._lane_keys = lane_keys
        for column in columns:
            total, old = counts.get(column.tag_id, (0, 0))
            self.headers[column.tag_id].set_column(column.title, column.color, total, old, column.number)
        changed = [view for (lane_key, tag_id), view in self.views.items()
                   if cast(CardColumnProxyModel, view.model()).set_rows(buckets.get((lane_key, tag_id), []))]
        self._fit_lane_heights(lanes)
        self._apply_geometry_now()
        for view in changed:
            if view.isVisible():
                # laid out now rather than on the view's own timer, which runs after the window's next
                # paint: the cards were then painted twice, before and after their layout
                view.doItemsLayout()

    def _apply_geometry_now(self) -> None:
        """Gives the cells their new sizes now (lane heights, lanes come or gone, the scroll range), not on the
        event loop's next pass: that came after the window was painted at the old sizes, so twice."""
        self._grid.activate()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _rebuild(self, columns: list[Column]) -> None:
        """A new grid for new columns: their headers; the lanes' rows are made by _arrange."""
        self.headers, self.views, self._lane_rows, self._lane_keys = {}, {}, {}, None
        container = QWidget()
        container.setObjectName("board_grid")
        grid = QGridLayout(container)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        for col, column in enumerate(columns):
            header = ColumnHeaderWidget(column.tag_id, container)
            header.menu_requested.connect(self.column_menu_requested)
            grid.addWidget(header, 0, col)
            grid.setColumnStretch(col, 1)
            self.headers[column.tag_id] = header
        old = self.takeWidget()
        self.setWidget(container)
        if old is not None:
            old.deleteLater()
        self._container, self._grid = container, grid

    def _arrange(self, columns: list[Column], lanes: list[Lane]) -> None:
        """Puts the lanes' rows in order under the headers, reusing the rows of lanes shown before.

        Switching the pre-existing lane on and off (the scope filter), or a filter that reorders the
        swimlanes, then moves widgets in the grid rather than building a view per cell again: building
        and first showing twenty list views was most of such a filter change on a 100k board.
        """
        grid = self._grid
        for row in self._lane_rows.values():
            for widget in row.widgets():
                grid.removeWidget(widget)
        for n in range(grid.rowCount()):
            if n:  # row 0: the headers
                grid.setRowStretch(n, 0)
        self.views = {}
        single = len(lanes) == 1 and not lanes[0].title
        for n, lane in enumerate(lanes):
            row = self._lane_rows.pop(lane.key) if lane.key in self._lane_rows else self._make_lane(columns)
            self._lane_rows[lane.key] = row  # last used last: the first ones are dropped when too many wait
            place = 1 + 2 * n
            if lane.title:
                label = row.title_label(self._container)
                label.setText(lane.title)
                grid.addWidget(label, place, 0, 1, len(columns), Qt.AlignmentFlag.AlignLeft)
                label.show()
            elif row.label is not None:
                row.label.hide()
            for col, column in enumerate(columns):
                view = row.views[column.tag_id]
                grid.addWidget(view, place + 1, col)
                view.show()
                self.views[(lane.key, column.tag_id)] = view
            if single:
                grid.setRowStretch(place + 1, 1)
        if not single:
            grid.setRowStretch(1 + 2 * len(lanes), 1)
        self._set_aside_unused_lanes(set(lane.key for lane in lanes))

    def _set_aside_unused_lanes(self, shown: set[str]) -> None:
        """Hides the rows of lanes not shown now, keeping the most recent few for when they come back."""
        unused = [key for key in self._lane_rows if key not in shown]
        for n, key in enumerate(unused):
            row = self._lane_rows[key]
            for view in row.views.values():
                view.clearSelection()  # one selection on the whole board: none in a lane out of sight
            if n < len(unused) - KEPT_LANES:
                del self._lane_rows[key]
                for widget in row.widgets():
                    widget.deleteLater()
            else:
                for widget in row.widgets():
                    widget.hide()

    def set_cards_movable(self, movable: bool) -> None:
        """Whether cards may be dragged and dropped: on a read-only workspace a drag that followed the mouse and lit
        up a column, then did nothing, looked like a fault."""
        self._cards_movable = movable
        for row in self._lane_rows.values():
            for view in row.views.values():
                _let_cards_move(view, movable)

    def _make_lane(self, columns: list[Column]) -> LaneRow:
        return LaneRow({column.tag_id: self._make_view(column.tag_id, self._container) for column in columns})

    def _make_view(self, tag_id: int | None, parent: QWidget) -> CardListView:
        view = CardListView(tag_id, parent)
        _let_cards_move(view, self._cards_movable)
        proxy = CardColumnProxyModel(tag_id, view)
        proxy.setSourceModel(self.model)
        view.setModel(proxy)
        view.setItemDelegate(self.delegate)
        view.setMinimumWidth(self.column_width())
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        view.setAccessibleName("Unsorted cards" if tag_id is None else "Tagged cards")
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.cards_dropped.connect(self.cards_dropped)
        view.card_key_pressed.connect(self.card_key_pressed)
        view.clicked.connect(lambda index: self.card_clicked.emit(index.data(CARD_ROLE)))
        view.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit(view))
        view.customContextMenuRequested.connect(
            lambda pos: self.card_menu_requested.emit(view, view.viewport().mapToGlobal(pos)))
        return view

    def _fit_lane_heights(self, lanes: list[Lane]) -> None:
        if len(lanes) == 1 and not lanes[0].title:
            for view in self.views.values():
                view.setMinimumHeight(0)
                view.setMaximumHeight(16_777_215)
            return
        card_height = self._card_height()
        for lane in lanes:
            views = [v for (key, _), v in self.views.items() if key == lane.key]
            most = max((v.model().rowCount() for v in views), default=0)
            height = max(1, min(most, LANE_CARDS)) * card_height + 6
            for view in views:
                view.setFixedHeight(height)

    def _card_height(self) -> int:
        view = next(iter(self.views.values()), None)
        if view is None:
            return 150
        option = QStyleOptionViewItem()
        option.font = view.font()
        return self.delegate.sizeHint(option, view.model().index(0, 0)).height()


def _let_cards_move(view: CardListView, movable: bool) -> None:
    view.setDragEnabled(movable)
    view.setAcceptDrops(movable)
    view.viewport().setAcceptDrops(movable)
